"""Print the rate of Scenario.evaluate_many with one process and with every core (a script, not a test).

    python tests/bench/bench_many.py [N]
"""

from __future__ import annotations

import os
import sys
import time

import policysim

ROLE = "arn:aws:iam::999999999999:role/UpdateData"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    scenario = policysim.load_scenario("scenarios/cross-account-delegation.yaml")
    shapes = [
        {"principal": "David", "action": "sts:AssumeRole", "resource": ROLE},
        {"principal": "David", "action": "s3:PutObject", "resource": OBJECT, "assume": ["UpdateData"]},
        {"principal": "Jane", "action": "s3:GetObject", "resource": OBJECT},
    ]
    requests = [shapes[i % len(shapes)] for i in range(count)]
    print(f"{count:,} requests of the founding tutorial; {os.cpu_count()} cores")
    for workers in (None, 0):
        start = time.perf_counter()
        scenario.evaluate_many(requests, workers=workers)
        took = time.perf_counter() - start
        print(f"  workers={workers!s:>4}: {took:6.2f} s  {count / took:9,.0f} requests/s")


if __name__ == "__main__":
    main()
