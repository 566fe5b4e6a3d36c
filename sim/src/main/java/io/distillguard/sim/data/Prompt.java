package io.distillguard.sim.data;

import java.util.List;
import java.util.Objects;

/**
 * One prompt of a dataset, prepared once at load time so generation does no parsing: the text, an optional input
 * (instruction datasets), a reference answer when the dataset has one, real follow-up turns when the dataset has
 * them (HH later Human turns, MT-Bench second turns, OpenAssistant prompter replies), its language and a group
 * (category, task, template, or for mgsm the problem number shared by all translations).
 */
public final class Prompt {
  private final String id;
  private final String text;
  private final String input;
  private final String answer;
  private final List<String> followUps;
  private final String lang;
  private final String group;
  private final String full;
  private final int approxTokens;

  public Prompt(String id, String text, String input, String answer, List<String> followUps, String lang,
      String group) {
    this.id = Objects.requireNonNull(id, "id");
    this.text = Objects.requireNonNull(text, "text");
    this.input = input == null ? "" : input;
    this.answer = answer == null ? "" : answer;
    this.followUps = followUps == null ? List.of() : List.copyOf(followUps);
    this.lang = lang == null ? "en" : lang;
    this.group = group == null ? "" : group;
    this.full = this.input.isEmpty() ? text : text + "\n\n" + this.input;
    this.approxTokens = Math.max(1, full.length() / 4);
  }

  public static Prompt of(String id, String text) {
    return new Prompt(id, text, null, null, null, null, null);
  }

  public String id() {
    return id;
  }

  /** The instruction or question (without the input). */
  public String text() {
    return text;
  }

  /** Instance input for instruction datasets; empty when none. */
  public String input() {
    return input;
  }

  /** Reference answer or solution when the dataset has one; empty otherwise. */
  public String answer() {
    return answer;
  }

  public List<String> followUps() {
    return followUps;
  }

  public String lang() {
    return lang;
  }

  public String group() {
    return group;
  }

  /** Text and input joined as a user would paste them. */
  public String full() {
    return full;
  }

  /** Rough token count (4 characters a token). */
  public int approxTokens() {
    return approxTokens;
  }

  @Override
  public String toString() {
    return id + ": " + (full.length() > 60 ? full.substring(0, 60) + "..." : full);
  }
}
