package io.distillguard.gateway.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.core.AccountStatus;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.ResponseTransform;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watermarks generated text with the key of the account it is served to (see {@code docs/provenance.md}), at the
 * strength of the account's status. Skips answers the client asked to be machine-readable (JSON response formats,
 * tool use), where a changed word could break a parser. One instance per event loop: the key cache needs no lock.
 */
public final class WatermarkStage implements Stage {
  /** Keys kept per event loop; beyond this the cache starts over (a key is one HMAC to derive). */
  static final int MAX_KEYS = 100_000;

  private final Lexicon lexicon;
  private final byte[] master;
  private final boolean global;
  private final EnumMap<AccountStatus, Double> strength;
  private final Map<String, Watermarker> byAccount = new HashMap<>();
  private Watermarker globalMarker;

  /**
   * @param perAccount one key per account (the default) or a single global key
   * @param strength   share of (context, set) pairs rewritten for each account status; missing means 0
   */
  public WatermarkStage(Lexicon lexicon, byte[] master, boolean perAccount, Map<AccountStatus, Double> strength) {
    this.lexicon = lexicon;
    this.master = master.clone();
    this.global = !perAccount;
    this.strength = new EnumMap<>(AccountStatus.class);
    this.strength.putAll(strength);
  }

  @Override
  public void process(Call call, Chain chain) {
    if (call.account != null && call.endpoint() != null && call.endpoint().generates() && !structured(call.json)) {
      double s = strength.getOrDefault(call.accountStatus, 0.0);
      if (s > 0) {
        call.addTransform(new Transform(marker(call.account.id(), s)));
      }
    }
    chain.proceed(call);
  }

  private Watermarker marker(String accountId, double s) {
    if (global) {
      if (globalMarker == null || globalMarker.strength() != s) {
        globalMarker = new Watermarker(lexicon, WatermarkKey.derive(master, WatermarkKey.Scope.GLOBAL, null), s);
      }
      return globalMarker;
    }
    Watermarker m = byAccount.get(accountId);
    if (m == null || m.strength() != s) {
      if (byAccount.size() >= MAX_KEYS) {
        byAccount.clear();
      }
      m = new Watermarker(lexicon, WatermarkKey.account(master, accountId), s);
      byAccount.put(accountId, m);
    }
    return m;
  }

  /** JSON mode, a JSON schema, or tools offered: the answer is for a program. */
  static boolean structured(JsonNode request) {
    if (request == null) {
      return false;
    }
    JsonNode rf = request.path("response_format").path("type");
    if (rf.isTextual() && !"text".equals(rf.asText())) {
      return true;
    }
    JsonNode tools = request.get("tools");
    return (tools != null && tools.isArray() && !tools.isEmpty()) || request.hasNonNull("functions");
  }

  /** One watermark session per choice of the answer. */
  static final class Transform implements ResponseTransform {
    private final Watermarker marker;

    Transform(Watermarker marker) {
      this.marker = marker;
    }

    @Override
    public Session open(Call call) {
      List<Watermarker.Session> sessions = new ArrayList<>(1);
      return new Session() {
        @Override
        public String push(int choice, String text) {
          return session(choice).push(text);
        }

        @Override
        public String flush(int choice) {
          return session(choice).finish();
        }

        private Watermarker.Session session(int choice) {
          while (sessions.size() <= choice) {
            sessions.add(marker.session());
          }
          return sessions.get(choice);
        }
      };
    }
  }
}
