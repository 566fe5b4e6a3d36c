package io.distillguard.sim.population;

import java.util.SplittableRandom;

/**
 * User agents of popular clients of OpenAI-compatible APIs, with the shares used for benign accounts. Header order
 * fingerprints are the gateway's business; the simulator only picks consistent user agents per account.
 */
public final class ClientSoftware {
  private ClientSoftware() {}

  public static final String PY_SDK = "OpenAI/Python 1.54.4";
  public static final String PY_SDK_OLD = "OpenAI/Python 1.35.10";
  public static final String PY_ASYNC = "AsyncOpenAI/Python 1.54.4";
  public static final String JS_SDK = "OpenAI/JS 4.73.0";
  public static final String JS_SDK_OLD = "OpenAI/JS 4.52.7";
  public static final String REQUESTS = "python-requests/2.32.3";
  public static final String HTTPX = "python-httpx/0.27.2";
  public static final String AIOHTTP = "Python/3.11 aiohttp/3.10.10";
  public static final String CURL = "curl/8.5.0";
  public static final String AXIOS = "axios/1.7.7";
  public static final String GO = "Go-http-client/2.0";
  public static final String OKHTTP = "okhttp/4.12.0";
  public static final String JAVA = "Java-http-client/17.0.13";
  public static final String DOTNET = "OpenAI/2.1.0 (.NET 8.0.10; Microsoft Windows 10.0.22631)";
  public static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
      + "Gecko) Chrome/131.0.0.0 Safari/537.36";
  public static final String BROWSER_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
      + "(KHTML, like Gecko) Version/17.6 Safari/605.1.15";

  /** Clients of ordinary accounts and their shares. */
  static final String[] BENIGN = {PY_SDK, PY_SDK_OLD, PY_ASYNC, JS_SDK, JS_SDK_OLD, REQUESTS, HTTPX, CURL, AXIOS, GO,
      OKHTTP, JAVA, DOTNET, BROWSER, BROWSER_MAC};
  static final double[] BENIGN_CUM = Seeds.cumulative(24, 8, 4, 12, 5, 7, 4, 3, 5, 2, 2, 2, 2, 14, 6);

  /** Server-side clients of product integrations and resellers. */
  static final String[] SERVER = {PY_SDK, PY_ASYNC, JS_SDK, GO, JAVA, DOTNET, HTTPX};
  static final double[] SERVER_CUM = Seeds.cumulative(25, 15, 25, 12, 8, 8, 7);

  /** Scripting clients of researchers and evaluation jobs. */
  static final String[] SCRIPT = {PY_SDK, PY_ASYNC, HTTPX, REQUESTS, AIOHTTP};
  static final double[] SCRIPT_CUM = Seeds.cumulative(40, 20, 15, 15, 10);

  public static String benign(SplittableRandom rng) {
    return BENIGN[Seeds.pick(BENIGN_CUM, rng)];
  }

  public static String server(SplittableRandom rng) {
    return SERVER[Seeds.pick(SERVER_CUM, rng)];
  }

  public static String script(SplittableRandom rng) {
    return SCRIPT[Seeds.pick(SCRIPT_CUM, rng)];
  }

  /** Share of requests a client streams (chat UIs stream, batch scripts do not). */
  public static double streamShare(String ua) {
    if (ua.startsWith("Mozilla")) {
      return 0.95;
    }
    if (ua.startsWith("OpenAI/JS") || ua.startsWith("axios")) {
      return 0.6;
    }
    if (ua.startsWith("OpenAI/Python") || ua.startsWith("AsyncOpenAI")) {
      return 0.35;
    }
    return 0.1;
  }

  public static boolean isBrowser(String ua) {
    return ua.startsWith("Mozilla");
  }
}
