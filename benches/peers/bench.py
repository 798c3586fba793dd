"""Time the sides of each workload in turn (round robin, so load drifts hit every side alike),
each run starting with no unwritten output of the runs before (`sync`, untimed): wall time per
run and peak resident memory from GNU time (`/usr/bin/time -f '%e %M'`; for a
shell pipeline of several processes, the largest process). Prints a table of medians, ratios to
ours and peak memory, and writes it as Markdown.

usage: bench.py COMMANDS.txt REPS OUT.md
COMMANDS.txt: one `workload | side | shell command` per line; the side named `barometer` is ours.
"""

import os
import statistics
import subprocess
import sys
import tempfile

OURS = "barometer"


def run(cmd):
    # Untimed: write back what earlier runs wrote, so that no side waits on another's output.
    os.sync()
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", t.name, "sh", "-c", cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {cmd}\n{p.stderr[-2000:]}")
        wall, kb = t.read().split()[-2:]
        return float(wall), int(kb)


def main(spec, reps, out):
    rows = [tuple(x.strip() for x in line.split("|", 2)) for line in open(spec) if line.strip()]
    times = {(w, s): [] for w, s, _ in rows}
    peak = {(w, s): 0 for w, s, _ in rows}
    # No warm-up round: compare.sh's check step has just run every side on the same files.
    for rep in range(reps):
        for w, s, cmd in rows:
            t, kb = run(cmd)
            times[(w, s)].append(t)
            peak[(w, s)] = max(peak[(w, s)], kb)
        print(f"  repetition {rep + 1}/{reps} done", file=sys.stderr)
    head = "| workload | side | median s | min s | max s | time / ours | peak MB | memory / ours |"
    lines = [head, "|---|---|--:|--:|--:|--:|--:|--:|"]
    for w, s, _ in rows:
        med = statistics.median(times[(w, s)])
        ours = statistics.median(times[(w, OURS)]) if (w, OURS) in times else float("nan")
        mem_ours = peak.get((w, OURS), 0)
        lines.append(
            f"| {w} | {s} | {med:.2f} | {min(times[(w, s)]):.2f} | {max(times[(w, s)]):.2f}"
            f" | {med / ours:.2f} | {peak[(w, s)] / 1024:.0f}"
            f" | {peak[(w, s)] / mem_ours:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    with open(out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
