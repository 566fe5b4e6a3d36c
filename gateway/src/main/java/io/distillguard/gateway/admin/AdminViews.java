package io.distillguard.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Account;
import io.distillguard.core.Alert;
import io.distillguard.core.ApiKey;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskScore;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.store.ExchangeCounts;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the admin API. Field names are snake_case, times ISO-8601. */
final class AdminViews {
  private AdminViews() {}

  static ObjectNode account(Account a) {
    return account(a, null);
  }

  /** An account with its cluster (null when linkage has not put it in one). */
  static ObjectNode account(Account a, String clusterId) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", a.id());
    n.put("name", a.name());
    ObjectNode attrs = n.putObject("attributes");
    for (Map.Entry<String, String> e : a.attributes().entrySet()) {
      attrs.put(e.getKey(), e.getValue());
    }
    n.put("status", a.status().wireName());
    n.put("created_at", a.createdAt().toString());
    n.put("cluster_id", clusterId);
    return n;
  }

  /** The full account view, with the cluster cross-account linkage put it in (null when none). */
  static ObjectNode accountDetail(Account a, ExchangeCounts counts, List<ApiKey> keys, RiskScore score,
      String clusterId) {
    ObjectNode n = account(a, clusterId);
    ObjectNode risk = n.putObject("risk");
    risk.put("score", Math.round(score.score() * 1000) / 1000.0);
    risk.put("level", score.level().wireName());
    risk.put("evidence", score.evidence());
    ArrayNode reasons = risk.putArray("reasons");
    for (Reason r : score.reasons()) {
      reasons.addObject().put("signal", r.signal())
          .put("value", Math.round(r.value() * 1000) / 1000.0)
          .put("contribution", Math.round(r.contribution() * 1000) / 1000.0)
          .put("explanation", r.explanation());
    }
    ObjectNode c = n.putObject("counts");
    c.put("exchanges", counts.exchanges());
    c.put("rejected", counts.rejected());
    c.put("prompt_tokens", counts.promptTokens());
    c.put("completion_tokens", counts.completionTokens());
    putTime(c, "first_seen", counts.first());
    putTime(c, "last_seen", counts.last());
    ArrayNode k = n.putArray("keys");
    for (ApiKey key : keys) {
      k.add(key(key));
    }
    return n;
  }

  static ObjectNode key(ApiKey key) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("key_id", key.keyId());
    n.put("account_id", key.accountId());
    n.put("created_at", key.createdAt().toString());
    putTime(n, "revoked_at", key.revokedAt());
    return n;
  }

  static ObjectNode exchange(Exchange e) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", e.id());
    n.put("event_time", e.eventTime().toString());
    n.put("account_id", e.accountId());
    n.put("key_id", e.keyId());
    n.put("client_ip", e.clientIp());
    n.put("user_agent", e.userAgent());
    n.put("header_fingerprint", e.headerFingerprint());
    n.put("endpoint", e.endpoint());
    n.put("model", e.model());
    SamplingParams p = e.params();
    ObjectNode params = n.putObject("params");
    params.put("temperature", p.temperature());
    params.put("top_p", p.topP());
    params.put("n", p.n());
    params.put("max_tokens", p.maxTokens());
    params.put("logprobs", p.logprobs());
    params.put("top_logprobs", p.topLogprobs());
    params.put("seed", p.seed());
    params.put("tools", p.tools());
    n.put("stream", e.stream());
    ArrayNode msgs = n.putArray("messages");
    for (ChatMessage m : e.messages()) {
      msgs.addObject().put("role", m.role()).put("content", m.content());
    }
    n.put("response_text", e.responseText());
    n.put("prompt_sha256", e.promptSha256());
    n.put("prompt_chars", e.promptChars());
    n.put("response_sha256", e.responseSha256());
    n.put("response_chars", e.responseChars());
    ObjectNode usage = n.putObject("usage");
    usage.put("prompt_tokens", e.promptTokens());
    usage.put("completion_tokens", e.completionTokens());
    n.put("status", e.status());
    n.put("outcome", e.outcome().wireName());
    n.put("error_code", e.errorCode());
    ObjectNode lat = n.putObject("latency_us");
    lat.put("total", e.latencyMicros());
    lat.put("upstream", e.upstreamMicros());
    lat.put("upstream_first_byte", e.firstByteMicros());
    return n;
  }

  static ObjectNode audit(AuditEntry a) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("seq", a.seq());
    n.put("at", a.at().toString());
    n.put("actor", a.actor());
    n.put("action", a.action());
    n.put("subject", a.subject());
    ObjectNode d = n.putObject("details");
    a.details().forEach(d::put);
    n.put("hash", a.hash());
    return n;
  }

  /** One alert. Explanations may quote traffic: Jackson escapes them, and the answer is never HTML. */
  static ObjectNode alert(Alert a) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", a.id());
    n.put("account_id", a.accountId());
    n.put("from", a.from().wireName());
    n.put("to", a.to().wireName());
    n.put("status", a.to().status().wireName());
    n.put("score", Math.round(a.score() * 1000) / 1000.0);
    n.put("evidence", a.evidence());
    ArrayNode reasons = n.putArray("reasons");
    for (Reason r : a.reasons()) {
      reasons.addObject().put("signal", r.signal())
          .put("value", Math.round(r.value() * 1000) / 1000.0)
          .put("contribution", Math.round(r.contribution() * 1000) / 1000.0)
          .put("explanation", r.explanation());
    }
    n.put("at", a.at().toString());
    n.put("recorded_at", a.recordedAt().toString());
    n.put("audit_seq", a.auditSeq());
    return n;
  }

  private static void putTime(ObjectNode n, String field, Instant t) {
    if (t == null) {
      n.putNull(field);
    } else {
      n.put(field, t.toString());
    }
  }
}
