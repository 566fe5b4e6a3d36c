package io.distillguard.upstream;

import java.util.List;

/** The immutable runtime copy of {@link BuiltinUpstreamOptions} that the handlers read. */
record Settings(
    List<String> models,
    Corpus corpus,
    String fixedResponse,
    String apiKey,
    long tokenDelayMillis,
    int chunkTokens) {

  static Settings from(BuiltinUpstreamOptions o) {
    long nanos = o.tokenDelay().toNanos();
    // Vert.x timers have millisecond resolution: round sub-millisecond delays up, not to zero.
    long millis = nanos == 0 ? 0 : Math.max(1, (nanos + 999_999) / 1_000_000);
    return new Settings(o.models(), o.resolveCorpus(), o.fixedResponse(), o.apiKey(), millis,
        o.chunkTokens());
  }

  boolean servesModel(String model) {
    return models.contains(model);
  }
}
