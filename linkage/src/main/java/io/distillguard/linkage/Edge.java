package io.distillguard.linkage;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Evidence that two accounts are operated together.
 *
 * @param weight    the sum over families of each family's evidence, each family capped at 1
 * @param families  the families whose evidence reached {@link LinkageConfig#familyMinimum()}
 * @param confident enough weight from enough independent families for the two to be clustered
 */
public record Edge(String a, String b, double weight, Set<Family> families, boolean confident,
    List<Evidence> evidence) {

  public Edge {
    families = families.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(families));
    evidence = List.copyOf(evidence);
  }

  /** One line for an analyst: "subnets 0.50, template 0.80 (network + content)". */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    for (Evidence e : evidence) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(e.kind().label()).append(String.format(java.util.Locale.ROOT, " %.2f", e.contribution()));
    }
    return sb.toString();
  }
}
