"""graph: who can become whom; every edge kind on a small model, the routes, the renderers (docs/queries.md)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import policysim
from policysim.cli import main
from policysim.engine.outcome import Outcome
from policysim.enums import Decision
from policysim.errors import Location, RequestError, UnsupportedError
from policysim.model import scenario as wire
from policysim.queries import graph_render
from policysim.queries.escalation import KINDS, Family, On
from policysim.queries.graph import ADMIN, Graph, graph, paths_to
from policysim.queries.graph_render import GRAPH_FORMATS, mermaid_text, render_graph
from policysim.world.actor import Actor
from policysim.world.evaluator import Evaluator
from policysim.world.world import World

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
MODEL = GOLDEN / "graph_model.yaml"
TUTORIAL = HERE.parents[1] / "scenarios" / "cross-account-delegation.yaml"
NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)
ACCOUNT = "arn:aws:iam::111111111111"
SUFFIX = {"mermaid": "mmd", "dot": "dot", "json": "json", "text": "txt", "markdown": "md"}


def user(name: str) -> str:
    return f"{ACCOUNT}:user/{name}"


def role(name: str) -> str:
    return f"{ACCOUNT}:role/{name}"


@pytest.fixture(scope="module")
def scenario() -> policysim.Scenario:
    return policysim.load_scenario(MODEL, clock=lambda: NOON)


@pytest.fixture(scope="module")
def result(scenario: policysim.Scenario) -> Graph:
    return scenario.graph(to=ADMIN)


def edges(result: Graph) -> set[tuple[str, str, str]]:
    return {(e.source.rsplit(":", 1)[-1], e.target.rsplit(":", 1)[-1], e.kind.name) for e in result.edges}


def test_every_edge_kind_is_found_once_by_the_statement_that_enables_it(result: Graph) -> None:
    found = edges(result)
    expected = {
        ("user/assumer", "role/app", "assume-role"),
        ("user/keymaker", "user/bob", "create-access-key"),
        ("user/keymaker", "user/bob", "create-login-profile"),
        ("user/keymaker", "user/bob", "update-login-profile"),
        ("user/thief", "user/selfadmin", "create-access-key"),
        ("user/roler", "role/app", "update-assume-role-policy"),
        ("user/roler", "role/app", "attach-role-policy"),
        ("user/roler", "role/app", "put-role-policy"),
        ("user/attacher", "user/erin", "attach-user-policy"),
        ("user/selfadmin", "user/selfadmin", "put-user-policy"),
        ("user/unbounder", "user/guarded", "put-user-policy"),
        ("user/grouper", "user/dave", "attach-group-policy"),
        ("user/grouper", "user/dave", "put-group-policy"),
        ("user/versioner", "user/frank", "create-user-policy-version"),
        ("user/versioner", "role/svc-datapipeline", "create-role-policy-version"),
        ("user/halfpasser", "role/svc-ec2", "pass-role-ec2"),
        *(("user/passer", f"role/svc-{s}", f"pass-role-{s}") for s in ("lambda", "ec2", "cloudformation")),
        *(("user/passer", f"role/svc-{s}", f"pass-role-{s}") for s in ("codebuild", "glue", "sagemaker")),
        ("user/passer", "role/svc-datapipeline", "pass-role-datapipeline"),
    }
    assert expected <= found
    assert {kind for _, _, kind in found} == {kind.name for kind in KINDS}  # every kind of the table, on this model
    services = {(s, t, k) for s, t, k in found - expected}  # the rest: services assuming the roles that trust them
    assert all(s.endswith(".amazonaws.com") and k == "assume-role" for s, _, k in services) and len(services) == 7
    assert not result.undetermined


def test_near_misses_give_no_edge(result: Graph) -> None:
    found = edges(result)
    # a permissions boundary the source cannot delete: changing the policies gives no "any permission"
    assert ("user/attacher", "user/guarded", "attach-user-policy") not in found
    # iam:PassedToService allows passing to EC2 only; a role trusted by lambda only is not reached through EC2
    assert not {e for e in found if e[0] == "user/halfpasser" and e[2] != "pass-role-ec2"}
    assert ("user/passer", "role/app", "pass-role-lambda") not in found  # PassRole names role/svc-* only
    assert not {e for e in found if e[0] == "user/bob"}  # no permission, no edge
    assert ("user/keymaker", "user/keymaker", "create-access-key") not in found  # becoming oneself is no edge


def test_each_edge_is_labelled_with_its_deciding_statements(result: Graph) -> None:
    keys = next(e for e in result.edges if e.kind.name == "create-access-key" and e.source == user("keymaker"))
    assert [s.label for s in keys.statements] == ["KeysForBob"]
    passed = next(e for e in result.edges if e.kind.name == "pass-role-lambda")
    actions = [r.action for r in passed.requests]
    assert actions == ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", "sts:AssumeRole"]
    assert passed.requests[0].context == (("iam:passedtoservice", ("lambda.amazonaws.com",)),)
    assert passed.requests[-1].principal == "lambda.amazonaws.com"
    assert {s.label for s in passed.statements} == {"PassToServices", "RunCode", "#1"}  # #1: the role's trust
    rewritten = next(e for e in result.edges if e.kind.name == "update-assume-role-policy")
    assert rewritten.requests[-1].hypothetical and "written by" in rewritten.requests[-1].statements[0].policy_id
    unbound = next(e for e in result.edges if e.target == user("guarded"))
    assert [r.action for r in unbound.requests] == ["iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"]


def test_admin_is_a_principal_that_can_give_itself_any_permission_and_routes_come_shortest_first(
    result: Graph,
) -> None:
    assert result.admins == {user("selfadmin")}
    routes = [(r.source, [e.kind.name for e in r.edges]) for r in result.routes]
    assert routes == [
        (user("selfadmin"), ["put-user-policy"]),
        (user("thief"), ["create-access-key", "put-user-policy"]),
    ]


def test_routes_into_a_principal_follow_become_edges_only(scenario: policysim.Scenario) -> None:
    answer = scenario.graph(to="app")
    assert answer.to == role("app")
    assert {r.source: [e.kind.name for e in r.edges] for r in answer.routes} == {
        user("assumer"): ["assume-role"],
        user("roler"): ["update-assume-role-policy"],  # attach-role-policy empowers app; it does not become it
    }


def test_the_tutorial_david_becomes_update_data_and_jane_does_not() -> None:
    answer = policysim.load_scenario(TUTORIAL).graph(to="UpdateData")
    assert [(r.source, len(r.edges)) for r in answer.routes] == [("arn:aws:iam::111111111111:user/David", 1)]
    (edge,) = answer.edges
    assert edge.kind.name == "assume-role" and edge.target == "arn:aws:iam::999999999999:role/UpdateData"
    kinds = sorted(s.kind.value for s in edge.statements)
    assert kinds == ["identity", "trust"]  # the caller's allow (cross account) and the trust policy's
    assert not [e for e in answer.edges if e.source.endswith("user/Jane")]


def test_to_names_a_principal_of_the_model(scenario: policysim.Scenario) -> None:
    with pytest.raises(RequestError, match="no user or role `nobody`"):
        scenario.graph(to="nobody")


def test_workers_give_the_same_graph(scenario: policysim.Scenario, result: Graph) -> None:
    spread = scenario.graph(to=ADMIN, workers=2)
    assert edges(spread) == edges(result) and spread.routes == result.routes


def test_progress_counts_the_callers(scenario: policysim.Scenario) -> None:
    seen: list[tuple[int, int]] = []
    scenario.graph(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == len(scenario.graph().nodes)


class Unsure:
    """The model, except that every iam:CreateAccessKey is `undetermined` (as unknown imported values make it)."""

    def __init__(self, model: policysim.Scenario) -> None:
        self.model = model

    @property
    def world(self) -> World:
        return self.model.world

    @property
    def evaluator(self) -> Evaluator:
        return self.model.evaluator

    @property
    def tests(self) -> Sequence[wire.Test]:
        return self.model.tests

    @property
    def newer_actions(self) -> frozenset[str]:
        return self.model.newer_actions

    def check_request(self, action: str, resource: str, account: str | None, where: Location | None) -> None:
        self.model.check_request(action, resource, account, where)

    def answer(
        self,
        actor: Actor,
        action: str,
        resource: str,
        extra: Mapping[str, tuple[str, ...] | None],
        resource_account: str | None = None,
        where: Location | None = None,
    ) -> Outcome:
        outcome = self.model.answer(actor, action, resource, extra, resource_account, where)
        if action == "iam:CreateAccessKey" and outcome.allowed:
            bounds = (Decision.ALLOWED, Decision.IMPLICIT_DENY)
            return replace(outcome, decision=Decision.UNDETERMINED, bounds=bounds)
        return outcome


def test_an_undetermined_request_makes_an_undetermined_edge_kept_apart(scenario: policysim.Scenario) -> None:
    answer = graph(Unsure(scenario), to=ADMIN)
    unsure = {(e.source, e.kind.name) for e in answer.undetermined}
    assert unsure == {(user("keymaker"), "create-access-key"), (user("thief"), "create-access-key")}
    thief = next(r for r in answer.routes if r.source == user("thief"))
    assert not thief.certain and answer.routes[-1] is thief  # a route through it: listed after the certain ones
    document = json.loads(render_graph("json", answer))
    assert {e["decision"] for e in document["edges"] if e["kind"] == "create-access-key"} == {"undetermined"}
    assert "-.->" in render_graph("mermaid", answer)


def test_an_edge_kind_is_data_with_its_source() -> None:
    for kind in KINDS:
        assert kind.source and kind.steps
        assert (kind.service is not None) == any(step.on is On.TRUST for step in kind.steps)
        if kind.family is Family.EMPOWER:
            assert kind.steps[-1].on is On.BOUNDARY  # any permission, only once the boundary is gone


def test_every_service_resource_fits_its_action(scenario: policysim.Scenario) -> None:
    for kind in KINDS:
        for step in kind.steps:
            if step.on is On.SERVICE:
                resource = step.resource.format(partition="aws", region="us-east-1", account="111111111111")
                scenario.check_request(step.action, resource, None, None)  # raises when the catalogue refuses it


# ------------------------------------------------------------------ renderers


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_golden(fmt: str, result: Graph) -> None:
    actual = render_graph(fmt, result, "graph_model.yaml").replace(str(GOLDEN) + os.sep, "")
    path = GOLDEN / f"graph.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden file"


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_golden_of_the_whole_graph(fmt: str, scenario: policysim.Scenario) -> None:
    actual = render_graph(fmt, scenario.graph(), "graph_model.yaml").replace(str(GOLDEN) + os.sep, "")
    path = GOLDEN / f"graph_all.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden file"


def test_the_json_document(result: Graph) -> None:
    document = json.loads(render_graph("json", result))
    assert document["format_version"] == "1" and document["to"] == ADMIN
    assert document["summary"]["edges"] == len(result.edges) and document["summary"]["admins"] == 1
    assert [p["length"] for p in document["paths"]] == [1, 2]
    keys = next(e for e in document["edges"] if e["kind"] == "create-access-key")
    assert keys["source"] == user("keymaker")
    assert "graph_model.yaml:37:17" in keys["requests"][0]["statements"][0]["location"]  # the KeysForBob statement


def test_mermaid_labels_are_escaped() -> None:
    assert mermaid_text('a "b" <c> | #1 `d`') == "a #quot;b#quot; #lt;c#gt; #124; #35;1 #96;d#96;"


def test_svg_without_dot_is_an_error_naming_the_package(result: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_render.shutil, "which", lambda name: None)
    with pytest.raises(UnsupportedError) as raised:
        render_graph("svg", result)
    assert "apt-get install graphviz" in str(raised.value.render())
    assert "PyPI package `graphviz` is only a Python interface" in str(raised.value.render())


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_with_dot(result: Graph) -> None:
    picture = render_graph("svg", result)
    assert picture.lstrip().startswith("<?xml") and "<svg" in picture and "selfadmin" in picture


def test_the_formats_are_those_of_the_contract_and_text_and_markdown() -> None:
    """contracts.md section 9's four, and the text and Markdown every query command has (issue 15, item 7)."""
    assert set(GRAPH_FORMATS) == {"mermaid", "dot", "svg", "json", "text", "markdown"}


def test_markdown_holds_the_mermaid_picture(result: Graph) -> None:
    text = render_graph("markdown", result)
    assert "```mermaid\n" + render_graph("mermaid", result) + "```" in text
    assert text.startswith("# who can reach admin")


def test_paths_to_a_node_without_edges_is_empty(result: Graph) -> None:
    assert paths_to(result, user("bob")) == (
        next(r for r in paths_to(result, user("bob")) if r.source == user("keymaker")),
    )
    assert paths_to(result, user("erin")) == ()  # attach-user-policy empowers erin; nobody becomes her


# ------------------------------------------------------------------ the command


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_the_command_writes_each_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["graph", str(TUTORIAL)], capsys)
    assert code == 0 and out.startswith("flowchart LR\n") and "assume-role" in out
    target = tmp_path / "graph.json"
    code, out, _ = run(["graph", str(TUTORIAL), "--to", "UpdateData", "--format", "json", "-o", str(target)], capsys)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert (
        code == 0 and out == "" and [p["source"] for p in document["paths"]] == ["arn:aws:iam::111111111111:user/David"]
    )
    code, out, _ = run(["graph", str(TUTORIAL), "--format", "dot", "--workers", "2"], capsys)
    assert code == 0 and out.startswith("digraph policysim {")


def test_the_command_refuses_bad_input_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["graph", str(TUTORIAL), "--format", "png"], capsys)
    assert code == 2 and "unknown format `png`" in err
    code, _, err = run(["graph", str(TUTORIAL), "--to", "Nobody"], capsys)
    assert code == 2 and "no user or role `Nobody`" in err and "Traceback" not in err
    code, _, err = run(["graph", str(TUTORIAL) + ".missing"], capsys)
    assert code == 2


def test_the_command_without_dot_exits_2_naming_the_package(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph_render.shutil, "which", lambda name: None)
    code, out, err = run(["graph", str(TUTORIAL), "--format", "svg"], capsys)
    assert code == 2 and out == "" and "apt-get install graphviz" in err


def test_a_group_with_only_managed_policies_is_still_a_way_in() -> None:
    """The user's groups come from the model's membership, not from the policies they hold: attaching a policy to
    a group that has only a managed policy empowers its member."""
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }
    attach = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:AttachGroupPolicy", "Resource": f"{ACCOUNT}:group/Readers"}],
    }
    model = policysim.Scenario.from_dict(
        {
            "scenario": "group membership",
            "accounts": {
                "111111111111": {
                    "policies": {"list-buckets": document},
                    "groups": {"Readers": {"managed_policies": ["list-buckets"]}},
                    "users": {
                        "member": {"groups": ["Readers"]},
                        "operator": {"inline_policies": {"attach": attach}},
                    },
                }
            },
        },
        clock=lambda: NOON,
    )
    assert model.world.users[user("member")].groups == (f"{ACCOUNT}:group/Readers",)
    found = {(e.source, e.target, e.kind.name) for e in model.graph().edges}
    assert (user("operator"), user("member"), "attach-group-policy") in found


def test_an_external_id_trust_is_a_conditional_edge_with_its_condition() -> None:
    """The vendor's principals can become each customer's VendorAuditRole with the agreed ExternalId: the edge is
    drawn, marked conditional, with the verified condition; the routes use it after certain ones."""
    vendor = policysim.load_scenario(HERE.parents[1] / "scenarios" / "third-party-external-id.yaml", clock=lambda: NOON)
    result = vendor.graph(to="arn:aws:iam::111111111111:role/VendorAuditRole")
    worker = "arn:aws:iam::999988887777:role/audit-worker"
    edge = next(e for e in result.edges if e.source == worker and e.target.startswith("arn:aws:iam::111111111111:"))
    assert edge.conditional and not edge.certain and edge.decision is Decision.IMPLICIT_DENY
    assert edge.requests[0].conditions == "`sts:ExternalId` is `Unique-ID-4f1c2a`"
    assert "assume-role (conditional)" in render_graph("mermaid", result)
    assert "-.->" in render_graph("mermaid", result)
    route = next(r for r in result.routes if r.source == worker)
    assert route.edges == (edge,) and not route.certain
    assert result.routes[0].certain  # corp-admin's certain route comes first
    document = json.loads(render_graph("json", result))
    drawn = next(e for e in document["edges"] if e["source"] == worker and "111111111111" in e["target"])
    assert drawn["conditional"] is True and drawn["requests"][0]["conditions"].startswith("`sts:ExternalId`")


def test_a_deny_the_node_cannot_remove_keeps_it_from_admin() -> None:
    """A user allowed iam:PutUserPolicy on itself but holding a Deny it cannot remove is not admin ("an explicit
    deny in any of these policies overrides the allow"); allowed to delete and detach its policies, it is."""

    def model(removals: bool) -> policysim.Scenario:
        allow = ["iam:PutUserPolicy", *(["iam:DeleteUserPolicy", "iam:DetachUserPolicy"] if removals else [])]
        own = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": allow, "Resource": f"{ACCOUNT}:user/boxed"},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
            ],
        }
        data = {
            "scenario": "boxed",
            "accounts": {"111111111111": {"users": {"boxed": {"inline_policies": {"own": own}}}}},
        }
        return policysim.Scenario.from_dict(data, clock=lambda: NOON)

    boxed = model(removals=False)
    result = boxed.graph(to=ADMIN)
    assert any(e.source == e.target == user("boxed") for e in result.edges)  # the self-edge is still a fact
    assert user("boxed") not in result.admins and result.routes == ()
    assert boxed.evaluate("boxed", "s3:GetObject", "arn:aws:s3:::b/k").decision is Decision.EXPLICIT_DENY
    assert user("boxed") in model(removals=True).graph(to=ADMIN).admins


def test_pass_role_to_a_service_whose_trust_guards_the_confused_deputy() -> None:
    """A role trusting lambda.amazonaws.com only with `aws:SourceAccount` of its own account is passable (the service
    assumes it for a function of that account); one asking also for an `aws:SourceArn` gives a conditional edge."""

    def model(condition: dict[str, Any]) -> policysim.Scenario:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": condition,
                }
            ],
        }
        deploy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"{ACCOUNT}:role/fn"},
                {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"},
            ],
        }
        data = {
            "scenario": "confused deputy",
            "accounts": {
                "111111111111": {
                    "users": {"dev": {"inline_policies": {"deploy": deploy}}},
                    "roles": {"fn": {"trust_policy": trust}},
                }
            },
        }
        return policysim.Scenario.from_dict(data, clock=lambda: NOON)

    account = {"StringEquals": {"aws:SourceAccount": "111111111111"}}
    plain = [e for e in model(account).graph().edges if e.kind.name == "pass-role-lambda"]
    assert [(e.source, e.target, e.certain) for e in plain] == [(user("dev"), role("fn"), True)]
    arn = {**account, "ArnLike": {"aws:SourceArn": "arn:aws:lambda:us-east-1:111111111111:function:app"}}
    held = [e for e in model(arn).graph().edges if e.kind.name == "pass-role-lambda"]
    assert len(held) == 1 and held[0].conditional and not held[0].certain
    assert any("aws:SourceArn" in (r.conditions or "") for r in held[0].requests)
    other = {"StringEquals": {"aws:SourceAccount": "999999999999"}}
    assert not [e for e in model(other).graph().edges if e.kind.name == "pass-role-lambda"]
