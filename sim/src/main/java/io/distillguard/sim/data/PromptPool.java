package io.distillguard.sim.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The prompts of one dataset, in file order (deterministic), immutable. */
public final class PromptPool {
  private final DatasetInfo info;
  private final List<Prompt> prompts;
  private final boolean real;
  private final String origin;
  private List<Prompt> withFollowUps;
  private Map<String, List<Prompt>> byLang;

  public PromptPool(DatasetInfo info, List<Prompt> prompts, boolean real, String origin) {
    this.info = info;
    this.prompts = List.copyOf(prompts);
    this.real = real;
    this.origin = origin;
    if (this.prompts.isEmpty()) {
      throw new IllegalStateException("dataset " + info.name() + " has no prompts (" + origin + ")");
    }
  }

  public String name() {
    return info.name();
  }

  public DatasetInfo info() {
    return info;
  }

  public int size() {
    return prompts.size();
  }

  public Prompt get(int i) {
    return prompts.get(i);
  }

  public List<Prompt> prompts() {
    return prompts;
  }

  /** True when read from the public dataset, false when it is the built-in fixture. */
  public boolean real() {
    return real;
  }

  /** The files (or fixture) it was read from. */
  public String origin() {
    return origin;
  }

  /** The prompts that carry real follow-up turns. */
  public synchronized List<Prompt> withFollowUps() {
    if (withFollowUps == null) {
      List<Prompt> out = new ArrayList<>();
      for (Prompt p : prompts) {
        if (!p.followUps().isEmpty()) {
          out.add(p);
        }
      }
      withFollowUps = Collections.unmodifiableList(out);
    }
    return withFollowUps;
  }

  /** Prompts grouped by language, languages in first-seen order. */
  public synchronized Map<String, List<Prompt>> byLanguage() {
    if (byLang == null) {
      Map<String, List<Prompt>> m = new LinkedHashMap<>();
      for (Prompt p : prompts) {
        m.computeIfAbsent(p.lang(), k -> new ArrayList<>()).add(p);
      }
      Map<String, List<Prompt>> frozen = new LinkedHashMap<>();
      m.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
      byLang = Collections.unmodifiableMap(frozen);
    }
    return byLang;
  }

  @Override
  public String toString() {
    return name() + " (" + size() + " prompts, " + (real ? origin : "built-in fixture") + ")";
  }
}
