"""The imported model is a scenario: it validates, and its access answers are AWS's (docs/imports.md, GAAD).

Two checks run against any policysim: the model without its unknown markers validates as a `ScenarioFile`, and
answers requests once `managed_overrides` is layered on the managed policy library. Two need the loader's support
and are skipped until it is there: unknown markers (`undetermined`), and a scenario file's `import:` key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import policysim.model.scenario as scenario_model
from policysim.imports.gaad import import_gaad
from policysim.imports.model import Imported, is_unknown
from policysim.load import Document
from policysim.managed import ManagedPolicyLibrary
from policysim.model.scenario import ScenarioFile
from policysim.model.validation import validate
from policysim.scenario.api import Scenario

FIXTURES = Path(__file__).parent / "fixtures" / "gaad"
SCENARIO_KEYS = ("accounts", "organization")
MARKERS = hasattr(scenario_model, "UnknownRef")
IMPORT_KEY = hasattr(scenario_model, "GaadImport")


def everything() -> Imported:
    return import_gaad(
        [FIXTURES / "account.json"],
        resource_policies=sorted((FIXTURES / "resource-policies").glob("*.json")),
        organization=FIXTURES / "organization.json",
    )


def without_unknowns(value: Any, gone: frozenset[str] = frozenset()) -> Any:
    """The data with every unknown marker taken out (list items dropped, mapping entries removed), and the
    references to policies whose document was a marker (`gone`: their names) with them."""
    if isinstance(value, dict):
        return {k: without_unknowns(v, gone) for k, v in value.items() if not is_unknown(v)}
    if isinstance(value, list):
        kept = [v for v in value if not is_unknown(v) and not (isinstance(v, str) and v.split("/")[-1] in gone)]
        return [without_unknowns(v, gone) for v in kept]
    return value


def unknown_policies(data: dict[str, Any]) -> frozenset[str]:
    maps = [account.get("policies", {}) for account in data.get("accounts", {}).values()]
    maps.append(data.get("organization", {}).get("policies", {}))
    return frozenset(name for policies in maps for name, value in policies.items() if is_unknown(value))


def scenario_data(imported: Imported, *, strip: bool) -> dict[str, Any]:
    data = {key: imported.data[key] for key in SCENARIO_KEYS if key in imported.data}
    return {"scenario": "imported", **(without_unknowns(data, unknown_policies(data)) if strip else data)}


def library(imported: Imported) -> ManagedPolicyLibrary:
    """What the loader does with `managed_overrides`: the account's versions win over the shipped ones."""
    overrides = {
        arn: (entry["document"], entry["version_id"], entry["date"])
        for arn, entry in imported.data.get("managed_overrides", {}).items()
    }
    return ManagedPolicyLibrary.builtin().with_overrides(overrides, source="account.json")


def test_the_model_validates_as_a_scenario() -> None:
    data = scenario_data(everything(), strip=True)
    wire = validate(ScenarioFile, data, Document.from_data(data, "<import>").locate, "scenario")
    assert set(wire.accounts) >= {"111122223333", "444455556666"}
    assert wire.organization is not None and wire.organization.id == "o-a1b2c3d4e5"


REQUESTS = [
    # the group's inline policy
    ("alice", "s3:PutObject", "arn:aws:s3:::acme-builds/app.zip", "us-east-1", "allowed"),
    # the account's own version of AWSCodeCommitPowerUser (v11, with a Deny), not the shipped one
    (
        "alice",
        "codecommit:DeleteRepository",
        "arn:aws:codecommit:us-east-1:111122223333:app",
        "us-east-1",
        "explicitDeny",
    ),
    ("alice", "codecommit:GitPush", "arn:aws:codecommit:us-east-1:111122223333:app", "us-east-1", "allowed"),
    # AppRead's default version (v2) within the DevBoundary boundary
    ("bob", "s3:GetObject", "arn:aws:s3:::acme-app/data.csv", "us-east-1", "allowed"),
    ("bob", "s3:PutObject", "arn:aws:s3:::acme-app/data.csv", "us-east-1", "implicitDeny"),
    # the SCP attached to the account (p-nodelete, a name with spaces) denies
    ("bob", "s3:DeleteBucket", "arn:aws:s3:::acme-app", "us-east-1", "explicitDeny"),
    # the Workloads OU's region guardrail
    ("alice", "s3:PutObject", "arn:aws:s3:::acme-builds/app.zip", "eu-central-1", "explicitDeny"),
    # a queue and a secret whose resource policies name the role
    ("app-role", "sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:jobs", "us-east-1", "allowed"),
    (
        "app-role",
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1b2c3",
        "us-east-1",
        "allowed",
    ),
    # the partner reads through the bucket policy, which denies plain HTTP
    ("arn:aws:iam::444455556666:root", "s3:GetObject", "arn:aws:s3:::acme-reports/q1.csv", "us-east-1", "allowed"),
]


def decide(scenario: Scenario, principal: str, action: str, resource: str, region: str) -> str:
    context = {"aws:RequestedRegion": region, "aws:SecureTransport": True}
    return scenario.evaluate(principal, action, resource, context).decision


@pytest.mark.parametrize(("principal", "action", "resource", "region", "expected"), REQUESTS)
def test_access_answers_on_the_known_part(
    principal: str, action: str, resource: str, region: str, expected: str
) -> None:
    imported = everything()
    scenario = Scenario.from_dict(scenario_data(imported, strip=True), library=library(imported))
    assert decide(scenario, principal, action, resource, region) == expected


@pytest.mark.skipif(not MARKERS, reason="the scenario loader does not read unknown markers yet")
@pytest.mark.parametrize(
    ("principal", "action", "resource", "cause"),
    [
        ("carol", "s3:GetObject", "arn:aws:s3:::acme-app/data.csv", "BoundaryOnly"),  # the boundary is not exported
        ("dave", "s3:GetObject", "arn:aws:s3:::acme-app/data.csv", "Contractors"),  # a group the export lacks
        ("ops", "ec2:DescribeInstances", "*", "AWSLambdaFullAccess"),  # neither exported nor shipped: may deny
    ],
)
def test_unknown_documents_make_answers_undetermined(principal: str, action: str, resource: str, cause: str) -> None:
    imported = everything()
    scenario = Scenario.from_dict(scenario_data(imported, strip=False), library=library(imported))
    outcome = scenario.evaluate(principal, action, resource, {"aws:RequestedRegion": "us-east-1"})
    assert outcome.decision == "undetermined"
    assert any(cause in str(item) for item in getattr(outcome, "unknowns", ())), outcome
    for principal_, action_, resource_, region, expected in REQUESTS:  # the markers change no other answer
        assert decide(scenario, principal_, action_, resource_, region) == expected, (principal_, action_)


@pytest.mark.skipif(not IMPORT_KEY, reason="the scenario loader has no `import:` key yet")
def test_a_scenario_file_imports_a_gaad_export() -> None:
    scenario = Scenario.load(FIXTURES / "scenario" / "scenario.yaml")
    results = scenario.run_tests()
    failed = [(r.name, r.unmet if hasattr(r, "unmet") else r) for r in results if not r.passed]
    assert len(results) == 6 and not failed, failed
    notes = " | ".join(scenario.notes)
    assert "SCPs and RCPs: no organization export given" in notes and "MaxSessionDuration" in notes
