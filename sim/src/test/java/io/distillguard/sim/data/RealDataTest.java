package io.distillguard.sim.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reads the public datasets (skipped when the data directory is missing). */
class RealDataTest {

  @Test
  void benignDatasets() {
    DataSets d = TestData.realOrSkip();
    PromptPool sharegpt = d.pool("sharegpt-first-turn");
    assertThat(sharegpt.real()).isTrue();
    assertThat(sharegpt.size()).isGreaterThan(3000);
    assertThat(sharegpt.prompts()).allSatisfy(p -> assertThat(p.text().length()).isLessThanOrEqualTo(12_000));

    PromptPool hh = d.pool("hh-rlhf-helpful");
    assertThat(hh.size()).isGreaterThan(2000);
    assertThat(hh.withFollowUps().size()).isGreaterThan(hh.size() / 2);
    assertThat(hh.prompts()).allSatisfy(p -> {
      assertThat(p.text()).doesNotContain("Human:").doesNotContain("Assistant:");
      p.followUps().forEach(f -> assertThat(f).doesNotContain("\n\nAssistant:"));
    });

    PromptPool mt = d.pool("fastchat-mtbench-vicuna");
    assertThat(mt.size()).isBetween(155, 160); // two Vicuna questions repeat MT-Bench ones
    assertThat(mt.withFollowUps()).hasSize(80);

    PromptPool oa = d.pool("openassistant-eval-prompts");
    assertThat(oa.size()).isGreaterThan(300);
    assertThat(oa.withFollowUps().size()).isGreaterThan(50);

    assertThat(d.pool("awesome-chatgpt-prompts").size()).isGreaterThan(100);
  }

  @Test
  void attackDatasets() {
    DataSets d = TestData.realOrSkip();
    PromptPool gsm = d.pool("gsm8k");
    assertThat(gsm.size()).isGreaterThanOrEqualTo(7473);
    assertThat(gsm.get(0).answer()).contains("The answer is").doesNotContain("<<");

    Map<String, List<Prompt>> mgsm = d.pool("mgsm").byLanguage();
    assertThat(mgsm.keySet()).hasSizeGreaterThanOrEqualTo(7).contains("en", "ja", "zh", "ru");
    mgsm.values().forEach(l -> assertThat(l).hasSize(250));
    // The same problem (group) has the same answer in every language.
    Set<String> answersOfProblem0 = new HashSet<>();
    mgsm.values().forEach(l -> answersOfProblem0.add(l.get(0).answer()));
    assertThat(answersOfProblem0).hasSize(1);

    PromptPool cot = d.pool("flan-v2-cot");
    assertThat(cot.size()).isGreaterThan(15_000);
    assertThat(cot.prompts()).allSatisfy(p -> assertThat(p.answer()).contains("answer is"));
    assertThat(cot.prompts().stream().map(Prompt::group).distinct()).contains("strategyqa", "aqua");

    assertThat(d.pool("self-instruct").prompts()).anySatisfy(p -> assertThat(p.input()).isNotEmpty());
    // stanford-alpaca-seed's seed tasks are a copy of self-instruct's: same texts.
    assertThat(d.pool("stanford-alpaca-seed").get(0).full()).isEqualTo(d.pool("self-instruct").get(0).full());
    assertThat(d.alpacaGenerationPrompt()).startsWith("You are asked to come up with a set of 20 diverse task");

    assertThat(d.pool("code-alpaca-2k").size()).isEqualTo(2017);
    PromptPool t0 = d.pool("t0-templates-sample");
    assertThat(t0.size()).isGreaterThan(6000);
    assertThat(t0.prompts().stream().map(Prompt::group).distinct().count()).isGreaterThan(250);
    assertThat(t0.prompts()).allSatisfy(p -> assertThat(p.answer()).doesNotContain("<|endoftext|>"));
    assertThat(d.pool("flan-v2-templates").size()).isGreaterThan(900);
  }

  @Test
  void describeNamesTheFiles() {
    DataSets d = TestData.realOrSkip();
    assertThat(d.describe()).contains("benign/hh-rlhf-helpful/helpful-base_test.jsonl.gz")
        .contains("holdout").contains("traces:");
  }
}
