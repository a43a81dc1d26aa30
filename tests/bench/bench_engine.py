"""Benchmark: a synthetic workload through policysim's engine. Prints figures; asserts nothing.

Run: python tests/bench/bench_engine.py [--requests 10000] [--seed 7]

Workload: 8 principals in one account holding 200 identity statements in all, mixing action and resource
wildcards, NotAction / NotResource, policy variables and 24 condition shapes, plus a boundary on two users and a
bucket policy; 10,000 generated requests with varied context. Policies are compiled once, at load.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any

import policysim
from policysim.engine.decide import decide
from policysim.world.assemble import build_request, policy_set
from policysim.world.resolve import resolve_actor, resolve_target

ACCOUNT = "111111111111"
SERVICES = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketLocation", "GetObjectTagging"],
    "ec2": ["DescribeInstances", "StartInstances", "StopInstances", "TerminateInstances", "RunInstances"],
    "iam": ["GetRole", "PassRole", "CreateAccessKey", "ListAccessKeys", "DeleteAccessKey", "GetUser"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "DeleteItem"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
}
BUCKETS = ["data-lake", "logs-archive", "team-alpha", "team-beta", "public-site"]
TEAMS = ["alpha", "beta", "gamma"]

CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "alpha"}},
    {"StringEquals": {"aws:PrincipalTag/team": ["alpha", "beta"]}},
    {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "shared/*"]}},
    {"StringNotLike": {"aws:userid": "AIDA*:bot-*"}},
    {"StringEqualsIgnoreCase": {"aws:PrincipalTag/env": "PROD"}},
    {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NumericLessThan": {"s3:max-keys": "100"}},
    {"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "0"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    {"DateLessThan": {"aws:EpochTime": "4102444800"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/*"}},
    {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sqs:us-east-1:111111111111:blocked"}},
    {"Null": {"aws:SourceVpc": "true"}},
    {"Null": {"aws:PrincipalTag/team": "false"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner", "cost-center"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["team*", "owner"]}},
    {"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}},
    {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}, "Bool": {"aws:SecureTransport": "true"}},
]


def _action(rng: random.Random) -> str | list[str]:
    service = rng.choice(list(SERVICES))
    roll = rng.random()
    if roll < 0.15:
        return f"{service}:*"
    if roll < 0.3:
        name = rng.choice(SERVICES[service])
        return f"{service}:{name[:3]}*"
    if roll < 0.4:
        return [f"{service}:{n}" for n in rng.sample(SERVICES[service], 2)]
    return f"{service}:{rng.choice(SERVICES[service])}"


def _resource(rng: random.Random, action: str | list[str]) -> str | list[str]:
    service = (action if isinstance(action, str) else action[0]).split(":")[0]
    roll = rng.random()
    if roll < 0.2:
        return "*"
    if service == "s3":
        bucket = rng.choice(BUCKETS)
        choices = [
            f"arn:aws:s3:::{bucket}",
            f"arn:aws:s3:::{bucket}/*",
            "arn:aws:s3:::home/${aws:username}/*",
            f"arn:aws:s3:::{bucket}/20??/*",
        ]
        return rng.choice(choices)
    return f"arn:aws:{service}:*:{ACCOUNT}:*"


def _statement(rng: random.Random, index: int) -> dict[str, Any]:
    action = _action(rng)
    statement: dict[str, Any] = {"Sid": f"S{index}", "Effect": "Deny" if rng.random() < 0.12 else "Allow"}
    if rng.random() < 0.08:
        statement["NotAction"] = [f"{rng.choice(list(SERVICES))}:*", "iam:*"]
    else:
        statement["Action"] = action
    if rng.random() < 0.06:
        statement["NotResource"] = f"arn:aws:s3:::{rng.choice(BUCKETS)}/*"
    else:
        statement["Resource"] = _resource(rng, action)
    if rng.random() < 0.55:
        statement["Condition"] = rng.choice(CONDITIONS)
    return statement


def build_scenario(seed: int) -> policysim.Scenario:
    """8 users in one account, 200 identity statements, two boundaries, tagged buckets with policies."""
    rng = random.Random(seed)
    users: dict[str, Any] = {}
    managed: dict[str, Any] = {}
    index = 0
    for number in range(8):
        statements = []
        for _ in range(25):
            statements.append(_statement(rng, index))
            index += 1
        # a customer managed policy each (25 statements exceed the 2,048-character quota of a user's inline policies)
        managed[f"user{number}-main"] = {"Version": "2012-10-17", "Statement": statements}
        user: dict[str, Any] = {
            "managed_policies": [f"user{number}-main"],
            "tags": {"team": TEAMS[number % 3], "env": "prod" if number % 2 else "dev"},
        }
        if number < 2:
            user["permissions_boundary"] = "boundary"
        users[f"user{number}"] = user
    boundary = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    buckets = {
        name: {
            "tags": {"team": TEAMS[i % 3]},
            "policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": f"arn:aws:s3:::{name}/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/user{i}"},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{name}/*",
                    },
                ],
            },
        }
        for i, name in enumerate(BUCKETS)
    }
    data = {
        "scenario": "benchmark",
        "accounts": {ACCOUNT: {"policies": {"boundary": boundary, **managed}, "users": users, "buckets": buckets}},
    }
    return policysim.Scenario.from_dict(data, clock=lambda: datetime(2026, 11, 27, tzinfo=UTC))


def _concrete_resource(rng: random.Random, action: str) -> str:
    """A resource of a type `action` acts on (the catalogue refuses any other), or `*` for an action without one."""
    number = rng.randint(1, 50)
    name = action.split(":")[1]
    if action.startswith("s3:"):
        bucket = rng.choice(BUCKETS)
        return (
            f"arn:aws:s3:::{bucket}"
            if name in ("ListBucket", "GetBucketLocation")
            else f"arn:aws:s3:::{bucket}/2024/{number}.csv"
        )
    if action == "ec2:DescribeInstances":
        return "*"
    kinds = {
        "ec2": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{number:017x}",
        "iam": f"arn:aws:iam::{ACCOUNT}:"
        + (f"role/role{number}" if name in ("GetRole", "PassRole") else f"user/user{number % 8}"),
        "dynamodb": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/table{number}",
        "sqs": f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue{number}",
        "kms": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{number:08d}-0000-0000-0000-000000000000",
    }
    return kinds[action.split(":")[0]]


def requests(seed: int, count: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Generated requests: principal, action, concrete resource, context."""
    rng = random.Random(seed + 1)
    out = []
    for _ in range(count):
        service = rng.choice(list(SERVICES))
        action = f"{service}:{rng.choice(SERVICES[service])}"
        resource = _concrete_resource(rng, action)
        context: dict[str, Any] = {
            "aws:SecureTransport": rng.random() < 0.9,
            "aws:SourceIp": f"203.0.113.{rng.randint(1, 254)}",
        }
        if rng.random() < 0.5:
            context["aws:RequestedRegion"] = rng.choice(["us-east-1", "eu-west-1", "ap-south-1"])
        if rng.random() < 0.3:
            context["aws:TagKeys"] = rng.sample(["owner", "team", "cost-center", "x"], 2)
        if rng.random() < 0.3:
            context["s3:prefix"] = rng.choice(["home/user1/a", "shared/x", "other/"])
        out.append((f"user{rng.randint(0, 7)}", action, resource, context))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    world = build_scenario(args.seed)
    setup = time.perf_counter() - start
    workload = requests(args.seed, args.requests)

    # The public API, end to end: resolve principal and resource, build context, decide.
    for principal, action, resource_arn, context in workload[:200]:
        world.evaluate(principal, action, resource_arn, context)  # warm the per-action statement index
    start = time.perf_counter()
    decisions: dict[str, int] = {}
    for principal, action, resource_arn, context in workload:
        outcome = world.evaluate(principal, action, resource_arn, context)
        decisions[outcome.decision.value] = decisions.get(outcome.decision.value, 0) + 1
    api_seconds = time.perf_counter() - start

    # The engine alone: requests and policy sets prepared first, as a caller that reuses them would.
    prepared = []
    now = world.evaluator.now()
    for principal, action, resource_arn, context in workload:
        actor = resolve_actor(world.world, principal, None)
        target = resolve_target(world.world, resource_arn, None, actor, None)
        extra = {
            k.lower(): (
                tuple(str(x) for x in v)
                if isinstance(v, list)
                else (("true" if v else "false") if isinstance(v, bool) else str(v),)
            )
            for k, v in context.items()
        }
        request = build_request(world.world, actor, action, target, extra, now)
        prepared.append((request, policy_set(world.world, actor, request.action_lower, target)))
    start = time.perf_counter()
    for request, policies in prepared:
        decide(request, policies)
    engine_seconds = time.perf_counter() - start

    statements = sum(len(p.statements) for u in world.world.users.values() for p in u.identity)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"python {sys.version.split()[0]}, policysim {policysim.__name__}")
    print(f"principals: {len(world.world.users)}, identity statements: {statements}, requests: {len(workload)}")
    print(f"setup (load + compile): {setup * 1000:.1f} ms")
    print(f"decisions: {decisions}")
    print(
        f"Scenario.evaluate (end to end): {len(workload) / api_seconds:,.0f} decisions/s "
        f"({api_seconds / len(workload) * 1e6:.1f} us each)"
    )
    print(
        f"engine decide (prepared requests): {len(workload) / engine_seconds:,.0f} decisions/s "
        f"({engine_seconds / len(workload) * 1e6:.1f} us each)"
    )
    print(f"peak memory (max RSS): {peak:.1f} MiB")


if __name__ == "__main__":
    main()
