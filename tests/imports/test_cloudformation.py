"""The CloudFormation importer: templates (and their parameters) -> `Imported` scenario data, unknowns kept."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from policysim.errors import ParseError, SchemaError
from policysim.imports import cfn_intrinsics
from policysim.imports.cloudformation import import_cloudformation
from policysim.imports.model import Imported, is_unknown

FIXTURES = Path(__file__).parent / "fixtures" / "cloudformation"
ACCOUNT = "111111111111"


def load(name: str, **options: Any) -> Imported:
    options.setdefault("account", ACCOUNT)
    options.setdefault("region", "us-east-1")
    return import_cloudformation([FIXTURES / name], **options)


def account(imported: Imported, account_id: str = ACCOUNT) -> dict[str, Any]:
    found: dict[str, Any] = imported.data["accounts"][account_id]
    return found


def role_named(imported: Imported, logical_id: str) -> tuple[str, dict[str, Any]]:
    arn = imported.aliases[f"cloudformation:{logical_id}"]
    name = arn.rsplit("/", 1)[1]
    return name, account(imported)["roles"][name]


def unknown_reason(value: Any) -> str:
    assert is_unknown(value), value
    reason: str = value["unknown"]["reason"]
    return reason


def test_short_forms_parameters_defaults_mappings_and_conditions() -> None:
    imported = load("app.yaml", stack_name="app")
    _, role = role_named(imported, "AppRole")
    assert role["path"] == "/app/"
    assert role["max_session_duration"] == 7200
    assert role["trust_policy"]["Version"] == "2012-10-17"  # the unquoted date, as text
    assert role["managed_policies"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    statements = role["inline_policies"]["read-logs"]["Statement"]
    assert statements[0]["Resource"] == "arn:aws:s3:::app-logs-111111111111-test/test/*"  # Sub, Join, FindInMap
    assert len(statements) == 2  # the !If [IsProd, ..., AWS::NoValue] item is removed (Environment defaults to test)
    assert statements[1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}  # an unquoted boolean as text
    assert role["tags"] == {"Environment": "test"}  # the NoValue tag is removed
    assert "prod-operator" not in account(imported).get("users", {})  # its condition IsProd is false


def test_parameters_from_a_cloudformation_list_file() -> None:
    imported = load("app.yaml", stack_name="app", parameters=FIXTURES / "params-list.json")
    _, role = role_named(imported, "AppRole")
    statements = role["inline_policies"]["read-logs"]["Statement"]
    assert [s["Action"] for s in statements] == [["s3:GetObject"], "s3:PutObject", "s3:*"]
    assert statements[0]["Resource"].endswith("-prod/prod/*")
    assert role["tags"] == {"Environment": "prod", "Critical": "yes"}
    partner = account(imported)["roles"]["partner-prod"]
    assert partner["trust_policy"]["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert "prod-operator" in account(imported)["users"]


@pytest.mark.parametrize(
    "parameters", [FIXTURES / "params-map.yaml", {"Environment": "prod", "PartnerAccount": "333333333333"}]
)
def test_parameters_from_a_map(parameters: Any) -> None:
    imported = load("app.yaml", parameters=parameters)
    principal = account(imported)["roles"]["partner-prod"]["trust_policy"]["Statement"][0]["Principal"]
    assert principal == {"AWS": "arn:aws:iam::333333333333:root"}


def test_a_parameter_without_a_value_is_unknown_where_it_decides() -> None:
    imported = load("app.yaml", stack_name="app")
    partner = account(imported)["roles"]["partner-test"]  # its name does not depend on the unknown
    for value in (partner["trust_policy"], partner["inline_policies"]["partner-read"], partner["managed_policies"][0]):
        reason = unknown_reason(value)
        assert "condition `HasPartner`" in reason and "parameter `PartnerAccount` has no value" in reason
        assert re.fullmatch(r".*app\.yaml:\d+:\d+", value["unknown"]["source"])
    assert not any(is_unknown(doc) for doc in account(imported)["buckets"].values())


def test_a_value_outside_allowed_values_is_a_warning_and_unknown() -> None:
    imported = load("app.yaml", stack_name="app", parameters=FIXTURES / "params-refused.json")
    messages = [w.message for w in imported.warnings]
    assert any("`staging` of parameter `Environment` is not among its AllowedValues" in m for m in messages)
    assert any("parameter `Unused` is not declared" in m for m in messages)
    refused = next(w for w in imported.warnings if "staging" in w.message)
    assert refused.location.file is not None and refused.location.file.endswith("params-refused.json")
    assert refused.location.line == 2
    # the bucket's name depends on Environment: it gets a symbolic name, and says so
    assert any("the name of `LogsBucket` is unknown" in m for m in messages)
    _, role = role_named(imported, "AppRole")
    assert "AllowedValues" in unknown_reason(role["inline_policies"]["read-logs"])


def test_a_dynamic_reference_is_unknown() -> None:
    imported = load("app.yaml")
    doc = account(imported)["roles"]["db-reader"]["inline_policies"]["read-secret"]
    assert (
        unknown_reason(doc)
        == "dynamic reference `{{resolve:ssm:/app/db-secret-arn}}` is resolved when the stack is deployed"
    )
    assert doc["unknown"]["source"].endswith("app.yaml:134:27")


def test_generated_names_are_symbolic_identities_that_references_match() -> None:
    imported = load("app.yaml", stack_name="app")
    name, role = role_named(imported, "AppRole")
    assert re.fullmatch(r"app-AppRole-[A-Z2-7]{12}", name)
    arn = f"arn:aws:iam::111111111111:role/app/{name}"
    assert imported.aliases["cloudformation:AppRole"] == arn
    assert role["role_id"].startswith("AROA")
    bucket = account(imported)["buckets"]["app-logs-111111111111-test"]
    assert bucket["policy"]["Statement"][0]["Principal"] == {"AWS": arn}  # !GetAtt AppRole.Arn
    assert re.fullmatch(
        r"app-artifactbucket-[a-z2-7]{12}", imported.aliases["cloudformation:ArtifactBucket"].split(":::")[1]
    )
    assert load("app.yaml", stack_name="app").aliases == imported.aliases  # stable from one import to the next
    other = load("app.yaml", stack_name="other").aliases["cloudformation:AppRole"]
    assert other.startswith("arn:aws:iam::111111111111:role/app/other-AppRole-") and other != arn


def test_generated_names_fit_the_service_limits() -> None:
    imported = load("app.yaml", stack_name="a-very-long-stack-name-that-goes-on-and-on-and-on-for-ever")
    name, _ = role_named(imported, "AppRole")
    bucket = imported.aliases["cloudformation:ArtifactBucket"].split(":::")[1]
    assert len(name) <= 64 and len(bucket) <= 63 and bucket == bucket.lower()


def test_sources_name_the_logical_id_and_the_documents() -> None:
    imported = load("app.yaml", stack_name="app")
    name, _ = role_named(imported, "AppRole")
    where = imported.sources[("accounts", ACCOUNT, "roles", name)]
    assert (Path(where.file or "").name, where.line, where.column, where.path) == (
        "app.yaml",
        37,
        3,
        ("Resources", "AppRole"),
    )
    trust = imported.sources[("accounts", ACCOUNT, "roles", name, "trust_policy", "Statement", 0, "Principal")]
    assert (trust.line, trust.path[-1]) == (46, "Principal")
    bucket = imported.sources[("accounts", ACCOUNT, "buckets", "app-logs-111111111111-test")]
    assert bucket.line == 27


def test_unsupported_types_are_listed_not_silently_dropped() -> None:
    imported = load("app.yaml")
    assert "resources of types policysim does not import: AWS::EC2::VPC (Vpc)" in imported.absent
    assert "SCPs and RCPs: the templates define no organization (the account may be in one)" in imported.absent
    assert "KMS grants" not in imported.absent and any("Block Public Access" in line for line in imported.absent)


def test_json_template_iam() -> None:
    imported = load("resources.json", region="eu-west-1")
    acct = account(imported)
    assert (
        acct["groups"]["data-developers"]["inline_policies"]["list-buckets"]["Statement"][0]["Action"]
        == "s3:ListAllMyBuckets"
    )
    alice = acct["users"]["alice"]
    assert alice == {
        "tags": {"team": "data"},
        "permissions_boundary": "developer-boundary",
        "path": "/people/",
        "groups": ["data-developers"],
    }
    assert acct["users"]["carol"]["groups"] == ["data-developers"]  # UserToGroupAddition
    # a group outside the templates: its policies are unknown
    assert "group `legacy-admins` is not defined" in unknown_reason(acct["users"]["bob"]["managed_policies"][0])
    queue_access = imported.aliases["cloudformation:QueueAccess"]
    assert queue_access.startswith("arn:aws:iam::111111111111:policy/team/resources-QueueAccess-")
    policy_name = queue_access.rsplit("/", 1)[1]
    assert acct["policies"][policy_name]["Statement"][0]["Resource"] == "arn:aws:sqs:eu-west-1:111111111111:jobs"
    assert acct["groups"]["data-developers"]["managed_policies"] == [policy_name]
    worker = acct["roles"]["worker"]
    assert worker["managed_policies"][0] == policy_name  # `Ref` of a managed policy is its ARN, entered by name
    assert "not-in-the-template" in unknown_reason(worker["managed_policies"][1])
    assert set(worker["inline_policies"]) == {"publish", "read-secret"}  # AWS::IAM::Policy and RolePolicy
    assert worker["inline_policies"]["read-secret"]["Statement"][0]["Resource"].startswith(
        "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-password-"
    )
    # a role the templates attach to but do not define: imported with that policy, the rest unknown
    elsewhere = acct["roles"]["some-role-elsewhere"]
    assert elsewhere["inline_policies"]["publish"]["Statement"][0]["Action"] == "sns:Publish"
    assert "`some-role-elsewhere` is not defined in the imported templates" in unknown_reason(elsewhere["trust_policy"])
    assert "other policies are unknown" in unknown_reason(elsewhere["managed_policies"][0])
    assert imported.sources[("accounts", ACCOUNT, "roles", "some-role-elsewhere")].path[-2:] == ("Roles", 1)


def _resource(imported: Imported, prefix: str) -> dict[str, Any]:
    return next(r for r in account(imported)["resources"] if r["arn"].startswith(prefix))


def test_json_template_resource_policies() -> None:
    imported = load("resources.json", region="eu-west-1")
    jobs = _resource(imported, "arn:aws:sqs:eu-west-1:111111111111:jobs")
    assert jobs["tags"] == {"team": "data"}
    topic_arn = imported.aliases["cloudformation:Events"]
    assert jobs["policy"]["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": topic_arn}}
    assert "parameter `OrgId` has no value" in unknown_reason(_resource(imported, topic_arn)["policy"])
    data_key = _resource(imported, imported.aliases["cloudformation:DataKey"])
    assert data_key["policy"]["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111111111111:role/worker"}
    default_key = _resource(imported, imported.aliases["cloudformation:DefaultKey"])
    assert default_key["policy"]["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert re.fullmatch(r"arn:aws:kms:eu-west-1:111111111111:key/[0-9a-f-]{36}", default_key["arn"])
    secret = _resource(imported, "arn:aws:secretsmanager:")
    assert secret["policy"]["Statement"][0]["Sid"] == "DenyOthers"
    handler = _resource(imported, "arn:aws:lambda:eu-west-1:111111111111:function:handler")
    first, second = handler["policy"]["Statement"]
    assert first["Principal"] == {"Service": "sns.amazonaws.com"}
    assert first["Condition"] == {"ArnLike": {"AWS:SourceArn": topic_arn}}
    assert second["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"} and "Condition" not in second
    refused = next(w for w in imported.warnings if "legacy" in w.message)
    assert "has no Principal" in refused.message and refused.location.path == ("Resources", "OpenQueuePolicy")
    assert "policy" not in _resource(imported, "arn:aws:sqs:us-east-1:111111111111:legacy")


def test_a_bucket_policy_outside_its_bucket_is_left_out(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: mine}\n"
        "  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n"
        "        Statement: [{Effect: Allow, Principal: '*', Action: s3:GetObject, Resource: arn:aws:s3:::theirs/*}]\n"
    )
    imported = import_cloudformation([template], account=ACCOUNT, region="us-east-1")
    assert account(imported)["buckets"]["mine"] == {}
    assert any("not in bucket `arn:aws:s3:::mine`" in w.message for w in imported.warnings)


def test_intrinsic_functions_at_their_edges() -> None:
    imported = load("intrinsics.yaml", region="eu-west-1")
    role = account(imported)["roles"]["beta-eu-a"]  # Join, Select over a CommaDelimitedList, FindInMap, Split
    assert role["tags"] == {
        "encoded": "cG9saWN5c2lt",
        "subnet": "10.0.1.0/24",
        "literal": "${NotAVariable}-strict",
        "count": "3",
        "json": '{"a":1}',
        "default": "none",
        "either": "same",  # both branches agree: the unknown condition does not matter
        "strict-or": "yes",  # Or: a true condition decides
        "not-strict-and": "no",  # And: a false condition decides
        "urlsuffix": "amazonaws.com",
    }
    reasons = {name: unknown_reason(doc) for name, doc in role["inline_policies"].items()}
    assert "Availability Zones" in reasons["azs"]
    assert "custom resource `Lookup`" in reasons["custom"]
    assert "read from SSM parameter `/app/db`" in reasons["ssm"]
    assert "stack name is not given" in reasons["stack"]
    assert "macro" in reasons["macro"]
    assert "condition leaves it out" in reasons["gone"]
    assert "buckets" not in account(imported)  # `Absent`'s condition is false
    # a Deny attached to a role whose name is unknown: every role may be the one
    assert "whose name is unknown" in unknown_reason(role["managed_policies"][0])
    warned = " ".join(w.message for w in imported.warnings)
    assert "a tag of `Subject` is unknown" in warned and "StrictAndUnset" in warned


def test_pseudo_parameters_follow_the_region(tmp_path: Path) -> None:
    template = tmp_path / "cn.json"
    template.write_text(
        json.dumps(
            {
                "Resources": {
                    "R": {
                        "Type": "AWS::IAM::Role",
                        "Properties": {
                            "RoleName": {"Fn::Sub": "${AWS::StackName}-${AWS::Region}"},
                            "AssumeRolePolicyDocument": {
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "sts:AssumeRole",
                                        "Principal": {"Service": {"Fn::Sub": "ec2.${AWS::URLSuffix}"}},
                                    }
                                ]
                            },
                            "Policies": [
                                {
                                    "PolicyName": "id",
                                    "PolicyDocument": {
                                        "Statement": [
                                            {
                                                "Effect": "Allow",
                                                "Action": "s3:*",
                                                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AWS::StackId}"},
                                            }
                                        ]
                                    },
                                }
                            ],
                        },
                    }
                }
            }
        )
    )
    imported = import_cloudformation([template], account="222222222222", region="cn-north-1", stack_name="s")
    acct = account(imported, "222222222222")
    assert acct["partition"] == "aws-cn"
    role = acct["roles"]["s-cn-north-1"]
    assert role["trust_policy"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com.cn"}
    assert "stack id" in unknown_reason(role["inline_policies"]["id"])
    assert imported.aliases["cloudformation:R"] == "arn:aws-cn:iam::222222222222:role/s-cn-north-1"


def test_organizations() -> None:
    imported = load("org.yaml", region="eu-west-1")
    org = imported.data["organization"]
    assert org["management_account"] == ACCOUNT
    assert re.fullmatch(r"o-[a-z2-7]{10}", org["id"])
    assert org["units"]["Workloads"] == {"parent": "root", "rcps": ["OrgOnlyS3"]}
    assert org["units"]["Prod"] == {"parent": "Workloads", "scps": ["FullAWSAccess", "DenyLeaveOrganization"]}
    assert org["root"]["scps"][:2] == ["FullAWSAccess", "DenyLeaveOrganization"]
    assert "`ExtraTarget` has no value" in unknown_reason(org["root"]["scps"][2])  # may apply to every account
    assert org["policies"]["RegionLock"]["Statement"][0]["NotAction"] == ["iam:*", "sts:*"]  # Content as a JSON string
    assert org["policies"]["OrgOnlyS3"]["Statement"][0]["Condition"]["StringNotEqualsIfExists"] == {
        "aws:PrincipalOrgID": org["id"]
    }
    assert "TagRules" not in org["policies"]
    assert account(imported, "333333333333")["scps"] == ["FullAWSAccess", "DenyLeaveOrganization"]
    assert "333333333333" in org["root"]["accounts"]
    assert any("account 333333333333" in line for line in imported.absent)
    assert any("`NewAccount` gets its id when it is created" in w.message for w in imported.warnings)


def test_a_transform_is_a_warning(tmp_path: Path) -> None:
    template = tmp_path / "sam.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
    )
    imported = import_cloudformation([template], account=ACCOUNT, region="us-east-1")
    assert any(
        "transform `AWS::Serverless-2016-10-31` runs when the stack is deployed" in w.message for w in imported.warnings
    )
    assert any("AWS::Serverless::Function (Fn)" in line for line in imported.absent)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"account": "1111"}, "not a 12-digit account id"),
        ({"region": "mars"}, "not an AWS Region name"),
    ],
)
def test_refused_environments(options: dict[str, str], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        load("app.yaml", **options)


def test_stack_name_names_one_template() -> None:
    with pytest.raises(SchemaError, match="stack_name names one stack"):
        import_cloudformation(
            [FIXTURES / "app.yaml", FIXTURES / "resources.json"], account=ACCOUNT, region="us-east-1", stack_name="x"
        )


def test_an_unreadable_template_is_a_located_error(tmp_path: Path) -> None:
    template = tmp_path / "bad.yaml"
    template.write_text("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Type: AWS::IAM::User\n")
    with pytest.raises(SchemaError) as caught:
        import_cloudformation([template], account=ACCOUNT, region="us-east-1")
    assert caught.value.location is not None and caught.value.location.line == 4
    with pytest.raises(ParseError, match="cannot read file"):
        import_cloudformation([tmp_path / "missing.yaml"], account=ACCOUNT, region="us-east-1")


def test_a_bad_parameters_file_is_a_located_error(tmp_path: Path) -> None:
    parameters = tmp_path / "p.json"
    parameters.write_text('[{"ParameterValue": "x"}]')
    with pytest.raises(SchemaError, match="ParameterKey"):
        load("app.yaml", parameters=parameters)


def test_use_previous_value_is_unknown(tmp_path: Path) -> None:
    parameters = tmp_path / "p.json"
    parameters.write_text('[{"ParameterKey": "PartnerAccount", "UsePreviousValue": true}]')
    imported = load("app.yaml", parameters=parameters)
    assert "UsePreviousValue" in unknown_reason(account(imported)["roles"]["partner-test"]["trust_policy"])


def test_deep_and_costly_templates_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chain = {f"C{i}": {"Condition": f"C{i + 1}"} for i in range(600)}
    chain["C600"] = {"Fn::Equals": [{"Ref": "Unset"}, "x"]}
    deep = tmp_path / "deep.json"
    deep.write_text(
        json.dumps(
            {
                "Parameters": {"Unset": {"Type": "String"}},
                "Conditions": chain,
                "Resources": {"R": {"Type": "AWS::IAM::Role", "Condition": "C0", "Properties": {"RoleName": "r"}}},
            }
        )
    )
    imported = import_cloudformation([deep], account=ACCOUNT, region="us-east-1")
    assert "nest too deeply" in unknown_reason(account(imported)["roles"]["r"]["managed_policies"][0])
    monkeypatch.setattr(cfn_intrinsics, "MAX_STEPS", 50)  # evaluation is linear in the template; the cap stays
    with pytest.raises(ParseError, match="too complex to evaluate"):
        load("app.yaml")


def test_a_multi_region_key_id(tmp_path: Path) -> None:
    template = tmp_path / "k.yaml"
    template.write_text("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties: {MultiRegion: true}\n")
    arn = import_cloudformation([template], account=ACCOUNT, region="us-east-1").aliases["cloudformation:K"]
    assert re.fullmatch(r"arn:aws:kms:us-east-1:111111111111:key/mrk-[0-9a-f]{32}", arn)
