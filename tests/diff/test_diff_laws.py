"""Laws of the access diff: a model never differs from itself; Allows only add access, Denies only remove it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from diff_models import base_model, changed, explore_models, user_policy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policysim.catalogue import builtin_catalogue
from policysim.diff.compare import explore
from policysim.enums import ChangeKind
from policysim.scenario.api import Scenario

ROOT = Path(__file__).parents[2]
MODELS = sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("tests/cases/**/*.yaml")])

ACTIONS = st.sampled_from(["s3:GetObject", "s3:Put*", "s3:*", "sts:AssumeRole", "*", "iam:PassRole", "ec2:Describe*"])
RESOURCES = st.sampled_from(
    ["*", "arn:aws:s3:::logs/*", "arn:aws:s3:::*", "arn:aws:iam::222222222222:role/Deployer", "arn:aws:s3:::app-data"]
)
CONDITIONS = st.sampled_from(
    [None, {"Bool": {"aws:SecureTransport": "true"}}, {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}]
)


@pytest.mark.parametrize("path", MODELS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_model_has_no_changes_against_itself(path: Path) -> None:
    catalogue = builtin_catalogue()
    assert explore(Scenario.load(path), Scenario.load(path), catalogue).changes == ()


def statement(effect: str, action: str, resource: str, condition: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if condition is not None:
        out["Condition"] = condition
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["alice", "bob"]), ACTIONS, RESOURCES, CONDITIONS)
def test_adding_an_allow_only_adds_access(user: str, action: str, resource: str, condition: Any) -> None:
    policy = "read-app-data" if user == "alice" else "s3-but-no-delete"
    new = changed(lambda m: user_policy(m, user, policy).append(statement("Allow", action, resource, condition)))
    kinds = {c.kind for c in explore_models(base_model(), new).changes}
    assert kinds <= {ChangeKind.NEW_ACCESS}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["alice", "bob"]), ACTIONS, RESOURCES, CONDITIONS)
def test_adding_a_deny_only_removes_access(user: str, action: str, resource: str, condition: Any) -> None:
    policy = "read-app-data" if user == "alice" else "s3-but-no-delete"
    new = changed(lambda m: user_policy(m, user, policy).append(statement("Deny", action, resource, condition)))
    for change in explore_models(base_model(), new).changes:
        assert change.kind in (ChangeKind.REMOVED_ACCESS, ChangeKind.DENY_CHANGED)
        assert change.after is not None and change.after.decision.value == "explicitDeny"
