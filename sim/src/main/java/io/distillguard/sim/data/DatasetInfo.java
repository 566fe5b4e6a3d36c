package io.distillguard.sim.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One public prompt dataset the simulator can read: its folder name under the data directory, whether it supplies
 * benign or attack prompts, and the split it belongs to.
 */
public record DatasetInfo(String name, Kind kind, Split split, String folder, String description) {

  public enum Kind {
    BENIGN,
    ATTACK
  }

  /** Every prompt dataset, in a fixed order. */
  public static final Map<String, DatasetInfo> CATALOG = catalog();

  private static Map<String, DatasetInfo> catalog() {
    Map<String, DatasetInfo> m = new LinkedHashMap<>();
    add(m, "sharegpt-first-turn", Kind.BENIGN, Split.TUNING, "benign",
        "first user turns of shared ChatGPT conversations");
    add(m, "hh-rlhf-helpful", Kind.BENIGN, Split.TUNING, "benign",
        "Anthropic HH helpful dialogues; later Human turns are real follow-ups");
    add(m, "awesome-chatgpt-prompts", Kind.BENIGN, Split.TUNING, "benign",
        "community 'Act as ...' role prompts");
    add(m, "openassistant-eval-prompts", Kind.BENIGN, Split.HOLDOUT, "benign",
        "OpenAssistant prompter messages (with follow-ups from the message trees)");
    add(m, "fastchat-mtbench-vicuna", Kind.BENIGN, Split.HOLDOUT, "benign",
        "MT-Bench two-turn and Vicuna-bench questions");
    add(m, "self-instruct", Kind.ATTACK, Split.TUNING, "attack",
        "self-instruct seed tasks and user-oriented instructions (with instance inputs)");
    add(m, "stanford-alpaca-seed", Kind.ATTACK, Split.TUNING, "attack",
        "Alpaca seed tasks and the Alpaca mass-generation prompt");
    add(m, "gsm8k", Kind.ATTACK, Split.TUNING, "attack", "grade-school math word problems with solutions");
    add(m, "flan-v2-cot", Kind.ATTACK, Split.TUNING, "attack", "FLAN v2 chain-of-thought exemplars");
    add(m, "flan-v2-templates", Kind.ATTACK, Split.TUNING, "attack", "FLAN v2 zero-shot instruction templates");
    add(m, "t0-templates-sample", Kind.ATTACK, Split.HOLDOUT, "attack",
        "T0/PromptSource templated instruction prompts");
    add(m, "code-alpaca-2k", Kind.ATTACK, Split.HOLDOUT, "attack", "Code Alpaca coding instructions");
    add(m, "mgsm", Kind.ATTACK, Split.HOLDOUT, "attack",
        "the same 250 math problems human-translated into several languages");
    return java.util.Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, DatasetInfo> m, String name, Kind kind, Split split, String parent,
      String description) {
    m.put(name, new DatasetInfo(name, kind, split, parent + "/" + name, description));
  }

  /** The catalog entry; {@link IllegalArgumentException} naming the known datasets when unknown. */
  public static DatasetInfo of(String name) {
    DatasetInfo info = CATALOG.get(name);
    if (info == null) {
      throw new IllegalArgumentException("unknown dataset '" + name + "' (known: " + String.join(", ",
          CATALOG.keySet()) + ")");
    }
    return info;
  }

  /** Names of the datasets of a split and kind, in catalog order. */
  public static List<String> names(Split split, Kind kind) {
    List<String> out = new ArrayList<>();
    for (DatasetInfo d : CATALOG.values()) {
      if (d.split == split && (kind == null || d.kind == kind)) {
        out.add(d.name);
      }
    }
    return out;
  }
}
