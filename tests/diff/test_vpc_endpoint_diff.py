"""The access diff with VPC endpoints: a changed endpoint policy is found, and a condition on `aws:SourceVpce` naming
an endpoint no model declares is not turned into requests the models refuse to answer."""

from __future__ import annotations

from typing import Any

from diff_models import base_model, changed, explore_models, rows, user_policy

ALICE = "arn:aws:iam::111111111111:user/alice"
VPCE = "vpce-1a2b3c4d"
THROUGH = (("aws:SourceVpce", VPCE),)


def only_through_endpoint(model: dict[str, Any]) -> None:
    user_policy(model, "alice", "read-app-data")[0]["Condition"] = {"StringEquals": {"aws:SourceVpce": VPCE}}


def with_endpoint(policy: dict[str, Any] | None) -> Any:
    def mutate(model: dict[str, Any]) -> None:
        only_through_endpoint(model)
        account = model["accounts"]["111111111111"]
        account["vpc_endpoints"] = {VPCE: {} if policy is None else {"policy": policy}}

    return mutate


def test_a_condition_on_an_undeclared_endpoint_is_diffed_without_its_requests() -> None:
    exploration = explore_models(base_model(), changed(only_through_endpoint))
    assert exploration.changes  # the condition takes alice's reads away
    assert all(dict(row[4]).get("aws:SourceVpce") is None for row in rows(exploration))


def test_a_narrowed_endpoint_policy_removes_the_access_through_it() -> None:
    deny_reads = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
    }
    exploration = explore_models(changed(with_endpoint(None)), changed(with_endpoint(deny_reads)))
    found = rows(exploration)
    assert found
    assert {(kind, who, action) for kind, who, action, _, _ in found} == {("removed-access", ALICE, "s3:GetObject")}
    assert all(context == THROUGH for *_, context in found)
