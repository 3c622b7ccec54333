#!/usr/bin/env python3
"""Draws one rolling restart behind HAProxy from the CSV files RollingRestartIT writes.

    python3 sample-app/charts/rolling_restart.py RUN_DIR OUTPUT.png

RUN_DIR is a folder such as sample-app/boot4/target/rolling-restart/grpc-graceful-shutdown-sample-app-boot4-starter
(calls.csv, replicas.csv, events.csv). Needs matplotlib (Debian: apt-get install python3-matplotlib).
"""
import csv
import sys
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(run_dir, output):
    run = Path(run_dir)
    calls = rows(run / "calls.csv")
    samples = rows(run / "replicas.csv")
    events = rows(run / "events.csv")
    replicas = sorted({int(s["replica"]) for s in samples})
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    fig, (rate, inflight, state) = plt.subplots(3, 1, figsize=(11, 8), sharex=True,
                                                gridspec_kw={"height_ratios": [3, 2, 2]})
    fig.suptitle(f"Rolling restart behind HAProxy: {run.name}", fontsize=12)

    ok = Counter(int(c["end_ms"]) // 1000 for c in calls if c["code"] == "OK")
    failed = Counter(int(c["end_ms"]) // 1000 for c in calls if c["code"] != "OK")
    seconds = range(min(ok | failed), max(ok | failed) + 1)
    rate.step(seconds, [ok[s] for s in seconds], where="post", label="calls completed per second", color="tab:green")
    rate.bar(list(seconds), [failed[s] for s in seconds], width=0.9, align="edge", color="tab:red",
             label=f"failed calls ({sum(failed.values())} in all)")
    rate.set_ylabel("calls / s")
    rate.set_ylim(bottom=0)
    rate.legend(loc="lower left")

    for r in replicas:
        mine = [s for s in samples if int(s["replica"]) == r]
        t = [int(s["t_ms"]) / 1000 for s in mine]
        inflight.plot(t, [int(s["in_flight"]) for s in mine], color=colors[r], label=f"replica r{r}")
        ready = [r * 2.5 + (1.0 if s["readiness_http"] == "200" else 0.0) for s in mine]
        routed = [r * 2.5 + 1.2 + (0.8 if s["haproxy"] == "UP" else 0.0) for s in mine]
        state.step(t, ready, where="post", color=colors[r])
        state.step(t, routed, where="post", color=colors[r], linestyle=":")
    inflight.set_ylabel("calls in flight")
    inflight.legend(loc="upper left", ncol=len(replicas))

    state.set_yticks([r * 2.5 + 0.5 for r in replicas] + [r * 2.5 + 1.6 for r in replicas])
    state.set_yticklabels([f"r{r} ready" for r in replicas] + [f"r{r} in HAProxy" for r in replicas], fontsize=8)
    state.set_xlabel("seconds since the run started")

    for e in events:
        t = int(e["t_ms"]) / 1000
        style = {"SIGTERM": "--", "exited": ":"}.get(e["event"])
        if style:
            for axis in (rate, inflight, state):
                axis.axvline(t, color=colors[int(e["replica"])], linestyle=style, linewidth=1)
            rate.annotate(f"r{e['replica']} {e['event']}", (t, rate.get_ylim()[1]), rotation=90, fontsize=7,
                          va="top", ha="right")

    fig.tight_layout()
    fig.savefig(output, dpi=110)
    print(f"wrote {output}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
