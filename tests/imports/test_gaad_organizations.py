"""An AWS Organizations export beside a GAAD export: the tree, SCPs and RCPs into `organization:` and the accounts'
`scps`/`rcps`; whatever the export cannot tell is unknown, never FullAWSAccess (docs/imports.md, GAAD)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policysim.errors import SchemaError
from policysim.imports.gaad import import_gaad
from policysim.imports.model import Imported, is_unknown

FIXTURES = Path(__file__).parent / "fixtures" / "gaad"
ORG = FIXTURES / "organization.json"
ACCOUNT = "111122223333"


def with_org(org: Path, gaad: str = "account.json") -> Imported:
    return import_gaad([FIXTURES / gaad], organization=org)


def reasons(refs: list[Any]) -> list[str]:
    return [ref["unknown"]["reason"] for ref in refs if is_unknown(ref)]


def names(refs: list[Any]) -> list[str]:
    return [ref for ref in refs if isinstance(ref, str)]


def edited(tmp_path: Path, change: Any) -> Path:
    data = json.loads(ORG.read_text())
    change(data)
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def test_the_organization_and_its_tree() -> None:
    imported = with_org(ORG)
    org = imported.data["organization"]
    assert org["id"] == "o-a1b2c3d4e5" and org["management_account"] == "999988887777"
    # OU names are not unique: the two `Prod` are told apart by id; a unit's parent is named by its key
    assert org["units"]["Workloads"]["parent"] == "root"
    assert org["units"]["Prod (ou-ab12-22222222)"]["parent"] == "Workloads"
    assert org["units"]["Prod (ou-ab12-44444444)"]["parent"] == "Sandbox"
    assert org["units"]["Prod (ou-ab12-22222222)"]["accounts"] == [ACCOUNT]
    assert org["units"]["Sandbox"]["accounts"] == ["444455556666"]
    assert org["root"]["accounts"] == ["999988887777", "777788889999", "123412341234"]
    assert imported.data["accounts"]["444455556666"]["name"] == "sandbox"
    assert imported.sources[("organization", "units", "Sandbox")].path == ("OrganizationalUnits", 2)
    assert "SCPs and RCPs: no organization export given" not in imported.absent


def test_scps_and_rcps_as_attached() -> None:
    imported = with_org(ORG)
    org = imported.data["organization"]
    assert org["root"]["scps"] == ["FullAWSAccess", "DenyLeaveOrganization"]
    assert org["units"]["Workloads"]["scps"] == ["FullAWSAccess", "RegionGuardrail"]
    assert org["units"]["Sandbox"]["scps"] == ["SandboxAllowList"]  # FullAWSAccess detached: an allow-list
    # a policy name IAM's rule does not allow (spaces) is keyed by its id
    assert imported.data["accounts"][ACCOUNT]["scps"] == ["FullAWSAccess", "p-nodelete"]
    assert org["policies"]["p-nodelete"]["Statement"][0]["Sid"] == "NoBucketDelete"
    # the AWS managed policies are the built-in names, not copies; RCPFullAWSAccess is always there
    assert "FullAWSAccess" not in org["policies"] and "RCPFullAWSAccess" not in org["policies"]
    assert org["root"]["rcps"] == ["DenyExternalS3"]
    assert "rcps" not in org["units"]["Workloads"]
    assert "CostCenterTags" not in org["policies"]  # a tag policy decides no access
    assert "scps" not in imported.data["accounts"]["999988887777"]  # SCPs never restrict the management account


def test_what_the_export_cannot_tell_is_unknown() -> None:
    imported = with_org(ORG)
    org = imported.data["organization"]
    (no_scp,) = reasons(org["units"]["Prod (ou-ab12-44444444)"]["scps"])
    assert "no SCP attached to OU `Prod (ou-ab12-44444444)` is in the export" in no_scp
    assert is_unknown(org["policies"]["RcpWithoutContent"])
    assert "content" in org["policies"]["RcpWithoutContent"]["unknown"]["reason"]
    legacy = imported.data["accounts"]["777788889999"]
    assert names(legacy["scps"]) == ["FullAWSAccess"]
    assert reasons(legacy["scps"]) == [
        "the parent `ou-ab12-99999999` of account `777788889999` is not in the export: the SCPs above it are unknown"
    ]
    assert len(reasons(legacy["rcps"])) == 1
    orphan = imported.data["accounts"]["123412341234"]
    assert "the export gives no parent of account `123412341234`" in reasons(orphan["scps"])[0]
    assert orphan["scps"][0] == "FullAWSAccess"
    assert any(item.startswith("IAM (users, groups, roles) of accounts `999988887777`") for item in imported.absent)


def test_a_members_view_places_the_iam_accounts_with_unknown_policies() -> None:
    imported = with_org(FIXTURES / "organization-member.json")
    org = imported.data["organization"]
    assert org["id"] == "o-a1b2c3d4e5"
    assert org["root"]["accounts"] == [ACCOUNT, "999988887777"]
    assert "the export does not list the SCPs" in reasons(org["root"]["scps"])[0]
    assert "the export does not list the RCPs" in reasons(org["root"]["rcps"])[0]
    mine = imported.data["accounts"][ACCOUNT]
    assert "the SCPs above `111122223333` are unknown" in reasons(mine["scps"])[0]
    assert any("where account `111122223333` sits" in item for item in imported.absent)


def test_policies_of_a_disabled_type_do_not_apply(tmp_path: Path) -> None:
    def disable(data: dict[str, Any]) -> None:
        data["Roots"][0]["PolicyTypes"] = [{"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]

    imported = with_org(edited(tmp_path, disable))
    org = imported.data["organization"]
    assert "scps" not in org["root"] and all("scps" not in unit for unit in org["units"].values())
    assert "scps" not in imported.data["accounts"][ACCOUNT]
    assert org["root"]["rcps"] == ["DenyExternalS3"]


def test_a_policy_without_targets_is_unknown_at_the_root(tmp_path: Path) -> None:
    def untarget(data: dict[str, Any]) -> None:
        del data["Policies"][2]["Targets"]  # RegionGuardrail

    org = with_org(edited(tmp_path, untarget)).data["organization"]
    assert "where SCP `RegionGuardrail` is attached is not in the export" in reasons(org["root"]["scps"])[0]
    assert org["units"]["Workloads"]["scps"] == ["FullAWSAccess"]


def test_describe_policy_output_may_be_given_whole(tmp_path: Path) -> None:
    def wrap(data: dict[str, Any]) -> None:
        entry = data["Policies"][1]
        data["Policies"][1] = {
            "Policy": {"PolicySummary": entry["PolicySummary"], "Content": entry["Content"]},
            "Targets": entry["Targets"],
        }

    org = with_org(edited(tmp_path, wrap)).data["organization"]
    assert org["policies"]["DenyLeaveOrganization"]["Statement"][0]["Sid"] == "NoLeaving"


def test_an_iam_account_outside_the_listed_accounts_is_a_warning() -> None:
    imported = with_org(ORG, gaad="pages.json")  # account 222233334444 is not in the organization
    assert any(
        "`222233334444` of the IAM export is not among the organization's accounts" in w.message
        for w in imported.warnings
    )
    assert "scps" not in imported.data["accounts"]["222233334444"]


def test_an_export_without_an_organization_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    path.write_text(json.dumps({"Accounts": [{"Id": ACCOUNT, "Name": "x"}]}))
    with pytest.raises(SchemaError, match="names no organization id") as caught:
        with_org(path)
    assert caught.value.hint and "describe-organization" in caught.value.hint


def test_the_id_and_management_account_from_the_arns(tmp_path: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["Organization"]

    org = with_org(edited(tmp_path, drop)).data["organization"]
    assert org["id"] == "o-a1b2c3d4e5" and org["management_account"] == "999988887777"
