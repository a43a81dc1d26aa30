"""Second adversarial review of the queries (graph, who-can, what-can) against AWS's semantics: each test is an
answer that was false (an edge or Allow AWS would not give, a crash on odd input), pinned after its fix."""

from __future__ import annotations

from typing import Any

import pytest

from policysim import Scenario
from policysim.errors import SchemaError

A = "111111111111"
B = "222222222222"
ALL = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def model(accounts: dict[str, Any]) -> Scenario:
    return Scenario.from_dict({"scenario": "review", "accounts": accounts})


# ------------------------------------------------------------------ IAM resources have no resource policy


@pytest.mark.parametrize(
    "arn",
    [f"arn:aws:iam::{A}:user/x", f"arn:aws:iam::{A}:role/r", f"arn:aws:iam::{A}:group/g", f"arn:aws:iam::{A}:policy/p"],
)
def test_a_resource_policy_on_an_iam_resource_is_refused(arn: str) -> None:
    # "The IAM service supports only one type of resource-based policy called a role trust policy" (UG:access_policies):
    # a `resources:` policy on a user, role, group or policy was applied, so any caller (an empty user `y`, an outside
    # stand-in in the graph) was allowed iam:CreateAccessKey / iam:PassRole / ... on it: a false Allow, and false
    # cross-account graph edges (`create-access-key` from `any principal of account 000000000000` onto user x)
    account = {
        "users": {"x": {}, "y": {}},
        "resources": [{"arn": arn, "policy": doc(ALL)}],
    }
    with pytest.raises(SchemaError) as raised:
        model({A: account})
    assert raised.value.location is not None and raised.value.location.path == ("accounts", A, "resources", 0, "policy")
    assert "trust_policy" in (raised.value.hint or "")


def test_tags_on_an_iam_resource_entry_are_still_accepted() -> None:
    account = {"users": {"y": {}}, "resources": [{"arn": f"arn:aws:iam::{A}:policy/p", "tags": {"team": "a"}}]}
    assert not model({A: account}).evaluate("y", "iam:CreatePolicyVersion", f"arn:aws:iam::{A}:policy/p").allowed


# ------------------------------------------------------------------ names IAM would not store


@pytest.mark.parametrize("kind", ["users", "groups", "roles", "policies"])
def test_a_name_iam_would_refuse_is_a_located_error(kind: str) -> None:
    # "Names of users, groups, roles, policies, instance profiles, and server certificates must be alphanumeric,
    # including the following common characters: plus (+), equal (=), comma (,), period (.), at (@), underscore (_),
    # and hyphen (-)." (UG:reference_iam-quotas): `jösé` loaded, then `policysim graph` exited 2 blaming its own
    # `<trust policy the source would write>` (the user's ARN is no principal a policy can name)
    entry: dict[str, Any] = doc(allow("s3:GetObject")) if kind == "policies" else {}
    with pytest.raises(SchemaError) as raised:
        model({A: {kind: {"jösé": entry}}})
    assert raised.value.location is not None and raised.value.location.path == ("accounts", A, kind, "jösé")


def test_every_character_iam_allows_in_a_name_loads_and_graphs() -> None:
    name = "a+b=c,d.e@f_g-h9"
    found = model({A: {"users": {name: {"inline_policies": {"p": doc(allow("*"))}}}}}).graph(to="admin")
    assert found.admins == {f"arn:aws:iam::{A}:user/{name}"}
