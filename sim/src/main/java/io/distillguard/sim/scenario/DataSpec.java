package io.distillguard.sim.scenario;

import io.distillguard.sim.data.DatasetInfo;
import io.distillguard.sim.data.Split;
import java.util.ArrayList;
import java.util.List;

/**
 * Which datasets and campaign templates a scenario may draw from: a named split ({@code tuning} or
 * {@code holdout}), optionally narrowed to an explicit dataset list, or an explicit dataset list alone.
 *
 * @param split     the split, or null when only explicit datasets are named
 * @param datasets  explicit dataset names; empty means every dataset of the split
 * @param templates which campaign template bank strategies use (defaults to the split, else tuning)
 */
public record DataSpec(Split split, List<String> datasets, Split templates) {

  public static final DataSpec TUNING = new DataSpec(Split.TUNING, List.of(), Split.TUNING);

  public DataSpec {
    datasets = List.copyOf(datasets);
    if (templates == null) {
      templates = split == null ? Split.TUNING : split;
    }
    if (split == null && datasets.isEmpty()) {
      throw new IllegalArgumentException("data: name a split or datasets");
    }
  }

  /** Every dataset the scenario may read, in catalog order. */
  public List<String> allowed() {
    List<String> out = new ArrayList<>();
    for (DatasetInfo d : DatasetInfo.CATALOG.values()) {
      if (allows(d.name())) {
        out.add(d.name());
      }
    }
    return out;
  }

  public boolean allows(String dataset) {
    if (!datasets.isEmpty()) {
      return datasets.contains(dataset);
    }
    DatasetInfo info = DatasetInfo.CATALOG.get(dataset);
    return info != null && info.split() == split;
  }

  /** The allowed datasets of one kind. */
  public List<String> allowed(DatasetInfo.Kind kind) {
    List<String> out = new ArrayList<>();
    for (String name : allowed()) {
      if (DatasetInfo.of(name).kind() == kind) {
        out.add(name);
      }
    }
    return out;
  }

  /** The split the scenario's traffic is attributed to: the named one, or the common split of all datasets. */
  public Split effectiveSplit() {
    if (split != null) {
      return split;
    }
    Split common = null;
    for (String d : datasets) {
      Split s = DatasetInfo.of(d).split();
      if (common == null) {
        common = s;
      } else if (common != s) {
        return null;
      }
    }
    return common;
  }

  public String describe() {
    return (split == null ? "datasets " + datasets : "split " + split.id()
        + (datasets.isEmpty() ? "" : " " + datasets)) + ", templates " + templates.id();
  }
}
