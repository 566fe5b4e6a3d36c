package io.distillguard.flink;

import io.distillguard.core.detect.AccountTiers;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.DetectorSet;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Which detection engine the job runs, in a form that travels with the job graph and with checkpoints: a registered
 * detector set's name ({@link DetectorSet#named}), or a model's whole properties text (so a task manager needs no
 * file of the client's). Every operator builds its own engine from it, and the state serializer checks on restore
 * that the state it reads was written for the same detectors.
 *
 * @param detectorSet a registered set name, used when {@code modelText} is null
 * @param modelText   a model in {@link DetectionModel#toPropertiesText()} form, or null
 */
public record EngineSpec(String detectorSet, String modelText) implements Serializable {

  public EngineSpec {
    if (modelText == null) {
      Objects.requireNonNull(detectorSet, "detectorSet or modelText");
    }
  }

  /** The calibrated model bundled with the core library, as the gateway runs it. */
  public static EngineSpec defaults() {
    return new EngineSpec(DetectorSet.DEFAULT, null);
  }

  public static EngineSpec ofModel(DetectionModel model) {
    return new EngineSpec(null, model.toPropertiesText());
  }

  /** A fresh engine that gives every account the default levels (linkage's cluster-traffic engine: no tiers). */
  public DetectionEngine engine() {
    return engine(AccountTiers.NONE);
  }

  /** A fresh engine that holds each account to its tier's levels, as {@code tiers} gives them. */
  public DetectionEngine engine(AccountTiers tiers) {
    if (modelText == null) {
      return DetectorSet.named(detectorSet).newEngine(java.util.Set.of(), tiers);
    }
    try {
      return DetectionModel.parse(new StringReader(modelText), "job model").newEngine(tiers, java.util.Set.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return modelText == null ? "detector set " + detectorSet : "model (" + modelText.length() + " characters)";
  }
}
