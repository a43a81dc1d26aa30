"""CDK cloud assemblies: the stacks of `cdk.out`, their cross-stack references, their symbolic identities."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from policysim.errors import SchemaError
from policysim.imports.cloudformation import import_cloudformation
from policysim.imports.model import Imported, is_unknown

ASSEMBLY = Path(__file__).parent / "fixtures" / "cloudformation" / "cdk.out"
ACCOUNT = "111111111111"


def load(path: Path = ASSEMBLY, **options: Any) -> Imported:
    options.setdefault("account", ACCOUNT)
    options.setdefault("region", "us-east-1")
    return import_cloudformation([path], **options)


def roles(imported: Imported) -> dict[str, Any]:
    found: dict[str, Any] = imported.data["accounts"][ACCOUNT]["roles"]
    return found


def test_every_stack_of_the_manifest_is_imported_with_its_stack_name() -> None:
    imported = load()
    assert set(imported.aliases) == {
        "cloudformation:shared/DataBucketE3889A50",
        "cloudformation:AppStack/HandlerServiceRoleFCDC14AE",
        "cloudformation:AppStack/ReaderRole7F3D2A10",
    }
    bucket = imported.aliases["cloudformation:shared/DataBucketE3889A50"].split(":::")[1]
    assert bucket.startswith("shared-databuckete3889a50-")  # the manifest's stackName, lowercase for S3
    handler = imported.aliases["cloudformation:AppStack/HandlerServiceRoleFCDC14AE"]
    assert handler.startswith("arn:aws:iam::111111111111:role/AppStack-HandlerServiceRoleFCDC14AE-")
    assert imported.data["accounts"][ACCOUNT]["buckets"][bucket]["policy"]["Statement"][0]["Effect"] == "Deny"


def test_a_manifest_file_names_the_same_assembly() -> None:
    assert load(ASSEMBLY / "manifest.json").data == load().data


def test_cross_stack_references_resolve_when_the_exporting_stack_is_imported() -> None:
    imported = load()
    bucket = imported.aliases["cloudformation:shared/DataBucketE3889A50"].split(":::")[1]
    reader = roles(imported)["reader"]
    assert reader["inline_policies"]["read-data"]["Statement"][0]["Resource"] == f"arn:aws:s3:::{bucket}/*"
    handler_arn = imported.aliases["cloudformation:AppStack/HandlerServiceRoleFCDC14AE"]
    assert reader["trust_policy"]["Statement"][0]["Principal"] == {"AWS": handler_arn}
    # an export no imported stack makes stays unknown
    handler = roles(imported)[handler_arn.rsplit("/", 1)[1]]
    policy = handler["inline_policies"]["HandlerServiceRoleDefaultPolicyCBD0CC91"]
    assert is_unknown(policy)
    assert policy["unknown"]["reason"] == "`Fn::ImportValue` of `legacy-parameter-name`: no imported stack exports it"
    assert policy["unknown"]["source"].endswith("AppStack.template.json:34:174")


def test_one_stack_alone_leaves_its_imports_unknown() -> None:
    imported = load(stack_name="AppStack")
    assert set(imported.aliases) == {"cloudformation:HandlerServiceRoleFCDC14AE", "cloudformation:ReaderRole7F3D2A10"}
    reason = roles(imported)["reader"]["inline_policies"]["read-data"]["unknown"]["reason"]
    assert "shared:ExportsOutputRefDataBucketE3889A50D2D1C5E9" in reason
    with pytest.raises(SchemaError, match="no stack `Nope`"):
        load(stack_name="Nope")


def test_the_entry_account_wins_over_the_manifest_environment() -> None:
    imported = import_cloudformation([ASSEMBLY], account="999999999999", region="us-east-1")
    assert set(imported.data["accounts"]) == {"999999999999"}
    warning = next(w for w in imported.warnings if "SharedStack" not in w.message and "shared" in w.message)
    assert "is for account 111111111111, the import's account 999999999999 is used" in warning.message
    assert warning.location.path == ("artifacts", "SharedStack")


def test_what_cdk_adds_is_harmless() -> None:
    imported = load()
    assert not imported.warnings  # BootstrapVersion (an SSM parameter) is never used; Rules are not evaluated
    assert any("AWS::CDK::Metadata (shared/CDKMetadata)" in line for line in imported.absent)


def test_nested_assemblies_of_stages(tmp_path: Path) -> None:
    outer = tmp_path / "cdk.out"
    shutil.copytree(ASSEMBLY, outer / "assembly-Prod")
    (outer / "manifest.json").write_text(
        json.dumps(
            {
                "version": "36.0.0",
                "artifacts": {
                    "assembly-Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}
                },
            }
        )
    )
    assert load(outer).aliases == load().aliases


def test_a_manifest_without_artifacts_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"version": "36.0.0"}')
    with pytest.raises(SchemaError, match="artifacts"):
        load(tmp_path)
