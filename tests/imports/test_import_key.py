"""A scenario file's `import:` list (contracts.md section 5): the merge, its conflicts, aliases, notes and locations.

The importers are replaced by a stub here: their own tests are beside this file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policysim import Decision, Scenario
from policysim.cli import main
from policysim.errors import Location, PolicysimError, SchemaError
from policysim.imports import merge
from policysim.imports.model import Imported, ImportWarning, unknown

A = "111111111111"
ALLOW_GET = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def imported() -> Imported:
    role = {
        "trust_policy": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"}],
        },
        "inline_policies": {
            "read": ALLOW_GET,
            "later": unknown("known after apply", "plan.json: aws_iam_role_policy.later"),
        },
    }
    return Imported(
        data={"accounts": {A: {"roles": {"app": role}}}},
        sources={("accounts", A, "roles", "app"): Location("plan.json", 12, 7)},
        aliases={"terraform:aws_iam_role.app": f"arn:aws:iam::{A}:role/app"},
        absent=["SCPs and RCPs: the plan has no organization resources"],
        warnings=[ImportWarning("a queue policy without Principal was left out", Location("plan.json", 40, 3))],
    )


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def run(entry: Any, base_dir: Path, where: Location) -> Imported:
        calls.append(entry.arguments(base_dir))
        return imported()

    monkeypatch.setattr(merge, "_run", run)
    return calls


def write(tmp_path: Path, **top: Any) -> Path:
    data = {"scenario": "imported", "import": [{"terraform_plan": "plan.json", "account": A}], **top}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    return path


def test_an_import_merges_with_the_hand_written_model(tmp_path: Path, stub: list[dict[str, Any]]) -> None:
    users = {
        "alice": {
            "inline_policies": {
                "p": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
                }
            }
        }
    }
    scenario = Scenario.load(write(tmp_path, accounts={A: {"users": users}}))
    assert stub == [{"path": tmp_path / "plan.json", "account": A, "region": None}]
    role = f"arn:aws:iam::{A}:role/app"
    assert role in scenario.world.roles
    assert scenario.evaluate("alice", "sts:AssumeRole", "terraform:aws_iam_role.app").allowed  # by its address
    session = scenario.evaluate("alice", "s3:GetObject", "arn:aws:s3:::b/k", assume=["terraform:aws_iam_role.app"])
    assert session.decision is Decision.UNDETERMINED  # the role's unknown inline policy could deny
    assert scenario.notes == (
        "not given by `import[0]`: SCPs and RCPs: the plan has no organization resources",
        "warning: a queue policy without Principal was left out (plan.json:40:3)",
    )


def test_errors_in_imported_parts_point_into_the_imported_file(tmp_path: Path, stub: list[dict[str, Any]]) -> None:
    scenario = Scenario.load(write(tmp_path))
    where = scenario.locate(("accounts", A, "roles", "app", "inline_policies"))
    assert (where.file, where.line, where.column) == ("plan.json", 12, 7)


def test_a_conflict_names_both_places(tmp_path: Path, stub: list[dict[str, Any]]) -> None:
    roles = {"app": {"trust_policy": None}}
    with pytest.raises(
        SchemaError, match=r"`app` is defined twice, differently: at .*s\.json.* and at plan\.json:12:7"
    ):
        Scenario.load(write(tmp_path, accounts={A: {"roles": roles}}))


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"nothing": "x"}, "an import entry names exactly one of `gaad`, `terraform_plan`, `cloudformation`"),
        ({"gaad": "a.json", "terraform_plan": "p.json"}, "names exactly one of"),
        ({"terraform_plan": "p.json", "acount": A}, "unknown key `acount`"),
        ({"cloudformation": "t.yaml"}, "`account`"),
    ],
)
def test_malformed_entries_are_located_errors(tmp_path: Path, entry: dict[str, Any], words: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"scenario": "bad", "import": [entry]}))
    with pytest.raises(SchemaError, match=words) as caught:
        Scenario.load(path)
    assert caught.value.location is not None and caught.value.location.path[:2] == ("import", 0)


def test_check_reports_what_the_imports_did_not_give(
    tmp_path: Path, stub: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["check", str(path), "--format", "json"])
    assert done.value.code == 0
    (run,) = json.loads(capsys.readouterr().out)["scenarios"]
    assert run["notes"][0].startswith("not given by `import[0]`: SCPs and RCPs")
    with pytest.raises(SystemExit):
        main(["check", str(path)])
    assert "warning: a queue policy without Principal was left out" in capsys.readouterr().out


GAAD = Path(__file__).parent / "fixtures" / "gaad" / "account.json"
USER = "arn:aws:iam::111122223333:user/engineering/alice"  # in Developers, which has AWSCodeCommitPowerUser


def test_policysim_import_writes_a_scenario_that_answers_as_the_import_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "imported.yaml"
    with pytest.raises(SystemExit) as done:
        main(["import", "gaad", str(GAAD), "-o", str(out)])
    assert done.value.code in (0, None)
    text = out.read_text()
    assert text.startswith("# policysim import gaad: the model read from ")
    assert "# not given: SCPs and RCPs: no organization export given" in text
    written = Scenario.load(out)
    via_import = tmp_path / "via.json"
    via_import.write_text(json.dumps({"scenario": "via", "import": [{"gaad": str(GAAD)}]}))
    imported = Scenario.load(via_import)
    repo = "arn:aws:codecommit:us-east-1:111122223333:app"
    for action in ("codecommit:GitPush", "codecommit:DeleteRepository"):
        answers = {s.evaluate(USER, action, repo).decision for s in (written, imported)}
        assert len(answers) == 1, action
    # the account's version of AWSCodeCommitPowerUser (with its NoDelete Deny) wins over the shipped one
    assert imported.evaluate(USER, "codecommit:DeleteRepository", repo).decision is Decision.EXPLICIT_DENY


def test_an_unknown_import_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["import", "pulumi", str(GAAD)])
    assert done.value.code == 2 and "choose from gaad, terraform, cloudformation" in capsys.readouterr().err


PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}],
}


def test_a_public_bucket_grant_is_undetermined_without_block_public_access_settings(
    tmp_path: Path, stub: list[dict[str, Any]]
) -> None:
    owner = {"buckets": {"site": {"policy": PUBLIC_READ}}, "users": {"own": {}}}
    accounts = {A: owner, "222222222222": {"users": {"guest": {"inline_policies": {"p": ALLOW_GET}}}}}
    imported_model = Scenario.load(write(tmp_path, accounts=accounts))
    anonymous = imported_model.evaluate("anonymous", "s3:GetObject", "arn:aws:s3:::site/index.html")
    assert anonymous.decision is Decision.UNDETERMINED
    assert "Block Public Access" in anonymous.unknowns[0].reason and anonymous.bounds == (
        Decision.ALLOWED,
        Decision.IMPLICIT_DENY,
    )
    guest = imported_model.evaluate("arn:aws:iam::222222222222:user/guest", "s3:GetObject", "arn:aws:s3:::site/k")
    assert guest.decision is Decision.UNDETERMINED  # cross-account through the public grant
    own = imported_model.evaluate("own", "s3:GetObject", "arn:aws:s3:::site/k")
    assert own.decision is Decision.ALLOWED  # the owner's account is not restricted (a same-account grant)
    hand_written = Scenario.from_dict({"scenario": "hand", "accounts": accounts})
    assert hand_written.evaluate("anonymous", "s3:GetObject", "arn:aws:s3:::site/k").allowed  # the file says it all


def test_a_bucket_address_followed_by_a_key_names_an_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = Imported(
        data={"accounts": {A: {"buckets": {"logs-abc": {}}}}},
        aliases={"cloudformation:app/LogsBucket": "arn:aws:s3:::logs-abc", "cloudformation:app/AppRole": "arn:x"},
    )
    monkeypatch.setattr(merge, "_run", lambda entry, base_dir, where: found)
    scenario = Scenario.load(write(tmp_path))
    assert scenario.alias("cloudformation:app/LogsBucket/uploads/x.log") == "arn:aws:s3:::logs-abc/uploads/x.log"
    assert scenario.alias("cloudformation:app/LogsBucket") == "arn:aws:s3:::logs-abc"
    assert scenario.alias("cloudformation:app/AppRole/x") == "cloudformation:app/AppRole/x"  # not a bucket


def test_a_principal_outside_an_imported_model_has_unknown_policies(tmp_path: Path, stub: list[dict[str, Any]]) -> None:
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "999999999999"},
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::shared/*",
            },
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::shared/*"},
        ],
    }
    scenario = Scenario.load(write(tmp_path, accounts={A: {"buckets": {"shared": {"policy": grant}}}}))
    user = "arn:aws:iam::999999999999:user/partner"
    read = scenario.evaluate(user, "s3:GetObject", "arn:aws:s3:::shared/k")
    assert read.decision is Decision.UNDETERMINED  # the partner's own policies must allow it: unknown
    assert any("the policies of `arn:aws:iam::999999999999:user/partner`" in u.reason for u in read.unknowns)
    assert scenario.evaluate(user, "s3:DeleteObject", "arn:aws:s3:::shared/k").decision is Decision.EXPLICIT_DENY
    root = scenario.evaluate("arn:aws:iam::999999999999:root", "s3:GetObject", "arn:aws:s3:::shared/k")
    assert root.decision is Decision.UNDETERMINED  # the partner account's SCPs are unknown
    assert scenario.evaluate("arn:aws:iam::999999999999:role/r", "s3:GetObject", "arn:aws:s3:::shared/k").decision is (
        Decision.UNDETERMINED
    )


def test_hand_written_parts_of_an_imported_account_are_located_in_the_scenario_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = imported()
    found.sources[("accounts", A)] = Location("plan.json", 3, 1)
    monkeypatch.setattr(merge, "_run", lambda entry, base_dir, where: found)
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}  # no Resource
    path = write(tmp_path, accounts={A: {"users": {"alice": {"inline_policies": {"p": bad}}}}})
    with pytest.raises(PolicysimError) as caught:
        Scenario.load(path)
    assert caught.value.location is not None and caught.value.location.file == str(path)
    with_role = Scenario.load(write(tmp_path))  # the imported role is still located in its file
    assert with_role.locate(("accounts", A, "roles", "app")).file == "plan.json"
