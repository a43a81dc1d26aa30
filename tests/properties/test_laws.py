"""Hypothesis laws of the engine, and a differential test against a small, obviously-correct reference evaluator."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import policysim
from policysim import Decision
from policysim.catalogue.fit import resource_problem

ACCOUNT = "111111111111"
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:StartInstances", "iam:GetUser"]
ACTION_PATTERNS = [*ACTIONS, "s3:*", "s3:Get*", "*", "ec2:*Instances", "iam:?etUser", "s3:*Object"]
RESOURCES = [
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::b",
    "arn:aws:s3:::c/x.y",
    "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
    "arn:aws:iam::111111111111:user/u",
]
RESOURCE_PATTERNS = [*RESOURCES, "*", "arn:aws:s3:::b/*", "arn:aws:s3:::*", "arn:aws:s3:::?/*", "arn:aws:ec2:*:*:*"]
TEAMS = ["red", "blue"]

statement_st = st.fixed_dictionaries(
    {
        "effect": st.sampled_from(["Allow", "Deny"]),
        "action_key": st.sampled_from(["Action", "NotAction"]),
        "actions": st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True),
        "resource_key": st.sampled_from(["Resource", "NotResource"]),
        "resources": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True),
        "team": st.none() | st.sampled_from(TEAMS),
    }
)
# only requests that can exist: a resource of a type the action acts on (the catalogue refuses the others)
PAIRS = [(a, r) for a in ACTIONS for r in RESOURCES if resource_problem(a, r) is None]
request_st = st.builds(lambda pair, team: (*pair, team), st.sampled_from(PAIRS), st.none() | st.sampled_from(TEAMS))


def to_policy(statements: list[dict[str, Any]]) -> dict[str, Any]:
    out = []
    for s in statements:
        item: dict[str, Any] = {"Effect": s["effect"], s["action_key"]: s["actions"], s["resource_key"]: s["resources"]}
        if s["team"]:
            item["Condition"] = {"StringEquals": {"aws:RequestTag/team": s["team"]}}
        out.append(item)
    return {"Version": "2012-10-17", "Statement": out}


def evaluate(statements: list[dict[str, Any]], request: tuple[str, str, str | None]) -> Decision:
    data = {
        "scenario": "law",
        "accounts": {ACCOUNT: {"users": {"u": {"inline_policies": {"p": to_policy(statements)}}}}},
    }
    world = policysim.Scenario.from_dict(data)
    action, resource, team = request
    context = {"aws:RequestTag/team": team} if team else None
    return world.evaluate("u", action, resource, context).decision


def glob(pattern: str, text: str) -> bool:
    """Reference wildcard matcher: plain recursion, only * and ? special."""
    if not pattern:
        return not text
    if pattern[0] == "*":
        return glob(pattern[1:], text) or (bool(text) and glob(pattern, text[1:]))
    if text and (pattern[0] == "?" or pattern[0] == text[0]):
        return glob(pattern[1:], text[1:])
    return False


def reference(statements: list[dict[str, Any]], request: tuple[str, str, str | None]) -> Decision:
    """AWS's identity-only logic written the obvious way: any applicable Deny, else any Allow, else implicit."""
    action, resource, team = request
    applicable = []
    for s in statements:
        action_hit = any(glob(p.lower(), action.lower()) for p in s["actions"])
        resource_hit = any(glob(p, resource) for p in s["resources"])
        if s["action_key"] == "NotAction":
            action_hit = not action_hit
        if s["resource_key"] == "NotResource":
            resource_hit = not resource_hit
        condition_hit = s["team"] is None or s["team"] == team
        if action_hit and resource_hit and condition_hit:
            applicable.append(s["effect"])
    if "Deny" in applicable:
        return Decision.EXPLICIT_DENY
    return Decision.ALLOWED if "Allow" in applicable else Decision.IMPLICIT_DENY


@settings(max_examples=150, deadline=None)
@given(st.lists(statement_st, min_size=1, max_size=5), request_st)
def test_engine_agrees_with_reference_evaluator(statements: list[dict[str, Any]], request: Any) -> None:
    assert evaluate(statements, request) is reference(statements, request)


@settings(max_examples=60, deadline=None)
@given(st.lists(statement_st, min_size=1, max_size=4), request_st)
def test_explicit_deny_dominates(statements: list[dict[str, Any]], request: Any) -> None:
    deny_all = {
        "effect": "Deny",
        "action_key": "Action",
        "actions": ["*"],
        "resource_key": "Resource",
        "resources": ["*"],
        "team": None,
    }
    assert evaluate([*statements, deny_all], request) is Decision.EXPLICIT_DENY


@settings(max_examples=60, deadline=None)
@given(st.lists(statement_st, min_size=1, max_size=4), statement_st, request_st)
def test_adding_an_allow_never_turns_allow_into_deny(
    statements: list[dict[str, Any]], extra: dict[str, Any], request: Any
) -> None:
    before = evaluate(statements, request)
    after = evaluate([*statements, {**extra, "effect": "Allow"}], request)
    if before is Decision.ALLOWED:
        assert after is Decision.ALLOWED


@settings(max_examples=60, deadline=None)
@given(st.lists(statement_st, min_size=2, max_size=5), request_st, st.randoms(use_true_random=False))
def test_statement_order_does_not_matter(statements: list[dict[str, Any]], request: Any, rng: Any) -> None:
    shuffled = list(statements)
    rng.shuffle(shuffled)
    assert evaluate(statements, request) is evaluate(shuffled, request)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True), request_st)
def test_action_and_notaction_are_complements(patterns: list[str], request: Any) -> None:
    base = {"effect": "Allow", "actions": patterns, "resource_key": "Resource", "resources": ["*"], "team": None}
    with_action = evaluate([{**base, "action_key": "Action"}], request) is Decision.ALLOWED
    with_not_action = evaluate([{**base, "action_key": "NotAction"}], request) is Decision.ALLOWED
    assert with_action != with_not_action
