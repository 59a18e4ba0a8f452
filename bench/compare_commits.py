"""bench_sync on two commits in one run, side by side: is a change within noise?

    .venv/bin/python bench/compare_commits.py --base HEAD~1 -- --engine sqlite --batches 3

Checks the base commit out into a temporary git worktree (with its own ``npm ci``), then runs ``bench/bench_sync.py``
of each tree in turn (base, this tree, base, this tree… ``--rounds`` times, each with
``--repeat 1``), so that both meet the same machine load, and prints each figure's median
per tree and their ratio. Everything after ``--`` goes to bench_sync.py. Each tree runs its
own code on its own fresh database (bench_sync makes one per run); they share this venv.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURE = re.compile(r"^\[(\w+)\] ([^:]+): (?:median )?([\d,]+(?:\.\d+)?)")


def figures(output: str) -> dict[str, float]:
    """The first figure of each line of bench_sync's output, by "[engine] label"."""
    found = {}
    for line in output.splitlines():
        match = FIGURE.match(line)
        if match and "machine" not in match.group(2):
            found[f"[{match.group(1)}] {match.group(2)}"] = float(match.group(3).replace(",", ""))
    return found


def bench(tree: Path, args: list[str]) -> dict[str, float]:
    command = [sys.executable, str(tree / "bench" / "bench_sync.py"), "--repeat", "1", *args]
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=True)
    return figures(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each tree, alternated")
    parser.add_argument("bench_args", nargs="*", help="arguments for bench_sync.py (after --)")
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {"base": defaultdict(list), "head": defaultdict(list)}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=ROOT,
                       check=True, capture_output=True)
        try:  # the base's own pinned front-end libraries (the server checks they are there)
            subprocess.run(["npm", "ci", "--prefix", str(base / "web"), "--no-audit", "--no-fund"],
                           check=True, capture_output=True)
            for round_ in range(args.rounds):
                for name, tree in (("base", base), ("head", ROOT)):
                    for key, value in bench(tree, args.bench_args).items():
                        results[name][key].append(value)
                print(f"round {round_ + 1}/{args.rounds} done", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT,
                           check=False, capture_output=True)
    print(f"\nmedian of {args.rounds} alternated runs; base = {args.base}, head = this tree")
    print(f"{'figure':<70} {'base':>12} {'head':>12} {'head/base':>10}")
    for key in results["head"]:
        head = statistics.median(results["head"][key])
        old = results["base"].get(key)
        if not old:
            print(f"{key:<70} {'—':>12} {head:>12,.1f}")
            continue
        base_value = statistics.median(old)
        print(f"{key:<70} {base_value:>12,.1f} {head:>12,.1f} {head / base_value:>10.2f}")


if __name__ == "__main__":
    main()
