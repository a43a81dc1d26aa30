"""The evaluator's decision memory (`Evaluator.evaluate`, `engine/reads.py`) never changes an answer.

A plan (actor, action, target) remembers its decisions by the values, in the given context, of the keys its
statements read (and by the clock where they read it and the context does not give it); a role chain walked before
is answered from its last session. These tests ask the same request list three times on one Scenario (the memory
fills and answers) and once each on a fresh Scenario (no memory), and require every answer to be the same: decision,
gates, reasons, missing keys, the statements that matched, the explanation and the request's full context, read
late (after the clock moved on), as a remembered outcome assembles it on first read. Then they try to make the
memory lie: keys spelt in another case, keys only other actions read, defaults, NotResource / NotAction, set
qualifiers, VPC endpoints, unknown policies, mutated inputs, pickling, traces, sessions, threads and worker
processes. The attacks that once broke it (names spelt in another case through `Scenario.answer`, a caller changing
its dict after the call) are at the end of the file.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policysim import Decision, Scenario
from policysim.context import DeferredContext, RequestContext
from policysim.engine.outcome import Outcome
from policysim.engine.trace import trace
from policysim.errors import RequestError, UnresolvedReferenceError
from policysim.world.evaluator import VARIANTS, Evaluator
from policysim.world.resolve import request_target, resolve_actor

A = "111111111111"
B = "222222222222"
M = "333333333333"
ORG = "o-exampleorg01"
START = datetime(2029, 6, 1, 12, 0, 0, tzinfo=UTC)
LATE = datetime(2031, 1, 1, 0, 0, 0, tzinfo=UTC)  # past every window below
EDGE = datetime(2029, 12, 31, 23, 59, 59, tzinfo=UTC)  # one second before the window closes
INDIA = timezone(timedelta(hours=5, minutes=30))

Ask = tuple[dict[str, Any], datetime | None]  # `Scenario.evaluate`'s keywords, and the clock at the call


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


class Clock:
    """A clock the test moves between calls."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def fingerprint(outcome: Outcome) -> tuple[object, ...]:
    """Everything an answer tells, the request's full context included (read now)."""
    request = outcome.request
    asked = None
    if request is not None:
        context = dict(request.context)
        asked = (request.principal, request.action, request.resource, request.resource_account, context)
    return (
        outcome.decision,
        outcome.gates,
        tuple((r.gate, r.code, r.statement) for r in outcome.reasons),
        outcome.reasons,
        outcome.missing_keys,
        outcome.matched,
        outcome.hop,
        outcome.bounds,
        outcome.unknowns,
        asked,
        outcome.discovery,
        outcome.diagnostics,
        str(outcome.explain()),
    )


def remembered(outcome: Outcome) -> bool:
    """Was `outcome` answered from the memory with a request of its own (its context is assembled when read)?
    Reads nothing."""
    return outcome.request is not None and isinstance(outcome.request.context, DeferredContext)


def from_memory(outcomes: Sequence[Outcome]) -> list[bool]:
    """Which of `outcomes` the memory answered: with a context of their own, or as an outcome given before (the
    very same request again)."""
    given: set[int] = set()
    flags = []
    for outcome in outcomes:
        flags.append(remembered(outcome) or id(outcome) in given)
        given.add(id(outcome))
    return flags


def fresh_answer(data: Mapping[str, Any], kwargs: Mapping[str, Any], at: datetime | None) -> Outcome:
    """The answer of a Scenario that has answered nothing before."""
    return Scenario.from_dict(data, clock=Clock(at or START)).evaluate(**copy.deepcopy(dict(kwargs)))


def ask_all(scenario: Scenario, clock: Clock, asks: Sequence[Ask]) -> list[Outcome]:
    out = []
    for kwargs, at in asks:
        clock.moment = at or START
        out.append(scenario.evaluate(**copy.deepcopy(kwargs)))
    return out


def check_transparent(data: Mapping[str, Any], asks: Sequence[Ask], passes: int = 3) -> list[bool]:
    """Ask `asks` `passes` times on one Scenario and once each on fresh ones: the answers must be equal, request by
    request. Returns, for the last pass, which answers the memory gave."""
    clock = Clock(START)
    shared = Scenario.from_dict(data, clock=clock)
    rounds = [ask_all(shared, clock, asks) for _ in range(passes)]
    clock.moment = LATE + timedelta(days=3)  # a remembered context must hold the clock of its own call
    flags = from_memory([o for outcomes in rounds for o in outcomes])[-len(asks) :]
    expected = [fingerprint(fresh_answer(data, kwargs, at)) for kwargs, at in asks]
    for number, outcomes in enumerate(rounds):
        for index, (outcome, want) in enumerate(zip(outcomes, expected, strict=True)):
            assert fingerprint(outcome) == want, (number, index, asks[index])
    return flags


def asks_of(
    requests: Sequence[tuple[str, str, str]], contexts: Sequence[dict[str, Any] | None], **keywords: Any
) -> list[Ask]:
    return [
        ({"principal": p, "action": a, "resource": r, "context": c, **keywords}, None)
        for p, a, r in requests
        for c in contexts
    ]


# ---------------------------------------------------------------------------------------------------- the models

DATA = "arn:aws:s3:::data"


def obj(key: str) -> str:
    return f"{DATA}/{key}"


def conditions_model() -> dict[str, Any]:
    """Conditions on given keys, variables in Resource / NotResource / Condition values, overrides of derived
    principal keys, IfExists and Null, set qualifiers, NotAction, keys other actions read, a 2008 policy."""
    alice_policy = doc(
        allow("s3:GetObject", obj("${aws:username}/*"), Sid="OwnPrefix"),
        allow("s3:GetObject", obj("team/${aws:PrincipalTag/team}/*"), Sid="TeamPrefix"),
        allow(
            "s3:PutObject",
            Sid="TagAsSelf",
            Condition={"StringEquals": {"aws:RequestTag/owner": "${aws:username}"}},
        ),
        deny("s3:PutObject", Sid="MustTag", Condition={"Null": {"aws:RequestTag/owner": "true"}}),
        allow("s3:DeleteObject", Sid="WithMfa", Condition={"Bool": {"aws:MultiFactorAuthPresent": True}}),
        deny(
            "s3:DeleteObject",
            Sid="FromTheOffice",
            Condition={"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}},
        ),
        allow("s3:ListBucket", DATA, Sid="FewKeys", Condition={"NumericLessThanEquals": {"s3:max-keys": 10}}),
        allow(
            "s3:GetObjectTagging",
            Sid="AnyKnownTag",
            Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}},
        ),
        allow(
            "s3:PutObjectTagging",
            Sid="OnlyKnownTags",
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
        ),
        allow("s3:GetBucketTagging", DATA, Sid="NamedAlice", Condition={"StringEquals": {"AWS:UserName": "alice"}}),
        allow(
            "s3:GetBucketPolicy",
            DATA,
            Sid="RedTeam",
            Condition={"StringEqualsIgnoreCase": {"aws:principaltag/TEAM": "RED"}},
        ),
        allow("s3:GetObjectVersion", obj("${aws:PrincipalTag/project, 'shared'}/*"), Sid="ProjectOrShared"),
        allow("s3:GetObjectAcl", Sid="AclAnywhere"),
        {"Effect": "Deny", "Action": "s3:GetObjectAcl", "NotResource": obj("${aws:username}/*"), "Sid": "AclOwn"},
        {
            "Effect": "Deny",
            "NotAction": ["s3:Get*", "s3:List*"],
            "Resource": "*",
            "Sid": "ProdOnlyWrites",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/env": "prod"}},
        },
        allow("s3:PutObjectAcl", Sid="PrivateAcl", Condition={"StringEquals": {"s3:x-amz-acl": "private"}}),
        allow(
            "s3:GetObjectRetention",
            Sid="SameRegion",
            Condition={"StringEqualsIfExists": {"aws:RequestedRegion": "${aws:PrincipalTag/region}"}},
        ),
        allow(
            "s3:GetObjectLegalHold",
            obj("vip/*"),
            Sid="NotBob",
            Condition={"StringNotLike": {"aws:username": ["bob", "b?b*"]}},
        ),
    )
    old = doc(allow("s3:GetObjectAttributes", obj("${aws:username}/*"), Sid="LiteralIn2008"), version="2008-10-17")
    alice = {
        "tags": {"team": "blue", "env": "prod", "region": "eu-west-1"},
        "managed_policies": ["alice-p"],
        "inline_policies": {"old": old},
    }
    account = {"policies": {"alice-p": alice_policy}, "users": {"alice": alice}, "buckets": {"data": {}}}
    return {"scenario": "conditions", "accounts": {A: account}}


# every request is asked with these: keys most statements read, spelt in other cases, removed, and keys none reads
GENERIC: list[dict[str, Any] | None] = [
    None,
    {},
    {"aws:username": "bob"},
    {"AWS:UserName": "bob"},
    {"aws:username": None},
    {"aws:username": "bob", "AWS:USERNAME": "alice"},  # the later spelling wins
    {"aws:PrincipalTag/team": "red"},
    {"aws:PrincipalTag/env": "dev"},
    {"s3:x-amz-acl": "public-read"},
    {"unrelated:key": ["1", "2"], "aws:username": "alice"},
]
USERNAMES: list[dict[str, Any] | None] = [
    {"aws:username": "alice"},
    {"aws:username": ["alice", "bob"]},
    {"aws:username": []},
    {"aws:username": "b0b"},
]
OWNERS: list[dict[str, Any] | None] = [
    {"aws:RequestTag/owner": "alice"},
    {"aws:RequestTag/owner": "bob"},
    {"aws:requesttag/OWNER": ["alice", "bob"]},
    {"aws:RequestTag/owner": "alice", "aws:username": "bob"},
    {"aws:RequestTag/owner": "alice", "aws:PrincipalTag/env": None},
    {"aws:RequestTag/owner": None},
]
MFA: list[dict[str, Any] | None] = [
    {"aws:MultiFactorAuthPresent": True},
    {"aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "10.1.2.3"},
    {"aws:MultiFactorAuthPresent": False},
    {"aws:MultiFactorAuthPresent": None},
    {"aws:SourceIp": "192.0.2.1", "aws:MultiFactorAuthPresent": True},
    {"aws:SourceIp": ["10.1.2.3", "192.0.2.1"], "aws:MultiFactorAuthPresent": True},
]
MAX_KEYS: list[dict[str, Any] | None] = [
    {"s3:max-keys": 5},
    {"s3:max-keys": 50},
    {"s3:max-keys": "10"},
    {"s3:max-keys": 10.5},
]
TAG_KEYS: list[dict[str, Any] | None] = [
    {"aws:TagKeys": ["a"]},
    {"aws:TagKeys": ["a", "c"]},
    {"aws:TagKeys": []},
    {"aws:TagKeys": [""]},
    {"aws:TagKeys": None},
]
TEAMS: list[dict[str, Any] | None] = [
    {"aws:principaltag/TEAM": "Red"},
    {"aws:PrincipalTag/team": None},
    {"aws:PrincipalTag/team": ["red", "blue"]},
]
PROJECTS: list[dict[str, Any] | None] = [
    {"aws:PrincipalTag/project": "apollo"},
    {"aws:PrincipalTag/project": ["apollo", "gemini"]},
    {"aws:PrincipalTag/project": ""},
]
REGIONS: list[dict[str, Any] | None] = [
    {"aws:PrincipalTag/region": "us-east-1", "aws:RequestedRegion": "us-east-1"},
    {"aws:RequestedRegion": "us-east-1"},
    {"aws:RequestedRegion": "eu-west-1"},
    {"aws:PrincipalTag/region": None, "aws:RequestedRegion": "eu-west-1"},
]
ACLS: list[dict[str, Any] | None] = [
    {"s3:x-amz-acl": "private"},
    {"s3:X-Amz-Acl": "private", "aws:PrincipalTag/env": None},
]

CONDITION_ASKS = [
    *asks_of([("alice", "s3:GetObject", obj("alice/k")), ("alice", "s3:GetObject", obj("bob/k"))], GENERIC + USERNAMES),
    *asks_of([("alice", "s3:GetObject", obj("team/red/k"))], GENERIC + TEAMS),
    *asks_of([("alice", "s3:PutObject", obj("alice/k"))], GENERIC + OWNERS),
    *asks_of([("alice", "s3:DeleteObject", obj("alice/k"))], GENERIC + MFA),
    *asks_of([("alice", "s3:ListBucket", DATA)], GENERIC + MAX_KEYS),
    *asks_of(
        [("alice", "s3:GetObjectTagging", obj("alice/k")), ("alice", "s3:PutObjectTagging", obj("alice/k"))],
        GENERIC + TAG_KEYS,
    ),
    *asks_of([("alice", "s3:GetBucketTagging", DATA)], GENERIC + USERNAMES),
    *asks_of([("alice", "s3:GetBucketPolicy", DATA)], GENERIC + TEAMS),
    *asks_of(
        [("alice", "s3:GetObjectVersion", obj("shared/k")), ("alice", "s3:GetObjectVersion", obj("apollo/k"))],
        GENERIC + PROJECTS,
    ),
    *asks_of([("alice", "s3:GetObjectAcl", obj("bob/k"))], GENERIC + USERNAMES),
    *asks_of([("alice", "s3:PutObjectAcl", obj("alice/k"))], GENERIC + ACLS),
    *asks_of([("alice", "s3:GetObjectRetention", obj("alice/k"))], GENERIC + REGIONS),
    *asks_of([("alice", "s3:GetObjectLegalHold", obj("vip/k"))], GENERIC + USERNAMES),
    *asks_of(
        [
            ("alice", "s3:GetObjectAttributes", obj("${aws:username}/k")),
            ("alice", "s3:GetObjectAttributes", obj("alice/k")),
        ],
        GENERIC,
    ),
]

CONDITION_REQUESTS = sorted(
    {(kwargs["principal"], kwargs["action"], kwargs["resource"]) for kwargs, _ in CONDITION_ASKS}
)


def test_conditions_on_given_keys_variables_and_overrides_are_answered_alike() -> None:
    flags = check_transparent(conditions_model(), CONDITION_ASKS)
    assert sum(flags) > len(flags) // 2  # the memory gave most of the last pass's answers


def test_the_memory_tells_apart_what_a_plan_reads_and_keeps_each_requests_own_context() -> None:
    data = conditions_model()
    scenario = Scenario.from_dict(data, clock=Clock(START))
    own = ("alice", "s3:GetObject", obj("bob/k"))
    for _ in range(3):  # remembered: bob's name in context opens bob's prefix
        assert scenario.evaluate(*own, {"aws:username": "bob", "n": "1"}).allowed
    names: list[Any] = ["carol", None, ["bob", "carol"]]
    for name in names:  # ... and no other name does
        for _ in range(3):
            outcome = scenario.evaluate(*own, {"aws:username": name, "n": "2"})
            assert outcome.decision is Decision.IMPLICIT_DENY, name
    # a key no statement of s3:GetObject reads: the remembered answer, with this request's own context
    for acl in ("private", "public-read", "authenticated-read"):
        outcome = scenario.evaluate(*own, {"aws:username": "bob", "s3:x-amz-acl": acl})
        assert outcome.allowed and remembered(outcome)
        assert outcome.request is not None and outcome.request.context["s3:x-amz-acl"] == (acl,)
    # ...but for s3:PutObjectAcl, the same key decides
    put = ("alice", "s3:PutObjectAcl", obj("alice/k"))
    answers = [scenario.evaluate(*put, {"s3:x-amz-acl": acl}).decision for acl in ["private", "public-read"] * 3]
    assert answers == [Decision.ALLOWED, Decision.IMPLICIT_DENY] * 3


def test_a_context_key_overriding_a_derived_principal_key_is_never_answered_from_the_derived_value() -> None:
    scenario = Scenario.from_dict(conditions_model(), clock=Clock(START))
    tagging = ("alice", "s3:GetBucketTagging", DATA)
    policy = ("alice", "s3:GetBucketPolicy", DATA)
    put = ("alice", "s3:PutObject", obj("alice/k"))
    for _ in range(4):
        assert scenario.evaluate(*tagging).allowed  # derived aws:username alice
        assert not scenario.evaluate(*tagging, {"aws:username": "mallory"}).allowed
        assert not scenario.evaluate(*tagging, {"aws:username": None}).allowed
        assert not scenario.evaluate(*policy).allowed  # derived team blue
        assert scenario.evaluate(*policy, {"aws:PrincipalTag/team": "red"}).allowed
        assert scenario.evaluate(*put, {"aws:RequestTag/owner": "alice"}).allowed
        # the NotAction Deny reads aws:PrincipalTag/env for s3:PutObject: overriding it denies
        assert scenario.evaluate(*put, {"aws:RequestTag/owner": "alice", "aws:PrincipalTag/env": "dev"}).decision is (
            Decision.EXPLICIT_DENY
        )


# --------------------------------------------------------------------------- boundary, resource policy, SCP


def guarded_model() -> dict[str, Any]:
    """A permissions boundary, a bucket policy (same and cross account) and SCPs, each with conditions."""
    bucket_policy = doc(
        {
            "Sid": "PartnerReads",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
            "Action": "s3:GetObject",
            "Resource": obj("shared/*"),
            "Condition": {"StringEquals": {"aws:PrincipalTag/partner": "yes"}},
        },
        {
            "Sid": "BobReadsTagged",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{A}:user/bob"},
            "Action": "s3:GetObject",
            "Resource": obj("bob-only/*"),
            "Condition": {"StringEquals": {"s3:ExistingObjectTag/class": "public"}},
        },
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [DATA, obj("*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    scp = doc(
        deny(
            "s3:PutObject",
            Sid="CostCentre",
            Condition={"StringNotEqualsIfExists": {"aws:RequestTag/cost-center": ["cc1", "cc2"]}},
        ),
        deny(
            "s3:DeleteObject",
            Sid="NoDeletesOutsideOrg",
            Condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
        ),
    )
    boundary = doc(
        allow("s3:GetObject", Sid="BoundaryReads", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        allow("s3:PutObject", Sid="BoundaryWrites"),
    )
    bob = {"inline_policies": {"p": doc(allow("s3:*"))}, "permissions_boundary": "edge"}
    dave = {"inline_policies": {"p": doc(allow(["s3:PutObject", "s3:DeleteObject"]))}}
    carol = {"tags": {"partner": "yes"}, "inline_policies": {"p": doc(allow("s3:GetObject"))}}
    return {
        "scenario": "guarded",
        "organization": {
            "id": ORG,
            "management_account": M,
            "policies": {"Guard": scp},
            "root": {"scps": ["FullAWSAccess", "Guard"], "accounts": [A, M]},
        },
        "accounts": {
            A: {
                "policies": {"edge": boundary},
                "users": {"bob": bob, "dave": dave},
                "buckets": {"data": {"policy": bucket_policy}},
                "resources": [
                    {"arn": obj("bob-only/k"), "tags": {"class": "public"}},
                    {"arn": obj("bob-only/secret"), "tags": {"class": "secret"}},
                ],
            },
            B: {"users": {"carol": carol}},
        },
    }


GUARDED_CONTEXTS: list[dict[str, Any] | None] = [
    None,
    {"aws:SourceIp": "10.9.9.9"},
    {"aws:SourceIp": "203.0.113.7"},
    {"aws:SourceIp": ["10.9.9.9", "203.0.113.7"]},
    {"aws:SecureTransport": False},
    {"aws:SecureTransport": "true", "aws:SourceIp": "10.0.0.1"},
    {"aws:RequestTag/cost-center": "cc1"},
    {"aws:RequestTag/cost-center": "cc9"},
    {"aws:RequestTag/cost-center": None},
    {"aws:PrincipalTag/partner": None},
    {"aws:PrincipalTag/partner": "no"},
    {"aws:PrincipalOrgID": "o-someoneelse0"},
    {"aws:PrincipalOrgID": None},
    {"s3:ExistingObjectTag/class": "public"},
    {"s3:ExistingObjectTag/class": None},
]

GUARDED_REQUESTS = [
    ("bob", "s3:GetObject", obj("k")),
    ("bob", "s3:PutObject", obj("k")),
    ("bob", "s3:GetObject", obj("bob-only/k")),
    ("bob", "s3:GetObject", obj("bob-only/secret")),
    ("dave", "s3:PutObject", obj("k")),
    ("dave", "s3:DeleteObject", obj("k")),
    ("dave", "s3:GetObject", obj("bob-only/k")),
    (f"arn:aws:iam::{B}:user/carol", "s3:GetObject", obj("shared/k")),
    (f"arn:aws:iam::{B}:user/carol", "s3:GetObject", obj("private/k")),
]


def test_a_boundary_a_resource_policy_and_scps_are_answered_alike() -> None:
    assert any(check_transparent(guarded_model(), asks_of(GUARDED_REQUESTS, GUARDED_CONTEXTS)))


# ------------------------------------------------------------------------------------- roles and AssumeRole


ROLE = f"arn:aws:iam::{A}:role/"


def roles_model() -> dict[str, Any]:
    """AssumeRole on roles of the model: a trust asking for an external id, a trust reading the request's tags, and
    a chain into a role whose policy reads the session's principal tags (with a default)."""
    app_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "ext-1"}},
        }
    )
    open_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEqualsIfExists": {"aws:RequestTag/team": "blue"}},
        }
    )
    reader_trust = doc(
        {"Effect": "Allow", "Principal": {"AWS": ROLE + "app"}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}},
        },
    )
    alice = {"inline_policies": {"p": doc(allow(["sts:AssumeRole", "sts:TagSession"]))}}
    roles = {
        "app": {
            "trust_policy": app_trust,
            "tags": {"team": "blue"},
            "inline_policies": {
                "p": doc(
                    allow("sts:AssumeRole", ROLE + "reader"),
                    allow("s3:GetObject", obj("${aws:PrincipalTag/team}/*")),
                    deny("s3:GetObject", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                )
            },
        },
        "open": {
            "trust_policy": open_trust,
            "inline_policies": {"p": doc(allow("s3:GetObject", obj("${aws:PrincipalTag/team, 'none'}/*")))},
        },
        "reader": {
            "trust_policy": reader_trust,
            "tags": {"team": "green"},
            "inline_policies": {"p": doc(allow("s3:GetObject", obj("${aws:PrincipalTag/team, 'none'}/*")))},
        },
    }
    return {
        "scenario": "roles",
        "accounts": {A: {"users": {"alice": alice}, "roles": roles, "buckets": {"data": {}}}},
    }


ROLE_CONTEXTS: list[dict[str, Any] | None] = [
    None,
    {"sts:ExternalId": "ext-1"},
    {"sts:externalid": "nope"},
    {"sts:ExternalId": ["ext-1", "x"]},
    {"aws:RequestTag/team": "blue"},
    {"aws:RequestTag/team": "red"},
    {"aws:PrincipalTag/team": "red"},
    {"aws:PrincipalTag/team": None},
    {"aws:MultiFactorAuthPresent": "true"},
]


def role_asks() -> list[Ask]:
    asks: list[Ask] = []
    for context in ROLE_CONTEXTS:
        for role in ("app", "open", "reader"):
            base = {"principal": "alice", "action": "sts:AssumeRole", "resource": ROLE + role, "context": context}
            asks.append((base, None))
            asks.append(({**base, "external_id": "ext-1"}, None))
            asks.append(({**base, "external_id": "ext-2"}, None))
        for key in ("blue/k", "none/k"):
            get = {"principal": "alice", "action": "s3:GetObject", "resource": obj(key), "context": context}
            asks.append(({**get, "assume": ["app"], "external_id": "ext-1"}, None))
            asks.append(({**get, "assume": ["app"], "external_id": "wrong"}, None))
            asks.append(({**get, "assume": ["app", "reader"], "external_id": "ext-1"}, None))
            asks.append(({**get, "assume": ["open"]}, None))
            asks.append(({**get, "assume": ["open"], "session_tags": {"team": "blue"}}, None))
            asks.append(({**get, "assume": ["app"], "external_id": "ext-1", "mfa": True}, None))
    # a chain walked before is answered from its last session: its options, and what the last request asks, vary
    options: list[dict[str, Any]] = [
        {"assume": ["app", "reader"], "external_id": "ext-1"},
        {"assume": ["app", "reader"], "external_id": "ext-1", "session_name": "s-1"},
        {"assume": ["app", "reader"], "external_id": "ext-1", "duration_seconds": 900},
        {"assume": ["app", "reader"], "external_id": "ext-1", "via": "cli"},
        {"assume": ["app", "reader"], "external_id": "ext-1", "source_identity": "me"},
        {"assume": ["app", "reader"], "external_id": "ext-1", "mfa": False},
        {"assume": ["app"], "external_id": "ext-1", "mfa": True},
        {"assume": ["app"], "external_id": "ext-1", "resource_account": A},
        {"assume": ["app", "reader"]},  # refused at the first hop
    ]
    finals = [
        ("s3:GetObject", obj("green/k")),
        ("s3:GetObject", obj("blue/k")),
        ("s3:PutObject", obj("green/k")),
        ("sts:AssumeRole", ROLE + "reader"),
        ("sts:AssumeRole", ROLE + "open"),
    ]
    contexts: list[dict[str, Any] | None] = [None, {"aws:PrincipalTag/team": "red"}]
    for context in contexts:
        for option in options:
            for action, resource in finals:
                ask = {"principal": "alice", "action": action, "resource": resource, "context": context}
                asks.append(({**ask, **option}, None))
    return asks


def test_assume_role_with_and_without_external_id_and_chains_are_answered_alike() -> None:
    asks = role_asks()
    flags = check_transparent(roles_model(), asks)
    assert any(flag for (kwargs, _), flag in zip(asks, flags, strict=True) if kwargs["action"] == "sts:AssumeRole")
    assert any(flag for (kwargs, _), flag in zip(asks, flags, strict=True) if len(kwargs.get("assume", ())) > 1)


def test_a_chain_walked_at_one_second_is_walked_again_at_the_next() -> None:
    asks: list[Ask] = []
    half = START + timedelta(microseconds=500_000)  # the same second
    for moment in [START, START, LATE, half, START, START + timedelta(seconds=1), LATE, START.astimezone(INDIA)]:
        for action, resource in [("s3:GetObject", obj("green/k")), ("sts:AssumeRole", ROLE + "open")]:
            ask = {"principal": "alice", "action": action, "resource": resource, "assume": ["app", "reader"]}
            asks.append(({**ask, "external_id": "ext-1", "context": {"aws:username": "x"}}, moment))
    check_transparent(roles_model(), asks)


def test_a_remembered_trust_decision_still_needs_the_external_id() -> None:
    scenario = Scenario.from_dict(roles_model(), clock=Clock(START))
    app = ROLE + "app"
    for _ in range(4):
        assert scenario.evaluate("alice", "sts:AssumeRole", app, external_id="ext-1").allowed
        assert not scenario.evaluate("alice", "sts:AssumeRole", app).allowed
        assert not scenario.evaluate("alice", "sts:AssumeRole", app, external_id="EXT-1").allowed
        assert scenario.evaluate("alice", "sts:AssumeRole", app, {"sts:ExternalId": "ext-1"}).allowed
        assert scenario.evaluate("alice", "s3:GetObject", obj("blue/k"), assume=["app"], external_id="ext-1").allowed
        assert not scenario.evaluate("alice", "s3:GetObject", obj("blue/k"), assume=["app"]).allowed


# ------------------------------------------------------------------------------------------------- the clock


def clock_model() -> dict[str, Any]:
    """Windows on aws:CurrentTime and aws:EpochTime, in Condition and in a Resource variable."""
    end = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
    policy = doc(
        allow(
            "s3:GetObject",
            Sid="Window",
            Condition={
                "DateGreaterThan": {"aws:CurrentTime": "2029-01-01T00:00:00Z"},
                "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
            },
        ),
        deny("s3:PutObject", Sid="Expired", Condition={"NumericGreaterThanEquals": {"aws:EpochTime": end}}),
        allow("s3:PutObject", Sid="Writes"),
        allow("s3:GetObjectLegalHold", obj("${aws:EpochTime}"), Sid="ThisSecond"),
        allow(
            "s3:GetObjectTagging",
            Sid="BothClocks",
            Condition={
                "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                "NumericLessThan": {"aws:EpochTime": end},
            },
        ),
        allow("s3:GetObjectAcl", Sid="NoClock", Condition={"StringEquals": {"aws:username": "alice"}}),
    )
    return {
        "scenario": "clock",
        "accounts": {A: {"users": {"alice": {"inline_policies": {"p": policy}}}, "buckets": {"data": {}}}},
    }


def test_a_remembered_decision_is_not_reused_at_another_clock_value() -> None:
    moments = [
        START,
        LATE,
        START + timedelta(microseconds=999_999),
        EDGE,
        EDGE + timedelta(seconds=1),
        (EDGE + timedelta(seconds=1)).astimezone(INDIA),  # the same instant, in another zone
        START,
    ]
    now_key = obj(str(int(START.timestamp())))
    requests = [
        ("alice", "s3:GetObject", obj("k")),
        ("alice", "s3:PutObject", obj("k")),
        ("alice", "s3:GetObjectTagging", obj("k")),
        ("alice", "s3:GetObjectAcl", obj("k")),
        ("alice", "s3:GetObjectLegalHold", now_key),
    ]
    contexts: list[dict[str, Any] | None] = [
        None,
        {"aws:CurrentTime": "2029-06-01T00:00:00Z"},
        {"aws:currenttime": "2031-06-01T00:00:00Z"},
        {"aws:CurrentTime": None},
        {"aws:EpochTime": int(START.timestamp())},
        {"aws:EpochTime": None, "aws:CurrentTime": "2029-06-01T00:00:00Z"},
        # both clock keys given (or removed): the clock is not read, at any moment
        {"aws:CurrentTime": "2029-06-01T00:00:00Z", "aws:EpochTime": int(START.timestamp())},
        {"aws:epochtime": str(int(LATE.timestamp())), "aws:CURRENTTIME": "2031-06-01T00:00:00Z"},
        {"aws:CurrentTime": None, "aws:EpochTime": None},
    ]
    asks: list[Ask] = [
        ({"principal": p, "action": a, "resource": r, "context": c}, at)
        for at in moments
        for p, a, r in requests
        for c in contexts
    ]
    check_transparent(clock_model(), asks)


def test_the_clock_moving_flips_a_remembered_window() -> None:
    clock = Clock(START)
    scenario = Scenario.from_dict(clock_model(), clock=clock)
    seen = []
    for moment in [START, START, START, LATE, LATE, START, LATE, EDGE, EDGE + timedelta(seconds=1)]:
        clock.moment = moment
        get = scenario.evaluate("alice", "s3:GetObject", obj("k"))
        put = scenario.evaluate("alice", "s3:PutObject", obj("k"))
        both = scenario.evaluate("alice", "s3:GetObjectTagging", obj("k"), {"aws:CurrentTime": "2029-06-01T00:00:00Z"})
        seen.append((get.decision, put.decision, both.decision))
        assert get.request is not None and get.request.context["aws:epochtime"] == (str(int(moment.timestamp())),)
    inside = (Decision.ALLOWED, Decision.ALLOWED, Decision.ALLOWED)
    outside = (Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY)
    assert seen == [inside, inside, inside, outside, outside, inside, outside, inside, outside]


def test_the_resource_variable_of_the_clock_is_read_at_each_call() -> None:
    clock = Clock(START)
    scenario = Scenario.from_dict(clock_model(), clock=clock)
    now_key = obj(str(int(START.timestamp())))
    answers = []
    for step in [0, 0, 0, 1, 1, 0, 2, 0]:
        clock.moment = START + timedelta(seconds=step)
        answers.append(scenario.evaluate("alice", "s3:GetObjectLegalHold", now_key).allowed)
    assert answers == [True, True, True, False, False, True, False, True]


# ----------------------------------------------------------------------------------------------- VPC endpoints

VPCE = "vpce-0a1b2c3d4e5f60718"
OPEN = "vpce-1a2b3c4d"


def endpoint_model(imported: bool = False) -> dict[str, Any]:
    endpoint_policy = doc(
        {"Sid": "ReadData", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": obj("*")},
        {"Sid": "NoSecrets", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": obj("secret/*")},
    )
    alice = {
        "inline_policies": {
            "p": doc(
                allow(["s3:*", "sts:*"]),
                deny(
                    "s3:PutObject",
                    Sid="OnlyThroughTheEndpoint",
                    Condition={"StringNotEqualsIfExists": {"aws:SourceVpce": VPCE}},
                ),
                deny(
                    "s3:DeleteObject",
                    Sid="OnlyFromTheVpc",
                    Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}},
                ),
            )
        }
    }
    endpoints = {VPCE: {"policy": endpoint_policy, "vpc": "vpc-0a1b2c3d", "service": "s3"}, OPEN: {}}
    account = {"users": {"alice": alice}, "buckets": {"data": {}}, "vpc_endpoints": endpoints}
    return {"scenario": "endpoints", "imported": imported, "accounts": {A: account}}


ENDPOINT_CONTEXTS: list[dict[str, Any] | None] = [
    None,
    {"aws:SourceVpce": VPCE},
    {"aws:sourcevpce": VPCE, "aws:SourceVpc": "vpc-0a1b2c3d"},
    {"AWS:SOURCEVPCE": OPEN},
    {"aws:SourceVpce": None},
    {"aws:SourceVpc": "vpc-0a1b2c3d"},
    {"aws:SourceVpc": "vpc-0b2c3d4e"},
]


def test_requests_through_a_vpc_endpoint_are_answered_alike_and_never_from_the_memory() -> None:
    requests = [
        ("alice", "s3:GetObject", obj("k")),
        ("alice", "s3:GetObject", obj("secret/k")),
        ("alice", "s3:PutObject", obj("k")),
        ("alice", "s3:DeleteObject", obj("k")),
        ("alice", "sts:GetCallerIdentity", "*"),
    ]
    asks = asks_of(requests, ENDPOINT_CONTEXTS)
    flags = check_transparent(endpoint_model(), asks)
    for (kwargs, _), flag in zip(asks, flags, strict=True):
        context = {k.lower(): v for k, v in (kwargs["context"] or {}).items()}
        if context.get("aws:sourcevpce"):
            assert not flag, kwargs
    assert any(flags)


def test_a_remembered_plan_does_not_skip_the_endpoint_policy() -> None:
    scenario = Scenario.from_dict(endpoint_model(), clock=Clock(START))
    secret = ("alice", "s3:GetObject", obj("secret/k"))
    for _ in range(4):
        assert scenario.evaluate(*secret).allowed
        assert scenario.evaluate(*secret, {"aws:SourceVpce": VPCE}).decision is Decision.EXPLICIT_DENY
        assert scenario.evaluate(*secret, {"aws:SourceVpce": OPEN}).allowed
    for _ in range(3):  # refused each time, also once the plan has remembered its decisions
        with pytest.raises(UnresolvedReferenceError):
            scenario.evaluate(*secret, {"aws:SourceVpce": "vpce-99999999"})
        with pytest.raises(RequestError):
            scenario.evaluate(*secret, {"aws:SourceVpce": []})
        with pytest.raises(RequestError):
            scenario.evaluate(*secret, {"aws:SourceVpce": VPCE, "aws:SourceVpc": "vpc-0b2c3d4e"})
        with pytest.raises(UnresolvedReferenceError):
            scenario.evaluate("alice", "sts:AssumeRole", ROLE + "none", {"aws:SourceVpce": "vpce-99999999"})


def test_an_imported_model_with_an_undeclared_endpoint_is_undetermined_every_time() -> None:
    data = endpoint_model(imported=True)
    asks = asks_of([("alice", "s3:GetObject", obj("k"))], [*ENDPOINT_CONTEXTS, {"aws:SourceVpce": "vpce-99999999"}])
    assert not check_transparent(data, asks)[-1]
    outcome = Scenario.from_dict(data).evaluate("alice", "s3:GetObject", obj("k"), {"aws:SourceVpce": "vpce-99999999"})
    assert outcome.decision is Decision.UNDETERMINED


def test_plans_with_unknown_policies_are_answered_alike_and_never_from_the_memory() -> None:
    later = {"unknown": {"reason": "known only after apply", "source": "plan.json: aws_iam_policy.later"}}
    alice = {"inline_policies": {"known": doc(allow("s3:GetObject", obj("${aws:username}/*"))), "later": later}}
    data = {"scenario": "unknowns", "accounts": {A: {"users": {"alice": alice}}}}
    contexts: list[dict[str, Any] | None] = [None, {"aws:username": "bob"}, {"aws:username": None}]
    assert not any(check_transparent(data, asks_of([("alice", "s3:GetObject", obj("bob/k"))], contexts)))


# ---------------------------------------------------------------------------------- what the caller holds on to


def test_mutating_the_context_after_the_call_changes_nothing() -> None:
    scenario = Scenario.from_dict(conditions_model(), clock=Clock(START))
    outcomes = []
    for n in [1, 1, 1, 2, 3, 3]:
        context: dict[str, Any] = {"aws:username": "bob", "tags": ["x"], "n": n}
        outcomes.append(scenario.evaluate("alice", "s3:GetObject", obj("bob/k"), context))
        context["aws:username"] = "mallory"
        context["tags"].append("y")
        context["n"] = 0
        context["new"] = "z"
    assert any(map(remembered, outcomes)) and from_memory(outcomes)[-1]
    for n, outcome in zip([1, 1, 1, 2, 3, 3], outcomes, strict=True):
        assert outcome.allowed
        assert outcome.request is not None
        assert outcome.request.context["aws:username"] == ("bob",)
        assert outcome.request.context["tags"] == ("x",)
        assert outcome.request.context["n"] == (str(n),)
        assert "new" not in outcome.request.context


def evaluator_for(resource: str) -> tuple[Evaluator, Callable[[Mapping[str, tuple[str, ...] | None]], Outcome]]:
    """An evaluator over the conditions model and a function asking it for alice's s3:GetObject on `resource`."""
    world = Scenario.from_dict(conditions_model()).world
    actor = resolve_actor(world, "alice", None)
    target = request_target(world, "s3:GetObject", resource, None, actor, None)
    evaluator = Evaluator(world, Clock(START))
    return evaluator, lambda extra: evaluator.evaluate(actor, "s3:GetObject", target, extra)


def test_mutating_the_extra_keys_given_to_the_evaluator_after_the_call_never_changes_a_decision() -> None:
    _, ask = evaluator_for(obj("bob/k"))
    for n in ["1", "1", "1", "2", "3", "3", "1"]:
        extra: dict[str, tuple[str, ...] | None] = {"aws:username": ("bob",), "n": (n,)}
        assert ask(extra).allowed
        extra["aws:username"] = ("mallory",)
        assert not ask(extra).allowed  # asked again, for what the dict holds now
        extra["aws:username"] = ("bob",)
        extra["n"] = ("0",)
        assert ask(extra).allowed
        extra["aws:username"] = None
        assert not ask(extra).allowed


def test_a_remembered_context_holds_the_extra_keys_of_its_call() -> None:
    _, ask = evaluator_for(obj("bob/k"))
    outcomes = []
    for n in ["1", "1", "1", "2"]:
        extra: dict[str, tuple[str, ...] | None] = {"aws:username": ("bob",), "n": (n,)}
        outcomes.append(ask(extra))
        extra["aws:username"] = ("mallory",)
    assert remembered(outcomes[-1])
    for outcome in outcomes:
        assert outcome.request is not None and outcome.request.context["aws:username"] == ("bob",)


def test_requests_that_read_alike_in_turn_each_get_their_own_outcome_again() -> None:
    _, ask = evaluator_for(obj("bob/k"))
    contexts = [{"aws:username": ("bob",), "n": (str(n),)} for n in range(VARIANTS + 1)]
    for _ in range(2):  # read twice: remembered from now on
        ask(contexts[0])
    first = [ask(dict(extra)) for extra in contexts[:VARIANTS]]
    again = [ask(dict(extra)) for extra in contexts[:VARIANTS]]
    assert all(a is b for a, b in zip(first, again, strict=True))  # the last VARIANTS of them: the very outcomes
    for outcome, extra in zip(again, contexts[:VARIANTS], strict=True):
        assert outcome.allowed and outcome.request is not None and outcome.request.context["n"] == extra["n"]
    ask(dict(contexts[VARIANTS]))  # one more pushes the oldest out: it is answered anew, with its own context
    anew = ask(dict(contexts[0]))
    assert anew is not first[0] and anew.request is not None and anew.request.context["n"] == ("0",)


def test_the_memory_holds_at_most_its_size_in_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policysim.world.evaluator.MEMO_SIZE", 8)
    evaluator, ask = evaluator_for(obj("bob/k"))
    for _ in range(3):
        for n in range(12):
            extra: dict[str, tuple[str, ...] | None] = {"aws:username": ("bob",), "n": (str(n),)}
            outcome = ask(extra)
            assert outcome.allowed and outcome.request is not None and outcome.request.context["n"] == (str(n),)
            held = sum(len(variants) for _, variants in evaluator._memo.values())
            assert held == evaluator._held[0] <= 8
    assert evaluator._memo  # it remembers, within its bound


def the_request(ask: tuple[str, str, str, dict[str, Any]]) -> dict[str, Any]:
    return dict(zip(["principal", "action", "resource", "context"], ask, strict=True))


def test_a_remembered_context_reads_as_the_context_built_for_the_request() -> None:
    data = conditions_model()
    scenario = Scenario.from_dict(data, clock=Clock(START))
    for n in range(3):
        scenario.evaluate("alice", "s3:GetObject", obj("bob/k"), {"aws:username": "bob", "n": n})
    given: dict[str, Any] = {"aws:username": "bob", "AWS:TagKeys": ["a", "b"], "n": 9}
    ask = ("alice", "s3:GetObject", obj("bob/k"), given)
    outcome = scenario.evaluate(*ask)
    fresh = fresh_answer(data, the_request(ask), None)
    assert remembered(outcome) and not remembered(fresh)
    assert outcome.request is not None and fresh.request is not None
    mine, theirs = outcome.request.context, fresh.request.context
    assert len(mine) == len(theirs)  # the first read, of any kind, assembles it
    assert mine == theirs and theirs == mine
    assert sorted(mine) == sorted(theirs)
    assert mine.get("aws:tagkeys") == ("a", "b") and mine.single("aws:tagkeys") is None
    assert mine.single("aws:username") == "bob" and "aws:username" in mine
    assert sorted(mine.keys_matching("aws:principal")) == sorted(theirs.keys_matching("aws:principal"))
    assert dict(mine.with_values({"aws:username": None})) == dict(theirs.with_values({"aws:username": None}))
    assert repr(mine) == repr(theirs)
    assert not hasattr(mine, "no_such_attribute")
    assert outcome.request == fresh.request
    other = scenario.evaluate(*ask[:3], {**ask[3], "n": 10})  # another request: its own context object
    assert other.request is not None and other.request.context is not mine and other.request is not outcome.request
    assert other.request.context["n"] == ("10",) and mine["n"] == ("9",)


def test_a_context_not_yet_read_is_assembled_as_for_an_unread_copy_or_pickle() -> None:
    data = conditions_model()
    scenario = Scenario.from_dict(data, clock=Clock(START))
    asks: list[tuple[str, str, str, dict[str, Any]]] = [
        ("alice", "s3:GetObject", obj("bob/k"), {"aws:username": "bob", "n": n}) for n in range(8)
    ]
    outcomes = [scenario.evaluate(*ask) for ask in asks]
    unread = outcomes[-4:]
    assert all(map(remembered, unread))
    want = []
    for ask in asks[-4:]:
        fresh = fresh_answer(data, the_request(ask), None)
        assert fresh.request is not None
        want.append((fresh, dict(fresh.request.context)))
    first, second, third, fourth = unread
    assert first.request is not None and second.request is not None and third.request is not None
    assert dict(copy.copy(first.request.context)) == want[0][1]
    assert dict(copy.deepcopy(second.request.context)) == want[1][1]
    loaded = pickle.loads(pickle.dumps(third.request.context))
    assert type(loaded) is RequestContext and dict(loaded) == want[2][1]
    assert fingerprint(pickle.loads(pickle.dumps(fourth))) == fingerprint(want[3][0])


def test_a_remembered_outcome_pickles_as_a_computed_one() -> None:
    data = guarded_model()
    scenario = Scenario.from_dict(data, clock=Clock(START))
    asks = [
        (kwargs | {"context": {**(kwargs["context"] or {}), "n": n}}, at)
        for n in range(3)
        for kwargs, at in asks_of(GUARDED_REQUESTS[:3], GUARDED_CONTEXTS[:4])
    ]
    outcomes = ask_all(scenario, Clock(START), asks)
    assert any(map(remembered, outcomes))
    for protocol, ((kwargs, at), outcome) in enumerate(zip(asks, outcomes, strict=True)):
        # each outcome pickled before its context is read, at one of the protocols that carry slots
        loaded = pickle.loads(pickle.dumps(outcome, protocol=2 + protocol % (pickle.HIGHEST_PROTOCOL - 1)))
        assert loaded.request is not None and not isinstance(loaded.request.context, DeferredContext)
        assert fingerprint(loaded) == fingerprint(fresh_answer(data, kwargs, at))


def test_remembered_outcomes_are_values_one_can_slim_or_attribute_to_a_hop() -> None:
    scenario = Scenario.from_dict(conditions_model(), clock=Clock(START))
    outcomes = [
        scenario.evaluate("alice", "s3:GetObject", obj("bob/k"), {"aws:username": "bob", "n": n}) for n in range(5)
    ]
    one, two = outcomes[-2:]
    assert remembered(one) and remembered(two) and one is not two
    assert one.request is not None and two.request is not None and one.request is not two.request
    sliced = one.slim()
    assert sliced.request is None and one.request is not None and two.request is not None
    hop = two.with_hop(3)
    assert hop.hop == 3 and two.hop is None and all(r.hop is None for r in two.reasons)
    again = scenario.evaluate("alice", "s3:GetObject", obj("bob/k"), {"aws:username": "bob", "n": 4})
    assert again.hop is None and again.request is not None and again.request.context["n"] == ("4",)


def test_the_same_request_again_a_second_later_carries_the_new_clock() -> None:
    clock = Clock(START)
    scenario = Scenario.from_dict(conditions_model(), clock=clock)
    ask = ("alice", "s3:GetObject", obj("bob/k"), {"aws:username": "bob"})  # its statements read no clock
    outcomes = []
    for step in [0, 0, 0, 0, 1, 1, 0, 3600]:
        clock.moment = START + timedelta(seconds=step)
        outcome = scenario.evaluate(*ask)
        assert outcome.allowed and outcome.request is not None
        outcomes.append(outcome)
        assert outcome.request.context["aws:epochtime"] == (str(int(clock.moment.timestamp())),)
    assert any(from_memory(outcomes))
    clock.moment = LATE
    for step, outcome in zip([0, 0, 0, 0, 1, 1, 0, 3600], outcomes, strict=True):
        assert outcome.request is not None
        assert outcome.request.context["aws:epochtime"] == (str(int(START.timestamp()) + step),)


def test_a_trace_of_a_remembered_outcome_is_the_trace_of_a_computed_one() -> None:
    data = guarded_model()
    scenario = Scenario.from_dict(data, clock=Clock(START))
    asks = [
        (kwargs | {"context": {**(kwargs["context"] or {}), "n": n}}, at)
        for n in range(2)
        for kwargs, at in asks_of(GUARDED_REQUESTS, GUARDED_CONTEXTS[:3])
    ]
    outcomes = ask_all(scenario, Clock(START), asks)
    assert any(map(remembered, outcomes))
    for (kwargs, at), outcome in zip(asks, outcomes, strict=True):
        fresh = fresh_answer(data, kwargs, at)
        assert outcome.request is not None and outcome.policies is not None
        assert fresh.request is not None and fresh.policies is not None
        assert trace(outcome.request, outcome.policies) == trace(fresh.request, fresh.policies), kwargs


def test_a_session_answers_alike_from_the_memory() -> None:
    data = roles_model()
    requests = [("s3:GetObject", obj("blue/k")), ("s3:GetObject", obj("green/k")), ("sts:AssumeRole", ROLE + "reader")]
    contexts: list[dict[str, Any] | None] = [None, {"aws:PrincipalTag/team": "green"}, {"aws:PrincipalTag/team": "red"}]
    asks = [(action, resource, context) for action, resource in requests for context in contexts]
    scenario = Scenario.from_dict(data, clock=Clock(START))
    session = scenario.assume_role("alice", ROLE + "app", external_id="ext-1")
    rounds = [[session.evaluate(a, r, copy.deepcopy(c)) for a, r, c in asks] for _ in range(3)]
    assert any(from_memory([o for outcomes in rounds for o in outcomes]))
    want = []
    for action, resource, context in asks:
        alone = Scenario.from_dict(data, clock=Clock(START)).assume_role("alice", ROLE + "app", external_id="ext-1")
        want.append(fingerprint(alone.evaluate(action, resource, copy.deepcopy(context))))
    for outcomes in rounds:
        assert [fingerprint(o) for o in outcomes] == want


# -------------------------------------------------------------------------------------- discovery, many, threads


def test_discovery_over_remembered_answers_is_the_same() -> None:
    data = conditions_model()
    requests = [
        ("alice", "s3:PutObject", obj("alice/k")),
        ("alice", "s3:DeleteObject", obj("alice/k")),
        ("alice", "s3:GetBucketTagging", DATA),
        ("alice", "s3:GetObjectTagging", obj("alice/k")),
    ]
    contexts: list[dict[str, Any] | None] = [None, {"aws:username": None}, {"aws:PrincipalTag/env": "dev"}]
    check_transparent(data, asks_of(requests, contexts, discover=True))


def test_evaluate_many_with_workers_equals_evaluate() -> None:
    data = guarded_model()
    asks = asks_of(GUARDED_REQUESTS, GUARDED_CONTEXTS[:8])
    requests = [kwargs for kwargs, _ in asks] * 2
    one = Scenario.from_dict(data, clock=Clock(START))
    sequential = [one.evaluate(**copy.deepcopy(r)) for r in requests]
    many = Scenario.from_dict(data, clock=Clock(START))
    for r in requests:  # the parent's memory is warm when the workers fork
        many.evaluate(**copy.deepcopy(r))
    spread = many.evaluate_many(copy.deepcopy(requests), workers=2)
    assert [fingerprint(o) for o in spread] == [fingerprint(o) for o in sequential]
    cold = Scenario.from_dict(data, clock=Clock(START)).evaluate_many(copy.deepcopy(requests), workers=2)
    assert [fingerprint(o) for o in cold] == [fingerprint(o) for o in sequential]


def test_threads_sharing_one_scenario_get_the_answers_of_one_thread() -> None:
    data = conditions_model()
    asks = CONDITION_ASKS[::3]
    alone = Scenario.from_dict(data, clock=Clock(START))
    want = [fingerprint(o) for o in ask_all(alone, Clock(START), asks)]
    shared = Scenario.from_dict(data, clock=Clock(START))

    def run(_: int) -> list[tuple[object, ...]]:
        return [fingerprint(shared.evaluate(**copy.deepcopy(kwargs))) for kwargs, _ in asks]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for got in pool.map(run, range(4)):
            assert got == want


# -------------------------------------------------------------------------------------------------- a property

ALPHABET_KEYS = [
    "aws:username",
    "AWS:UserName",
    "aws:PrincipalTag/team",
    "aws:principaltag/env",
    "aws:RequestTag/owner",
    "aws:MultiFactorAuthPresent",
    "aws:SourceIp",
    "aws:TagKeys",
    "s3:max-keys",
    "s3:x-amz-acl",
    "aws:RequestedRegion",
    "unread:key",
    "other:key",
]
ALPHABET_VALUES: list[Any] = [
    None,
    "alice",
    "bob",
    "red",
    "prod",
    "private",
    "10.1.2.3",
    "192.0.2.1",
    "us-east-1",
    "eu-west-1",
    "a",
    True,
    False,
    5,
    50,
    [],
    ["a"],
    ["a", "c"],
    ["alice", "bob"],
]
contexts_strategy = st.dictionaries(st.sampled_from(ALPHABET_KEYS), st.sampled_from(ALPHABET_VALUES), max_size=4)
SHARED_CLOCK = Clock(START)
SHARED: dict[str, Scenario] = {}


def shared_scenario() -> Scenario:
    """One Scenario for every example: its memory carries over from example to example."""
    if "s" not in SHARED:
        SHARED["s"] = Scenario.from_dict(conditions_model(), clock=SHARED_CLOCK)
    return SHARED["s"]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(CONDITION_REQUESTS) - 1), contexts_strategy, st.sampled_from([START, LATE])),
        min_size=1,
        max_size=4,
    )
)
def test_random_contexts_are_answered_as_without_memory(
    items: list[tuple[int, dict[str, Any], datetime]],
) -> None:
    data = conditions_model()
    scenario = shared_scenario()
    for index, context, at in items:
        principal, action, resource = CONDITION_REQUESTS[index]
        kwargs = {"principal": principal, "action": action, "resource": resource, "context": context}
        answers = []
        for _ in range(3):
            SHARED_CLOCK.moment = at
            answers.append(scenario.evaluate(**copy.deepcopy(kwargs)))
        want = fingerprint(fresh_answer(data, kwargs, at))
        for outcome in answers:
            assert fingerprint(outcome) == want, kwargs


# ------------------------------------------------------------------------------------------- below the Scenario


def fresh_evaluator_answer(resource: str, extra: Mapping[str, tuple[str, ...] | None]) -> Outcome:
    """What an evaluator that has answered nothing answers alice's s3:GetObject on `resource` with `extra`."""
    return evaluator_for(resource)[1](extra)


def test_the_evaluator_with_lowercased_extra_keys_answers_as_a_fresh_one() -> None:
    _, ask = evaluator_for(obj("bob/k"))
    sequence: list[dict[str, tuple[str, ...] | None]] = [
        {"aws:username": ("bob",)},
        {"aws:username": ("carol",)},
        {"aws:username": None},
        {"aws:username": ()},
        {},
    ] * 3
    for extra in sequence:
        assert fingerprint(ask(extra)) == fingerprint(fresh_evaluator_answer(obj("bob/k"), extra)), extra


def answers_of(
    data: Mapping[str, Any], resource: str, extras: Sequence[dict[str, tuple[str, ...] | None]]
) -> list[Decision]:
    """alice's s3:GetObject on `resource` through `Scenario.answer` (docs/api.md: `answer(actor, action, resource,
    extra)`), each extra in turn on one Scenario."""
    scenario = Scenario.from_dict(data, clock=Clock(START))
    actor = resolve_actor(scenario.world, "alice", None)
    return [scenario.answer(actor, "s3:GetObject", resource, dict(extra)).decision for extra in extras]


def fresh_answers_of(
    data: Mapping[str, Any], resource: str, extras: Sequence[dict[str, tuple[str, ...] | None]]
) -> list[Decision]:
    return [answers_of(data, resource, [extra])[0] for extra in extras]


def test_mixed_case_extra_keys_through_answer_are_answered_as_without_memory() -> None:
    extras: list[dict[str, tuple[str, ...] | None]] = [{"AWS:UserName": ("bob",)} for _ in range(3)]
    extras.append({"AWS:UserName": ("carol",)})
    assert fresh_answers_of(conditions_model(), obj("bob/k"), extras) == [Decision.ALLOWED] * 3 + [
        Decision.IMPLICIT_DENY
    ]
    assert answers_of(conditions_model(), obj("bob/k"), extras) == fresh_answers_of(
        conditions_model(), obj("bob/k"), extras
    )


def test_a_key_given_twice_in_different_cases_through_answer_is_answered_as_without_memory() -> None:
    extras: list[dict[str, tuple[str, ...] | None]] = [{"aws:username": ("bob",), "AWS:USERNAME": ("bob",)}] * 3
    extras.append({"aws:username": ("bob",), "AWS:USERNAME": ("carol",)})
    assert answers_of(conditions_model(), obj("bob/k"), extras) == fresh_answers_of(
        conditions_model(), obj("bob/k"), extras
    )


def test_a_mixed_case_source_vpce_through_answer_goes_through_the_endpoint() -> None:
    extras: list[dict[str, tuple[str, ...] | None]] = [{"aws:sourcevpce": (VPCE,)}, {"aws:SourceVpce": (VPCE,)}]
    assert fresh_answers_of(endpoint_model(), obj("secret/k"), extras) == [Decision.EXPLICIT_DENY] * 2


def test_a_given_clock_is_read_at_each_request_whether_or_not_it_returns_the_same_object() -> None:
    clock = Clock(START)
    scenario = Scenario.from_dict(clock_model(), clock=clock)
    evaluator = scenario.evaluator
    seen = []
    for moment in [START, START, START + timedelta(seconds=1), LATE, LATE, START.astimezone(INDIA), START]:
        clock.moment = moment
        seen.append(evaluator.now())
        seen.append(evaluator.now())  # the same object again
    expected = [
        (m.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), str(int(m.timestamp())))
        for m in [START, START, START + timedelta(seconds=1), LATE, LATE, START, START]
        for _ in range(2)
    ]
    assert seen == expected
    assert pickle.loads(pickle.dumps(evaluator))._last_moment == []
