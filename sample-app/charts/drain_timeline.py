#!/usr/bin/env python3
"""Draws one drain from the CSV files DrainTimelineIT writes: the calls in flight per method, as the starter's
endpoint reported them every 100 ms, and the drain's steps, as its span carried them to a real OTLP receiver.

    python3 sample-app/charts/drain_timeline.py RUN_DIR OUTPUT.png

RUN_DIR is a folder such as sample-app/boot4/target/drain-timeline/grpc-graceful-shutdown-sample-app-boot4-1.0.0-SNAPSHOT
(inflight.csv, steps.csv, sigterm.txt). Needs matplotlib (Debian: apt-get install python3-matplotlib).
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(run_dir, output):
    run = Path(run_dir)
    sigterm = int((run / "sigterm.txt").read_text().strip())
    samples = rows(run / "inflight.csv")
    steps = rows(run / "steps.csv")

    def seconds(t_ms):
        return (int(t_ms) - sigterm) / 1000

    times = sorted({int(s["t_ms"]) for s in samples})
    counts = defaultdict(dict)
    for s in samples:
        if s["method"]:
            counts[s["method"]][int(s["t_ms"])] = int(s["in_flight"])
    methods = sorted(m for m in counts if any(counts[m].values()))

    fig, ax = plt.subplots(figsize=(11, 4.8))
    fig.suptitle("One drain of the Spring Boot 4.1 sample after SIGTERM (drain-delay 2s, grace period 5s)",
                 fontsize=12)
    for method in methods:
        ax.step([seconds(t) for t in times], [counts[method].get(t, 0) for t in times], where="post",
                label=f"{method} in flight", linewidth=2)
    top = max(max(c.values()) for c in counts.values()) + 4
    ax.set_ylim(0, top)
    end = seconds(steps[-1]["t_ms"])
    for i, step in enumerate(steps):
        x = seconds(step["t_ms"])
        label = step["step"]
        if label.startswith("deadline"):
            label = label.split(": Greeter")[0]
        ax.axvline(x, color="grey", linestyle="--", linewidth=1)
        # Labels near the end go to the left of their line.
        right = x > end * 0.8
        ax.text(x - 0.05 if right else x + 0.05, top - 0.6 - (i % 3) * 1.1, label, fontsize=8, va="top",
                ha="right" if right else "left",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    ax.set_xlabel("seconds since SIGTERM (dashed: the drain's steps, from its span)")
    ax.set_ylabel("calls in flight (the starter's endpoint, every 100 ms)")
    ax.legend(loc="center right")
    fig.tight_layout()
    fig.savefig(output, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
