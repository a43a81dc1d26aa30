"""Benchmark of `policysim diff`: requests explored per second on the shipped scenarios (prints figures only).

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
        exploration = explore(base, new, catalogue)
        seconds = time.perf_counter() - started
        total_requests += exploration.requests
        total_seconds += seconds
        print(
            f"{path.name}: {exploration.requests:,} requests ({len(space.callers)} callers, {len(space.classes)} "
            f"action classes) planned in {planned * 1000:.0f} ms, explored in {seconds:.2f} s "
            f"= {exploration.requests / seconds:,.0f} requests/s (each on both sides)"
        )
    print(f"all: {total_requests:,} requests in {total_seconds:.2f} s = {total_requests / total_seconds:,.0f}/s")


if __name__ == "__main__":
    main()
