package io.distillguard.gateway.stages;

import io.distillguard.core.Account;
import io.distillguard.core.ApiKey;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.gateway.auth.ApiKeys;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.gateway.auth.SharedDirectory;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;

/**
 * Finds the key and account behind {@code Authorization: Bearer <key>}; 401 for a missing, unknown or revoked key.
 *
 * <p>With a {@link SharedDirectory} (gateway nodes sharing one store), a key id this node has not seen is looked up
 * in the store once, off the event loop, before it counts as unknown: it may have been issued on another node.
 */
public final class AuthenticateStage implements Stage {
  private static final String BEARER = "bearer ";
  private final AccountDirectory directory;
  private final SharedDirectory shared;

  public AuthenticateStage(AccountDirectory directory) {
    this(directory, null);
  }

  public AuthenticateStage(AccountDirectory directory, SharedDirectory shared) {
    this.directory = directory;
    this.shared = shared;
  }

  @Override
  public void process(Call call, Chain chain) {
    String header = call.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.isBlank()) {
      call.reject(ApiError.unauthorized("missing_api_key",
          "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."));
      return;
    }
    if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      call.reject(ApiError.unauthorized("invalid_api_key", "The Authorization header must use the Bearer scheme."));
      return;
    }
    ApiKeys.Presented presented = ApiKeys.parse(header.substring(BEARER.length()).trim());
    ApiKey key = presented == null ? null : directory.key(presented.keyId());
    if (key == null && presented != null && shared != null) {
      Context context = Vertx.currentContext();
      shared.load(presented.keyId()).whenComplete((found, error) -> context.runOnContext(v -> {
        if (call.isFinished()) {
          return; // the client went away while the store answered
        }
        authenticate(call, chain, presented, found == null ? null : found.orElse(null));
      }));
      return;
    }
    authenticate(call, chain, presented, key);
  }

  private void authenticate(Call call, Chain chain, ApiKeys.Presented presented, ApiKey key) {
    if (key == null || !ApiKeys.matches(key.secretHash(), presented.secretHash())) {
      call.reject(ApiError.unauthorized("invalid_api_key", "Incorrect API key provided."));
      return;
    }
    if (key.revoked()) {
      call.reject(ApiError.unauthorized("invalid_api_key", "This API key has been revoked."));
      return;
    }
    Account account = directory.account(key.accountId());
    if (account == null) {
      call.reject(ApiError.unauthorized("invalid_api_key", "Incorrect API key provided."));
      return;
    }
    call.key = key;
    call.account = account;
    chain.proceed(call);
  }
}
