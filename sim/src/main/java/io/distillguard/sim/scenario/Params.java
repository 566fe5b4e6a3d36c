package io.distillguard.sim.scenario;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strategy-specific campaign parameters, already checked and converted by the loader (rates to events per second,
 * durations to {@link Duration}). Getters take the strategy's default for absent parameters.
 */
public final class Params {
  public static final Params EMPTY = new Params(Map.of());
  private final Map<String, Object> values;

  public Params(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public Map<String, Object> asMap() {
    return values;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public int integer(String name, int def) {
    Object v = values.get(name);
    return v == null ? def : ((Number) v).intValue();
  }

  public double number(String name, double def) {
    Object v = values.get(name);
    return v == null ? def : ((Number) v).doubleValue();
  }

  /** A rate in events per second. */
  public double rate(String name, double defPerSecond) {
    return number(name, defPerSecond);
  }

  public Duration duration(String name, Duration def) {
    Object v = values.get(name);
    return v == null ? def : (Duration) v;
  }

  public String string(String name, String def) {
    Object v = values.get(name);
    return v == null ? def : (String) v;
  }

  @SuppressWarnings("unchecked")
  public List<String> strings(String name, List<String> def) {
    Object v = values.get(name);
    return v == null ? def : (List<String>) v;
  }

  public boolean bool(String name, boolean def) {
    Object v = values.get(name);
    return v == null ? def : (Boolean) v;
  }

  /** A copy with one value replaced (values must already be converted). */
  public Params with(String name, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(values);
    m.put(name, value);
    return new Params(m);
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
