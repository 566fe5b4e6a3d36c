package io.distillguard.sim.population;

import java.util.SplittableRandom;

/**
 * Countries of the simulated customers: share of accounts, UTC offset (standard time; DST ignored), address blocks
 * for residential and corporate IPs (invented, but stable per country so IPs cluster by country as real ones do),
 * and popular local free-mail domains.
 */
public final class Geo {
  private Geo() {}

  public record Country(String code, double weight, int utcOffsetMinutes, int[] ipBlocks, String[] localMail) {}

  private static final String[] GLOBAL_MAIL = {"gmail.com", "gmail.com", "gmail.com", "gmail.com", "outlook.com",
      "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me"};

  public static final Country[] COUNTRIES = {
      new Country("US", 28, -300, new int[] {24, 47, 68, 73, 98, 174}, new String[] {"aol.com", "comcast.net"}),
      new Country("US-W", 9, -480, new int[] {67, 71, 76, 99, 107}, new String[] {"att.net"}),
      new Country("US-C", 6, -360, new int[] {50, 66, 70, 72}, new String[] {"sbcglobal.net"}),
      new Country("IN", 10, 330, new int[] {49, 106, 117, 122, 157}, new String[] {"rediffmail.com"}),
      new Country("GB", 6, 0, new int[] {81, 86, 90, 109}, new String[] {"btinternet.com", "sky.com"}),
      new Country("DE", 5, 60, new int[] {79, 84, 87, 93}, new String[] {"web.de", "gmx.de", "t-online.de"}),
      new Country("FR", 4, 60, new int[] {78, 82, 88, 92}, new String[] {"orange.fr", "free.fr"}),
      new Country("BR", 5, -180, new int[] {177, 179, 186, 189}, new String[] {"uol.com.br", "bol.com.br"}),
      new Country("CA", 4, -300, new int[] {64, 69, 142}, new String[] {"rogers.com"}),
      new Country("JP", 4, 540, new int[] {118, 126, 133, 153}, new String[] {"yahoo.co.jp", "docomo.ne.jp"}),
      new Country("KR", 3, 540, new int[] {112, 121, 175, 211}, new String[] {"naver.com", "daum.net"}),
      new Country("SG", 2, 480, new int[] {116, 119, 138}, new String[] {}),
      new Country("AU", 3, 600, new int[] {101, 110, 124, 144}, new String[] {"bigpond.com"}),
      new Country("NL", 2, 60, new int[] {80, 83, 145}, new String[] {"ziggo.nl"}),
      new Country("ES", 2, 60, new int[] {83, 85, 95}, new String[] {"telefonica.net"}),
      new Country("IT", 2, 60, new int[] {79, 87, 151}, new String[] {"libero.it"}),
      new Country("PL", 2, 60, new int[] {83, 89, 178}, new String[] {"wp.pl", "onet.pl"}),
      new Country("MX", 2, -360, new int[] {187, 189, 201}, new String[] {"prodigy.net.mx"}),
      new Country("ID", 2, 420, new int[] {36, 114, 180}, new String[] {}),
      new Country("VN", 1.5, 420, new int[] {14, 113, 171}, new String[] {}),
      new Country("PH", 1, 480, new int[] {112, 120, 130}, new String[] {}),
      new Country("TR", 1, 180, new int[] {78, 85, 88}, new String[] {}),
      new Country("NG", 1, 60, new int[] {102, 105, 197}, new String[] {}),
      new Country("UA", 1, 120, new int[] {46, 91, 176}, new String[] {"ukr.net"}),
      new Country("IL", 1, 120, new int[] {77, 79, 109}, new String[] {"walla.co.il"}),
      new Country("SE", 1, 60, new int[] {78, 83, 90}, new String[] {}),
      new Country("CN", 1.5, 480, new int[] {36, 58, 111, 183}, new String[] {"qq.com", "163.com", "126.com"}),
      new Country("RU", 1, 180, new int[] {31, 77, 95, 178}, new String[] {"yandex.ru", "mail.ru"}),
  };

  private static final double[] CUMULATIVE;

  static {
    double[] w = new double[COUNTRIES.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = COUNTRIES[i].weight();
    }
    CUMULATIVE = Seeds.cumulative(w);
  }

  public static Country pick(SplittableRandom rng) {
    return COUNTRIES[Seeds.pick(CUMULATIVE, rng)];
  }

  public static Country byCode(String code) {
    for (Country c : COUNTRIES) {
      if (c.code().equals(code)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown country " + code);
  }

  /** ISO code as stored in the account attribute (regions of the US collapse to US). */
  public static String iso(Country c) {
    int dash = c.code().indexOf('-');
    return dash < 0 ? c.code() : c.code().substring(0, dash);
  }

  /** A free-mail domain a person in this country would use. */
  public static String freeMail(Country c, SplittableRandom rng) {
    if (c.localMail().length > 0 && rng.nextDouble() < 0.3) {
      return Seeds.pick(c.localMail(), rng);
    }
    return Seeds.pick(GLOBAL_MAIL, rng);
  }
}
