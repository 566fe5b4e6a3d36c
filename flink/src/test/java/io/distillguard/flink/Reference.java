package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.Verdict;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.linkage.LinkageAction;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the in-process pipeline decides on the same events: the reference the job is compared with. */
final class Reference {
  private Reference() {}

  /** Each account's detection verdicts in order, as the in-process engine emits them. */
  static Map<String, List<VerdictEvent>> accountVerdicts(EngineSpec spec, List<Exchange> events) {
    return accountVerdicts(spec.engine(), events);
  }

  /** The same from a given engine (one that holds accounts to tiers, say). */
  static Map<String, List<VerdictEvent>> accountVerdicts(DetectionEngine engine, List<Exchange> events) {
    Map<String, List<VerdictEvent>> out = new TreeMap<>();
    Map<String, Long> versions = new HashMap<>();
    for (Exchange e : events) {
      Verdict v = engine.accept(e);
      if (v != null) {
        long version = VerdictEvent.nextVersion(versions.getOrDefault(v.accountId(), 0L), v.at());
        versions.put(v.accountId(), version);
        out.computeIfAbsent(v.accountId(), k -> new ArrayList<>()).add(VerdictEvent.of(v, version));
      }
    }
    return out;
  }

  /** The in-process linkage engine after all events and one recomputation at {@code at}: clusters by member. */
  static Map<String, TreeSet<String>> clusters(EngineSpec spec, List<Exchange> events, Instant at) {
    List<LinkageAction> actions = new ArrayList<>();
    linkage(spec, events, at, actions);
    Map<String, String> latest = new LinkedHashMap<>();
    for (LinkageAction a : actions) {
      latest.put(a.accountId(), a.clusterId());
    }
    return byCluster(latest);
  }

  /** The in-process linkage engine after all events and one recomputation at {@code at}; its actions into out. */
  static LinkageEngine linkage(EngineSpec spec, List<Exchange> events, Instant at, List<LinkageAction> out) {
    LinkageEngine linkage = new LinkageEngine(LinkageConfig.defaults(), spec.engine());
    for (Exchange e : events) {
      out.addAll(linkage.accept(e));
    }
    out.addAll(linkage.recompute(at));
    return linkage;
  }

  /** The same from the job's linkage verdicts: each account's latest cluster. */
  static Map<String, TreeSet<String>> clusters(List<VerdictEvent> verdicts) {
    Map<String, String> latest = new LinkedHashMap<>();
    for (VerdictEvent v : verdicts) {
      if (v.source() == VerdictEvent.Source.LINKAGE) {
        latest.put(v.accountId(), v.clusterId());
      }
    }
    return byCluster(latest);
  }

  private static Map<String, TreeSet<String>> byCluster(Map<String, String> latest) {
    Map<String, TreeSet<String>> out = new TreeMap<>();
    latest.forEach((account, cluster) -> out.computeIfAbsent(cluster, k -> new TreeSet<>()).add(account));
    return out;
  }

  /** The job's detection verdicts by account, in the order each account's arrived. */
  static Map<String, List<VerdictEvent>> byAccount(List<VerdictEvent> verdicts) {
    Map<String, List<VerdictEvent>> out = new TreeMap<>();
    for (VerdictEvent v : verdicts) {
      if (v.source() == VerdictEvent.Source.DETECTION) {
        out.computeIfAbsent(v.accountId(), k -> new ArrayList<>()).add(v);
      }
    }
    return out;
  }
}
