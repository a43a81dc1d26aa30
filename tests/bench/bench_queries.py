"""How long who-can and what-can take on models of growing size (prints figures, asserts nothing).

    python tests/bench/bench_queries.py                  # N = 1,000, 4,000, 10,000 statements
    python tests/bench/bench_queries.py --sizes 2000 --workers 2

Each model is bench_diff_models.py's seeded estate of about N statements (four accounts in an organization, users,
groups, roles with trust policies, managed and inline policies, wildcards, conditions, bucket and queue policies).
For each size: the principals and policies it holds, the seconds to load it, then who-can `s3:GetObject` on one
object of its first bucket, who-can `s3:*` on every object of it (a pattern), and what-can of its first user with
the role chains it reaches: seconds, callers asked, requests evaluated and answers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_diff_models import scenario_model, statement_count  # noqa: E402

import policysim  # noqa: E402


def measure(n: int, workers: int | None) -> None:
    model = scenario_model(n)
    started = time.perf_counter()
    scenario = policysim.Scenario.from_dict(model)
    loaded = time.perf_counter() - started
    world = scenario.world
    policies = sum(1 for _ in world.compiled_policies())
    principals = len(world.users) + len(world.roles)
    bucket = next(iter(world.buckets.values())).arn
    print(
        f"N={n}: {statement_count(model)} statements, {policies} policies, {len(world.users)} users, "
        f"{len(world.roles)} roles ({principals} principals); loaded in {loaded:.2f} s"
    )
    for action, resource in (("s3:GetObject", f"{bucket}/reports/q1.csv"), ("s3:*", f"{bucket}/*")):
        started = time.perf_counter()
        answer = scenario.who_can(action, resource, workers=workers)
        took = time.perf_counter() - started
        print(
            f"  who-can {action} on {resource}: {took:.2f} s, {answer.callers} callers, {answer.requests} "
            f"requests ({answer.requests / took:,.0f}/s), {len(answer.allowed)} allowed, "
            f"{len(answer.conditional)} conditional"
        )
    user = sorted(world.users)[0]
    started = time.perf_counter()
    grants = scenario.what_can(user, include_chains=True)
    took = time.perf_counter() - started
    print(
        f"  what-can {user} --include-chains: {took:.2f} s, {len(grants.sessions)} sessions, {grants.requests} "
        f"requests, {len(grants.allowed)} grants"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,10000")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        measure(n, args.workers)


if __name__ == "__main__":
    main()
