package io.distillguard.core.text;

import java.util.HashMap;
import java.util.Map;

/**
 * The phrase lists behind the text signals: requests for reasoning (chain-of-thought elicitation, hidden-reasoning
 * extraction), use of the model as a grader or judge, and stop words for telling languages apart. Multilingual on
 * purpose: reasoning-trace campaigns have been reported to be largely non-English.
 */
public final class Lexicons {
  /** Asks for step-by-step reasoning or shown work. */
  public static final int COT = 1;
  /** Asks for the model's hidden or internal reasoning. */
  public static final int HIDDEN = 1 << 1;
  /** Uses the model as a grader, judge or reward model. */
  public static final int RUBRIC = 1 << 2;
  /** Mentions structured output (JSON and the like). */
  public static final int STRUCTURED = 1 << 3;
  /** Names a reasoning-like field (reasoning, rationale, explanation, thoughts). */
  public static final int REASON_FIELD = 1 << 4;

  public static final PhraseMatcher REASONING = new PhraseMatcher();

  static {
    String[] cot = {
      // English
      "step by step", "step-by-step", "show your work", "show your reasoning", "explain your reasoning",
      "show the reasoning", "show all steps", "show every step", "explain each step", "walk me through",
      "walk through your reasoning", "think through", "let's think", "lets think", "think carefully before",
      "chain of thought", "chain-of-thought", "reason through", "reasoning before the answer",
      "reasoning before answering", "reasoning first", "detailed reasoning", "intermediate steps",
      "justify your answer", "explain how you got", "explain how you arrived", "work it out", "show the steps",
      "your thought process", "thinking process", "solution steps", "derive the answer",
      // Spanish, Portuguese, Italian, French, German, Dutch, Polish, Turkish
      "paso a paso", "muestra tu razonamiento", "explica tu razonamiento", "razonamiento detallado",
      "passo a passo", "mostre seu raciocínio", "explique seu raciocínio", "raciocínio passo",
      "passo dopo passo", "mostra il tuo ragionamento", "spiega il tuo ragionamento",
      "étape par étape", "montre ton raisonnement", "explique ton raisonnement", "expliquez votre raisonnement",
      "montrez votre raisonnement", "schritt für schritt", "zeige deinen rechenweg", "zeige deine überlegungen",
      "erkläre deine überlegungen", "begründe deine antwort", "lösungsweg", "stap voor stap",
      "krok po kroku", "adım adım",
      // Russian, Ukrainian
      "шаг за шагом", "пошагово", "покажи ход решения", "объясни своё рассуждение", "объясни свое рассуждение",
      "крок за кроком",
      // Chinese, Japanese, Korean, Hindi, Arabic, Thai, Indonesian, Vietnamese
      "一步一步", "一步步", "逐步", "解题步骤", "推理过程", "思考过程", "详细步骤",
      "ステップバイステップ", "段階的に", "順を追って", "推論過程", "考え方を示して", "途中式",
      "단계별로", "차근차근", "풀이 과정", "추론 과정",
      "चरण दर चरण", "خطوة بخطوة", "ทีละขั้นตอน", "langkah demi langkah", "từng bước"
    };
    for (String p : cot) {
      REASONING.add(p, COT);
    }
    String[] hidden = {
      "hidden reasoning", "internal reasoning", "inner monologue", "private reasoning", "scratchpad",
      "your hidden thoughts", "internal thoughts", "raw reasoning", "reasoning trace", "reasoning traces",
      "full reasoning", "think tags", "thinking tokens", "unfiltered reasoning", "razonamiento interno",
      "raisonnement interne", "内部推理", "思维链", "思考链", "隠れた推論"
    };
    for (String p : hidden) {
      REASONING.add(p, HIDDEN);
    }
    String[] rubric = {
      "grade the following", "grade this", "score the following", "score this response", "rate the response",
      "rate the following", "rate this answer", "on a scale of 1 to", "on a scale from 1 to", "on a scale of 0 to",
      "which response is better", "which answer is better", "which of the two responses",
      "evaluate the response", "evaluate the following response", "evaluate the quality", "as a judge",
      "act as a judge", "act as a grader", "you are a grader", "you are an impartial judge", "rubric",
      "assign a score", "give a score", "output a score", "reference answer", "compare the two responses",
      "judge the quality", "preference between", "reward model", "califica la respuesta", "évalue la réponse",
      "bewerte die antwort", "评分", "打分", "採点"
    };
    for (String p : rubric) {
      REASONING.add(p, RUBRIC);
    }
    for (String p : new String[] {"json", "yaml", "xml"}) {
      REASONING.add(p, STRUCTURED);
    }
    for (String p : new String[] {"reasoning", "rationale", "explanation", "thoughts", "thought process",
        "razonamiento", "raisonnement", "begründung", "推理", "理由"}) {
      REASONING.add(p, REASON_FIELD);
    }
  }

  /** Languages told apart by stop words (Latin script); the others by script. */
  public static final String[] LANGUAGES = {
    "en", "es", "fr", "de", "pt", "it", "nl", "pl", "tr", "id", "vi", "sv",
    "ru", "zh", "ja", "ko", "ar", "hi", "th", "el", "he", "other"
  };

  private static final Map<Long, Integer> STOPWORDS = new HashMap<>();

  static {
    stop(0, "the", "and", "is", "of", "to", "what", "how", "you", "with", "that", "this", "are", "for", "can");
    stop(1, "el", "los", "las", "es", "qué", "cómo", "por", "para", "con", "una", "del", "que", "está", "y");
    stop(2, "le", "les", "est", "des", "une", "et", "pour", "avec", "dans", "qui", "quel", "comment", "vous");
    stop(3, "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "mit", "wie", "was", "für", "ich");
    stop(4, "não", "uma", "com", "são", "para", "você", "como", "mais", "os", "das", "dos", "é", "em");
    stop(5, "il", "che", "della", "sono", "una", "gli", "per", "come", "è", "non", "del", "con");
    stop(6, "het", "een", "en", "van", "ik", "niet", "wat", "hoe", "zijn", "voor", "met", "dat");
    stop(7, "jest", "nie", "się", "jak", "czy", "oraz", "dla", "że", "ile", "ten", "przez");
    stop(8, "bir", "ve", "bu", "için", "ne", "nasıl", "ile", "mı", "mi", "değil", "kaç");
    stop(9, "yang", "dan", "ini", "itu", "adalah", "apa", "bagaimana", "dengan", "untuk", "tidak", "berapa");
    stop(10, "của", "và", "là", "có", "không", "những", "được", "một", "như", "bao", "nhiêu");
    stop(11, "och", "är", "att", "det", "som", "på", "inte", "hur", "vad", "för", "med");
  }

  private static void stop(int lang, String... words) {
    for (String w : words) {
      STOPWORDS.merge(Tokens.wordHash(w), 1 << lang, (a, b) -> a | b);
    }
  }

  private Lexicons() {}

  /**
   * The language of a text as an index into {@link #LANGUAGES}, or -1 when too short to tell. Non-Latin scripts
   * decide by script; Latin text by the most frequent stop words (at least two hits).
   */
  public static int language(Tokens t) {
    int s = t.scripts();
    if ((s & Tokens.KANA) != 0) {
      return 14;
    }
    if ((s & Tokens.HANGUL) != 0) {
      return 15;
    }
    if ((s & Tokens.HAN) != 0) {
      return 13;
    }
    if ((s & Tokens.CYRILLIC) != 0) {
      return 12;
    }
    if ((s & Tokens.ARABIC) != 0) {
      return 16;
    }
    if ((s & Tokens.DEVANAGARI) != 0) {
      return 17;
    }
    if ((s & Tokens.THAI) != 0) {
      return 18;
    }
    if ((s & Tokens.GREEK) != 0) {
      return 19;
    }
    if ((s & Tokens.HEBREW) != 0) {
      return 20;
    }
    if ((s & Tokens.LATIN) == 0) {
      return -1;
    }
    int[] hits = new int[12];
    int n = Math.min(t.size(), 200);
    for (int i = 0; i < n; i++) {
      Integer langs = STOPWORDS.get(t.hash(i));
      if (langs != null) {
        for (int l = 0; l < 12; l++) {
          if ((langs & (1 << l)) != 0) {
            hits[l]++;
          }
        }
      }
    }
    int best = -1;
    int bestHits = 1;
    for (int l = 0; l < 12; l++) {
      if (hits[l] > bestHits) {
        best = l;
        bestHits = hits[l];
      }
    }
    return best;
  }
}
