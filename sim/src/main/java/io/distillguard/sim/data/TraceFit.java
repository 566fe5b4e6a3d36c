package io.distillguard.sim.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What the benign population takes from the real LLM-serving traces, fitted once at load time.
 *
 * <p>The public traces carry no account or user id, so per-account volume cannot be read off them directly. What
 * they do carry, and what is fitted here:
 * <ul>
 *   <li><b>Sessions</b> (Mooncake conversation trace, one hour of Kimi traffic, 12,031 requests): every request
 *       lists the hashes of its 512-token prefix blocks; block 0 is a system prompt shared by all. A request whose
 *       block list extends an earlier request's list (beyond block 0) is a follow-up turn of that conversation.
 *       Chaining follow-ups gives 7,401 conversations with 1.63 turns on average, close to geometric: the chance
 *       of another turn is {@code 1 - 1/1.63 = 0.385}. The time between a turn and its follow-up (user reads the
 *       answer, thinks, types) is log-normal with {@code mu = 4.88, sigma = 0.98} (seconds; median 132 s,
 *       quartiles 66 s and 264 s).</li>
 *   <li><b>Answer lengths</b> (Azure LLM inference trace 2023, GeneratedTokens): conversation service
 *       log-normal {@code mu = 5.02, sigma = 0.86} (median 129 tokens); code service {@code mu = 2.79,
 *       sigma = 0.85} (median 13 tokens: completions). Used for {@code expectedOutputTokens}.</li>
 *   <li><b>Burstiness</b> (Azure, arrivals of the whole service): index of dispersion of request counts
 *       (variance/mean) at 1 s, 10 s and 60 s windows is 1.39, 3.86 and 16.1 for the conversation service and
 *       13, 72 and 164 for the code service; a Poisson stream would give 1. For a superposition of independent
 *       accounts the index is the mean-weighted average of the accounts' own indices, so it is set by how
 *       clustered (sessions, bursts) and how unequal (heavy tail) per-account traffic is. The population generator
 *       takes the log-normal spread of per-account activity and the session structure, and its output is checked
 *       against the conversation trace's 60 s index in {@code PopulationStatisticsTest}.</li>
 * </ul>
 * When the traces are absent, {@link #DEFAULT} holds exactly these fitted values.
 *
 * @param turnContinue    chance that a conversation gets another turn
 * @param thinkMu         log-normal mu of seconds between a turn and its follow-up
 * @param thinkSigma      log-normal sigma of the same
 * @param chatOutMu       log-normal mu of answer tokens, conversation service
 * @param chatOutSigma    log-normal sigma of the same
 * @param codeOutMu       log-normal mu of answer tokens, code service
 * @param codeOutSigma    log-normal sigma of the same
 * @param idcConv         index of dispersion of the conversation service at 1 s, 10 s, 60 s windows
 * @param idcCode         the same for the code service
 * @param convInterArrivalCv coefficient of variation of the conversation service's inter-arrival times
 */
public record TraceFit(String source, double turnContinue, double thinkMu, double thinkSigma, double chatOutMu,
    double chatOutSigma, double codeOutMu, double codeOutSigma, double[] idcConv, double[] idcCode,
    double convInterArrivalCv) {

  /** The values fitted from azure-llm-inference-2023 and mooncake-traces (see the class comment). */
  public static final TraceFit DEFAULT = new TraceFit("built-in values fitted from azure-llm-inference-2023 and "
      + "mooncake-traces", 0.3848, 4.8807, 0.9761, 5.0190, 0.8590, 2.7882, 0.8472,
      new double[] {1.385, 3.857, 16.13}, new double[] {13.19, 71.64, 163.96}, 1.094);

  /** Seconds between a conversation turn and its follow-up. */
  public double sampleThinkSeconds(RandomGenerator rng) {
    return Math.exp(thinkMu + thinkSigma * rng.nextGaussian());
  }

  public int sampleChatOutputTokens(RandomGenerator rng) {
    return (int) Math.min(8192, Math.max(1, Math.exp(chatOutMu + chatOutSigma * rng.nextGaussian())));
  }

  public int sampleCodeOutputTokens(RandomGenerator rng) {
    return (int) Math.min(4096, Math.max(1, Math.exp(codeOutMu + codeOutSigma * rng.nextGaussian())));
  }

  /** Fits from a traces directory; falls back to {@link #DEFAULT} parts for missing files. */
  public static TraceFit fit(Path tracesDir) {
    Path conv = tracesDir.resolve("azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv.gz");
    Path code = tracesDir.resolve("azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv.gz");
    Path moon = tracesDir.resolve("mooncake-traces/conversation_trace.jsonl.gz");
    TraceFit d = DEFAULT;
    List<String> used = new ArrayList<>();
    double turnContinue = d.turnContinue;
    double thinkMu = d.thinkMu;
    double thinkSigma = d.thinkSigma;
    double chatMu = d.chatOutMu;
    double chatSigma = d.chatOutSigma;
    double codeMu = d.codeOutMu;
    double codeSigma = d.codeOutSigma;
    double[] idcConv = d.idcConv;
    double[] idcCode = d.idcCode;
    double cv = d.convInterArrivalCv;
    try {
      if (Files.isRegularFile(conv)) {
        Azure a = Azure.read(conv);
        double[] ln = a.logNormalGenerated();
        chatMu = ln[0];
        chatSigma = ln[1];
        idcConv = a.idc(new int[] {1, 10, 60});
        cv = a.interArrivalCv();
        used.add("azure conv");
      }
      if (Files.isRegularFile(code)) {
        Azure a = Azure.read(code);
        double[] ln = a.logNormalGenerated();
        codeMu = ln[0];
        codeSigma = ln[1];
        idcCode = a.idc(new int[] {1, 10, 60});
        used.add("azure code");
      }
      if (Files.isRegularFile(moon)) {
        double[] m = mooncakeSessions(moon);
        turnContinue = m[0];
        thinkMu = m[1];
        thinkSigma = m[2];
        used.add("mooncake conversation");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read traces in " + tracesDir + ": " + e.getMessage(), e);
    }
    if (used.isEmpty()) {
      return DEFAULT;
    }
    return new TraceFit("fitted from " + String.join(", ", used) + " in " + tracesDir, turnContinue, thinkMu,
        thinkSigma, chatMu, chatSigma, codeMu, codeSigma, idcConv, idcCode, cv);
  }

  /**
   * Follow-up chains in the Mooncake trace: request B continues request A when A is the latest earlier request
   * whose block list equals B's first k blocks, for the longest such k >= 2 (block 0 is the shared system prompt).
   * Returns {turnContinue, thinkMu, thinkSigma}.
   */
  static double[] mooncakeSessions(Path file) throws IOException {
    List<long[]> hashes = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(DatasetReaders.open(file),
        StandardCharsets.UTF_8), 1 << 16)) {
      String l;
      while ((l = r.readLine()) != null) {
        if (l.isBlank()) {
          continue;
        }
        long[] ids = mooncakeLine(l);
        if (ids == null) {
          JsonNode n = DatasetReaders.JSON.readTree(l);
          JsonNode h = n.path("hash_ids");
          ids = new long[h.size() + 1];
          ids[0] = n.path("timestamp").asLong();
          for (int i = 0; i < h.size(); i++) {
            ids[i + 1] = h.get(i).asLong();
          }
        }
        times.add(ids[0]);
        ids = Arrays.copyOfRange(ids, 1, ids.length);
        hashes.add(ids);
      }
    }
    int n = hashes.size();
    Map<Long, Integer> byPrefix = new HashMap<>();
    int[] root = new int[n];
    List<Double> logGaps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long[] h = hashes.get(i);
      long[] prefix = prefixHashes(h);
      Integer parent = null;
      for (int k = h.length - 1; k >= 2; k--) {
        Integer p = byPrefix.get(prefix[k]);
        if (p != null) {
          parent = p;
          break;
        }
      }
      if (parent != null) {
        root[i] = root[parent];
        double gap = (times.get(i) - times.get(parent)) / 1000.0;
        logGaps.add(Math.log(Math.max(0.5, gap)));
      } else {
        root[i] = i;
      }
      for (int k = 2; k <= h.length; k++) {
        byPrefix.put(prefix[k], i);
      }
    }
    int sessions = 0;
    for (int i = 0; i < n; i++) {
      if (root[i] == i) {
        sessions++;
      }
    }
    double meanTurns = (double) n / sessions;
    double[] ms = meanStd(logGaps);
    return new double[] {1 - 1 / meanTurns, ms[0], ms[1]};
  }

  /**
   * Fast path for the trace's fixed layout: {"timestamp": T, ..., "hash_ids": [a, b, ...]}. Returns {T, a, b, ...}
   * or null when the line does not look like that (then Jackson reads it).
   */
  static long[] mooncakeLine(String l) {
    int ts = l.indexOf("\"timestamp\":");
    int hs = l.indexOf("\"hash_ids\":");
    if (ts < 0 || hs < 0) {
      return null;
    }
    int open = l.indexOf('[', hs);
    int close = l.indexOf(']', open);
    if (open < 0 || close < 0) {
      return null;
    }
    long[] tmp = new long[16];
    int n = 0;
    long[] one = new long[1];
    int at = parseLong(l, ts + 12, one);
    if (at < 0) {
      return null;
    }
    tmp[n++] = one[0];
    int i = open + 1;
    while (i < close) {
      char c = l.charAt(i);
      if (c == ',' || c == ' ') {
        i++;
        continue;
      }
      i = parseLong(l, i, one);
      if (i < 0) {
        return null;
      }
      if (n == tmp.length) {
        tmp = Arrays.copyOf(tmp, n * 2);
      }
      tmp[n++] = one[0];
    }
    return Arrays.copyOf(tmp, n);
  }

  private static int parseLong(String s, int i, long[] out) {
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    long v = 0;
    int start = i;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      v = v * 10 + (s.charAt(i) - '0');
      i++;
    }
    if (i == start) {
      return -1;
    }
    out[0] = v;
    return i;
  }

  /** prefix[k] = hash of the first k block ids. */
  private static long[] prefixHashes(long[] h) {
    long[] out = new long[h.length + 1];
    long acc = 0x9E3779B97F4A7C15L;
    for (int k = 0; k < h.length; k++) {
      acc = mix(acc * 31 + h[k] + k);
      out[k + 1] = acc ^ (k + 1);
    }
    return out;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static double[] meanStd(List<Double> xs) {
    double sum = 0;
    for (double x : xs) {
      sum += x;
    }
    double mean = sum / xs.size();
    double var = 0;
    for (double x : xs) {
      var += (x - mean) * (x - mean);
    }
    return new double[] {mean, Math.sqrt(var / xs.size())};
  }

  /** One Azure trace: arrival seconds (sorted) and generated tokens. */
  static final class Azure {
    final double[] t;
    final int[] generated;

    Azure(double[] t, int[] generated) {
      this.t = t;
      this.generated = generated;
    }

    static Azure read(Path file) throws IOException {
      List<Double> ts = new ArrayList<>();
      List<Integer> gen = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(DatasetReaders.open(file),
          StandardCharsets.UTF_8), 1 << 16)) {
        String l = r.readLine(); // header
        while ((l = r.readLine()) != null) {
          if (l.isBlank()) {
            continue;
          }
          int c1 = l.indexOf(',');
          int c2 = l.indexOf(',', c1 + 1);
          ts.add(seconds(l.substring(0, c1)));
          gen.add(Integer.parseInt(l.substring(c2 + 1).trim()));
        }
      }
      double[] t = new double[ts.size()];
      for (int i = 0; i < t.length; i++) {
        t[i] = ts.get(i);
      }
      Arrays.sort(t);
      int[] g = new int[gen.size()];
      for (int i = 0; i < g.length; i++) {
        g[i] = gen.get(i);
      }
      return new Azure(t, g);
    }

    /** "2023-11-16 18:15:46.6805900" to seconds since the start of the month. */
    static double seconds(String s) {
      int day = Integer.parseInt(s.substring(8, 10));
      int h = Integer.parseInt(s.substring(11, 13));
      int m = Integer.parseInt(s.substring(14, 16));
      double sec = Double.parseDouble(s.substring(17));
      return day * 86400.0 + h * 3600.0 + m * 60.0 + sec;
    }

    double[] logNormalGenerated() {
      List<Double> l = new ArrayList<>(generated.length);
      for (int g : generated) {
        l.add(Math.log(Math.max(1, g)));
      }
      return meanStd(l);
    }

    double[] idc(int[] windows) {
      double[] out = new double[windows.length];
      for (int w = 0; w < windows.length; w++) {
        out[w] = indexOfDispersion(t, windows[w]);
      }
      return out;
    }

    double interArrivalCv() {
      List<Double> ia = new ArrayList<>();
      for (int i = 1; i < t.length; i++) {
        ia.add(t[i] - t[i - 1]);
      }
      double[] ms = meanStd(ia);
      return ms[1] / ms[0];
    }
  }

  /**
   * Variance over mean of counts in consecutive windows of {@code windowSeconds} from the first arrival (the last,
   * partial window dropped). Arrival times in seconds, sorted.
   */
  public static double indexOfDispersion(double[] sortedSeconds, double windowSeconds) {
    if (sortedSeconds.length < 2) {
      return Double.NaN;
    }
    double t0 = sortedSeconds[0];
    int n = (int) ((sortedSeconds[sortedSeconds.length - 1] - t0) / windowSeconds);
    if (n < 2) {
      return Double.NaN;
    }
    long[] c = new long[n + 1];
    for (double x : sortedSeconds) {
      c[Math.min(n, (int) ((x - t0) / windowSeconds))]++;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += c[i];
    }
    double mean = sum / n;
    double var = 0;
    for (int i = 0; i < n; i++) {
      var += (c[i] - mean) * (c[i] - mean);
    }
    return (var / n) / mean;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TraceFit f && f.source.equals(source) && f.turnContinue == turnContinue
        && f.thinkMu == thinkMu && f.thinkSigma == thinkSigma && f.chatOutMu == chatOutMu
        && f.chatOutSigma == chatOutSigma && f.codeOutMu == codeOutMu && f.codeOutSigma == codeOutSigma
        && Arrays.equals(f.idcConv, idcConv) && Arrays.equals(f.idcCode, idcCode);
  }

  @Override
  public int hashCode() {
    return source.hashCode() ^ Double.hashCode(turnContinue) ^ Double.hashCode(thinkMu);
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "TraceFit[%s: turn continue %.3f, think lognormal(%.2f, %.2f) s, chat out lognormal(%.2f, %.2f), code out "
            + "lognormal(%.2f, %.2f), IDC conv %s, IDC code %s]", source, turnContinue, thinkMu, thinkSigma,
        chatOutMu, chatOutSigma, codeOutMu, codeOutSigma, Arrays.toString(idcConv), Arrays.toString(idcCode));
  }
}
