"""The engine's answer carries its analysis (issue 16 item 4): per-kind findings kept on the outcome, tracing as a
sink inside the one `scan`, compile diagnostics on the outcome, `with_hop` keeping what it must.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from policysim import Decision, Scenario
from policysim.conditions import CompiledCondition
from policysim.engine.analysis import analyse
from policysim.engine.scan import scan
from policysim.engine.trace import trace
from policysim.enums import DiagnosticCode, Gate
from policysim.ir.principal import PrincipalMatch

A = "111111111111"
B = "222222222222"
M = "333333333333"
BUCKET = "arn:aws:s3:::bucket-a"


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def scenario() -> Scenario:
    """Alice (boundary, inline policy with conditions), an SCP level, a bucket policy naming her, a role."""
    bucket_policy = doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:user/Alice"}, "Action": "s3:GetObject",
         "Resource": f"{BUCKET}/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    )  # fmt: skip
    alice = {
        "inline_policies": {
            "main": doc(
                allow("s3:*", f"{BUCKET}/*", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}),
                allow("s3:GetObject", f"{BUCKET}/public/*"),
                deny("s3:DeleteObject", f"{BUCKET}/*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
                allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/App"),
            )
        },
        "permissions_boundary": "edge",
        "tags": {"team": "blue"},
    }
    data = {
        "scenario": "analysis",
        "organization": {
            "id": "o-exampleorgid",
            "management_account": M,
            "policies": {"NoIam": doc(allow("*"), deny("iam:*"))},
            "root": {"accounts": [A, M]},
        },
        "accounts": {
            A: {
                "scps": ["NoIam"],
                "policies": {"edge": doc(allow("s3:*"), allow("sts:*"))},
                "users": {"Alice": alice},
                "roles": {
                    "App": {
                        "trust_policy": doc({"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"}),
                        "inline_policies": {"p": doc(allow("s3:ListBucket", BUCKET))},
                    }
                },
                "buckets": {"bucket-a": {"policy": bucket_policy}},
            },
            M: {},
        },
    }
    return Scenario.from_dict(data)


REQUESTS = [
    ("Alice", "s3:GetObject", f"{BUCKET}/public/a", {}),
    ("Alice", "s3:GetObject", f"{BUCKET}/k", {"aws:SecureTransport": False}),
    ("Alice", "s3:DeleteObject", f"{BUCKET}/k", {}),
    ("Alice", "s3:DeleteObject", f"{BUCKET}/k", {"aws:MultiFactorAuthPresent": True}),
    ("Alice", "iam:ListUsers", "*", {}),
    ("Alice", "sts:AssumeRole", f"arn:aws:iam::{A}:role/App", {}),
    ("Alice", "ec2:RunInstances", "*", {}),
]


@pytest.mark.parametrize(("who", "action", "resource", "context"), REQUESTS)
def test_the_outcome_keeps_the_findings_it_was_decided_from(
    who: str, action: str, resource: str, context: dict[str, Any]
) -> None:
    out = scenario().evaluate(who, action, resource, context)
    assert out.request is not None and out.policies is not None and out.analysis is not None
    again = analyse(out.request, out.policies, set())
    kept = out.analysis
    for name in ("identity", "boundary", "session", "resource"):
        mine, fresh = getattr(kept, name), getattr(again, name)
        assert (mine is None) == (fresh is None), name
        if mine is not None:
            assert (mine.allows, mine.denies, mine.best_match) == (fresh.allows, fresh.denies, fresh.best_match)
    assert [n for n, _ in kept.scps] == [n for n, _ in out.policies.scp_levels]  # per SCP level
    assert [f.allows for _, f in kept.scps] == [f.allows for _, f in again.scps]
    # matched: every applying statement of the identity, boundary, session and resource policies
    assert set(out.matched) == {
        ref for f in (kept.identity, kept.boundary, kept.session, kept.resource) if f for ref in f.allows + f.denies
    }


def test_an_scp_deny_is_found_per_level_and_decides() -> None:
    out = scenario().evaluate("Alice", "iam:ListUsers", "*")
    assert out.decision is Decision.EXPLICIT_DENY and out.gates == (Gate.SCP,)
    assert out.analysis is not None and out.policies is not None
    levels = out.analysis.scps  # one finding per level, named as the policy set names them
    assert [name for name, _ in levels] == [name for name, _ in out.policies.scp_levels] and len(levels) == 2
    denying = [(name, f.denies) for name, f in levels if f.denies]
    assert len(denying) == 1 and [(r.policy_id.endswith("NoIam"), r.index) for r in denying[0][1]] == [(True, 1)]
    assert out.reasons[0].statement == denying[0][1][0]


def test_the_resource_findings_say_how_the_caller_was_named() -> None:
    out = scenario().evaluate("Alice", "s3:GetObject", f"{BUCKET}/k")
    assert out.analysis is not None and out.analysis.resource is not None
    assert out.analysis.resource.best_match is PrincipalMatch.USER


@pytest.mark.parametrize(("who", "action", "resource", "context"), REQUESTS)
def test_a_trace_is_scan_with_a_sink_and_agrees_with_the_decision(
    who: str, action: str, resource: str, context: dict[str, Any]
) -> None:
    out = scenario().evaluate(who, action, resource, context)
    assert out.request is not None and out.policies is not None and out.analysis is not None
    applying = {st.ref for t in trace(out.request, out.policies) for st in t.statements if st.applies}
    kept = out.analysis
    levels = [f for _, f in kept.scps + kept.rcps]
    found = [kept.identity, kept.boundary, kept.session, kept.resource, *levels]
    assert applying == {ref for f in found if f for ref in f.allows + f.denies}


def test_every_statement_is_traced_part_by_part() -> None:
    w = scenario()
    out = w.evaluate("Alice", "s3:DeleteObject", f"{BUCKET}/k")
    assert out.request is not None and out.policies is not None
    (inline,) = [t for t in trace(out.request, out.policies) if t.role == "identity policy"]
    assert len(inline.statements) == 4  # not only those whose Action names the request's
    tagged, public, mfa, assume = inline.statements
    assert (tagged.action, tagged.resource, tagged.principal, tagged.applies) == (True, True, None, True)
    assert (public.action, public.resource) == (False, False)
    assert mfa.conditions[0].request_values is None and mfa.conditions[0].result is False  # key absent
    assert (assume.action, assume.applies) == (False, False)


def test_scan_without_a_sink_never_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: CompiledCondition, ctx: object) -> list[object]:
        raise AssertionError("the hot path explained a condition")

    monkeypatch.setattr(CompiledCondition, "explain", refuse)
    for who, action, resource, context in REQUESTS:
        scenario().evaluate(who, action, resource, context)


def test_scan_with_and_without_a_sink_find_the_same_statements() -> None:
    class Count:
        def __init__(self) -> None:
            self.seen = 0

        def statement(self, *parts: object) -> None:
            self.seen += 1

    w = scenario()
    rng = random.Random(16)
    # object actions only: a request whose resource is not of a type its action acts on is refused before scan
    actions = ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:GetObjectTagging", "s3:PutObjectAcl"]
    for _ in range(60):
        ctx = {"aws:SecureTransport": rng.random() < 0.5, "aws:MultiFactorAuthPresent": rng.random() < 0.5}
        out = w.evaluate("Alice", rng.choice(actions), f"{BUCKET}/{rng.choice(['k', 'public/k'])}", ctx)
        assert out.request is not None and out.policies is not None
        for policy in out.policies.identity:
            sink = Count()
            plain, traced = scan((policy,), out.request, set()), scan((policy,), out.request, set(), False, sink)
            assert (plain.allows, plain.denies) == (traced.allows, traced.denies)
            assert sink.seen == len(policy.statements)


def test_with_hop_keeps_the_request_policies_and_analysis() -> None:
    w = scenario()
    out = w.evaluate("Alice", "sts:AssumeRole", f"arn:aws:iam::{A}:role/App")
    hopped = out.with_hop(2)
    assert hopped.hop == 2 and all(r.hop == 2 for r in hopped.reasons)
    assert (hopped.request, hopped.policies, hopped.analysis) == (out.request, out.policies, out.analysis)
    assert hopped.missing_keys == out.missing_keys and hopped.matched == out.matched


def test_a_refused_hop_keeps_its_trace() -> None:
    # `explain --assume` on a refused hop shows the policies of that hop (with_hop used to drop them)
    data = {
        "scenario": "refused hop",
        "accounts": {
            A: {
                "users": {"Jane": {"inline_policies": {"p": doc(deny("sts:AssumeRole"))}}},
                "roles": {"App": {"trust_policy": doc({"Effect": "Allow", "Principal": {"AWS": A},
                                                        "Action": "sts:AssumeRole"})}},
                "buckets": {"bucket-a": {}},
            }
        },
    }  # fmt: skip
    out = Scenario.from_dict(data).evaluate("Jane", "s3:GetObject", f"{BUCKET}/k", assume=["App"])
    assert out.hop == 0 and out.decision is Decision.EXPLICIT_DENY
    assert out.request is not None and out.policies is not None
    roles = [t.role for t in trace(out.request, out.policies)]
    assert roles == ["identity policy", "trust policy"]


def test_compile_diagnostics_reach_the_outcome_once() -> None:
    old = doc(allow("s3:GetObject", "arn:aws:s3:::bucket-a/${aws:username}/*"), version="2008-10-17")
    data = {
        "scenario": "diagnostics",
        "accounts": {
            A: {
                "policies": {"old": old},
                "groups": {"readers": {"managed_policies": ["old"]}},
                "users": {"Bob": {"managed_policies": ["old"], "groups": ["readers"]}},
                "buckets": {"bucket-a": {}},
            }
        },
    }
    out = Scenario.from_dict(data).evaluate("Bob", "s3:GetObject", "arn:aws:s3:::bucket-a/${aws:username}/x")
    assert out.decision is Decision.ALLOWED  # the variable is literal text under 2008-10-17
    assert [d.code for d in out.diagnostics] == [DiagnosticCode.VARIABLE_UNSUPPORTED_IN_VERSION]
    assert out.diagnostics[0].location is not None
    note = "  note: policy variables are literal text unless Version is `2012-10-17`"  # the words, rendered
    assert any(line.startswith(note) for line in out.explain().lines())


def test_an_outcome_without_analysis_has_no_diagnostics_and_no_matches() -> None:
    # a service rule answered before any policy was read (STS refuses the root user a role)
    out = scenario().evaluate(f"arn:aws:iam::{A}:root", "sts:AssumeRole", f"arn:aws:iam::{A}:role/App")
    assert out.gates == (Gate.SERVICE,) and out.analysis is None
    assert out.matched == () and out.diagnostics == ()
