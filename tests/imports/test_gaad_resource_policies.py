"""Resource-policy exports beside a GAAD export: the shape each AWS CLI call prints, into `buckets:` or `resources:`
of the owning account; policies AWS would refuse to store are warnings and left out (docs/imports.md, GAAD)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policysim.errors import ParseError, SchemaError
from policysim.imports.gaad import import_gaad
from policysim.imports.model import Imported
from policysim.imports.resource_policies import _within_bucket

FIXTURES = Path(__file__).parent / "fixtures" / "gaad"
POLICIES = FIXTURES / "resource-policies"
ACCOUNT = "111122223333"


def with_policies(*files: Path, gaad: str = "account.json", **options: Any) -> Imported:
    return import_gaad([FIXTURES / gaad], resource_policies=list(files), **options)


def resources(imported: Imported, account: str = ACCOUNT) -> dict[str, dict[str, Any]]:
    return {item["arn"]: item for item in imported.data["accounts"][account].get("resources", [])}


def write(tmp_path: Path, data: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.mark.parametrize(
    ("name", "arn", "first_action"),
    [
        (
            "kms-get-key-policy.json",
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "kms:*",
        ),
        ("sqs-get-queue-attributes.json", "arn:aws:sqs:us-east-1:111122223333:jobs", "sqs:SendMessage"),
        ("sns-get-topic-attributes.json", "arn:aws:sns:us-east-1:111122223333:alerts", "SNS:GetTopicAttributes"),
        (
            "lambda-get-policy.json",
            "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer",
            "lambda:InvokeFunction",
        ),
        (
            "secretsmanager-get-resource-policy.json",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1b2c3",
            "secretsmanager:GetSecretValue",
        ),
        ("ecr-get-repository-policy.json", "arn:aws:ecr:us-east-1:111122223333:repository/app", "ecr:BatchGetImage"),
    ],
)
def test_each_resource_policy_export(name: str, arn: str, first_action: str) -> None:
    imported = with_policies(POLICIES / name)
    (resource,) = resources(imported).values()
    assert resource["arn"] == arn
    statement = resource["policy"]["Statement"][0]
    actions = statement["Action"]
    assert (actions if isinstance(actions, str) else actions[0]) == first_action
    where = imported.sources[("accounts", ACCOUNT, "resources", 0)]
    assert where.file == str(POLICIES / name)
    assert imported.sources[("accounts", ACCOUNT, "resources", 0, "policy")].line is not None
    assert not any(item.startswith("resource policies") for item in imported.absent)
    assert not [w for w in imported.warnings if "differs from the one" not in w.message]


def test_a_bucket_policy_names_its_bucket_with_bucket() -> None:
    imported = with_policies(POLICIES / "s3-get-bucket-policy.json")
    bucket = imported.data["accounts"][ACCOUNT]["buckets"]["acme-reports"]
    assert [s["Sid"] for s in bucket["policy"]["Statement"]] == ["PartnerReads", "DenyHttp"]
    assert imported.sources[("accounts", ACCOUNT, "buckets", "acme-reports", "policy")].path == ("Policy",)


def test_sns_keeps_its_2008_version_and_upper_case_actions() -> None:
    (topic,) = resources(with_policies(POLICIES / "sns-get-topic-attributes.json")).values()
    assert topic["policy"]["Version"] == "2008-10-17"
    assert "SNS:Publish" in topic["policy"]["Statement"][0]["Action"]


def test_an_ecr_statement_without_resource_gets_the_repository() -> None:
    (repository,) = resources(with_policies(POLICIES / "ecr-get-repository-policy.json")).values()
    assert repository["policy"]["Statement"][0]["Resource"] == repository["arn"]


def test_a_lambda_policy_is_the_function_its_statements_name_or_arn(tmp_path: Path) -> None:
    (function,) = resources(with_policies(POLICIES / "lambda-get-policy.json")).values()
    assert function["arn"].endswith(":function:thumbnailer")
    wildcard = {
        "Policy": json.dumps(
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "lambda:*", "Resource": "*"}]}
        ),
        "RevisionId": "r",
    }
    with pytest.raises(SchemaError, match="does not name its function") as caught:
        with_policies(write(tmp_path, wildcard))
    assert caught.value.hint and '"Arn"' in caught.value.hint
    given = {**wildcard, "Arn": "arn:aws:lambda:us-east-1:111122223333:function:f:prod"}
    assert "arn:aws:lambda:us-east-1:111122223333:function:f:prod" in resources(with_policies(write(tmp_path, given)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Policy": "{}"}, "`s3api get-bucket-policy` output does not name its bucket"),
        ({"Policy": "{}", "PolicyName": "default"}, "`kms get-key-policy` output does not name its key"),
        ({"Attributes": {"Policy": "{}"}}, "does not name its queue"),
        ({"policyText": "{}", "registryId": ACCOUNT, "repositoryName": "app"}, "does not name its repository"),
        ({"Roles": []}, "not a resource-policy export"),
        ({"Policy": "{}", "PolicyName": "default", "Arn": "arn:aws:sqs:us-east-1:111122223333:q"}, None),
    ],
)
def test_an_export_that_does_not_name_its_resource_is_refused(
    tmp_path: Path, data: dict[str, Any], message: str | None
) -> None:
    path = write(tmp_path, data)
    if message is None:  # `Arn` on a key-policy shape: the ARN decides; a queue is fine
        assert "arn:aws:sqs:us-east-1:111122223333:q" in resources(with_policies(path))
        return
    with pytest.raises(SchemaError, match=message) as caught:
        with_policies(path)
    assert caught.value.location is not None and caught.value.location.file == str(path)


def test_a_kms_export_with_an_arn_of_another_service_is_refused(tmp_path: Path) -> None:
    data = {"Attributes": {"Policy": "{}"}, "Arn": "arn:aws:kms:us-east-1:111122223333:key/k"}
    with pytest.raises(SchemaError, match="is not the ARN of a resource `sqs/sns get-\\*-attributes` reads"):
        with_policies(write(tmp_path, data))


def test_policies_aws_would_refuse_to_store_are_left_out() -> None:
    imported = with_policies(POLICIES / "refused.json")
    buckets = imported.data["accounts"][ACCOUNT]["buckets"]
    assert buckets["acme-builds"] == {}  # the bucket is declared; its policy could not exist
    queue = resources(imported)["arn:aws:sqs:us-east-1:111122223333:MyQueue"]
    assert "policy" not in queue
    refused = [w for w in imported.warnings if "AWS refuses to store" in w.message]
    assert len(refused) == 2
    bucket, queue_warning = refused
    assert "`Resource` `arn:aws:s3:::some-other-bucket/*` lies outside the bucket" in bucket.message
    assert bucket.location.path == (0, "Policy") and bucket.location.line == 4
    assert "statement `MyQueuePolicy` has no `Principal`" in queue_warning.message
    assert queue_warning.message.endswith("left out of the model")


@pytest.mark.parametrize(
    ("resource", "inside"),
    [
        ("arn:aws:s3:::b", True),
        ("arn:aws:s3:::b/key", True),
        ("arn:aws:s3:::b/*", True),
        ("arn:aws:s3:::b/${aws:username}/*", True),
        ("arn:aws:s3:::b*", True),
        ("*", True),
        ("arn:aws:s3:::bb", False),
        ("arn:aws:s3:::other/*", False),
        ("arn:aws:s3:::other*", False),
        ("arn:aws-cn:s3:::b", False),
    ],
)
def test_what_lies_within_a_bucket(resource: str, inside: bool) -> None:
    assert _within_bucket(resource, "arn:aws:s3:::b") is inside


def test_a_bucket_of_an_import_with_several_accounts_needs_account(tmp_path: Path) -> None:
    both = [FIXTURES / "account.json", FIXTURES / "pages.json"]
    bucket = {"Bucket": "shared", "Policy": None}
    with pytest.raises(SchemaError, match="which account owns it") as caught:
        import_gaad(both, resource_policies=[write(tmp_path, bucket)])
    assert caught.value.hint and '"Account"' in caught.value.hint
    owned = import_gaad(both, resource_policies=[write(tmp_path, {**bucket, "Account": "222233334444"})])
    assert owned.data["accounts"]["222233334444"]["buckets"] == {"shared": {}}


def test_several_exports_in_one_file(tmp_path: Path) -> None:
    entries = [
        json.loads((POLICIES / name).read_text()) for name in ("kms-get-key-policy.json", "s3-get-bucket-policy.json")
    ]
    imported = with_policies(write(tmp_path, entries))
    assert len(resources(imported)) == 1 and "acme-reports" in imported.data["accounts"][ACCOUNT]["buckets"]
    assert imported.sources[("accounts", ACCOUNT, "buckets", "acme-reports")].path == (1,)


def test_a_resource_of_another_account_is_placed_there_with_a_warning(tmp_path: Path) -> None:
    data = {"ARN": "arn:aws:secretsmanager:us-east-1:653711331788:secret:x-a1b2c3", "Name": "x"}
    imported = with_policies(write(tmp_path, data))
    assert resources(imported, "653711331788") == {data["ARN"]: {"arn": data["ARN"]}}  # no ResourcePolicy: none
    assert any("`653711331788` is not an account of the IAM export" in w.message for w in imported.warnings)
    assert any(item.startswith("IAM of account `653711331788`") for item in imported.absent)


def test_a_resource_whose_arn_names_no_valid_account_is_left_out(tmp_path: Path) -> None:
    data = {"ARN": "arn:aws:secretsmanager:us-east-1:1234567890123:secret:x-a1b2c3", "Name": "x"}
    imported = with_policies(write(tmp_path, data))
    assert any("names no valid account (`1234567890123`); left out" in w.message for w in imported.warnings)
    assert "1234567890123" not in imported.data["accounts"]


def test_a_policy_that_is_not_json_is_a_located_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, {"Bucket": "b", "Policy": '{"Version": '})
    with pytest.raises(ParseError) as caught:
        with_policies(path)
    assert "is not a JSON policy document" in caught.value.message
    assert caught.value.location is not None and caught.value.location.path == ("Policy",)
