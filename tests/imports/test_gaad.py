"""GAAD exports (`aws iam get-account-authorization-details`) into the scenario model: pages, document encodings,
default versions, unknown documents, contradictions, sources and what is absent (docs/imports.md, GAAD)."""

from __future__ import annotations

import builtins
import io
import json
import pathlib
from pathlib import Path
from typing import Any

import pytest

from policysim.errors import Location, ParseError, SchemaError
from policysim.imports.gaad import import_gaad
from policysim.imports.model import Imported, is_unknown

FIXTURES = Path(__file__).parent / "fixtures" / "gaad"
ACCOUNT = "111122223333"  # account.json
OTHER = "222233334444"  # pages.json, url-encoded.json, json-strings.json, several-defaults.json, contradicting.json


def gaad(*names: str, **options: Any) -> Imported:
    return import_gaad([FIXTURES / name for name in names], **options)


def account(imported: Imported, account_id: str = ACCOUNT) -> dict[str, Any]:
    found: dict[str, Any] = imported.data["accounts"][account_id]
    return found


def messages(imported: Imported) -> list[str]:
    return [warning.message for warning in imported.warnings]


def reason(value: Any) -> str:
    assert is_unknown(value), value
    text: str = value["unknown"]["reason"]
    return text


# ---------------------------------------------------------------- the CLI's export


def test_users_groups_and_roles_of_a_cli_export() -> None:
    model = account(gaad("account.json"))
    alice = model["users"]["alice"]
    assert alice["path"] == "/engineering/"
    assert alice["groups"] == ["Developers"]
    assert alice["tags"] == {"team": "blue", "cost-center": "42"}  # the list of {Key, Value} is a map
    assert alice["inline_policies"]["read-reports"]["Statement"][0]["Sid"] == "ReadReports"
    developers = model["groups"]["Developers"]
    assert developers["managed_policies"] == [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AWSCodeCommitPowerUser",
    ]
    assert developers["inline_policies"]["write-builds"]["Statement"]["Action"] == "s3:PutObject"
    bob = model["users"]["bob"]
    assert bob["managed_policies"] == [f"arn:aws:iam::{ACCOUNT}:policy/teams/AppRead"]  # the policy's path kept
    assert bob["permissions_boundary"] == f"arn:aws:iam::{ACCOUNT}:policy/DevBoundary"
    assert "tags" not in bob  # an empty `Tags` list
    role = model["roles"]["app-role"]
    assert role["path"] == "/app/"
    assert role["role_id"] == "AROAJ52OTH4H7LEXAMPLE"
    assert role["tags"] == {"app": "orders"}
    assert role["trust_policy"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "max_session_duration" not in role  # RoleDetail has none: the scenario default stays


def test_users_ids_are_kept_beside_the_model() -> None:
    imported = gaad("account.json")
    assert imported.data["user_ids"][f"arn:aws:iam::{ACCOUNT}:user/engineering/alice"] == "AIDAJQABLZS4A3QDU576Q"
    assert set(imported.data) == {"accounts", "managed_overrides", "user_ids"}


def test_instance_profile_copies_of_a_role_are_not_roles() -> None:
    roles = account(gaad("account.json"))["roles"]
    assert set(roles) == {"app-role", "ops", "AWSServiceRoleForSupport"}
    # the nested copy in InstanceProfileList trusts ec2: it is not read
    assert roles["app-role"]["trust_policy"]["Statement"][0]["Principal"]["Service"] == "lambda.amazonaws.com"


def test_a_service_linked_role_is_a_role_with_its_path() -> None:
    imported = gaad("account.json")
    role = account(imported)["roles"]["AWSServiceRoleForSupport"]
    assert role["path"] == "/aws-service-role/support.amazonaws.com/"
    arn = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"
    assert role["managed_policies"] == [arn]
    assert imported.data["managed_overrides"][arn]["version_id"] == "v3"


def test_attachments_come_from_the_entities_not_from_attachment_count() -> None:
    model = account(gaad("account.json"))
    assert "NotYourPolicy" in model["policies"]  # AttachmentCount 1, but nobody in the file holds it
    holders = [
        name
        for kind in ("users", "groups", "roles")
        for name, entity in model[kind].items()
        if any("NotYourPolicy" in str(ref) for ref in entity.get("managed_policies", []))
    ]
    assert holders == []
    # DevBoundary has AttachmentCount 0 but is bob's boundary
    assert model["users"]["bob"]["permissions_boundary"].endswith("/DevBoundary")


def test_the_default_version_is_the_one_marked_default() -> None:
    policy = account(gaad("account.json"))["policies"]["AppRead"]
    assert policy["Statement"][0]["Sid"] == "ReadApp"  # v2, not v1 ([0])


def test_aws_managed_policies_in_the_export_override_the_shipped_ones() -> None:
    imported = gaad("account.json")
    overrides = imported.data["managed_overrides"]
    codecommit = overrides["arn:aws:iam::aws:policy/AWSCodeCommitPowerUser"]
    assert codecommit["version_id"] == "v11"
    assert codecommit["date"] == "2021-01-01"
    assert [s["Sid"] for s in codecommit["document"]["Statement"]] == ["CodeCommitPush", "NoDelete"]
    drift = [m for m in messages(imported) if "AWSCodeCommitPowerUser" in m]
    assert drift and "differs from the one policysim ships" in drift[0] and "the account's is used" in drift[0]
    # a deprecated policy policysim does not ship: the export's version makes it known
    config = "arn:aws:iam::aws:policy/service-role/AWSConfigRole"
    assert config in overrides
    assert config in account(imported)["roles"]["ops"]["managed_policies"]


def test_a_shipped_aws_managed_policy_is_referenced_by_arn() -> None:
    model = account(gaad("account.json"))
    assert model["roles"]["ops"]["permissions_boundary"] == "arn:aws:iam::aws:policy/PowerUserAccess"
    assert model["roles"]["ops"]["managed_policies"][0] == "arn:aws:iam::aws:policy/AmazonEC2FullAccess"


# ---------------------------------------------------------------- what the export cannot tell


def test_a_boundary_missing_from_policies_is_unknown() -> None:
    carol = account(gaad("account.json"))["users"]["carol"]
    boundary = carol["permissions_boundary"]
    assert "BoundaryOnly" in reason(boundary) and "is not in the export's `Policies`" in reason(boundary)
    assert "boundary-only" in reason(boundary)  # the usual cause: exports filtered by AttachmentCount
    assert boundary["unknown"]["source"].startswith(f"{FIXTURES / 'account.json'}:61:43 ")
    assert "UserDetailList[2].PermissionsBoundary.PermissionsBoundaryArn" in boundary["unknown"]["source"]


def test_an_aws_managed_policy_neither_exported_nor_shipped_is_unknown() -> None:
    managed = account(gaad("account.json"))["roles"]["ops"]["managed_policies"]
    assert len(managed) == 3  # never dropped
    assert "AWSLambdaFullAccess" in reason(managed[1]) and "nor in policysim's library" in reason(managed[1])


def test_a_group_the_export_lacks_is_a_group_with_unknown_policies() -> None:
    model = account(gaad("account.json"))
    assert model["users"]["dave"]["groups"] == ["Contractors"]
    (marker,) = model["groups"]["Contractors"]["managed_policies"]
    assert "not in the export's `GroupDetailList`" in reason(marker)


def test_what_was_not_given_is_absent() -> None:
    absent = gaad("account.json").absent
    assert any(item.startswith("MaxSessionDuration:") for item in absent)
    assert "SCPs and RCPs: no organization export given" in absent
    assert any(
        item.startswith("resource policies (S3, KMS, SQS, SNS, Lambda, Secrets Manager, ECR)") for item in absent
    )
    assert any("Block Public Access" in item for item in absent)
    filtered = gaad("json-strings.json").absent  # no GroupDetailList: a --filter export
    assert any(item.startswith("groups: the export has no `GroupDetailList`") for item in filtered)


def test_max_session_duration_is_read_when_an_export_has_it(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "pages.json").read_text())
    data[1]["RoleDetailList"][0]["MaxSessionDuration"] = 7200
    merged = tmp_path / "with-duration.json"
    merged.write_text(json.dumps(data))
    imported = import_gaad([merged])
    assert account(imported, OTHER)["roles"]["worker"]["max_session_duration"] == 7200
    assert not any(item.startswith("MaxSessionDuration") for item in imported.absent)


# ---------------------------------------------------------------- pages, files, encodings


def test_a_list_of_pages_is_merged() -> None:
    model = account(gaad("pages.json"), OTHER)
    assert model["users"]["erin"]["groups"] == ["Ops"]  # the group is on the second page
    assert "managed_policies" not in model["groups"]["Ops"]  # a real group, not a stand-in for a missing one
    assert model["users"]["erin"]["managed_policies"] == [f"arn:aws:iam::{OTHER}:policy/QueueAdmin"]
    assert set(model["roles"]) == {"worker"}


@pytest.mark.parametrize(("name", "where"), [("truncated.json", (14, 18)), ("truncated-pages.json", (125, 20))])
def test_a_truncated_export_is_refused(name: str, where: tuple[int, int]) -> None:
    with pytest.raises(SchemaError) as caught:
        gaad(name)
    assert "truncated" in caught.value.message
    location = caught.value.location
    assert location is not None and (location.line, location.column) == where
    assert caught.value.hint and "every page" in caught.value.hint


def test_several_files_give_several_accounts() -> None:
    imported = gaad("account.json", "pages.json")
    assert set(imported.data["accounts"]) == {ACCOUNT, OTHER}


def test_the_same_entity_in_two_files_is_kept_once() -> None:
    twice = gaad("account.json", "account.json")
    assert messages(twice) == messages(gaad("account.json")) * 2  # only the per-file drift notes, no conflict
    assert account(twice) == account(gaad("account.json"))


def test_the_same_entity_given_differently_is_a_warning_naming_both(tmp_path: Path) -> None:
    changed = json.loads((FIXTURES / "pages.json").read_text())
    changed[0]["UserDetailList"][0]["GroupList"] = []
    copy = tmp_path / "changed.json"
    copy.write_text(json.dumps(changed, indent=2))
    imported = import_gaad([FIXTURES / "pages.json", copy])
    (conflict,) = [m for m in messages(imported) if "given twice" in m]
    assert f"user `arn:aws:iam::{OTHER}:user/erin`" in conflict and str(FIXTURES / "pages.json") in conflict
    assert account(imported, OTHER)["users"]["erin"]["groups"] == ["Ops"]  # the first is kept


def test_url_encoded_documents_are_decoded() -> None:
    model = account(gaad("url-encoded.json"), OTHER)
    assert model["roles"]["encoded"]["trust_policy"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    put = model["roles"]["encoded"]["inline_policies"]["put"]["Statement"][0]
    assert put["Resource"] == "arn:aws:s3:::acme-100%-bucket/*"  # `%25` decodes to `%`
    assert model["users"]["gina"]["inline_policies"]["logs"]["Statement"][0]["Sid"] == "Logs"
    assert model["policies"]["Cap"]["Statement"][0]["Sid"] == "Cap"
    assert model["users"]["gina"]["permissions_boundary"] == f"arn:aws:iam::{OTHER}:policy/Cap"


def test_json_string_documents_are_parsed() -> None:
    model = account(gaad("json-strings.json"), OTHER)
    assert model["roles"]["stringly"]["trust_policy"]["Version"] == "2012-10-17"
    assert model["policies"]["Strings"]["Statement"][0]["Action"] == "dynamodb:GetItem"
    assert model["users"]["hank"]["inline_policies"]["logs"]["Statement"][0]["Action"] == "logs:PutLogEvents"
    assert model["users"]["hank"]["tags"] == {"team": "red"}


def test_a_document_that_is_not_json_is_a_located_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        gaad("bad-document.json")
    assert "the trust policy is not a URL-encoded JSON policy document" in caught.value.message
    location = caught.value.location
    assert location is not None and location.line == 9
    assert location.path == ("RoleDetailList", 0, "AssumeRolePolicyDocument")


def test_a_file_that_is_not_a_gaad_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="not a page of `aws iam get-account-authorization-details`"):
        gaad("not-gaad.json")
    scalar = tmp_path / "scalar.json"
    scalar.write_text("[1, 2]")
    with pytest.raises(SchemaError, match="an object, or a list of pages"):
        import_gaad([scalar])


def test_a_field_of_the_wrong_type_is_a_located_schema_error(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "pages.json").read_text())
    data[0]["UserDetailList"][0]["GroupList"] = "Ops"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, indent=2))
    with pytest.raises(SchemaError) as caught:
        import_gaad([bad])
    assert caught.value.message == "`GroupList` must be an array, got a string"
    assert caught.value.location is not None and caught.value.location.path == (0, "UserDetailList", 0, "GroupList")


# ---------------------------------------------------------------- default versions and contradictions


def test_several_default_versions() -> None:
    imported = gaad("several-defaults.json")
    policies = account(imported, OTHER)["policies"]
    assert policies["TieBroken"]["Statement"][0]["Sid"] == "Two"  # DefaultVersionId breaks the tie
    assert "default version" in reason(policies["NoTieBreak"])  # nothing breaks it: unknown, not a guess
    assert policies["NoneMarked"]["Statement"][0]["Sid"] == "Three"
    assert policies["MarkedWins"]["Statement"][0]["Sid"] == "One"
    assert policies["FirstIsNotDefault"]["Statement"][0]["Sid"] == "Three"
    ivan = account(imported, OTHER)["users"]["ivan"]
    assert ivan["managed_policies"] == [f"arn:aws:iam::{OTHER}:policy/NoTieBreak"]  # resolves, to an unknown
    tie = next(m for m in messages(imported) if "TieBroken" in m)
    assert "several versions" in tie and tie.count("IsDefaultVersion") == 2  # both places named
    assert "PolicyVersionList[0]" in tie and "PolicyVersionList[1]" in tie


def test_contradicting_arns_are_warnings_naming_both_places() -> None:
    imported = gaad("contradicting.json")
    assert set(imported.data["accounts"]) == {OTHER}  # the account most ARNs name
    stray = next(m for m in messages(imported) if "333344445555" in m)
    assert "(as at " in stray and "UserDetailList[0].Arn" in stray
    where = next(w.location for w in imported.warnings if "333344445555" in w.message)
    assert where.path == ("RoleDetailList", 1, "Arn")
    assert any("names account `aws`" in m for m in messages(imported))  # a user ARN in account `aws`
    path = next(m for m in messages(imported) if "`Path` `/job-function/`" in m)
    assert "the ARN's `/` is used" in path and "UserDetailList[3].Arn" in path
    shared = f"`RoleId` `AROASHARED-AXXXXXXXX` is also the id of `arn:aws:iam::{OTHER}:role/shared-a`"
    assert any(m.startswith(shared) for m in messages(imported))
    assert any("`UserId` `user-ned` does not start with `AIDA`" in m for m in messages(imported))
    assert "path" not in account(imported, OTHER)["users"]["mia"]


def test_the_imports_account_wins() -> None:
    imported = gaad("contradicting.json", account="999999999999")
    assert set(imported.data["accounts"]) == {"999999999999"}
    first = next(m for m in messages(imported) if f"names account `{OTHER}`" in m)
    assert "the import's `account:` is `999999999999`" in first and "5 more ARNs" in first
    assert "arn:aws:iam::999999999999:user/jane" in imported.data["user_ids"]


def test_an_export_without_a_valid_account_needs_account(tmp_path: Path) -> None:
    only_aws = tmp_path / "aws-users.json"
    only_aws.write_text(json.dumps({"UserDetailList": [{"UserName": "x", "Arn": "arn:aws:iam::aws:user/x"}]}))
    with pytest.raises(SchemaError, match="names no valid account") as caught:
        import_gaad([only_aws])
    assert caught.value.hint and "account:" in caught.value.hint
    assert set(import_gaad([only_aws], account=OTHER).data["accounts"]) == {OTHER}
    with pytest.raises(SchemaError, match="must be 12 digits"):
        import_gaad([only_aws], account="1234")


# ---------------------------------------------------------------- sources


def test_every_entity_has_its_source() -> None:
    imported = gaad("account.json", "pages.json")
    alice = imported.sources[("accounts", ACCOUNT, "users", "alice")]
    assert alice == Location(str(FIXTURES / "account.json"), 3, 9, ("UserDetailList", 0))
    erin = imported.sources[("accounts", OTHER, "users", "erin")]
    assert erin.path == (0, "UserDetailList", 0)  # a list of pages: the page's index first
    boundary = imported.sources[("accounts", ACCOUNT, "users", "bob", "permissions_boundary")]
    assert boundary.path == ("UserDetailList", 1, "PermissionsBoundary")
    statement = imported.sources[("accounts", ACCOUNT, "policies", "AppRead", "Statement", 0)]
    assert statement.path == ("Policies", 0, "PolicyVersionList", 1, "Document", "Statement", 0)
    inline = imported.sources[("accounts", ACCOUNT, "roles", "app-role", "inline_policies", "send-jobs")]
    assert inline.path == ("RoleDetailList", 0, "RolePolicyList", 0, "PolicyDocument")
    override = imported.sources[("managed_overrides", "arn:aws:iam::aws:policy/AWSCodeCommitPowerUser")]
    assert override.path == ("Policies", 3, "PolicyVersionList", 1, "Document")
    for kind in ("users", "groups", "roles", "policies"):
        for name in account(imported)[kind]:
            assert ("accounts", ACCOUNT, kind, name) in imported.sources, (kind, name)


def test_files_are_read_only_by_the_bounded_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every export is read by `policysim.load` (`read_limited`: regular files only, the size checked first)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a file was opened outside policysim.load: {args[:1]}")

    real_open = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(FIXTURES) in str(file):
            refuse(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)
    for method in ("open", "read_text", "read_bytes"):
        monkeypatch.setattr(pathlib.Path, method, refuse)
    imported = import_gaad(
        [FIXTURES / "account.json"],
        resource_policies=[FIXTURES / "resource-policies" / "kms-get-key-policy.json"],
        organization=FIXTURES / "organization.json",
    )
    assert imported.data["organization"]["id"] == "o-a1b2c3d4e5"
