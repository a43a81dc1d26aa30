"""The Terraform plan importer: every resource kind, unknowns, child modules, deferred data sources, generated names,
deleted resources, plan formats, the account and region, and what it never echoes.

The fixtures are written by tests/imports/fixtures/terraform/generate.py (see there for what each plan holds).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from policysim.errors import PolicysimError, SchemaError, UnsupportedError
from policysim.imports.model import Imported, is_unknown
from policysim.imports.terraform import import_terraform_plan
from policysim.imports.terraform_model import digest
from policysim.imports.terraform_plan import module_calls, steps
from policysim.imports.terraform_policy import parse_document
from policysim.load import Document
from policysim.model.scenario import ScenarioFile
from policysim.model.validation import validate

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
PLAN = FIXTURES / "plan.json"
ORG = FIXTURES / "org.json"
ACCOUNT = "111111111111"
SECRET = "S3CRET-hunter2-do-not-echo"


@pytest.fixture(scope="module")
def imported() -> Imported:
    return import_terraform_plan(PLAN)


@pytest.fixture(scope="module")
def account(imported: Imported) -> dict[str, Any]:
    data: dict[str, Any] = imported.data["accounts"][ACCOUNT]
    return data


def markers(value: Any) -> list[dict[str, Any]]:
    """Every unknown marker in `value`."""
    if is_unknown(value):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in markers(v)]
    if isinstance(value, list):
        return [m for v in value for m in markers(v)]
    return []


def without_markers(value: Any) -> Any:
    """The data with every unknown marker left out (documents dropped, references removed from their lists)."""
    if isinstance(value, dict):
        return {k: without_markers(v) for k, v in value.items() if not is_unknown(v)}
    if isinstance(value, list):
        return [without_markers(v) for v in value if not is_unknown(v)]
    return value


def resource(account: dict[str, Any], arn_start: str) -> dict[str, Any]:
    found = [r for r in account["resources"] if r["arn"].startswith(arn_start)]
    assert len(found) == 1, [r["arn"] for r in account["resources"]]
    return found[0]


def write_plan(tmp_path: Path, data: dict[str, Any], name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def plan_data(path: Path = PLAN) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


# ---------------------------------------------------------------------------------------------------- IAM


def test_a_role_with_its_trust_policy_path_tags_duration_and_boundary(account: dict[str, Any]) -> None:
    app = account["roles"]["app"]
    assert app["path"] == "/service/"
    assert app["max_session_duration"] == 7200
    assert app["tags"] == {"team": "blue", "env": "prod"}  # tags_all: with the provider's default tags
    assert app["trust_policy"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    # `permissions_boundary` is known only after apply: its reference names aws_iam_policy.boundary
    assert app["permissions_boundary"] == "app-boundary"
    assert account["policies"]["app-boundary"]["Statement"][0]["Effect"] == "Allow"


def test_holders_known_only_after_apply_are_linked_through_configuration_references(account: dict[str, Any]) -> None:
    app = account["roles"]["app"]
    # aws_iam_role_policy.role references aws_iam_role.app.id; the attachment's role and policy_arn are unknown too
    assert app["inline_policies"]["app-queue"]["Statement"][0]["Action"] == "sqs:SendMessage"
    assert app["managed_policies"] == ["app-read"]


def test_users_groups_and_memberships(account: dict[str, Any]) -> None:
    alice = account["users"]["alice"]
    assert alice["tags"] == {"team": "blue"}
    assert alice["inline_policies"]["alice-deny"]["Statement"][0]["Effect"] == "Deny"
    assert alice["managed_policies"] == ["app-read"]
    assert alice["groups"] == ["devs", "ops"]  # one membership by name, one whose group is known only after apply
    devs = account["groups"]["devs"]
    assert devs["managed_policies"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert "devs-describe" in devs["inline_policies"]
    assert account["groups"]["ops"]["managed_policies"] == ["arn:aws:iam::aws:policy/SecurityAudit"]


def test_entities_outside_the_plan_carry_an_unknown_for_what_the_plan_does_not_show(account: dict[str, Any]) -> None:
    bob = account["users"]["bob"]  # a member of aws_iam_group_membership.ops that the plan does not create
    assert bob["groups"] == ["ops"]
    assert is_unknown(bob["managed_policies"][0])
    assert "not managed by this plan" in bob["managed_policies"][0]["unknown"]["reason"]
    auditor = account["roles"]["auditor"]  # aws_iam_policy_attachment.audit attaches to it
    assert "arn:aws:iam::aws:policy/SecurityAudit" in auditor["managed_policies"]
    assert is_unknown(auditor["trust_policy"])


def test_exclusive_attachments_and_inline_policy_lists(account: dict[str, Any]) -> None:
    worker = account["roles"]["worker"]
    assert worker["managed_policies"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess", "app-read"]
    assert worker["inline_policies"]["worker-inline"]["Statement"][0]["Action"] == "sqs:ReceiveMessage"
    # listed by aws_iam_role_policies_exclusive but not written by the plan: its document is unknown
    elsewhere = worker["inline_policies"]["managed-elsewhere"]
    assert is_unknown(elsewhere)
    assert elsewhere["unknown"]["source"].endswith(": aws_iam_role_policies_exclusive.worker")


# ---------------------------------------------------------------------------------------------------- unknowns


def test_a_policy_known_only_after_apply_is_an_unknown_marker_never_a_placeholder(
    imported: Imported, account: dict[str, Any]
) -> None:
    computed = account["roles"]["app"]["inline_policies"]["app-computed"]
    assert computed == {
        "unknown": {
            "reason": "the inline policy: `policy` is known only after apply (it depends on aws_kms_key.main)",
            "source": f"{PLAN}: aws_iam_role_policy.app_computed",
        }
    }
    text = json.dumps(imported.data)
    for placeholder in ("known after apply", "${", "UNKNOWN", "<computed>"):
        assert placeholder not in text.replace("known only after apply", "")


def test_a_deferred_data_source_whose_unknown_is_a_template_leaves_the_policy_unknown(account: dict[str, Any]) -> None:
    logs = next(b for name, b in account["buckets"].items() if name.startswith("logs-"))
    reason = logs["policy"]["unknown"]["reason"]
    assert "data.aws_iam_policy_document.logs_bucket is read during apply (read_because_config_unknown)" in reason
    assert "statement[0].resources[0]" in reason and "aws_s3_bucket.logs" in reason


def test_a_deferred_data_source_is_rebuilt_when_its_unknowns_are_principal_arns_of_the_plan(
    imported: Imported, account: dict[str, Any]
) -> None:
    policy = account["buckets"]["acme-data"]["policy"]
    generated, app = policy["Statement"]
    assert generated["Sid"] == "GeneratedReads"
    assert generated["Principal"] == {"AWS": imported.aliases["terraform:aws_iam_role.generated"]}
    assert generated["Resource"] == "arn:aws:s3:::acme-data/*"
    assert app["Principal"] == {"AWS": "arn:aws:iam::111111111111:role/service/app"}
    assert app["Effect"] == "Allow"  # the data source's default


def test_generated_names_are_symbolic_identities_named_by_their_address(imported: Imported) -> None:
    generated = imported.aliases["terraform:aws_iam_role.generated"]
    anonymous = imported.aliases["terraform:aws_iam_role.anonymous"]
    assert generated == f"arn:aws:iam::{ACCOUNT}:role/gen-{digest('aws_iam_role.generated', 26)}"
    assert anonymous == f"arn:aws:iam::{ACCOUNT}:role/terraform-{digest('aws_iam_role.anonymous', 26)}"
    assert re.fullmatch(r"gen-[0-9a-f]{26}", generated.rsplit("/", 1)[1])
    bucket = imported.aliases["terraform:aws_s3_bucket.logs"]
    assert re.fullmatch(r"arn:aws:s3:::logs-[0-9a-f]{26}", bucket)
    secret = imported.aliases["terraform:aws_secretsmanager_secret.db"]
    assert re.fullmatch(rf"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-password-[0-9a-f]{{6}}", secret)
    key = imported.aliases["terraform:aws_kms_key.main"]
    assert re.fullmatch(rf"arn:aws:kms:us-east-1:{ACCOUNT}:key/[0-9a-f]{{8}}(-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}}", key)
    assert import_terraform_plan(PLAN).aliases == imported.aliases  # stable from one import to the next


def test_every_entity_is_named_by_its_address(imported: Imported) -> None:
    aliases = imported.aliases
    assert aliases["terraform:aws_iam_role.app"] == f"arn:aws:iam::{ACCOUNT}:role/service/app"
    assert aliases["terraform:aws_iam_user.alice"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert aliases["terraform:aws_iam_policy.read"] == f"arn:aws:iam::{ACCOUNT}:policy/app-read"
    assert aliases["terraform:module.app.aws_iam_role.svc[1]"] == f"arn:aws:iam::{ACCOUNT}:role/svc-1"
    assert aliases["terraform:aws_sqs_queue.jobs"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
    assert aliases["terraform:aws_lambda_function.worker"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker-fn"


# ---------------------------------------------------------------------------------------------------- modules, deletes


def test_child_modules_pair_count_instances_and_follow_variables(account: dict[str, Any]) -> None:
    svc0, svc1 = account["roles"]["svc-0"], account["roles"]["svc-1"]
    for role in (svc0, svc1):  # each aws_iam_role_policy.svc[i] references aws_iam_role.svc[count.index]
        assert role["inline_policies"]["svc-inline"]["Statement"][0]["Action"] == "dynamodb:GetItem"
    # module.app.module.attach's role is var.role_name, which the module call sets to aws_iam_role.svc[0].id
    assert svc0["managed_policies"] == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" not in svc1["managed_policies"]


def test_for_each_instances_pair_by_key_and_module_outputs_are_followed(account: dict[str, Any]) -> None:
    team = account["roles"]["team-blue"]  # aws_iam_role_policy.team["blue"] references aws_iam_role.team[each.key]
    assert team["inline_policies"]["team-inline"]["Statement"][0]["Action"] == "sqs:*"
    # aws_iam_role_policy_attachment.from_output's role is module.app.svc_id, the output aws_iam_role.svc[1].id
    assert account["roles"]["svc-1"]["managed_policies"] == ["arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"]


def test_a_reference_that_names_every_instance_puts_an_unknown_on_each(account: dict[str, Any]) -> None:
    for name in ("svc-0", "svc-1"):
        maybe = account["roles"][name]["inline_policies"]["maybe"]
        assert is_unknown(maybe) and "may be attached here" in maybe["unknown"]["reason"]


def test_deleted_resources_are_absent(imported: Imported, account: dict[str, Any]) -> None:
    assert "old" not in account["roles"]
    assert not any("old" in address for address in imported.aliases)
    assert "old-inline" not in json.dumps(imported.data)


# ---------------------------------------------------------------------------------------------------- resources


def test_kms_keys_default_key_policy_and_key_policy_resource(imported: Imported, account: dict[str, Any]) -> None:
    main = resource(account, imported.aliases["terraform:aws_kms_key.main"])
    assert main["policy"]["Statement"] == [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    custom = resource(account, imported.aliases["terraform:aws_kms_key.custom"])
    assert [s["Sid"] for s in custom["policy"]["Statement"]] == ["Root", "AppDecrypts"]
    assert not [w for w in imported.warnings if "aws_kms_key" in w.message]


def test_queues_topics_secrets(imported: Imported, account: dict[str, Any]) -> None:
    jobs = resource(account, f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs")
    assert jobs["tags"] == {"team": "blue"}
    assert jobs["policy"]["Statement"][0]["Sid"] == "TopicSends"  # queue_url references aws_sqs_queue.jobs.url
    events = resource(account, f"arn:aws:sns:us-east-1:{ACCOUNT}:events")
    assert events["policy"]["Statement"][0]["Action"] == "SNS:Subscribe"
    alerts = resource(account, f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts")
    assert "policy" not in alerts
    assert any("SNS topic" in a for a in imported.absent)
    secret = resource(account, imported.aliases["terraform:aws_secretsmanager_secret.db"])
    assert secret["policy"]["Statement"][0]["Action"] == "secretsmanager:GetSecretValue"


def test_lambda_permissions_become_the_function_policy(account: dict[str, Any]) -> None:
    worker = resource(account, f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker-fn")
    s3, partner = worker["policy"]["Statement"]
    assert s3 == {
        "Sid": "AllowS3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker-fn",
        "Condition": {
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::acme-data"},
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
        },
    }
    assert partner["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    hook = resource(account, f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:hook-fn")
    assert "`source_arn` of aws_lambda_permission.hook is known only after apply" in hook["policy"]["unknown"]["reason"]


def test_policies_aws_would_refuse_are_warnings_not_model(imported: Imported, account: dict[str, Any]) -> None:
    assert account["buckets"]["acme-public"] == {}
    legacy = resource(account, f"arn:aws:sqs:us-east-1:{ACCOUNT}:legacy")
    assert is_unknown(legacy["policy"])  # outside the plan: it keeps a policy the plan does not show
    messages = [w.message for w in imported.warnings]
    assert any("aws_s3_bucket_policy.public" in m and "outside the bucket" in m for m in messages)
    assert any("aws_sqs_queue_policy.legacy" in m and "no `Principal`" in m for m in messages)
    for warning in imported.warnings:
        assert warning.location.file == str(PLAN) and warning.location.line is not None


# ---------------------------------------------------------------------------------------------------- sources, absent


def test_sources_locate_each_entity_at_its_resource_in_the_plan(imported: Imported) -> None:
    lines = PLAN.read_text().splitlines()
    where = imported.sources[("accounts", ACCOUNT, "roles", "app")]
    assert where.file == str(PLAN) and where.path == ("aws_iam_role.app",)
    assert where.line is not None and '"address": "aws_iam_role.app"' in lines[where.line]  # the object's first key
    inline = imported.sources[("accounts", ACCOUNT, "roles", "app", "inline_policies", "app-queue")]
    assert inline.path == ("aws_iam_role_policy.app_inline", "policy")
    assert inline.line is not None and lines[inline.line - 1].strip().startswith('"policy"')
    bucket_policy = imported.sources[("accounts", ACCOUNT, "buckets", "acme-data", "policy")]
    assert bucket_policy.path == ("aws_s3_bucket_policy.data", "policy")
    index = next(i for i, r in enumerate(imported.data["accounts"][ACCOUNT]["resources"]) if ":sqs:" in r["arn"])
    assert imported.sources[("accounts", ACCOUNT, "resources", index)].path == ("aws_sqs_queue.jobs",)


def test_absent_names_what_a_plan_cannot_tell(imported: Imported) -> None:
    absent = " | ".join(imported.absent)
    assert "SCPs and RCPs: the plan has no AWS Organizations resources" in absent
    assert "resources outside the plan" in absent
    assert "S3 Block Public Access" in absent


def test_the_data_is_a_valid_scenario_model(imported: Imported) -> None:
    assert markers(imported.data)  # the plan has unknowns...
    data = {"scenario": "imported", **without_markers(imported.data)}
    doc = Document.from_data(data, "<imported>")
    validate(ScenarioFile, doc.data, doc.locate, "scenario")  # ...and the rest is a scenario


def test_markers_have_exactly_reason_and_source(imported: Imported) -> None:
    for marker in markers(imported.data):
        assert set(marker["unknown"]) == {"reason", "source"}
        assert marker["unknown"]["source"].startswith(f"{PLAN}: ")


# ---------------------------------------------------------------------------------------------------- organizations


@pytest.fixture(scope="module")
def org() -> Imported:
    return import_terraform_plan(ORG)


def test_organization_tree_policies_and_attachments(org: Imported) -> None:
    organization = org.data["organization"]
    assert organization["id"] == "o-a1b2c3d4e5"
    assert organization["management_account"] == ACCOUNT
    assert organization["root"] == {"scps": ["FullAWSAccess", "DenyLeave"], "accounts": [ACCOUNT]}
    units = organization["units"]
    assert units["Workloads"] == {"rcps": ["OrgOnlyS3"]}  # parent_id references the organization's root
    assert units["Prod"]["parent"] == "Workloads"  # parent_id known only after apply: through the reference
    assert units["Prod"]["accounts"] == ["222222222222"]
    assert units["Prod"]["scps"][0] == "FullAWSAccess" and units["Prod"]["scps"][1] == "Computed"
    assert set(organization["policies"]) == {"DenyLeave", "OrgOnlyS3", "Computed"}  # the tag policy is not one
    assert is_unknown(organization["policies"]["Computed"])
    assert org.data["accounts"]["222222222222"] == {"scps": ["FullAWSAccess", "DenyLeave"]}


def test_an_ou_whose_parent_is_not_in_the_plan_inherits_an_unknown(org: Imported) -> None:
    legacy = org.data["organization"]["units"]["Legacy"]
    assert legacy["parent"] == "root"
    assert is_unknown(legacy["scps"][1]) and is_unknown(legacy["rcps"][0])


def test_accounts_the_plan_creates_are_absent(org: Imported) -> None:
    assert any("accounts the plan creates" in a for a in org.absent)
    assert "SCPs and RCPs attached outside the plan" in " | ".join(org.absent)
    assert not any("no AWS Organizations resources" in a for a in org.absent)


def test_the_organization_data_is_a_valid_scenario_model(org: Imported) -> None:
    data = {"scenario": "org", **without_markers(org.data)}
    validate(ScenarioFile, data, Document.from_data(data, "<org>").locate, "scenario")


def test_a_policy_type_the_organization_has_not_enabled_is_not_attached(tmp_path: Path) -> None:
    data = plan_data(ORG)
    for entry in data["planned_values"]["root_module"]["resources"]:
        if entry["type"] == "aws_organizations_organization":
            entry["values"]["enabled_policy_types"] = ["SERVICE_CONTROL_POLICY"]
    found = import_terraform_plan(write_plan(tmp_path, data))
    assert "rcps" not in found.data["organization"]["units"]["Workloads"]
    assert any("not enabled" in w.message and "workloads_rcp" in w.message for w in found.warnings)


# ---------------------------------------------------------------------------------------------------- formats


def test_an_unsupported_major_format_version_is_refused_where_it_is_written() -> None:
    with pytest.raises(UnsupportedError) as caught:
        import_terraform_plan(FIXTURES / "unsupported-version.json")
    assert caught.value.location is not None
    assert (caught.value.location.line, caught.value.location.column) == (2, 21)
    assert "format_version 2.0 is not supported" in caught.value.message


def test_format_0_1_is_read(tmp_path: Path) -> None:
    found = import_terraform_plan(FIXTURES / "old-format.json", account=ACCOUNT)
    assert "app" in found.data["accounts"][ACCOUNT]["roles"]


def test_unknown_properties_are_ignored(tmp_path: Path, imported: Imported) -> None:
    data = plan_data()
    data["identity_schema_version"] = 1  # a newer plan's additions, at several levels
    data["format_version"] = "1.9"
    for change in data["resource_changes"]:
        change["change"]["importing"] = {"id": "x"}
        change["identity"] = {"a": 1}
    for entry in data["planned_values"]["root_module"]["resources"]:
        entry["identity_schema_version"] = 0
    path = write_plan(tmp_path, data)
    found = import_terraform_plan(path)
    assert json.dumps(found.data).replace(str(path), str(PLAN)) == json.dumps(imported.data)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("errored.json", "the plan is errored"),
        ("state.json", "this is a Terraform state, not a plan"),
    ],
)
def test_inputs_that_are_not_plans_are_refused(name: str, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        import_terraform_plan(FIXTURES / name)


def test_a_file_that_is_not_json_or_not_an_object(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[1, 2]")
    with pytest.raises(SchemaError, match="not a JSON object"):
        import_terraform_plan(tmp_path / "a.json")
    (tmp_path / "b.tfplan.json").write_text("{")
    with pytest.raises(PolicysimError) as caught:
        import_terraform_plan(tmp_path / "b.tfplan.json")
    assert caught.value.location is not None and caught.value.location.line == 1
    with pytest.raises(SchemaError, match="no `format_version`"):
        import_terraform_plan(write_plan(tmp_path, {"planned_values": {}}))


# ---------------------------------------------------------------------------------------------------- account, region


def test_the_account_is_needed_when_the_plan_does_not_say_it() -> None:
    with pytest.raises(SchemaError) as caught:
        import_terraform_plan(FIXTURES / "no-account.json")
    assert "does not say its account" in caught.value.message
    assert caught.value.location is not None and caught.value.location.path == ("aws_iam_role.app",)
    found = import_terraform_plan(FIXTURES / "no-account.json", account="333333333333")
    assert list(found.data["accounts"]) == ["333333333333"]


def test_a_plan_without_resources_of_these_kinds_needs_no_account(tmp_path: Path) -> None:
    empty = plan_data(FIXTURES / "no-account.json")
    empty["planned_values"]["root_module"]["resources"] = []
    empty["resource_changes"] = []
    result = import_terraform_plan(write_plan(tmp_path, empty))
    assert result.data == {}


def test_the_account_given_wins_over_the_plans_with_a_warning() -> None:
    found = import_terraform_plan(PLAN, account="999999999999")
    assert list(found.data["accounts"]) == ["999999999999"]
    assert any("the `account` given wins" in w.message for w in found.warnings)
    with pytest.raises(SchemaError, match="12-digit"):
        import_terraform_plan(PLAN, account="12345")


def test_the_region_comes_from_the_provider_or_the_argument(tmp_path: Path) -> None:
    data = plan_data()
    data["configuration"]["provider_config"]["aws"]["expressions"] = {"region": {"references": ["var.region"]}}
    assert import_terraform_plan(write_plan(tmp_path, data, "var.json")).aliases["terraform:aws_sqs_queue.jobs"] == (
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
    )
    del data["configuration"]["provider_config"]["aws"]["expressions"]
    with pytest.raises(SchemaError) as caught:
        import_terraform_plan(write_plan(tmp_path, data, "none.json"))
    assert "does not say the region of aws_kms_key.main" in caught.value.message
    found = import_terraform_plan(write_plan(tmp_path, data, "none.json"), region="eu-west-1")
    assert found.aliases["terraform:aws_sqs_queue.jobs"] == f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"


# ---------------------------------------------------------------------------------------------------- secrets


def test_values_of_the_plan_are_never_echoed_in_warnings_absent_aliases_or_sources() -> None:
    found = import_terraform_plan(FIXTURES / "secrets.json")
    assert SECRET in (FIXTURES / "secrets.json").read_text()  # in variables, a secret version, a password, ...
    messages = [w.message for w in found.warnings]
    assert any("aws_iam_role_policy.broken" in m for m in messages)  # a policy that is not JSON
    assert any("max_session_duration" in m for m in messages)  # a value of the wrong type
    assert any("aws_s3_bucket_policy.odd" in m for m in messages)  # a resource outside its bucket
    assert SECRET not in repr(found)
    assert SECRET not in json.dumps(found.data)


def test_values_of_the_plan_are_never_echoed_in_errors(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as caught:
        import_terraform_plan(FIXTURES / "secret-version.json")
    assert SECRET not in str(caught.value)
    data = plan_data(FIXTURES / "secrets.json")
    for entry in data["prior_state"]["values"]["root_module"]["resources"]:  # no account: the first role is refused
        if entry["type"] == "aws_caller_identity":
            entry["values"]["account_id"] = SECRET
    for change in [{}, {"format_version": "7.1"}, {"errored": True}]:
        with pytest.raises(PolicysimError) as caught:
            import_terraform_plan(write_plan(tmp_path, {**data, **change}))
        assert SECRET not in str(caught.value) and SECRET not in repr(caught.value.location)


# ---------------------------------------------------------------------------------------------------- helpers


def test_addresses_and_references_are_parsed_into_steps() -> None:
    assert steps('module.a["k.x"].aws_iam_role.app[0].arn') == [
        (False, "module"),
        (False, "a"),
        (True, "k.x"),
        (False, "aws_iam_role"),
        (False, "app"),
        (True, 0),
        (False, "arn"),
    ]
    assert steps("a b") is None
    assert module_calls('module.a["k"].module.b[2]') == [("a", "k"), ("b", 2)]
    assert module_calls("") == []


def test_documents_drop_the_empty_sids_the_provider_writes() -> None:
    found = parse_document('{"Statement": [{"Sid": "", "Effect": "Allow"}, {"Sid": "", "Effect": "Deny"}]}', "x")
    assert found == {"Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}
