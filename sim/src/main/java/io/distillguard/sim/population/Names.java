package io.distillguard.sim.population;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/** Invented display names, company names and domains. */
public final class Names {
  private Names() {}

  private static final String[] FIRST = {"Maria", "James", "Wei", "Priya", "Lukas", "Sofia", "Mohammed", "Emma",
      "Hiroshi", "Ana", "David", "Fatima", "Noah", "Olga", "Carlos", "Aisha", "Jin", "Chloe", "Arjun", "Lena",
      "Mateo", "Yuki", "Ivan", "Grace", "Omar", "Sara", "Tomasz", "Amara", "Felix", "Mei", "Diego", "Nina", "Kwame",
      "Elif", "Pedro", "Hana", "Rahul", "Julia", "Samuel", "Ingrid", "Minh", "Zoe", "Ahmed", "Lucia", "Ben", "Anya",
      "Jorge", "Leila", "Oscar", "Rina"};
  private static final String[] LAST = {"Garcia", "Smith", "Zhang", "Sharma", "Muller", "Rossi", "Khan", "Johnson",
      "Tanaka", "Silva", "Brown", "Haddad", "Kim", "Ivanova", "Lopez", "Okafor", "Park", "Martin", "Patel", "Schmidt",
      "Nguyen", "Sato", "Petrov", "Wilson", "Hassan", "Cohen", "Nowak", "Mensah", "Wagner", "Chen", "Fernandez",
      "Novak", "Osei", "Yilmaz", "Costa", "Suzuki", "Gupta", "Andersson", "Williams", "Larsen", "Tran", "Moreau",
      "Ali", "Romero", "Taylor", "Kowalski", "Santos", "Rahman", "Dubois", "Ito"};
  private static final String[] CO_A = {"acme", "blue", "north", "bright", "quantum", "pixel", "river", "summit",
      "orbit", "cedar", "nova", "atlas", "vertex", "harbor", "lumen", "maple", "iron", "silver", "delta", "zenith",
      "kite", "coral", "ember", "granite", "helix", "juniper", "lattice", "meadow", "nimbus", "prism"};
  private static final String[] CO_B = {"labs", "analytics", "soft", "systems", "works", "health", "logistics",
      "media", "capital", "studio", "robotics", "data", "cloud", "bio", "learning", "legal", "retail", "energy",
      "games", "travel"};
  private static final String[] TLD = {".com", ".com", ".com", ".io", ".ai", ".co", ".de", ".co.uk", ".fr", ".in",
      ".com.br", ".jp", ".dev", ".net"};
  private static final String[] UNI = {"state.edu", "tech.edu", "uni-lab.de", "college.ac.uk", "univ.fr",
      "institute.ac.jp", "research.edu.cn", "polytechnic.edu", "uni.edu.au", "iit.ac.in"};

  public static String person(SplittableRandom rng) {
    return FIRST[rng.nextInt(FIRST.length)] + " " + LAST[rng.nextInt(LAST.length)];
  }

  /** A company name and domain, unique among those already taken. */
  public static String[] company(SplittableRandom rng, Set<String> taken) {
    for (int attempt = 0; ; attempt++) {
      String a = CO_A[rng.nextInt(CO_A.length)];
      String b = CO_B[rng.nextInt(CO_B.length)];
      String tld = TLD[rng.nextInt(TLD.length)];
      String base = a + b + (attempt > 3 ? String.valueOf(rng.nextInt(1000)) : "");
      String domain = base + tld;
      if (taken.add(domain)) {
        String name = Character.toUpperCase(a.charAt(0)) + a.substring(1) + " "
            + Character.toUpperCase(b.charAt(0)) + b.substring(1);
        return new String[] {name, domain};
      }
    }
  }

  public static String university(SplittableRandom rng) {
    String a = CO_A[rng.nextInt(CO_A.length)];
    return a + UNI[rng.nextInt(UNI.length)];
  }

  /** A personal vanity domain (a minority of individuals use one). */
  public static String personalDomain(String person, SplittableRandom rng) {
    String last = person.substring(person.indexOf(' ') + 1).toLowerCase(java.util.Locale.ROOT);
    return last + (rng.nextInt(90) + 10) + (rng.nextBoolean() ? ".dev" : ".me");
  }

  static Set<String> newTakenSet() {
    return new HashSet<>();
  }
}
