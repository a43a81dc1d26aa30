"""Print what a Dask cluster costs and gives (docs/performance.md, "Beyond one machine"); a script, not a test.

    python tests/bench/bench_cluster.py [N]            # N requests of the founding tutorial (default 50,000)
    python tests/bench/bench_cluster.py --matrix [N]   # an organization matrix sample, extrapolated to 10^8 requests

Rates in one process, on the forked pool (every core), and on a local cluster of 1 and 2 worker processes, with
whole outcomes and with decisions only (`map_on_cluster`, `keep` run on the workers); each worker's memory (RSS);
the fixed costs: starting the cluster, a call's connection and shipping, and the two ways to give the workers the
scenario (the compiled one pickled and unpickled, or its source compiled on each); and what the client pays to take one outcome
back. Needs the extra: pip install 'policysim[cluster]'.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from distributed import Client
from distributed.protocol.pickle import dumps

import policysim
from policysim.engine.outcome import Outcome
from policysim.load import load_text
from policysim.scenario.cluster import evaluate_on_cluster, local_cluster, map_on_cluster
from policysim.scenario.cluster_worker import Job

TUTORIAL = "scenarios/cross-account-delegation.yaml"
ORGANIZATION = "scenarios/organization-guardrails.yaml"
ROLE = "arn:aws:iam::999999999999:role/UpdateData"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"
MOMENT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
MATRIX = 10**8  # the organization matrix the sample is extrapolated to
HOUR = 3_600.0

# The organization matrix: every user of the four accounts, actions of six services, every Region, every account;
# each request names its own resource (an object key, an instance, a trail...), as a real matrix does.
PRINCIPALS = ("org-admin", "prod-admin", "tinkerer", "partner")
ACCOUNTS = ("100000000000", "200000000000", "300000000000", "400000000000")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
ACTIONS = (
    ("s3:GetObject", "arn:aws:s3:::prod-data/k/{i}"),
    ("s3:PutObject", "arn:aws:s3:::prod-data/k/{i}"),
    ("s3:ListBucket", "arn:aws:s3:::prod-data"),
    ("ec2:RunInstances", "arn:aws:ec2:{region}:{account}:instance/i-{i:017x}"),
    ("ec2:StopInstances", "arn:aws:ec2:{region}:{account}:instance/i-{i:017x}"),
    ("cloudtrail:StopLogging", "arn:aws:cloudtrail:{region}:{account}:trail/t{i}"),
    ("organizations:LeaveOrganization", "*"),
    ("iam:CreateUser", "arn:aws:iam::{account}:user/u{i}"),
    ("cloudwatch:PutMetricAlarm", "arn:aws:cloudwatch:{region}:{account}:alarm:a{i}"),
)


def fixed() -> datetime:
    return MOMENT


def rss() -> int:
    return int(psutil.Process().memory_info().rss)


def compile_source(text: str, name: str) -> str:
    """On a worker: the scenario compiled from its source text (the other way to ship it)."""
    return policysim.Scenario.from_document(load_text(text, name), clock=fixed).title


def decision(outcome: Outcome) -> str:
    return outcome.decision.value


def timed(what: Callable[[], object]) -> float:
    start = time.perf_counter()
    what()
    return time.perf_counter() - start


def line(label: str, count: int, took: float, cores: int) -> float:
    """Print a rate; return it per core."""
    rate = count / took
    print(f"  {label:<46} {took:7.2f} s {rate:9,.0f} requests/s {rate / cores:8,.0f} per core ({cores})")
    return rate / cores


def tutorial(count: int) -> list[dict[str, Any]]:
    shapes = [
        {"principal": "David", "action": "sts:AssumeRole", "resource": ROLE},
        {"principal": "David", "action": "s3:PutObject", "resource": OBJECT, "assume": ["UpdateData"]},
        {"principal": "Jane", "action": "s3:GetObject", "resource": OBJECT},
    ]
    return [dict(shapes[i % len(shapes)]) for i in range(count)]


def organization_matrix(count: int) -> Iterator[dict[str, Any]]:
    """The first `count` requests of the organization matrix, made as they are read."""
    for i in range(count):
        action, resource = ACTIONS[(i // len(PRINCIPALS)) % len(ACTIONS)]
        region = REGIONS[(i // 36) % len(REGIONS)]
        account = ACCOUNTS[(i // 108) % len(ACCOUNTS)]
        yield {
            "principal": PRINCIPALS[i % len(PRINCIPALS)],
            "action": action,
            "resource": resource.format(i=i, region=region, account=account),
            "context": {"aws:RequestedRegion": region},
        }


def client_cost(scenario: policysim.Scenario, requests: list[dict[str, Any]]) -> float:
    """Seconds the client spends taking one outcome back (unpickling it, in a batch of 1,000)."""
    packed = pickle.dumps([scenario.evaluate(**r) for r in requests[:1_000]], protocol=pickle.HIGHEST_PROTOCOL)
    return min(timed(lambda: pickle.loads(packed)) for _ in range(3)) / min(1_000, len(requests))


def ship_cost(scenario: policysim.Scenario) -> str:
    """How large the scenario pickles, and how long pickling and unpickling it take."""
    blob = dumps(Job(scenario, decision))
    pickled = min(timed(lambda: dumps(Job(scenario, decision))) for _ in range(3))
    unpickled = min(timed(lambda: pickle.loads(blob)) for _ in range(3))
    return f"{len(blob) / 1024:,.0f} KiB, pickled in {pickled * 1000:.1f} ms, unpickled in {unpickled * 1000:.1f} ms"


def on_cluster(
    scenario: policysim.Scenario, warm: policysim.Scenario, path: str, requests: list[dict[str, Any]], workers: int
) -> float:
    """Print the cluster's rates and costs (`scenario` as loaded, `warm` after answering the requests in this
    process: its caches pickle with it); return the per-core rate with decisions only."""
    count = len(requests)
    start = time.perf_counter()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        address = str(cluster.scheduler_address)
        client.run(lambda: policysim.Scenario)  # the workers import policysim, as a first call makes them
        up = time.perf_counter() - start
        per_call = timed(lambda: evaluate_on_cluster(scenario, requests[:1], address))
        per_call_warm = timed(lambda: evaluate_on_cluster(warm, requests[:1], address))
        text = Path(path).read_text(encoding="utf-8")
        compiled = min(timed(lambda: client.run(compile_source, text, path)) for _ in range(3))
        took = timed(lambda: evaluate_on_cluster(scenario, requests, address))
        line(f"cluster, {workers} worker(s), whole outcomes", count, took, workers)
        took = timed(lambda: list(map_on_cluster(scenario, requests, address, decision)))
        rate = line(f"cluster, {workers} worker(s), decisions only (keep=)", count, took, workers)
        memory = sorted(client.run(rss).values())
    print(
        f"    start-up {up:.2f} s; a call's fixed cost (connect, check, ship, 1 request): {per_call * 1000:.0f} ms "
        f"as loaded, {per_call_warm * 1000:.0f} ms warm; compiling the source on every worker instead: "
        f"{compiled * 1000:.1f} ms; worker RSS {', '.join(f'{m / 2**20:.0f}' for m in memory)} MiB"
    )
    return rate


def main() -> None:
    args = sys.argv[1:]
    matrix = "--matrix" in args
    numbers = [int(a) for a in args if a.isdigit()]
    count = numbers[0] if numbers else (20_000 if matrix else 50_000)
    path = ORGANIZATION if matrix else TUTORIAL
    cores = os.cpu_count() or 1
    scenario = policysim.load_scenario(path, clock=fixed)
    warm = policysim.load_scenario(path, clock=fixed)
    requests = list(organization_matrix(count)) if matrix else tutorial(count)
    print(f"{count:,} requests of {path}; {cores} cores; client RSS {rss() / 2**20:.0f} MiB")
    print(f"  the compiled scenario as loaded: {ship_cost(scenario)}")
    one = line("one process", count, timed(lambda: [warm.evaluate(**r) for r in requests]), 1)
    line("forked pool, every core (workers=0)", count, timed(lambda: warm.evaluate_many(requests, 0)), cores)
    print(f"  the same after answering the requests here (its caches pickle with it): {ship_cost(warm)}")
    rates = [on_cluster(scenario, warm, path, requests, workers) for workers in (1, 2)]
    taking = client_cost(warm, requests)
    print(f"  the client takes one whole outcome back in {taking * 1e6:.0f} us: at most {1 / taking:,.0f} outcomes/s")
    if matrix:
        best = max(rates)
        print(
            f"  {MATRIX:.0e} requests in one hour: {MATRIX / HOUR:,.0f} requests/s; at {best:,.0f} per worker core "
            f"(decisions only) {MATRIX / HOUR / best:.1f} worker cores; at {one:,.0f} per core in one process "
            f"{MATRIX / HOUR / one:.1f}; whole outcomes would need the client to take "
            f"{MATRIX / HOUR * taking:.1f} cores' worth of unpickling"
        )


if __name__ == "__main__":
    main()
