"""VPC endpoint policies (docs/semantics.md section 14): a request whose `aws:SourceVpce` names an endpoint is also
evaluated against that endpoint's policy, which limits and never grants.

"An endpoint policy does not override or replace identity-based policies or resource-based policies." and "If you
don't attach an endpoint policy, we attach the default endpoint policy." (Amazon VPC, Control access to VPC endpoints
using endpoint policies)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policysim import Decision, Gate, PolicyError, ReasonCode, Scenario
from policysim.errors import RequestError, SchemaError, UnresolvedReferenceError

A = "111111111111"
B = "222222222222"
VPCE = "vpce-0a1b2c3d4e5f60718"
OPEN = "vpce-1a2b3c4d"  # declared without a policy: AWS's default one
OBJ = "arn:aws:s3:::bucket-a/reports/q1.csv"
SECRET = "arn:aws:s3:::bucket-a/secret/key"
THROUGH = {"aws:SourceVpce": VPCE}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def stmt(effect: str, action: str, resource: str = "*", principal: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}


ENDPOINT_POLICY = doc(
    {**stmt("Allow", "s3:GetObject", "arn:aws:s3:::bucket-a/*"), "Sid": "ReadBucketA"},
    {**stmt("Deny", "s3:GetObject", "arn:aws:s3:::bucket-a/secret/*"), "Sid": "NoSecrets"},
)


def scenario(endpoint: dict[str, Any] | None = None, *, imported: bool = False, **accounts: Any) -> Scenario:
    alice = {"inline_policies": {"p": doc({"Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"})}}
    bob = {"inline_policies": {"p": doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})}}
    endpoints = {
        VPCE: endpoint if endpoint is not None else {"policy": ENDPOINT_POLICY, "vpc": "vpc-0abc1234", "service": "s3"},
        OPEN: {},
    }
    account = {"users": {"alice": alice, "bob": bob}, "buckets": {"bucket-a": {}}, "vpc_endpoints": endpoints}
    return Scenario.from_dict({"scenario": "endpoints", "imported": imported, "accounts": {A: account, **accounts}})


def test_a_request_the_endpoint_policy_allows_is_allowed_and_names_it() -> None:
    outcome = scenario().evaluate("alice", "s3:GetObject", OBJ, THROUGH)
    assert outcome.decision is Decision.ALLOWED
    assert Gate.VPC_ENDPOINT in outcome.gates
    endpoint = [r for r in outcome.reasons if r.gate is Gate.VPC_ENDPOINT]
    assert endpoint[0].code is ReasonCode.VPC_ENDPOINT_ALLOWS
    assert endpoint[0].statement is not None and endpoint[0].statement.sid == "ReadBucketA"


def test_a_deny_in_the_endpoint_policy_is_an_explicit_deny() -> None:
    outcome = scenario().evaluate("alice", "s3:GetObject", SECRET, THROUGH)
    assert outcome.decision is Decision.EXPLICIT_DENY
    assert outcome.gates == (Gate.VPC_ENDPOINT,)
    assert outcome.reasons[0].statement is not None and outcome.reasons[0].statement.sid == "NoSecrets"


def test_an_endpoint_policy_that_allows_nothing_is_an_implicit_deny_at_its_gate() -> None:
    outcome = scenario().evaluate("alice", "s3:PutObject", OBJ, THROUGH)
    assert outcome.decision is Decision.IMPLICIT_DENY
    assert outcome.gates == (Gate.VPC_ENDPOINT,)
    assert outcome.reasons[0].code is ReasonCode.VPC_ENDPOINT_NO_ALLOW
    assert VPCE in outcome.reasons[0].detail


def test_the_endpoint_policy_grants_nothing_by_itself() -> None:
    # bob's identity policy allows only ListBucket: the endpoint's Allow of GetObject does not replace it
    outcome = scenario().evaluate("bob", "s3:GetObject", OBJ, THROUGH)
    assert outcome.decision is Decision.IMPLICIT_DENY
    assert outcome.gates == (Gate.IDENTITY,)


def test_without_aws_source_vpce_the_endpoint_is_not_evaluated() -> None:
    outcome = scenario().evaluate("alice", "s3:PutObject", OBJ)
    assert outcome.decision is Decision.ALLOWED
    assert outcome.policies is not None and outcome.policies.endpoint is None
    assert outcome.analysis is not None and outcome.analysis.endpoint is None


def test_an_endpoint_without_a_policy_has_the_default_full_access_policy() -> None:
    outcome = scenario().evaluate("alice", "s3:PutObject", OBJ, {"aws:SourceVpce": OPEN})
    assert outcome.decision is Decision.ALLOWED
    reason = next(r for r in outcome.reasons if r.gate is Gate.VPC_ENDPOINT)
    assert reason.statement is not None and reason.statement.policy_id == f"{OPEN}#default-policy"


def test_the_endpoint_gives_aws_source_vpc_and_the_context_cannot_contradict_it() -> None:
    world = scenario()
    derived = world.evaluate("alice", "s3:GetObject", OBJ, THROUGH).request
    assert derived is not None and derived.context.get("aws:sourcevpc") == ("vpc-0abc1234",)
    same = world.evaluate("alice", "s3:GetObject", OBJ, {**THROUGH, "aws:SourceVpc": "vpc-0abc1234"}).request
    assert same is not None and same.context.get("aws:sourcevpc") == ("vpc-0abc1234",)
    # a request through the endpoint comes from its VPC: another VPC, or none, is a request AWS never receives
    for contradiction in ("vpc-99999999", None):
        with pytest.raises(RequestError, match="comes from its VPC"):
            world.evaluate("alice", "s3:GetObject", OBJ, {**THROUGH, "aws:SourceVpc": contradiction})


def test_an_endpoint_governs_only_its_own_service() -> None:
    # "Only the parts of the policy that relate to the specified service will work": an S3 endpoint's policy does
    # not decide an STS request, which does not travel through it
    outcome = scenario().evaluate("alice", "sts:GetSessionToken", "*", THROUGH)
    assert outcome.policies is None or outcome.policies.endpoint is None
    other = scenario().evaluate("alice", "s3:ListAllMyBuckets", "*", THROUGH)
    assert other.decision is Decision.IMPLICIT_DENY and other.gates == (Gate.VPC_ENDPOINT,)


def test_an_endpoint_policy_naming_the_account_lets_only_its_root_user_through() -> None:
    # "If you specify principals in the following format, access is granted to the AWS account root user only, and
    # not all users and roles for the account: "AWS": "account_id""
    world = scenario({"policy": doc(stmt("Allow", "s3:*", principal={"AWS": A})), "service": "s3"})
    user = world.evaluate("alice", "s3:GetObject", OBJ, THROUGH)
    assert user.decision is Decision.IMPLICIT_DENY and user.gates == (Gate.VPC_ENDPOINT,)
    root = world.evaluate(f"arn:aws:iam::{A}:root", "s3:GetObject", OBJ, THROUGH)
    assert root.decision is Decision.ALLOWED


def test_the_endpoint_policy_limits_cross_account_requests_too() -> None:
    grant = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:user/alice"}, "Action": "s3:*"}
    other = {"buckets": {"bucket-b": {"policy": doc({**grant, "Resource": "arn:aws:s3:::bucket-b/*"})}}}
    world = scenario(**{B: other})
    assert world.evaluate("alice", "s3:GetObject", "arn:aws:s3:::bucket-b/k").decision is Decision.ALLOWED
    through = world.evaluate("alice", "s3:GetObject", "arn:aws:s3:::bucket-b/k", THROUGH)
    assert through.decision is Decision.IMPLICIT_DENY and through.gates == (Gate.VPC_ENDPOINT,)


def test_an_undeclared_endpoint_in_a_hand_written_model_is_an_error() -> None:
    with pytest.raises(UnresolvedReferenceError, match="does not declare") as caught:
        scenario().evaluate("alice", "s3:GetObject", OBJ, {"aws:SourceVpce": "vpce-99999999"})
    assert "vpc_endpoints" in (caught.value.hint or "")


def test_an_undeclared_endpoint_in_a_scenario_test_is_located(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "scenario: s\n"
        "accounts:\n"
        f'  "{A}":\n'
        "    users: {alice: {}}\n"
        "tests:\n"
        "  - name: t\n"
        "    principal: alice\n"
        "    action: s3:GetObject\n"
        f"    resource: {OBJ}\n"
        "    context: {aws:SourceVpce: vpce-99999999}\n"
        "    expect: denied\n"
    )
    with pytest.raises(UnresolvedReferenceError) as caught:
        Scenario.load(path).run_tests()
    assert caught.value.location is not None and caught.value.location.line == 6


def test_an_undeclared_endpoint_in_an_imported_model_is_undetermined() -> None:
    outcome = scenario(imported=True).evaluate("alice", "s3:GetObject", OBJ, {"aws:SourceVpce": "vpce-99999999"})
    assert outcome.decision is Decision.UNDETERMINED
    assert outcome.gates == (Gate.VPC_ENDPOINT,)
    assert outcome.bounds == (Decision.ALLOWED, Decision.EXPLICIT_DENY)
    # a request the caller's own policies deny is denied whatever the endpoint says
    denied = scenario(imported=True).evaluate("bob", "s3:GetObject", OBJ, {"aws:SourceVpce": "vpce-99999999"})
    assert denied.denied_anyway


def test_an_endpoint_policy_the_import_could_not_tell_is_undetermined() -> None:
    unknown = {"unknown": {"reason": "known after apply", "source": "aws_vpc_endpoint.s3"}}
    outcome = scenario({"policy": unknown, "service": "s3"}).evaluate("alice", "s3:GetObject", OBJ, THROUGH)
    assert outcome.decision is Decision.UNDETERMINED
    assert [u.source for u in outcome.unknowns] == ["aws_vpc_endpoint.s3"]


def test_a_request_through_two_endpoints_is_refused() -> None:
    with pytest.raises(RequestError, match="one VPC endpoint"):
        scenario().evaluate("alice", "s3:GetObject", OBJ, {"aws:SourceVpce": [VPCE, OPEN]})


def test_an_endpoint_policy_must_name_principals() -> None:
    with pytest.raises(PolicyError, match="Principal"):
        scenario({"policy": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})})


@pytest.mark.parametrize(
    ("endpoint_id", "body"),
    [("vpce-XYZ", {}), (VPCE, {"vpc": "subnet-1"}), (VPCE, {"service": "S3!"})],
)
def test_a_malformed_endpoint_is_a_schema_error(endpoint_id: str, body: dict[str, Any]) -> None:
    data = {"scenario": "s", "accounts": {A: {"vpc_endpoints": {endpoint_id: body}}}}
    with pytest.raises(SchemaError):
        Scenario.from_dict(data)


def test_an_endpoint_declared_in_two_accounts_is_an_error() -> None:
    data = {"scenario": "s", "accounts": {A: {"vpc_endpoints": {VPCE: {}}}, B: {"vpc_endpoints": {VPCE: {}}}}}
    with pytest.raises(SchemaError, match="declared twice"):
        Scenario.from_dict(data)
