"""End to end: a scenario that imports a Terraform plan (`import: [{terraform_plan: ...}]`) answers access questions,
`undetermined` where a value known only after apply decides, and names principals by their plan address."""

from __future__ import annotations

from pathlib import Path

import pytest

import policysim
from policysim.enums import Decision

pytest.importorskip("policysim.imports.merge", reason="the scenario loader's `import:` key")

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
ACCOUNT = "111111111111"


def scenario(tmp_path: Path, plan: str = "plan.json", tests: str = "") -> policysim.Scenario:
    path = tmp_path / "imported.yaml"
    path.write_text(
        "scenario: imported from a Terraform plan\n"
        f"import:\n  - terraform_plan: {FIXTURES / plan}\n" + (f"tests:\n{tests}" if tests else "")
    )
    return policysim.load_scenario(path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> policysim.Scenario:
    return scenario(tmp_path_factory.mktemp("tf"))


def test_a_generated_role_is_named_by_its_address_and_matches_the_policy_that_references_its_arn(
    world: policysim.Scenario,
) -> None:
    # the bucket policy comes from a data source read during apply; its principal is aws_iam_role.generated.arn
    outcome = world.evaluate(
        principal="terraform:aws_iam_role.generated",
        action="s3:GetObject",
        resource="arn:aws:s3:::acme-data/reports/q1.csv",
    )
    assert outcome.decision is Decision.ALLOWED
    other = world.evaluate(
        principal="terraform:aws_iam_role.anonymous",
        action="s3:GetObject",
        resource="arn:aws:s3:::acme-data/reports/q1.csv",
    )
    assert other.decision is Decision.IMPLICIT_DENY


def test_a_policy_known_only_after_apply_makes_the_decision_undetermined(world: policysim.Scenario) -> None:
    outcome = world.evaluate(
        principal="terraform:aws_iam_role.app",
        action="sqs:SendMessage",
        resource=f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs",
    )
    assert outcome.decision is Decision.UNDETERMINED
    assert not outcome.allowed
    assert any("aws_iam_role_policy.app_computed" in u.source for u in outcome.unknowns)


def test_known_parts_still_decide(world: policysim.Scenario) -> None:
    reads = world.evaluate(principal="alice", action="s3:GetObject", resource="arn:aws:s3:::acme-data/x.csv")
    assert reads.decision is Decision.ALLOWED  # app-read, attached through a reference known only after apply
    deletes = world.evaluate(principal="alice", action="s3:DeleteObject", resource="arn:aws:s3:::acme-data/x.csv")
    assert deletes.decision is Decision.EXPLICIT_DENY
    bob = world.evaluate(principal="bob", action="s3:GetObject", resource="arn:aws:s3:::acme-data/x.csv")
    assert bob.decision is Decision.UNDETERMINED  # a user the plan names but does not manage


def test_resource_policies_of_the_plan(world: policysim.Scenario) -> None:
    invoke = world.evaluate(
        principal="s3.amazonaws.com",
        action="lambda:InvokeFunction",
        resource=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker-fn",
        context={"aws:SourceAccount": ACCOUNT, "aws:SourceArn": "arn:aws:s3:::acme-data"},
    )
    assert invoke.decision is Decision.ALLOWED
    hook = world.evaluate(
        principal="events.amazonaws.com",
        action="lambda:InvokeFunction",
        resource=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:hook-fn",
    )
    assert hook.decision is Decision.UNDETERMINED  # its permission's source_arn is known only after apply


def test_scenario_tests_may_expect_undetermined_and_fail_expecting_anything_else(tmp_path: Path) -> None:
    tests = (
        "  - name: the app role sends to the queue\n"
        "    principal: terraform:aws_iam_role.app\n"
        "    action: sqs:SendMessage\n"
        f"    resource: arn:aws:sqs:us-east-1:{ACCOUNT}:jobs\n"
        "    expect: undetermined\n"
        "  - name: expecting allowed fails on undetermined\n"
        "    principal: terraform:aws_iam_role.app\n"
        "    action: sqs:SendMessage\n"
        f"    resource: arn:aws:sqs:us-east-1:{ACCOUNT}:jobs\n"
        "    expect: allowed\n"
    )
    results = scenario(tmp_path, tests=tests).run_tests()
    assert [r.passed for r in results] == [True, False]


def test_an_imported_organization_applies_its_scps(tmp_path: Path) -> None:
    world = scenario(tmp_path, "org.json")
    # the management account's principals are never restricted by SCPs
    outcome = world.evaluate(principal="admin", action="organizations:LeaveOrganization", resource="*")
    assert outcome.decision is Decision.ALLOWED
