package io.distillguard.gateway.stages;

import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.ResponseTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What {@code degraded} accounts get: the answer without its reasoning. Removes {@code <think>} blocks and the lines
 * that walk through steps ("Step 2:", "1.", "First, ...", "Let's ..."), keeps the conclusion and everything else,
 * and says once that reasoning was omitted. Works line by line, so a stream is held back by at most one line.
 */
public final class ReasoningReducer implements ResponseTransform {
  static final String NOTE = "[reasoning omitted]\n";
  private static final Pattern STEP = Pattern.compile(
      "^\\s*(?:(?:step|schritt|paso|étape|etape|passo|шаг)\\s*\\d+|\\d+\\s*[.)]|[-*•]\\s|first(?:ly)?,|second(?:ly)?,"
          + "|third(?:ly)?,|next,|then,|now,|let'?s |let me |we (?:need|know|can|have) |reasoning:|thought:|"
          + "explanation:|rationale:)",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  private static final Pattern CONCLUSION = Pattern.compile(
      "^\\s*(?:answer|final answer|so the answer|the answer is|therefore|thus|in conclusion|####|result:)",
      Pattern.CASE_INSENSITIVE);

  @Override
  public Session open(Call call) {
    return new LineSession();
  }

  /** Per-answer state: the unfinished line of each choice and whether we are inside a think block. */
  static final class LineSession implements Session {
    private final List<StringBuilder> pending = new ArrayList<>(1);
    private final List<boolean[]> flags = new ArrayList<>(1); // [inThink, noted]

    @Override
    public String push(int choice, String text) {
      StringBuilder buf = buffer(choice);
      buf.append(text);
      StringBuilder out = new StringBuilder();
      int nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        String line = buf.substring(0, nl + 1);
        buf.delete(0, nl + 1);
        emit(choice, line, out);
      }
      return out.toString();
    }

    @Override
    public String flush(int choice) {
      StringBuilder buf = buffer(choice);
      StringBuilder out = new StringBuilder();
      if (buf.length() > 0) {
        emit(choice, buf.toString(), out);
        buf.setLength(0);
      }
      return out.toString();
    }

    private void emit(int choice, String line, StringBuilder out) {
      boolean[] f = flags.get(choice);
      String rest = line;
      if (f[0]) {
        int end = rest.indexOf("</think>");
        if (end < 0) {
          return;
        }
        f[0] = false;
        rest = rest.substring(end + "</think>".length());
      }
      int start = rest.indexOf("<think>");
      if (start >= 0) {
        int end = rest.indexOf("</think>", start);
        note(f, out);
        if (end < 0) {
          f[0] = true;
          rest = rest.substring(0, start);
        } else {
          rest = rest.substring(0, start) + rest.substring(end + "</think>".length());
        }
      }
      if (STEP.matcher(rest).find() && !CONCLUSION.matcher(rest).find()) {
        note(f, out);
        return;
      }
      out.append(rest);
    }

    private static void note(boolean[] f, StringBuilder out) {
      if (!f[1]) {
        f[1] = true;
        out.append(NOTE);
      }
    }

    private StringBuilder buffer(int choice) {
      while (pending.size() <= choice) {
        pending.add(new StringBuilder());
        flags.add(new boolean[2]);
      }
      return pending.get(choice);
    }
  }
}
