"""`policysim graph` at scale: seconds to build the graph of a generated model (~300 principals, ~2,000 policies).

    python tests/bench/bench_queries_graph.py [--principals 300] [--policies 2000] [--workers N] [--seed 1]

Prints the figures (nodes, edges, requests put to the evaluator, seconds to load, to build the graph, to find the
routes into `admin`); no assertion. `graph_model` is the generator, shared with tests/queries/test_graph_laws.py.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

ACCOUNTS = ("111111111111", "222222222222")
SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "cloudformation.amazonaws.com")
FILLER_ACTIONS = ("s3:GetObject", "s3:PutObject", "sqs:SendMessage", "dynamodb:GetItem", "ec2:DescribeInstances")


def _user(account: str, index: int) -> str:
    return f"arn:aws:iam::{account}:user/u{index}"


def _role(account: str, index: int) -> str:
    return f"arn:aws:iam::{account}:role/r{index}"


def _statement(rng: random.Random, account: str, users: int, roles: int) -> dict[str, Any]:
    """One statement: mostly ordinary data access, sometimes one of the escalation edges' requests."""
    pick = rng.random()
    other = rng.choice(ACCOUNTS)
    if pick < 0.70:
        return {"Effect": "Allow", "Action": rng.choice(FILLER_ACTIONS), "Resource": "*"}
    if pick < 0.80:
        return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": _role(other, rng.randrange(roles))}
    if pick < 0.84:
        action = rng.choice(("iam:CreateAccessKey", "iam:UpdateLoginProfile", "iam:PutUserPolicy"))
        return {"Effect": "Allow", "Action": action, "Resource": _user(account, rng.randrange(users))}
    if pick < 0.88:
        action = rng.choice(("iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"))
        return {"Effect": "Allow", "Action": action, "Resource": _role(account, rng.randrange(roles))}
    if pick < 0.93:
        return {
            "Effect": "Allow",
            "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", "ec2:RunInstances"],
            "Resource": [_role(account, rng.randrange(roles)), f"arn:aws:lambda:*:{account}:function:*", "*"],
        }
    if pick < 0.998:
        return {"Effect": "Deny", "Action": rng.choice(("iam:*", "sts:AssumeRole")), "Resource": "*"}
    return {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}  # an administrator now and then


def _trust(rng: random.Random, users: int, roles: int) -> dict[str, Any]:
    principals: list[str] = []
    for _ in range(rng.randint(1, 3)):
        account = rng.choice(ACCOUNTS)
        kind = rng.random()
        if kind < 0.5:
            principals.append(_user(account, rng.randrange(users)))
        elif kind < 0.7:
            principals.append(_role(account, rng.randrange(roles)))
        else:
            principals.append(f"arn:aws:iam::{account}:root")
    principal: dict[str, Any] = {"AWS": sorted(set(principals))}
    if rng.random() < 0.3:
        principal["Service"] = rng.choice(SERVICES)
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def graph_model(principals: int = 300, policies: int = 2000, seed: int = 1) -> dict[str, Any]:
    """A scenario of two accounts, `principals` users and roles in all, `policies` customer managed policies."""
    rng = random.Random(seed)
    users = max(1, principals // len(ACCOUNTS) // 2)
    roles = max(1, principals // len(ACCOUNTS) - users)
    per_account = max(1, policies // len(ACCOUNTS))
    accounts: dict[str, Any] = {}
    for account in ACCOUNTS:
        pool = {
            f"p{i}": {
                "Version": "2012-10-17",
                "Statement": [_statement(rng, account, users, roles) for _ in range(rng.randint(1, 3))],
            }
            for i in range(per_account)
        }
        names = sorted(pool)
        accounts[account] = {
            "policies": pool,
            "users": {f"u{i}": {"managed_policies": rng.sample(names, rng.randint(1, 8))} for i in range(users)},
            "roles": {
                f"r{i}": {"trust_policy": _trust(rng, users, roles), "managed_policies": rng.sample(names, 3)}
                for i in range(roles)
            },
        }
    return {"scenario": f"generated graph model {principals}/{policies}/{seed}", "accounts": accounts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--principals", type=int, default=300)
    parser.add_argument("--policies", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from policysim.queries.graph import paths_to
    from policysim.scenario.api import Scenario

    data = graph_model(args.principals, args.policies, args.seed)
    started = time.perf_counter()
    scenario = Scenario.from_dict(data)
    loaded = time.perf_counter()
    result = scenario.graph(workers=args.workers)
    built = time.perf_counter()
    routes = paths_to(result, "admin")
    routed = time.perf_counter()
    print(f"model: {args.principals} principals, {args.policies} policies (seed {args.seed}), workers {args.workers}")
    print(
        f"nodes {len(result.nodes)}, edges {len(result.edges)}, admins {len(result.admins)}, routes into admin {len(routes)}"
    )
    print(f"requests put to the evaluator: {result.requests}")
    print(f"load {loaded - started:.2f} s, graph {built - loaded:.2f} s, routes {routed - built:.3f} s")


if __name__ == "__main__":
    main()
