#!/usr/bin/env python3
"""Top hot spots of a JFR recording (jdk.ExecutionSample), without async-profiler.

    python3 bench/jfr_top.py recording.jfr [N] [THREAD_SUBSTRING]

Prints the N (default 25) methods most often on top of the stack (self time) and the N methods most often anywhere
on the stack (inclusive), restricted to threads whose name contains THREAD_SUBSTRING if given (e.g. eventloop).
"""
import collections
import json
import subprocess
import sys

APP = "io.distillguard."


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    thread = sys.argv[3] if len(sys.argv) > 3 else None
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "512", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    self_count = collections.Counter()
    incl_count = collections.Counter()
    app_inner = collections.Counter()
    app_any = 0
    threads = collections.Counter()
    total = 0
    for e in events:
        v = e["values"]
        name = (v.get("sampledThread") or {}).get("javaName") or (v.get("sampledThread") or {}).get("osName") or "?"
        threads[name] += 1
        if thread and thread not in name:
            continue
        frames = (v.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        total += 1

        def label(f):
            m = f["method"]
            return m["type"]["name"] + "." + m["name"]

        self_count[label(frames[0])] += 1
        labels = [label(f) for f in frames]
        for lab in set(labels):
            incl_count[lab] += 1
        # The innermost application frame: the DistillGuard code responsible for this sample (framework code it
        # called included); samples without one are the framework's own (Netty/Vert.x I/O, HTTP codec, timers).
        inner = next((lab for lab in labels if lab.replace("/", ".").startswith(APP)), None)
        if inner:
            app_any += 1
            app_inner[inner] += 1
        else:
            app_inner["(no DistillGuard frame: Netty/Vert.x/JDK only)"] += 1
    print(f"samples: {total} (of {len(events)}; by thread: {dict(threads.most_common(8))})")
    print(f"\ntop {n} self (method on top of the stack):")
    for lab, c in self_count.most_common(n):
        print(f"  {100.0 * c / total:5.1f}%  {lab}")
    print(f"\nby innermost DistillGuard frame ({100.0 * app_any / max(1, total):.1f}% of samples have one):")
    for lab, c in app_inner.most_common(n):
        print(f"  {100.0 * c / total:5.1f}%  {lab}")
    print(f"\ntop {n} inclusive (method anywhere on the stack):")
    for lab, c in incl_count.most_common(n):
        print(f"  {100.0 * c / total:5.1f}%  {lab}")


if __name__ == "__main__":
    main()
