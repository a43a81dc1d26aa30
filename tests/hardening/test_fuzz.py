"""Fuzzing (issue 6): nothing but `PolicysimError` ever escapes the loaders, the scenario model or the engine.

Example counts are bounded so the suite stays fast; for a longer local run:

    HYPOTHESIS_PROFILE=fuzz-more .venv/bin/python -m pytest tests/hardening/test_fuzz.py
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import policysim
from policysim import Outcome, PolicysimError, Scenario
from policysim.compile import compile_policy
from policysim.enums import PolicyKind
from policysim.load import MAX_DEPTH, Document, load_json, load_text, load_yaml

settings.register_profile("fuzz-more", max_examples=2000, deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE")
if PROFILE:
    settings.load_profile(PROFILE)
MORE = PROFILE == "fuzz-more"


def fuzz(examples: int) -> settings:
    """Bounded settings (≤ 100 examples), or the `fuzz-more` count when that profile is selected."""
    return settings(
        max_examples=2000 if MORE else examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


FOUNDING_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "cross-account-delegation.yaml"
FOUNDING: dict[str, Any] = load_yaml(FOUNDING_PATH.read_bytes(), str(FOUNDING_PATH)).data

# ------------------------------------------------------------------ strategies: text and plain data

YAML_ALPHABET = list(":-[]{}&*!|>'\"#%@`?,.\\/ \t\n\r01239aAeEyYnNtT~_<=+$\u2028\u0085\ufeff\x00\x7f\xe9")
yamlish = st.text(alphabet=st.sampled_from(YAML_ALPHABET), max_size=200)
jsonish = st.text(
    alphabet=st.sampled_from(list('{}[]:,"\\/ \n\t0123456789.eE+-truefalsnu\x00\ud7ff\xe9')), max_size=200
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=25,
)


EXPONENT = re.compile(r"[-+]?[0-9]+[eE][-+]?[0-9]+")


def strings(value: Any) -> list[str]:
    """Every string in `value`, keys included."""
    if isinstance(value, dict):
        return [*value, *(s for v in value.values() for s in strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def nesting(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((nesting(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((nesting(v) for v in value), default=0)
    return 0


# ------------------------------------------------------------------ 1. loaders on arbitrary text


@fuzz(100)
@given(st.text(max_size=300) | yamlish)
def test_load_yaml_text_succeeds_or_refuses(text: str) -> None:
    with contextlib.suppress(PolicysimError):
        load_yaml(text, "fuzz.yaml")


@fuzz(100)
@given(st.text(max_size=300) | jsonish)
def test_load_json_text_succeeds_or_refuses(text: str) -> None:
    with contextlib.suppress(PolicysimError):
        load_json(text, "fuzz.json")


@fuzz(100)
@given(st.binary(max_size=300))
def test_loaders_on_arbitrary_bytes(raw: bytes) -> None:
    for loader in (load_yaml, load_json, load_text):
        with contextlib.suppress(PolicysimError):
            loader(raw, "fuzz")


@fuzz(100)
@given(json_values)
def test_load_json_of_dumped_data_round_trips(value: Any) -> None:
    """Any JSON document loads to the same data, unless it is refused (too deep, a lone surrogate)."""
    text = json.dumps(value)
    try:
        doc = load_json(text, "fuzz.json")
    except PolicysimError:
        assert nesting(value) > MAX_DEPTH or "\\ud" in text
        return
    assert doc.data == value
    assert doc.span(()) is not None


@fuzz(100)
@given(json_values, st.sampled_from([True, False]))
def test_load_yaml_of_dumped_data(value: Any, flow: bool) -> None:
    """PyYAML's own dump of plain data loads to the same data, or is refused with policysim's error."""
    # U+0085, U+2028 and U+2029 are line breaks in YAML 1.1: PyYAML's dumper writes them raw inside quotes,
    # and reading them back folds them to a space (PyYAML's own safe_load does the same): not a round trip.
    assume(not any(ch in json.dumps(value, ensure_ascii=False) for ch in "\x85\u2028\u2029"))
    # `1e3` without a dot is a string to PyYAML (YAML 1.1) and a float to policysim: a known finding, pinned as
    # an xfail in test_bad_input.py::test_exponent_without_dot_is_ambiguous; kept out of this law.
    assume(not any(EXPONENT.fullmatch(s) for s in strings(value)))
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    try:
        doc = load_yaml(text, "fuzz.yaml")
    except PolicysimError:
        return
    assert doc.data == value


# ------------------------------------------------------------------ 2. the scenario model on arbitrary data


@fuzz(100)
@given(
    st.dictionaries(
        st.sampled_from(["scenario", "accounts", "tests", "organization", "x"]) | st.text(max_size=5),
        json_values,
        max_size=5,
    )
)
def test_scenario_from_arbitrary_dict(data: dict[str, Any]) -> None:
    with contextlib.suppress(PolicysimError):
        Scenario.from_dict(data)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


FOUNDING_PATHS = _paths(FOUNDING)[1:]


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _drop(data: Any, path: tuple[Any, ...]) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return data


@fuzz(100)
@given(st.sampled_from(FOUNDING_PATHS), json_values | st.sampled_from(["*", "", "Allow", "arn:aws:iam::*:root"]))
def test_founding_scenario_with_one_value_replaced(path: tuple[Any, ...], value: Any) -> None:
    """The founding scenario with any one value replaced: it loads and runs, or is refused; nothing else."""
    data = _replace(FOUNDING, path, value)
    try:
        scenario = Scenario.from_dict(data)
        results = scenario.run_tests()
    except PolicysimError:
        return
    assert isinstance(results, list)


@fuzz(60)
@given(st.sampled_from(FOUNDING_PATHS))
def test_founding_scenario_with_one_key_dropped(path: tuple[Any, ...]) -> None:
    data = _drop(FOUNDING, path)
    with contextlib.suppress(PolicysimError):
        Scenario.from_dict(data).run_tests()


# ------------------------------------------------------------------ 3. generated policies and requests

ACCOUNT = "111111111111"
OTHER = "222222222222"
ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteBucket",
    "iam:GetUser",
    "sts:AssumeRole",
    "ec2:StartInstances",
    "kms:Decrypt",
    "sqs:SendMessage",
]
ACTION_PATTERNS = [*ACTIONS, "*", "s3:*", "s3:Get*", "s3:*Object", "iam:?etUser", "ec2:*Instance?", "S3:getobject"]
RESOURCES = [
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket/alice/x",
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{OTHER}:role/R",
    "*",
    f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue",
    f"arn:aws:kms:us-east-1:{OTHER}:key/1",
]
RESOURCE_PATTERNS = [
    *[r for r in RESOURCES if r != "*"],
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:*:*:*:*",
    "arn:aws:s3:::b?cket",
    "arn:aws:s3:::bucket/${*}${?}${$}",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'none'}/*",
    "arn:*:s3:::bucket",
]

CONDITIONS: list[tuple[str, str, list[Any]]] = [
    ("StringEquals", "aws:username", ["alice", "bob", "${aws:username}"]),
    ("StringNotEquals", "aws:PrincipalTag/team", ["red", "blue"]),
    ("StringLike", "s3:prefix", ["home/*", "a*a*a*a*b", "?"]),
    ("StringEqualsIgnoreCase", "aws:RequestTag/env", ["PROD"]),
    ("StringNotLike", "aws:userid", ["AIDA*"]),
    ("ArnLike", "aws:PrincipalArn", [f"arn:aws:iam::{ACCOUNT}:user/*", "arn:aws:iam::*:role/R"]),
    ("ArnNotEquals", "aws:SourceArn", [f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue"]),
    ("Bool", "aws:SecureTransport", ["true", "false", True]),
    ("Bool", "aws:MultiFactorAuthPresent", ["true"]),
    ("NumericLessThan", "s3:max-keys", ["10", 10, "1.5"]),
    ("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", ["3600"]),
    ("DateGreaterThan", "aws:CurrentTime", ["2020-01-01T00:00:00Z", "2020-01-01", "1577836800"]),
    ("DateLessThan", "aws:EpochTime", ["4102444800"]),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]),
    ("NotIpAddress", "aws:SourceIp", ["10.1.0.0/16"]),
    ("Null", "aws:RequestTag/env", ["true", "false"]),
    ("StringEqualsIfExists", "aws:RequestTag/env", ["dev"]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env", "team"]),
    ("ForAllValues:StringLike", "aws:TagKeys", ["e*"]),
    ("ArnLikeIfExists", "aws:SourceArn", ["arn:aws:sqs:*:*:*"]),
    ("BinaryEquals", "aws:RequestTag/bin", ["QmluYXJ5"]),
]


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for operator, key, values in draw(st.lists(st.sampled_from(CONDITIONS), max_size=3)):
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2))
        block.setdefault(operator, {})[key] = chosen if len(chosen) > 1 else chosen[0]
    return block


@st.composite
def statements(draw: st.DrawFn, principal: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    if draw(st.booleans()):
        statement["Sid"] = draw(st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True))
    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True))
    statement[draw(st.sampled_from(["Action", "NotAction"]))] = actions if len(actions) > 1 else actions[0]
    resources = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=3, unique=True))
    statement[draw(st.sampled_from(["Resource", "NotResource"]))] = resources
    if principal:
        statement["Principal"] = draw(
            st.sampled_from(
                [
                    "*",
                    {"AWS": "*"},
                    {"AWS": ACCOUNT},
                    {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
                    {"AWS": [f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{ACCOUNT}:root"]},
                    {"Service": "sqs.amazonaws.com"},
                ]
            )
        )
    block = draw(conditions())
    if block:
        statement["Condition"] = block
    return statement


def policies(principal: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    def build(version: dict[str, str], body: list[dict[str, Any]]) -> dict[str, Any]:
        for index, statement in enumerate(body):  # Sids must be unique within a policy
            if "Sid" in statement:
                statement["Sid"] += str(index)
        return {**version, "Statement": body if len(body) > 1 else body[0]}

    return st.builds(
        build,
        st.sampled_from([{"Version": "2012-10-17"}, {"Version": "2008-10-17"}, {}]),
        st.lists(statements(principal), min_size=1, max_size=4),
    )


@fuzz(100)
@given(policies(), st.sampled_from(list(PolicyKind)))
def test_generated_policies_compile(policy: dict[str, Any], kind: PolicyKind) -> None:
    """A policy made of valid elements compiles for every kind that takes no Principal.

    Some valid combinations are refused on purpose (a variable under Version 2008-10-17 is a literal,
    which is fine; a kind-specific rule such as a Deny-only or size limit may refuse) — only with PolicysimError.
    """
    if kind.has_principal:
        return
    try:
        compile_policy(Document(policy, "<generated>", {}, {}), "generated", kind)
    except PolicysimError:
        if kind is PolicyKind.IDENTITY:
            raise


@fuzz(100)
@given(policies(principal=True))
def test_generated_resource_policies_compile(policy: dict[str, Any]) -> None:
    compile_policy(Document(policy, "<generated>", {}, {}), "generated", PolicyKind.RESOURCE)


context_values = (
    st.sampled_from(
        [
            "alice",
            "true",
            "false",
            "10",
            "1.5",
            "10.1.2.3",
            "2001:db8::1",
            "2021-06-01T00:00:00Z",
            "1622505600",
            "not-an-ip",
            "yesterday",
            "",
            "QmluYXJ5",
            "home/a/b",
            "a" * 200 + "b",
        ]
    )
    | st.text(max_size=30)
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.lists(st.sampled_from(["env", "team", "alice", "10.0.0.1"]), max_size=3)
)
CONTEXT_KEYS = sorted({key for _, key, _ in CONDITIONS} | {"aws:SourceVpce", "s3:x-amz-acl"})


def world(identity: dict[str, Any], bucket: dict[str, Any] | None, boundary: dict[str, Any] | None) -> Scenario:
    user: dict[str, Any] = {"inline_policies": {"p": identity}, "tags": {"team": "red"}}
    account: dict[str, Any] = {"users": {"alice": user}}
    if boundary is not None:
        account["policies"] = {"boundary": boundary}
        user["permissions_boundary"] = "boundary"
    other: dict[str, Any] = {
        "roles": {
            "R": {
                "trust_policy": {
                    "Version": "2012-10-17",
                    "Statement": {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"},
                },
                "inline_policies": {"p": identity},
            }
        },
        "buckets": {"bucket": {"policy": bucket} if bucket is not None else {}},
    }
    return Scenario.from_dict({"scenario": "fuzz", "accounts": {ACCOUNT: account, OTHER: other}})


@fuzz(100)
@given(
    policies(),
    st.none() | policies(principal=True),
    st.none() | policies(),
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "alice",
                    f"arn:aws:iam::{ACCOUNT}:user/alice",
                    f"arn:aws:iam::{OTHER}:role/R",
                    "anonymous",
                    "sqs.amazonaws.com",
                ]
            ),
            st.sampled_from(ACTIONS),
            st.sampled_from(RESOURCES),
            st.dictionaries(st.sampled_from(CONTEXT_KEYS), st.none() | context_values, max_size=4),
            st.sampled_from([(), ("R",)]),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_evaluating_generated_requests_never_raises_anything_else(
    identity: dict[str, Any],
    bucket: dict[str, Any] | None,
    boundary: dict[str, Any] | None,
    requests: list[tuple[str, str, str, dict[str, Any], tuple[str, ...]]],
) -> None:
    try:
        scenario = world(identity, bucket, boundary)
    except PolicysimError:
        assume(False)
        return
    for principal, action, resource, context, chain in requests:
        try:
            outcome = scenario.evaluate(principal, action, resource, context, assume=chain)
        except PolicysimError:
            continue
        assert isinstance(outcome, Outcome)
        assert outcome.decision in set(policysim.Decision)


@fuzz(50)
@given(st.text(max_size=40), st.text(max_size=60), st.dictionaries(st.text(max_size=20), context_values, max_size=3))
def test_evaluating_arbitrary_request_strings(action: str, resource: str, context: dict[str, Any]) -> None:
    """Garbage in the request itself (action, resource, context keys) is refused or evaluated: nothing else."""
    scenario = world(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, None, None
    )
    with contextlib.suppress(PolicysimError):
        scenario.evaluate("alice", action, resource, context)
