"""Benchmark of `policysim diff`: requests put to both models per second on the shipped scenarios, each explored
against itself with every request of its space put (`exhaustive=True`: a model against itself puts none otherwise),
then as the diff runs (prints figures only). How the diff grows with the models: bench_diff_scale.py.

    python tests/bench/bench_diff.py
"""

from __future__ import annotations

import time
from pathlib import Path

from policysim.catalogue import builtin_catalogue
from policysim.diff.compare import explore, plan
from policysim.scenario.api import Scenario

ROOT = Path(__file__).parents[2]


def main() -> None:
    """Time the catalogue load, then each scenario explored against itself."""
    started = time.perf_counter()
    catalogue = builtin_catalogue()
    print(f"catalogue: {len(catalogue.actions):,} actions loaded in {time.perf_counter() - started:.2f} s")
    total_requests = 0
    total_seconds = 0.0
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        base, new = Scenario.load(path), Scenario.load(path)
        started = time.perf_counter()
        space = plan(base, new, catalogue)
        planned = time.perf_counter() - started
        started = time.perf_counter()
        exploration = explore(base, new, catalogue, exhaustive=True)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        reached = explore(base, new, catalogue)
        pruned = time.perf_counter() - started
        total_requests += exploration.evaluated
        total_seconds += seconds
        print(
            f"{path.name}: {exploration.evaluated:,} requests ({len(space.callers)} callers, {len(space.classes)} "
            f"action classes) planned in {planned * 1000:.0f} ms, all put in {seconds:.2f} s "
            f"= {exploration.evaluated / seconds:,.0f} requests/s (each on both sides); as the diff runs: "
            f"{reached.evaluated:,} put, {reached.unreached:,} unreached, {pruned:.2f} s"
        )
    print(f"all: {total_requests:,} requests in {total_seconds:.2f} s = {total_requests / total_seconds:,.0f}/s")


if __name__ == "__main__":
    main()
