"""Print the rate of Scenario.evaluate_many with one process and over every core (a script, not a test).

    python tests/bench/bench_many.py [N]

Two request mixes: the founding tutorial's three request shapes repeated (each decided once, then answered from
the evaluator's memory: the cheapest requests there are, so shipping outcomes between processes dominates), and
N synthetic identity requests of `bench_peer.py`'s second workload (mostly distinct: each decided afresh). Every
run gets a fresh scenario, so no run answers from what an earlier one remembered.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import policysim

sys.path.insert(0, os.path.dirname(__file__))
from bench_peer import identity  # the sibling script

ROLE = "arn:aws:iam::999999999999:role/UpdateData"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"


def tutorial(count: int) -> tuple[Callable[[], policysim.Scenario], list[Mapping[str, Any]]]:
    shapes = [
        {"principal": "David", "action": "sts:AssumeRole", "resource": ROLE},
        {"principal": "David", "action": "s3:PutObject", "resource": OBJECT, "assume": ["UpdateData"]},
        {"principal": "Jane", "action": "s3:GetObject", "resource": OBJECT},
    ]
    load = lambda: policysim.load_scenario("scenarios/cross-account-delegation.yaml")  # noqa: E731
    return load, [shapes[i % len(shapes)] for i in range(count)]


def synthetic(count: int) -> tuple[Callable[[], policysim.Scenario], list[Mapping[str, Any]]]:
    workload = identity(7, count)
    keywords = [
        {"principal": a.principal, "action": a.action, "resource": a.resource, "context": a.context}
        for a in workload.asks
    ]
    return workload.scenario, keywords


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    for title, make in (("founding tutorial (3 shapes repeated)", tutorial), ("synthetic identity", synthetic)):
        load, requests = make(count)
        print(f"{count:,} requests, {title}")
        answers = None
        for workers in (None, 2, 0):
            scenario = load()
            start = time.perf_counter()
            outcomes = scenario.evaluate_many(requests, workers=workers)
            took = time.perf_counter() - start
            decisions = [o.decision for o in outcomes]
            assert answers is None or decisions == answers, "every worker count answers alike"
            answers = decisions
            print(f"  workers={workers!s:>4}: {took:6.2f} s  {count / took:9,.0f} requests/s")


if __name__ == "__main__":
    main()
