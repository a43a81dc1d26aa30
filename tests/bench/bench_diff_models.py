"""Seeded scenario models of N statements for the diff scaling benchmark (`bench_diff_scale.py`) and the tests that
compare the pruned exploration with the exhaustive one (tests/diff/test_diff_scaling.py).

A model is spread as real estates are: an organization of four accounts with SCPs, customer managed policies shared
by users and groups, inline policies, roles with trust policies (users, accounts, services, an outside account with
an ExternalId), buckets and other resources with resource policies (`Principal: "*"` with conditions among them).
Statements mix literal actions, wildcards (`s3:Get*`, `dynamodb:*`) and resources, with conditions on a sixth of
them (source IP, region, MFA, TLS, principal tags, `s3:prefix` with `${aws:username}`). `changed` widens and
narrows a few statements of a copy.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

Model = dict[str, Any]
Statement = dict[str, Any]

MANAGEMENT, DEV, PROD, DATA = "999999999999", "111111111111", "222222222222", "333333333333"
OUTSIDE = "444444444444"
WORKLOADS = (DEV, PROD, DATA)
REGION = "us-east-1"
TEAMS = ("red", "blue", "green", "amber")
VERSION = "2012-10-17"

ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": ("GetObject", "PutObject", "DeleteObject", "ListBucket", "GetObjectTagging", "GetBucketPolicy"),
    "dynamodb": ("GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem", "DescribeTable"),
    "sqs": ("SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"),
    "sns": ("Publish", "Subscribe", "GetTopicAttributes"),
    "kms": ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"),
    "lambda": ("InvokeFunction", "GetFunction", "UpdateFunctionCode"),
    "logs": ("CreateLogStream", "PutLogEvents", "DescribeLogGroups"),
    "ec2": ("DescribeInstances", "StartInstances", "StopInstances", "RunInstances"),
    "secretsmanager": ("GetSecretValue", "DescribeSecret"),
    "ssm": ("GetParameter", "GetParameters", "PutParameter"),
}
WILDCARDS: dict[str, tuple[str, ...]] = {
    "s3": ("s3:Get*", "s3:List*", "s3:*Object"),
    "dynamodb": ("dynamodb:*", "dynamodb:Get*", "dynamodb:Describe*"),
    "sqs": ("sqs:*",),
    "sns": ("sns:Get*",),
    "kms": ("kms:Describe*", "kms:Generate*"),
    "lambda": ("lambda:Get*",),
    "logs": ("logs:*",),
    "ec2": ("ec2:Describe*",),
    "secretsmanager": ("secretsmanager:Describe*",),
    "ssm": ("ssm:Get*",),
}
SERVICE_WEIGHTS = {
    "s3": 30, "dynamodb": 12, "sqs": 8, "sns": 5, "kms": 7, "lambda": 8, "logs": 8, "ec2": 7, "secretsmanager": 8,
    "ssm": 7,
}  # fmt: skip


class Names:
    """The resource names of a model of N statements: about one resource for every ten statements."""

    def __init__(self, n: int) -> None:
        scale = max(1, n // 10)
        self.buckets = {account: [f"b{account[:1]}-{i}" for i in range(max(2, scale // 6))] for account in WORKLOADS}
        self.tables = [f"t{i}" for i in range(max(2, scale // 8))]
        self.queues = [f"q{i}" for i in range(max(2, scale // 10))]
        self.topics = [f"n{i}" for i in range(max(1, scale // 16))]
        self.keys = [f"1234abcd-0000-4000-8000-{i:012d}" for i in range(max(1, scale // 12))]
        self.functions = [f"f{i}" for i in range(max(2, scale // 10))]
        self.groups = [f"g{i}" for i in range(max(2, scale // 8))]
        self.secrets = [f"s{i}" for i in range(max(1, scale // 12))]
        self.parameters = [f"p{i}" for i in range(max(1, scale // 12))]


class Writer:
    """Statements drawn from one seeded generator."""

    def __init__(self, rng: random.Random, names: Names) -> None:
        self.rng = rng
        self.names = names

    def service(self) -> str:
        return self.rng.choices(list(SERVICE_WEIGHTS), weights=list(SERVICE_WEIGHTS.values()))[0]

    def actions(self, service: str) -> list[str]:
        rng = self.rng
        if rng.random() < 0.25:
            return [rng.choice(WILDCARDS[service])]
        return [f"{service}:{a}" for a in rng.sample(ACTIONS[service], rng.randint(1, min(3, len(ACTIONS[service]))))]

    def resource(self, service: str, account: str) -> str:
        rng, names = self.rng, self.names
        if rng.random() < 0.08:
            return "*"
        if service == "s3":
            bucket = rng.choice(names.buckets[rng.choice(WORKLOADS)])
            return rng.choice([f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}/data/*"])
        prefix = f"arn:aws:{service}:{REGION}:{account}"
        made: dict[str, Callable[[], str]] = {
            "dynamodb": lambda: f"{prefix}:table/{rng.choice(names.tables)}",
            "sqs": lambda: f"{prefix}:{rng.choice(names.queues)}",
            "sns": lambda: f"{prefix}:{rng.choice(names.topics)}",
            "kms": lambda: f"{prefix}:key/{rng.choice(names.keys)}",
            "lambda": lambda: f"{prefix}:function:{rng.choice(names.functions)}",
            "logs": lambda: f"{prefix}:log-group:/app/{rng.choice(names.functions)}:*",
            "ec2": lambda: f"{prefix}:instance/*",
            "secretsmanager": lambda: f"{prefix}:secret:{rng.choice(names.secrets)}-*",
            "ssm": lambda: f"{prefix}:parameter/app/{rng.choice(names.parameters)}",
        }
        return made[service]()

    def condition(self, service: str) -> dict[str, Any] | None:
        rng = self.rng
        if rng.random() >= 0.17:
            return None
        choices: list[dict[str, Any]] = [
            {"IpAddress": {"aws:SourceIp": f"10.{rng.randint(0, 40)}.0.0/16"}},
            {"StringEquals": {"aws:RequestedRegion": rng.choice(["us-east-1", "eu-west-1"])}},
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ]
        if service == "s3":
            choices.append({"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}})
        return rng.choice(choices)

    def statement(self, account: str, sid: str) -> Statement:
        service = self.service()
        statement: Statement = {
            "Sid": sid,
            "Effect": "Deny" if self.rng.random() < 0.08 else "Allow",
            "Action": self.actions(service),
            "Resource": self.resource(service, account),
        }
        condition = self.condition(service)
        if condition is not None:
            statement["Condition"] = condition
        return statement

    def policy(self, account: str, count: int, tag: str) -> dict[str, Any]:
        return {"Version": VERSION, "Statement": [self.statement(account, f"{tag}x{i}") for i in range(count)]}


def organization() -> dict[str, Any]:
    """An organization with a region guardrail that spares global services, and two narrow denies."""
    deny_leave = {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    guardrail = {
        "Sid": "DenyOutsideRegions",
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    }
    no_trail_stop = {"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}
    return {
        "id": "o-a1b2c3d4e5",
        "management_account": MANAGEMENT,
        "policies": {
            "DenyLeave": {"Version": VERSION, "Statement": [deny_leave]},
            "Guardrail": {"Version": VERSION, "Statement": [guardrail]},
            "NoTrailStop": {"Version": VERSION, "Statement": [no_trail_stop]},
        },
        "root": {"scps": ["FullAWSAccess", "DenyLeave", "NoTrailStop"], "accounts": [MANAGEMENT]},
        "units": {"Workloads": {"parent": "root", "scps": ["FullAWSAccess", "Guardrail"], "accounts": list(WORKLOADS)}},
    }


def trust(rng: random.Random, account: str, users: list[str]) -> dict[str, Any]:
    """A trust policy: a user of the dev account, an account, a service, or an outside account with an ExternalId."""
    pick = rng.random()
    statement: Statement = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    if pick < 0.35 and users:
        statement["Principal"] = {"AWS": f"arn:aws:iam::{DEV}:user/{rng.choice(users)}"}
    elif pick < 0.6:
        statement["Principal"] = {"AWS": f"arn:aws:iam::{rng.choice(WORKLOADS)}:root"}
    elif pick < 0.9:
        statement["Principal"] = {"Service": rng.choice(["lambda.amazonaws.com", "ec2.amazonaws.com"])}
    else:
        statement["Principal"] = {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"ext-{account}"}}
    return {"Version": VERSION, "Statement": [statement]}


def bucket_policy(rng: random.Random, bucket: str, roles: list[str]) -> dict[str, Any]:
    """One to three statements: a role's or an account's reads, the organization's reads, or a TLS-only deny."""
    statements: list[Statement] = []
    for i in range(rng.randint(1, 3)):
        pick = rng.random()
        if pick < 0.4 and roles:
            principal: Any = {"AWS": rng.choice(roles)}
            statement: Statement = {
                "Effect": "Allow",
                "Principal": principal,
                "Action": ["s3:GetObject", "s3:ListBucket"],
            }
        elif pick < 0.7:
            statement = {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
            }
        else:
            statement = {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        statement["Sid"] = f"B{i}"
        statement["Resource"] = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
        statements.append(statement)
    return {"Version": VERSION, "Statement": statements}


def scenario_model(n: int, seed: int = 14) -> Model:
    """A scenario of about `n` statements (every policy's statements counted once)."""
    rng = random.Random(seed * 1_000_003 + n)
    names = Names(n)
    writer = Writer(rng, names)
    accounts: dict[str, Any] = {MANAGEMENT: {"name": "Management"}}
    budget = n - 4
    per_account = budget // len(WORKLOADS)
    user_names: list[str] = []
    role_arns: list[str] = []
    for index, account in enumerate(WORKLOADS):
        spent = 0
        body: dict[str, Any] = {"name": ["Dev", "Prod", "Data"][index]}
        managed = {
            f"m{account[:1]}{i}": writer.policy(account, rng.randint(*((1, 3) if n < 100 else (4, 10))), f"M{i}")
            for i in range(max(1 if n < 100 else 2, per_account // 70))
        }
        spent += sum(len(p["Statement"]) for p in managed.values())
        body["policies"] = managed
        groups = {
            name: {
                "managed_policies": [rng.choice(list(managed))],
                "inline_policies": {"own": writer.policy(account, 2, f"G{name}")},
            }
            for name in names.groups[: max(1, len(names.groups) // 3)]
        }
        spent += 2 * len(groups)
        users: dict[str, Any] = {}
        roles: dict[str, Any] = {}
        share = per_account - spent
        i = 0
        while share > 0 or i < 4:  # at least two users and two roles an account
            if i % 2 == 0:
                name = f"u{account[:1]}{i}"
                count = rng.randint(1, 3)
                user: dict[str, Any] = {
                    "managed_policies": rng.sample(list(managed), rng.randint(1, min(2, len(managed)))),
                    "inline_policies": {"own": writer.policy(account, count, f"U{i}")},
                    "tags": {"team": rng.choice(TEAMS)},
                }
                if groups and rng.random() < 0.5:
                    user["groups"] = [rng.choice(list(groups))]
                users[name] = user
                if account == DEV:
                    user_names.append(name)
            else:
                name = f"r{account[:1]}{i}"
                count = rng.randint(2, 6)
                roles[name] = {
                    "trust_policy": trust(rng, account, user_names),
                    "inline_policies": {"own": writer.policy(account, count, f"R{i}")},
                    "tags": {"team": rng.choice(TEAMS)},
                }
                if rng.random() < 0.3:
                    roles[name]["managed_policies"] = [rng.choice(list(managed))]
                role_arns.append(f"arn:aws:iam::{account}:role/{name}")
                count += 1
            share -= count
            i += 1
        body["users"], body["groups"], body["roles"] = users, groups, roles
        body["buckets"] = {}
        for bucket in names.buckets[account]:
            entry: dict[str, Any] = {"tags": {"team": rng.choice(TEAMS)}}
            if rng.random() < 0.4:
                entry["policy"] = bucket_policy(rng, bucket, role_arns)
            body["buckets"][bucket] = entry
        body["resources"] = [
            {
                "arn": f"arn:aws:sqs:{REGION}:{account}:{queue}",
                "policy": {
                    "Version": VERSION,
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": f"arn:aws:sqs:{REGION}:{account}:{queue}",
                        }
                    ],
                },
            }
            for queue in names.queues[: max(1, len(names.queues) // 4)]
        ]
        accounts[account] = body
    return {"scenario": f"scale model of {n} statements", "organization": organization(), "accounts": accounts}


def statement_count(model: Model) -> int:
    """Every statement of every policy the model writes."""

    def count(policy: dict[str, Any]) -> int:
        statements = policy["Statement"]
        return len(statements) if isinstance(statements, list) else 1

    total = sum(count(p) for p in model["organization"]["policies"].values())
    for body in model["accounts"].values():
        total += sum(count(p) for p in body.get("policies", {}).values())
        for kind in ("users", "groups", "roles"):
            for entity in body.get(kind, {}).values():
                total += sum(count(p) for p in entity.get("inline_policies", {}).values())
                if "trust_policy" in entity:
                    total += count(entity["trust_policy"])
        total += sum(count(b["policy"]) for b in body.get("buckets", {}).values() if "policy" in b)
        total += sum(count(r["policy"]) for r in body.get("resources", []) if "policy" in r)
    return total


def guardrail_widened(model: Model) -> Model:
    """A copy whose region guardrail (an SCP Deny on every action but IAM's, STS's, ... outside two regions) allows
    one more region: a change that reaches every request of the workload accounts' callers."""
    new = copy.deepcopy(model)
    regions = new["organization"]["policies"]["Guardrail"]["Statement"][0]["Condition"]["StringNotEquals"]
    regions["aws:RequestedRegion"] = [*regions["aws:RequestedRegion"], "ap-south-1"]
    return new


def changed(model: Model, seed: int = 7) -> Model:
    """A copy with four statements changed: one widened to every resource, one narrowed to fewer actions, a bucket
    policy opened to a whole account, and a role trusting one more account."""
    rng = random.Random(seed)
    new = copy.deepcopy(model)
    dev = new["accounts"][DEV]
    user = dev["users"][rng.choice(sorted(dev["users"]))]
    user["inline_policies"]["own"]["Statement"][0]["Resource"] = "*"  # widened
    managed = new["accounts"][PROD]["policies"]
    statements = managed[rng.choice(sorted(managed))]["Statement"]
    narrowed = next((s for s in statements if isinstance(s["Action"], list) and len(s["Action"]) > 1), statements[0])
    narrowed["Action"] = narrowed["Action"][:1] if isinstance(narrowed["Action"], list) else "s3:GetObject"
    buckets = [b for b in new["accounts"][DATA]["buckets"].values() if "policy" in b]
    if buckets:
        statement = buckets[0]["policy"]["Statement"][0]
        statement["Principal"] = {"AWS": f"arn:aws:iam::{PROD}:root"}  # opened to an account
        statement.pop("Condition", None)
    roles = new["accounts"][PROD]["roles"]
    role = roles[rng.choice(sorted(roles))]
    role["trust_policy"]["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:root"}, "Action": "sts:AssumeRole"}
    )
    return new


#: the changed copies the benchmark can make, by `--change`
CHANGES: dict[str, Callable[[Model], Model]] = {"statements": changed, "guardrail": guardrail_widened}
