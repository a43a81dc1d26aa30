"""Benchmark: policysim side by side with PMapper on three workloads. Prints figures; asserts nothing.

Run: python tests/bench/bench_peer.py [--seed 7] [--rounds 150] [--identity-requests 10000]
     [--cross-requests 2500] [--repeat 3] [--profile]

PMapper (PyPI `principalmapper`, AGPL) is imported at run time when installed (`pip install principalmapper`); it is
no dependency of policysim and none of its code is copied here. Its local evaluation entry point,
`principalmapper.querying.query_interface.local_check_authorization_full`, decides for one user or role Node with
an optional resource policy and owner; policysim answers through the public `Scenario.evaluate`. Both read the same
policy documents: the PMapper Nodes, Groups and Policies are built in memory from the scenario data policysim loads
(AWS managed policies from policysim's shipped library).

Workloads:
1. the founding tutorial, `scenarios/cross-account-delegation.yaml`: AssumeRole by David (allowed) and Jane
   (explicit deny), S3 and other requests through the UpdateData role and without it, repeated `--rounds` times;
2. synthetic identity requests: 8 users of one account, 200 identity statements (bench_engine's shape: action and
   resource wildcards, NotAction / NotResource, `${aws:username}` in Resource, 22 condition shapes), a boundary on
   two users, bucket policies and KMS keys with the default key policy in the same account;
3. cross-account resource requests: 6 users of one account, buckets with bucket policies, KMS keys with key policies
   and roles with trust policies (some asking for sts:ExternalId) in another: identity and resource policy must allow.

The requests keep to what both tools model, and each tool is told what it needs:
- PMapper Nodes are IAM users and roles, so the root user is never the caller;
- PMapper expands no policy variables in condition values and knows no resource tags: the conditions are
  bench_engine's without `${...}` values or `aws:ResourceTag` (variables are in Resource elements only);
- PMapper derives few context keys, so every synthetic request gives both tools aws:SecureTransport, aws:SourceIp,
  aws:RequestedRegion, aws:CurrentTime and aws:EpochTime;
- PMapper decides for one principal: a role chain is its AssumeRole hops (the trust policy as the resource policy)
  and then the request made as the role;
- PMapper is given the resource's policy and owner account: the bucket policy (an empty one for a bucket without),
  the key policy, or the role's trust policy for sts:AssumeRole.
PMapper 1.1.5 imports `Mapping` from `collections` (removed in Python 3.10; nccgroup/PMapper#131): the script puts the
`collections.abc` names there before importing it. Rates are the best of `--repeat` passes per tool, the tools
taking turns, after a warm-up to each tool's steady state (two passes of policysim, whose memory keeps a decision
from its second request, one of PMapper); load and compile (policysim) and the in-memory Node model (PMapper) are
timed apart.
policysim remembers decisions (docs/performance.md, "How a request is evaluated"), so its best pass answers from
memory what it decided before; printed beside it: its first pass on a fresh scenario, with nothing remembered or
planned yet, and its rate with the evaluator's decision memory switched off (plans, routes and walked chains kept:
every request's decision is made again, as for a diff or a query that asks each question once), the best of
`--repeat` passes after one that makes the plans.
"""

from __future__ import annotations

import argparse
import collections
import collections.abc
import copy
import cProfile
import os
import pstats
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench_engine import ACCOUNT, BUCKETS, CONDITIONS, SERVICES, TEAMS, _action, _resource  # the sibling script
from bench_engine import requests as identity_requests

import policysim
from policysim.load import load_file
from policysim.managed.library import ManagedPolicyLibrary
from policysim.services.kms import default_key_policy
from policysim.world.evaluator import Evaluator

TUTORIAL = Path(__file__).resolve().parents[2] / "scenarios" / "cross-account-delegation.yaml"
PARTNER = "222222222222"  # the resource account of workload 3
NOW = datetime(2026, 11, 27, tzinfo=UTC)
CLOCK_KEYS = {"aws:CurrentTime": "2026-11-27T00:00:00Z", "aws:EpochTime": str(int(NOW.timestamp()))}
INSTALL_HINT = "principalmapper is not importable: `pip install principalmapper` to compare; policysim's figures only"
Doc = dict[str, Any]
Strings = str | list[str]  # a policy element: one value or a list
EMPTY_POLICY: Doc = {"Version": "2012-10-17", "Statement": []}


def _modelled(condition: Mapping[str, Mapping[str, Any]]) -> bool:
    """A condition PMapper evaluates as AWS does: no variable in its values, no resource tag."""
    text = repr(condition)
    return "${" not in text and "aws:ResourceTag" not in text


PEER_CONDITIONS = [c for c in CONDITIONS if _modelled(c)]


@dataclass(frozen=True)
class Ask:
    """One request, given to both tools: policysim's reference names, context in evaluate's types."""

    principal: str
    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)
    assume: tuple[str, ...] = ()
    external_id: str | None = None


def _strings(context: Mapping[str, Any], external_id: str | None) -> dict[str, Any]:
    """The context as PMapper reads it: every value a string or a list of strings."""
    out: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    if external_id is not None:
        out["sts:ExternalId"] = external_id
    return out


# ------------------------------------------------------------------ PMapper's side


@dataclass(frozen=True)
class Peer:
    """The PMapper names this script uses, imported at run time."""

    node: Callable[..., Any]
    group: Callable[..., Any]
    policy: Callable[..., Any]
    check: Callable[..., bool]


def import_peer() -> Peer | None:
    """PMapper's model classes and local check, or None when it is not installed."""
    for name in ("Mapping", "MutableMapping"):  # see the module docstring
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
    try:
        from principalmapper.common import Group, Node, Policy  # type: ignore[import-untyped]
        from principalmapper.querying.query_interface import (  # type: ignore[import-untyped]
            local_check_authorization_full,
        )
    except ImportError:
        return None
    return Peer(Node, Group, Policy, local_check_authorization_full)


@dataclass
class PeerModel:
    """A scenario as PMapper Nodes (by name and by ARN) and each resource's policy with its owner account."""

    peer: Peer
    nodes: dict[str, Any] = field(default_factory=dict)
    trusts: dict[str, tuple[Doc, str]] = field(default_factory=dict)  # role ARN
    buckets: dict[str, tuple[Doc, str]] = field(default_factory=dict)  # bucket name
    resources: dict[str, tuple[Doc, str]] = field(default_factory=dict)  # ARN

    def allowed(self, ask: Ask) -> bool:
        """PMapper's answer: each AssumeRole hop of the chain, then the request as the last principal."""
        context = _strings(ask.context, ask.external_id)
        caller = self.nodes[ask.principal]
        for role in ask.assume:
            node = self.nodes[role]
            trust, account = self.trusts[node.arn]
            if not self.peer.check(caller, "sts:AssumeRole", node.arn, context, trust, account):
                return False
            caller = node
        policy, owner = self.resource_policy(ask.action, ask.resource)
        return self.peer.check(caller, ask.action, ask.resource, context, policy, owner)

    def resource_policy(self, action: str, resource: str) -> tuple[Doc | None, str | None]:
        """The policy that governs `resource` for `action`, and the account that owns it."""
        if action.lower() == "sts:assumerole" and resource in self.trusts:
            return self.trusts[resource]
        if resource.startswith("arn:aws:s3:::"):
            return self.buckets.get(resource[13:].split("/", 1)[0], (None, None))
        return self.resources.get(resource, (None, None))


def peer_model(peer: Peer, data: Mapping[str, Any], scenario: policysim.Scenario) -> PeerModel:
    """PMapper's model of the scenario `data`; ARNs, ids and tags as policysim resolved them."""
    accounts: Mapping[str, Any] = data["accounts"]
    library = ManagedPolicyLibrary.builtin()

    def managed(account: str, reference: str) -> Any:
        shipped = library.lookup_arn(reference) if reference.startswith("arn:") else None
        if shipped is not None:
            return peer.policy(reference, shipped.name, dict(shipped.document))
        owner, name = (
            (reference.split(":")[4], reference.rsplit("/", 1)[1]) if ":" in reference else (account, reference)
        )
        return peer.policy(f"arn:aws:iam::{owner}:policy/{name}", name, accounts[owner]["policies"][name])

    def attached(account: str, entry: Mapping[str, Any], arn: str) -> list[Any]:
        inline = [peer.policy(arn, name, doc) for name, doc in entry.get("inline_policies", {}).items()]
        return inline + [managed(account, ref) for ref in entry.get("managed_policies", [])]

    def boundary(account: str, entry: Mapping[str, Any]) -> Any:
        reference = entry.get("permissions_boundary")
        return None if reference is None else managed(account, reference)

    model = PeerModel(peer)
    groups: dict[tuple[str, str], Any] = {}
    for account, body in accounts.items():
        for name, entry in body.get("groups", {}).items():
            arn = f"arn:aws:iam::{account}:group/{name}"
            groups[account, name] = peer.group(arn, attached(account, entry, arn))
        for name, entry in body.get("buckets", {}).items():
            model.buckets[name] = (entry.get("policy") or EMPTY_POLICY, account)
        for entry in body.get("resources", []):
            if entry.get("policy"):
                model.resources[entry["arn"]] = (entry["policy"], account)
    for user in scenario.world.users.values():
        entry = accounts[user.account]["users"][user.name]
        node = peer.node(
            arn=user.arn,
            id_value=user.user_id,
            attached_policies=attached(user.account, entry, user.arn),
            group_memberships=[groups[user.account, g] for g in entry.get("groups", [])],
            trust_policy=None,
            instance_profile=None,
            num_access_keys=0,
            active_password=False,
            is_admin=False,
            permissions_boundary=boundary(user.account, entry),
            has_mfa=False,
            tags=dict(user.tags),
        )
        model.nodes[user.name] = model.nodes[user.arn] = node
    for role in scenario.world.roles.values():
        entry = accounts[role.account]["roles"][role.name]
        trust = entry.get("trust_policy") or EMPTY_POLICY
        node = peer.node(
            arn=role.arn,
            id_value=role.role_id,
            attached_policies=attached(role.account, entry, role.arn),
            group_memberships=[],
            trust_policy=trust,
            instance_profile=None,
            num_access_keys=0,
            active_password=False,
            is_admin=False,
            permissions_boundary=boundary(role.account, entry),
            has_mfa=False,
            tags=dict(role.tags),
        )
        model.nodes[role.name] = model.nodes[role.arn] = node
        model.trusts[role.arn] = (trust, role.account)
    return model


# ------------------------------------------------------------------ workloads


@dataclass(frozen=True)
class Workload:
    """A model as scenario data and the requests asked of it."""

    title: str
    data: Mapping[str, Any]
    asks: list[Ask]
    scenario: Callable[[], policysim.Scenario]


def tutorial(rounds: int) -> Workload:
    """Workload 1: the founding tutorial's identity-side questions, `rounds` times over."""
    role = "arn:aws:iam::999999999999:role/UpdateData"
    bucket = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container"
    item = bucket + "/shared/data.json"
    via = ("UpdateData",)
    distinct = [
        Ask("David", "sts:AssumeRole", role),
        Ask("Jane", "sts:AssumeRole", role),
        Ask("David", "s3:ListAllMyBuckets", "*", assume=via),
        Ask("David", "s3:ListBucket", bucket, assume=via),
        Ask("David", "s3:GetBucketLocation", bucket, assume=via),
        Ask("David", "s3:GetObject", item, assume=via),
        Ask("David", "s3:PutObject", item, assume=(role,)),
        Ask("David", "s3:DeleteObject", item, assume=via),
        Ask("David", "s3:DeleteBucket", bucket, assume=via),
        Ask("David", "ec2:DescribeInstances", "*", assume=via),
        Ask("David", "iam:ListRoles", "*", assume=via),
        Ask("Jane", "s3:PutObject", item, assume=via),
        Ask("David", "s3:PutObject", item),
        Ask("Jane", "s3:GetObject", item),
        Ask("David", "ec2:DescribeInstances", "*"),
        Ask("David", "iam:CreateUser", "arn:aws:iam::111111111111:user/Mallory"),
        Ask("Jane", "iam:ListRoles", "*"),
        Ask("Jane", "s3:ListAllMyBuckets", "*"),
    ]
    return Workload(
        f"1. tutorial ({TUTORIAL.name}, {len(distinct)} distinct requests x {rounds})",
        load_file(TUTORIAL, str(TUTORIAL)).data,
        distinct * rounds,
        lambda: policysim.load_scenario(TUTORIAL, clock=lambda: NOW),
    )


def _statement(
    rng: random.Random,
    sid: str,
    action: Callable[[random.Random], Strings],
    resource: Callable[[random.Random, Strings], Strings],
    not_action: list[str],
    conditions: float,
) -> Doc:
    """One generated identity statement: bench_engine's mix, with the conditions both tools model."""
    actions = action(rng)
    statement: Doc = {"Sid": sid, "Effect": "Deny" if rng.random() < 0.12 else "Allow"}
    if rng.random() < 0.08:
        statement["NotAction"] = not_action
    else:
        statement["Action"] = actions
    statement["Resource"] = resource(rng, actions)
    if rng.random() < conditions:
        statement["Condition"] = copy.deepcopy(rng.choice(PEER_CONDITIONS))
    return statement


def _region(resource: str) -> str:
    parts = resource.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


def _context(rng: random.Random, base: Mapping[str, Any], resource: str) -> dict[str, Any]:
    """A request's context: `base` with the keys PMapper would not derive as policysim does, given to both."""
    context = {"aws:SecureTransport": rng.random() < 0.9, "aws:SourceIp": f"203.0.113.{rng.randint(1, 254)}"}
    context.update(base)
    context.setdefault("aws:RequestedRegion", _region(resource))
    context.update(CLOCK_KEYS)
    if rng.random() < 0.3:
        context["s3:max-keys"] = rng.choice(["50", "500"])
    return context


def identity(seed: int, count: int) -> Workload:
    """Workload 2: bench_engine's synthetic identity shape, 200 statements over 8 users, `count` requests."""
    rng = random.Random(seed)
    policies: Doc = {
        "boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    }
    users: Doc = {}
    for number in range(8):
        statements = []
        for index in range(25):
            statement = _statement(
                rng, f"S{number}x{index}", _action, _resource, [f"{rng.choice(list(SERVICES))}:*", "iam:*"], 0.55
            )
            if rng.random() < 0.06:
                statement["NotResource"] = f"arn:aws:s3:::{rng.choice(BUCKETS)}/*"
                del statement["Resource"]
            statements.append(statement)
        policies[f"user{number}-main"] = {"Version": "2012-10-17", "Statement": statements}
        user: Doc = {
            "managed_policies": [f"user{number}-main"],
            "tags": {"team": TEAMS[number % 3], "env": "prod" if number % 2 else "dev"},
        }
        if number < 2:
            user["permissions_boundary"] = "boundary"
        users[f"user{number}"] = user
    buckets: Doc = {
        name: {"policy": _bucket_policy(name, f"arn:aws:iam::{ACCOUNT}:user/user{i}")} for i, name in enumerate(BUCKETS)
    }
    buckets["home"] = {}
    asks = []
    for principal, action, resource, base in identity_requests(seed, count):
        if action.startswith("s3:") and "/" in resource[13:] and rng.random() < 0.2:
            resource = f"arn:aws:s3:::home/{rng.choice([principal, 'user0'])}/notes.txt"  # ${aws:username} at work
        asks.append(Ask(principal, action, resource, _context(rng, base, resource)))
    # every KMS key has a key policy (policysim refuses a key without one): the default one, given to both tools
    keys = sorted({a.resource for a in asks if a.resource.startswith("arn:aws:kms:")})
    resources = [{"arn": key, "policy": default_key_policy("aws", ACCOUNT)} for key in keys]
    data = {
        "scenario": "peer benchmark: identity",
        "accounts": {ACCOUNT: {"policies": policies, "users": users, "buckets": buckets, "resources": resources}},
    }
    return Workload(
        f"2. synthetic identity (8 users, 200 statements, {count:,} requests)",
        data,
        asks,
        lambda: policysim.Scenario.from_dict(data, clock=lambda: NOW),
    )


def _bucket_policy(name: str, reader: Strings, extra: Sequence[Doc] = ()) -> Doc:
    """Deny plain HTTP to everyone; `reader` may get objects."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "Readers",
                "Effect": "Allow",
                "Principal": {"AWS": reader},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            },
            *extra,
        ],
    }


CROSS = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetObjectTagging"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
    "sts": ["AssumeRole"],
}
SHARED = [f"shared-{n}" for n in ("reports", "lake", "media", "ledger", "drop")]
KEYS = [f"arn:aws:kms:us-east-1:{PARTNER}:key/{n:08x}-1111-2222-3333-444444444444" for n in range(4)]
BUCKET_WRITES: list[Strings] = ["s3:PutObject", ["s3:PutObject", "s3:DeleteObject"], "s3:*"]
KEY_USES: list[Strings] = ["kms:Decrypt", ["kms:Decrypt", "kms:DescribeKey"], "kms:GenerateDataKey*", "kms:*"]
PARTNER_ROLES = [f"partner-{n}" for n in range(4)]
CALLERS = [f"arn:aws:iam::{ACCOUNT}:user/user{n}" for n in range(6)]


def _cross_action(rng: random.Random) -> Strings:
    service = rng.choice(list(CROSS))
    names = CROSS[service]
    roll = rng.random()
    if roll < 0.15:
        return f"{service}:*"
    if roll < 0.3:
        return f"{service}:{rng.choice(names)[:3]}*"
    if roll < 0.4 and len(names) > 1:
        return [f"{service}:{n}" for n in rng.sample(names, 2)]
    return f"{service}:{rng.choice(names)}"


def _cross_resource(rng: random.Random, actions: Strings) -> Strings:
    service = (actions if isinstance(actions, str) else actions[0]).split(":")[0]
    if rng.random() < 0.15:
        return "*"
    choices: dict[str, list[Strings]] = {
        "s3": [
            "arn:aws:s3:::shared-*",
            "arn:aws:s3:::shared-*/*",
            f"arn:aws:s3:::{rng.choice(SHARED)}/*",
            f"arn:aws:s3:::{rng.choice(SHARED)}/team-${{aws:PrincipalTag/team}}/*",
            [f"arn:aws:s3:::{rng.choice(SHARED)}", f"arn:aws:s3:::{rng.choice(SHARED)}/202?/*"],
        ],
        "kms": [f"arn:aws:kms:*:{PARTNER}:key/*", rng.choice(KEYS)],
        "sts": [f"arn:aws:iam::{PARTNER}:role/partner-*", f"arn:aws:iam::{PARTNER}:role/{rng.choice(PARTNER_ROLES)}"],
    }
    return rng.choice(choices[service])


def _partner_principal(rng: random.Random) -> Strings:
    """A Principal's AWS value naming the caller account: its root, its id, or some of its users."""
    forms: list[Strings] = [f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, rng.sample(CALLERS, 3), "*"]
    return rng.choice(forms)


RESOURCE_CONDITIONS: list[Doc] = [
    {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/25"}},
    {"StringEquals": {"aws:PrincipalTag/team": ["alpha", "beta"]}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/user?"}},
    {"StringNotEquals": {"aws:RequestedRegion": "ap-south-1"}},
]


def _grant(rng: random.Random, sid: str, actions: Strings, resource: Strings | None) -> Doc:
    """An Allow for the caller account; a Principal `*` always carries a condition on aws:PrincipalAccount."""
    principal = _partner_principal(rng)
    statement: Doc = {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
    if resource is not None:
        statement["Resource"] = resource
    if principal == "*":
        statement["Condition"] = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
    elif rng.random() < 0.5:
        statement["Condition"] = copy.deepcopy(rng.choice(RESOURCE_CONDITIONS))
    return statement


def cross_account(seed: int, count: int) -> Workload:
    """Workload 3: callers in one account, resources with resource policies in another, `count` requests."""
    rng = random.Random(seed + 3)
    not_action = ["iam:*", "organizations:*"]
    policies: Doc = {}
    users: Doc = {}
    for number in range(len(CALLERS)):
        statements = [
            _statement(rng, f"X{number}x{i}", _cross_action, _cross_resource, not_action, 0.4) for i in range(12)
        ]
        policies[f"partner-access-{number}"] = {"Version": "2012-10-17", "Statement": statements}
        users[f"user{number}"] = {"managed_policies": [f"partner-access-{number}"], "tags": {"team": TEAMS[number % 3]}}
    buckets: Doc = {}
    for name in SHARED:
        arn = f"arn:aws:s3:::{name}"
        extra = [
            _grant(
                rng,
                "PartnerWrites",
                rng.choice(BUCKET_WRITES),
                arn + "/*",
            ),
            _grant(rng, "PartnerLists", "s3:ListBucket", arn),
            {
                "Sid": "NoDeletes",
                "Effect": "Deny",
                "Principal": {"AWS": rng.choice(CALLERS)},
                "Action": "s3:DeleteObject",
                "Resource": arn + "/*",
            },
        ]
        policy = _bucket_policy(name, _partner_principal(rng), extra)
        if policy["Statement"][1]["Principal"]["AWS"] == "*":
            policy["Statement"][1]["Condition"] = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
        buckets[name] = {"policy": policy}
    owner = {
        "Sid": "Owner",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    resources = [
        {
            "arn": key,
            "policy": {
                "Version": "2012-10-17",
                "Statement": [
                    owner,
                    _grant(
                        rng,
                        "PartnerUses",
                        rng.choice(KEY_USES),
                        "*",
                    ),
                ],
            },
        }
        for key in KEYS
    ]
    roles: Doc = {}
    for number, name in enumerate(PARTNER_ROLES):
        trust = _grant(rng, "Partner", "sts:AssumeRole", None)
        if number % 2:
            trust.setdefault("Condition", {}).setdefault("StringEquals", {})["sts:ExternalId"] = f"ext-{name}"
        roles[name] = {"trust_policy": {"Version": "2012-10-17", "Statement": [trust]}}
    data = {
        "scenario": "peer benchmark: cross-account",
        "accounts": {
            ACCOUNT: {"policies": policies, "users": users},
            PARTNER: {"buckets": buckets, "resources": resources, "roles": roles},
        },
    }
    asks = []
    for _ in range(count):
        principal = f"user{rng.randrange(len(CALLERS))}"
        service = rng.choices(["s3", "kms", "sts"], weights=[5, 3, 2])[0]
        action = f"{service}:{rng.choice(CROSS[service])}"
        external_id = None
        if service == "s3":
            bucket = rng.choice(SHARED)
            team = rng.choice(TEAMS)
            resource = f"arn:aws:s3:::{bucket}" + (
                "" if action == "s3:ListBucket" else f"/team-{team}/2024/{rng.randint(1, 99)}.csv"
            )
        elif service == "kms":
            resource = rng.choice(KEYS)
        else:
            role = rng.choice(PARTNER_ROLES)
            resource = f"arn:aws:iam::{PARTNER}:role/{role}"
            external_id = rng.choice([f"ext-{role}", f"ext-{role}", "ext-wrong", None])
        asks.append(Ask(principal, action, resource, _context(rng, {}, resource), external_id=external_id))
    return Workload(
        f"3. cross-account resource policies ({len(CALLERS)} users, {len(SHARED)} buckets, {len(KEYS)} keys, "
        f"{len(PARTNER_ROLES)} roles, {count:,} requests)",
        data,
        asks,
        lambda: policysim.Scenario.from_dict(data, clock=lambda: NOW),
    )


# ------------------------------------------------------------------ measuring


def _ours(scenario: policysim.Scenario, asks: Sequence[Ask]) -> list[bool]:
    return [
        scenario.evaluate(
            a.principal, a.action, a.resource, a.context, assume=a.assume, external_id=a.external_id
        ).allowed
        for a in asks
    ]


def _theirs(model: PeerModel, asks: Sequence[Ask]) -> list[bool]:
    return [model.allowed(a) for a in asks]


def _timed(run: Callable[[], list[bool]]) -> tuple[float, list[bool]]:
    start = time.perf_counter()
    answers = run()
    return time.perf_counter() - start, answers


@dataclass(frozen=True)
class Figures:
    """What one workload measured."""

    title: str
    requests: int
    allowed: int
    ours: float  # decisions per second
    cold: float  # decisions per second of one pass on a fresh scenario: nothing remembered yet
    computed: float  # decisions per second with the decision memory off: every decision made again
    theirs: float | None
    mismatches: int | None


def measure(workload: Workload, peer: Peer | None, repeat: int, profile: bool) -> Figures:
    """Time both tools on `workload` (their passes taken in turn, the best of `repeat` each) and compare answers."""
    asks = workload.asks
    start = time.perf_counter()
    scenario = workload.scenario()
    load = time.perf_counter() - start
    start = time.perf_counter()
    model = None if peer is None else peer_model(peer, workload.data, scenario)
    build = time.perf_counter() - start
    # the warm-up: each tool's steady state. policysim's first pass makes the plans and statement indexes, its
    # second keeps the decisions (a decision is kept from the second request that reads alike); PMapper keeps nothing
    _ours(scenario, asks)
    _ours(scenario, asks)
    if model is not None:
        _theirs(model, asks)
    seconds = peer_seconds = float("inf")
    answers: list[bool] = []
    peer_answers: list[bool] = []
    for _ in range(repeat):
        took, answers = _timed(partial(_ours, scenario, asks))
        seconds = min(seconds, took)
        if model is not None:
            took, peer_answers = _timed(partial(_theirs, model, asks))
            peer_seconds = min(peer_seconds, took)
    ours = len(asks) / seconds
    took, cold_answers = _timed(partial(_ours, workload.scenario(), asks))
    cold = len(asks) / took
    assert cold_answers == answers, "a fresh scenario answers as the one that remembers"
    computed, computed_answers = _computed(workload, repeat)
    assert computed_answers == answers, "every decision made again answers as the memory does"
    print(f"\n== {workload.title}")
    print(f"requests: {len(asks):,} (allowed {sum(answers):,}, not allowed {len(asks) - sum(answers):,})")
    print(f"policysim load + compile: {load * 1000:.1f} ms")
    print(f"policysim Scenario.evaluate: {ours:,.0f} decisions/s ({seconds / len(asks) * 1e6:.1f} us each)")
    print(f"policysim first pass on a fresh scenario (nothing remembered): {cold:,.0f} decisions/s")
    print(f"policysim with the decision memory off (every decision made again): {computed:,.0f} decisions/s")
    theirs = mismatches = None
    if model is not None:
        theirs = len(asks) / peer_seconds
        differing = [i for i, (a, b) in enumerate(zip(answers, peer_answers, strict=True)) if a != b]
        mismatches = len(differing)
        print(f"PMapper model (Nodes, Groups, Policies in memory): {build * 1000:.1f} ms")
        print(
            f"PMapper local_check_authorization_full: {theirs:,.0f} decisions/s "
            f"({peer_seconds / len(asks) * 1e6:.1f} us each)"
        )
        print(f"ratio policysim / PMapper: {ours / theirs:.2f}x")
        print(f"allow/deny mismatches: {mismatches}")
        for index in differing[:5]:
            print(f"  differs: {asks[index]} policysim={answers[index]} PMapper={peer_answers[index]}")
    if profile:
        _profile(scenario, asks)
    return Figures(workload.title, len(asks), sum(answers), ours, cold, computed, theirs, mismatches)


def _computed(workload: Workload, repeat: int) -> tuple[float, list[bool]]:
    """The best of `repeat` passes on a fresh scenario whose evaluator remembers no decision (its plans, the
    scenario's routes and walked chains made by a first, untimed pass), and that pass's answers."""
    scenario = workload.scenario()
    remember = Evaluator._remember
    setattr(Evaluator, "_remember", lambda *_, **__: None)  # noqa: B010 - the bench's switch, undone below
    try:
        answers = _ours(scenario, workload.asks)
        best = min(_timed(partial(_ours, scenario, workload.asks))[0] for _ in range(repeat))
    finally:
        setattr(Evaluator, "_remember", remember)  # noqa: B010
    return len(workload.asks) / best, answers


def _profile(scenario: policysim.Scenario, asks: Sequence[Ask]) -> None:
    """cProfile of policysim's pass: the top 15 functions by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.runcall(_ours, scenario, asks)
    for order in ("tottime", "cumulative"):
        print(f"-- cProfile of Scenario.evaluate, top 15 by {order}")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=150, help="repetitions of the tutorial's requests")
    parser.add_argument("--identity-requests", type=int, default=10_000)
    parser.add_argument("--cross-requests", type=int, default=2_500)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per tool, in turn; the best counts")
    parser.add_argument("--profile", action="store_true", help="cProfile policysim on workloads 1 and 3")
    args = parser.parse_args()

    peer = import_peer()
    print(
        f"python {sys.version.split()[0]}, PMapper {_peer_version() if peer else '(not installed)'}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    if peer is None:
        print(INSTALL_HINT)
    workloads = [
        (tutorial(args.rounds), args.profile),
        (identity(args.seed, args.identity_requests), False),
        (cross_account(args.seed, args.cross_requests), args.profile),
    ]
    figures = [measure(w, peer, args.repeat, profile) for w, profile in workloads]
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end (figures are unreliable under load)")
    print(
        "\n| workload | requests | allowed | policysim decisions/s | PMapper decisions/s | ratio | mismatches "
        "| policysim first pass | ratio | policysim, memory off | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in figures:
        theirs = "-" if f.theirs is None else f"{f.theirs:,.0f}"
        ratio = "-" if f.theirs is None else f"{f.ours / f.theirs:.2f}x"
        mismatches = "-" if f.mismatches is None else str(f.mismatches)
        cold_ratio = "-" if f.theirs is None else f"{f.cold / f.theirs:.2f}x"
        computed_ratio = "-" if f.theirs is None else f"{f.computed / f.theirs:.2f}x"
        print(
            f"| {f.title.split(' (')[0]} | {f.requests:,} | {f.allowed:,} | {f.ours:,.0f} | {theirs} | {ratio} "
            f"| {mismatches} | {f.cold:,.0f} | {cold_ratio} | {f.computed:,.0f} | {computed_ratio} |"
        )


def _peer_version() -> str:
    from importlib.metadata import version

    return version("principalmapper")


if __name__ == "__main__":
    main()
