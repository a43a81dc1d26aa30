"""One request, every entry point: the cases of tests/properties/test_entry_points.py and the code that puts a case
to `check`, `explain`, `Scenario.evaluate`, the two simulate twins and the diff.

A `Case` is one request in a small model. It is written twice: as a scenario dictionary (`Scenario.from_dict`, with
one test naming the request) and as the inputs AWS's simulators take (policies as JSON strings, `CallerArn`,
`ResourceArns`, `ResourcePolicy`, `ResourceOwner`, `PermissionsBoundaryPolicyInputList`, the resource's tags as
`ContextEntries`). `decisions(case)` answers it through every entry point that can express it and returns each
one's answer: `allowed`, `explicitDeny`, `implicitDeny`, `invalid` (the input was refused: `PolicysimError`, exit
code 2), or a description of anything else (a crash, a request the diff does not explore).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from policysim import PolicysimError, Scenario
from policysim.cli import main as cli_main
from policysim.diff import ChangeKind, diff_scenarios
from policysim.diff.compare import Side, plan
from policysim.space.actions import Probe
from policysim.twins import simulate_custom_policy, simulate_principal_policy

Json = dict[str, Any]

A = "111111111111"  # the caller's account
B = "222222222222"  # another account of the model
C = "333333333333"  # an account outside the model
FIXED_TIME = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SESSION_NAME = "policysim"  # the default session name of a role principal (scenario, twins and diff alike)

USER_ARN = f"arn:aws:iam::{A}:user/alice"
ROLE_ARN = f"arn:aws:iam::{A}:role/app"
SESSION_ARN = f"arn:aws:sts::{A}:assumed-role/app/{SESSION_NAME}"
ROOT_ARN = f"arn:aws:iam::{A}:root"
NOBODY_ARN = f"arn:aws:iam::{A}:user/nobody"  # the policy source of a root caller in simulate-principal-policy
OUTSIDER_ARN = f"arn:aws:iam::{C}:user/outsider"

EVALUATE = "evaluate"
CHECK = "check"
CHECK_CLI = "check (CLI)"
EXPLAIN = "explain (CLI)"
CUSTOM = "simulate-custom-policy"
PRINCIPAL = "simulate-principal-policy"
DIFF = "diff"
ENTRY_POINTS = (EVALUATE, CHECK, EXPLAIN, CUSTOM, PRINCIPAL, DIFF)
INVALID = "invalid"
NOT_EXPLORED = "not explored"


def fixed_clock() -> datetime:
    """The clock of every entry point that takes one (the CLI commands take none: no generated policy reads it)."""
    return FIXED_TIME


def doc(*statements: Json) -> Json:
    """A policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def stmt(
    effect: str,
    action: str | list[str],
    resource: str | list[str] = "*",
    *,
    condition: Json | None = None,
    principal: Json | str | None = None,
    not_principal: Json | None = None,
) -> Json:
    """One statement."""
    out: Json = {"Effect": effect}
    if principal is not None:
        out["Principal"] = principal
    if not_principal is not None:
        out["NotPrincipal"] = not_principal
    out["Action"] = action
    out["Resource"] = resource
    if condition is not None:
        out["Condition"] = condition
    return out


def trust_policy(*statements: Json) -> Json:
    """A trust policy: statements without `Resource` (a trust policy names none)."""
    return doc(*({k: v for k, v in s.items() if k != "Resource"} for s in statements))


class CallerKind(StrEnum):
    """Who makes the request."""

    USER = "user"
    ROLE = "role session"
    ROOT = "root"


@dataclass(frozen=True)
class Caller:
    """The caller as each entry point names it."""

    kind: CallerKind

    @property
    def arn(self) -> str:
        """The principal ARN a policy names to match this caller (a role session matches its role's ARN)."""
        return {CallerKind.USER: USER_ARN, CallerKind.ROLE: ROLE_ARN, CallerKind.ROOT: ROOT_ARN}[self.kind]

    @property
    def reference(self) -> str:
        """A scenario test's `principal` (and `explain --principal`, `evaluate(principal=...)`)."""
        return self.arn

    @property
    def caller_arn(self) -> str:
        """simulate-custom-policy's `CallerArn`: a role caller is a session of the role."""
        return SESSION_ARN if self.kind is CallerKind.ROLE else self.arn

    @property
    def source_arn(self) -> str:
        """simulate-principal-policy's `PolicySourceArn`: root has no policies, so a user without any stands in
        and `CallerArn` makes the request the root user's ("as if root had nobody's policies")."""
        return NOBODY_ARN if self.kind is CallerKind.ROOT else self.arn


@dataclass
class Case:
    """One request in one small model, in the terms of every entry point."""

    shape: str
    caller: Caller
    action: str
    resource: str
    model: Json  # the scenario dictionary without tests
    identity: Json | None = None  # the caller's identity policy (its only one)
    boundary: Json | None = None  # the caller's permissions boundary
    resource_policy: Json | None = None  # the resource's own policy (bucket, key or trust policy)
    resource_owner: str | None = None
    resource_tags: Mapping[str, str] = field(default_factory=dict)
    # the resource's tags reach the request as PREFIX:ResourceTag/K for these prefixes: `aws`, and the resource's
    # service where the Service Authorization Reference lists a service-prefixed key (iam:, secretsmanager:)
    tag_prefixes: tuple[str, ...] = ("aws",)
    skip: dict[str, str] = field(default_factory=dict)  # entry point -> why it cannot express this case
    # the diff may leave this request out of its space, for this reason (then it is skipped, not a disagreement)
    diff_may_omit: str | None = None

    def scenario(self) -> Json:
        """The scenario dictionary, with one test that makes the request."""
        test = {
            "name": "the request",
            "principal": self.caller.reference,
            "action": self.action,
            "resource": self.resource,
            "expect": "allowed",
        }
        return {**self.model, "tests": [test]}

    def custom_input(self) -> Json:
        """The simulate-custom-policy input of the same request."""
        data: Json = {
            "PolicyInputList": [json.dumps(self.identity)] if self.identity is not None else [],
            "ActionNames": [self.action],
            "ResourceArns": [self.resource],
            "CallerArn": self.caller.caller_arn,
        }
        if self.boundary is not None:
            data["PermissionsBoundaryPolicyInputList"] = [json.dumps(self.boundary)]
        if self.resource_policy is not None:
            data["ResourcePolicy"] = json.dumps(self.resource_policy)
        if self.resource_owner is not None:
            data["ResourceOwner"] = f"arn:aws:iam::{self.resource_owner}:root"
        entries = []
        for key, value in self.resource_tags.items():  # the simulator cannot read the resource's tags: pass them
            entries += [
                {"ContextKeyName": f"{p}:ResourceTag/{key}", "ContextKeyValues": [value], "ContextKeyType": "string"}
                for p in self.tag_prefixes
            ]
        if entries:
            data["ContextEntries"] = entries
        return data

    def principal_input(self) -> Json:
        """The simulate-principal-policy input of the same request (the scenario gives the policies)."""
        data: Json = {"PolicySourceArn": self.caller.source_arn, "ActionNames": [self.action]}
        data["ResourceArns"] = [self.resource]
        if self.caller.kind is CallerKind.ROOT:
            data["CallerArn"] = ROOT_ARN
        return data

    def describe(self) -> str:
        """The case, readable: its model and both twin inputs."""
        return json.dumps(
            {
                "shape": self.shape,
                "caller": self.caller.kind.value,
                "request": [self.caller.reference, self.action, self.resource],
                "scenario": self.scenario(),
                "simulate-custom-policy": self.custom_input(),
                "simulate-principal-policy": self.principal_input(),
                "skipped": self.skip,
            },
            indent=1,
        )


# ------------------------------------------------------------------------------------------------- the model


class ModelBuilder:
    """A scenario dictionary, account by account."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.accounts: dict[str, Json] = {}

    def account(self, account: str) -> Json:
        """The account's dictionary."""
        return self.accounts.setdefault(account, {})

    def user(
        self,
        account: str,
        name: str,
        identity: Json | None = None,
        boundary: Json | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """A user with at most one inline policy and a boundary."""
        entry: Json = {}
        if identity is not None:
            entry["inline_policies"] = {"identity": identity}
        if boundary is not None:
            self.account(account).setdefault("policies", {})["boundary"] = boundary
            entry["permissions_boundary"] = "boundary"
        if tags:
            entry["tags"] = dict(tags)
        self.account(account).setdefault("users", {})[name] = entry

    def role(
        self,
        account: str,
        name: str,
        trust: Json | None,
        identity: Json | None = None,
        boundary: Json | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """A role (without `trust` it cannot be assumed)."""
        entry: Json = {}
        if trust is not None:
            entry["trust_policy"] = trust
        if identity is not None:
            entry["inline_policies"] = {"identity": identity}
        if boundary is not None:
            self.account(account).setdefault("policies", {})["boundary"] = boundary
            entry["permissions_boundary"] = "boundary"
        if tags:
            entry["tags"] = dict(tags)
        self.account(account).setdefault("roles", {})[name] = entry

    def bucket(self, account: str, name: str, policy: Json | None) -> None:
        """A bucket."""
        self.account(account).setdefault("buckets", {})[name] = {"policy": policy} if policy is not None else {}

    def resource(self, account: str, arn: str, policy: Json | None, tags: Mapping[str, str] | None = None) -> None:
        """Another resource (a KMS key, a secret)."""
        entry: Json = {"arn": arn}
        if policy is not None:
            entry["policy"] = policy
        if tags:
            entry["tags"] = dict(tags)
        self.account(account).setdefault("resources", []).append(entry)

    def caller(self, caller: Caller, identity: Json | None, boundary: Json | None) -> None:
        """The caller: alice, a session of the role app (assumable from its account), or the root user of A."""
        if caller.kind is CallerKind.USER:
            self.user(A, "alice", identity, boundary)
        elif caller.kind is CallerKind.ROLE:
            trust = trust_policy(stmt("Allow", "sts:AssumeRole", principal={"AWS": ROOT_ARN}))
            self.role(A, "app", trust, identity, boundary)
        else:
            assert identity is None and boundary is None, "the root user has no identity policy or boundary"
            self.user(A, "nobody")
            self.account(A)

    def build(self) -> Json:
        """The scenario dictionary (no tests)."""
        return {"scenario": self.title, "accounts": self.accounts}


# ------------------------------------------------------------------------------------------------- entry points


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    """`policysim ARGV` in process, as the installed command runs it (exit codes included)."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli_main(argv)
        except SystemExit as exit_:
            code = exit_.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


def _guard(work: Callable[[], str]) -> str:
    """An entry point's answer; refused input is `invalid`, anything unexpected is described."""
    try:
        return work()
    except PolicysimError:
        return INVALID
    except Exception as error:
        return f"crash: {type(error).__name__}: {error}"


def _load(case: Case) -> Scenario:
    return Scenario.from_dict(case.scenario(), clock=fixed_clock)


def _evaluate(case: Case) -> str:
    return _load(case).evaluate(case.caller.reference, case.action, case.resource).decision.value


def _check(case: Case) -> str:
    (result,) = _load(case).run_tests()
    return result.decision.value


def _cli_file(case: Case, directory: Path) -> Path:
    path = directory / "scenario.json"
    path.write_text(json.dumps(case.scenario()), encoding="utf-8")
    return path


def _explain(case: Case, directory: Path) -> str:
    path = _cli_file(case, directory)
    argv = ["explain", str(path), "--principal", case.caller.reference, "--action", case.action]
    code, out, err = _run_cli([*argv, "--resource", case.resource, "--format", "json"])
    if code == 2:
        return INVALID
    if code != 0:
        return f"exit {code}: {err.strip()}"
    return str(json.loads(out)["decision"])


def _check_cli(case: Case, directory: Path) -> str:
    path = _cli_file(case, directory)
    code, out, err = _run_cli(["check", str(path), "--format", "json"])
    if code == 2:
        return INVALID
    if code not in (0, 1):
        return f"exit {code}: {err.strip()}"
    (test,) = json.loads(out)["scenarios"][0]["tests"]
    return str(test["decision"])


def _custom(case: Case) -> str:
    (result,) = simulate_custom_policy(case.custom_input(), clock=fixed_clock)["EvaluationResults"]
    return str(result["EvalDecision"])


def _principal(case: Case) -> str:
    (result,) = simulate_principal_policy(_load(case), case.principal_input())["EvaluationResults"]
    return str(result["EvalDecision"])


def _diff(case: Case) -> str:
    """The decision the diff's exploration makes for this request (the model against no model).

    The diff explores the callers, actions and resources the model names (its test names this request); its
    per-request answer is `Side.outcome`. Against a missing base model, its report lists exactly the allowed
    requests as new access: that is checked too.
    """
    world = _load(case)
    space = plan(None, world, None)
    key = case.caller.arn
    caller = next((c for c in space.callers if c.key == key), None)
    action = next((a for a in space.classes if case.action.lower() in (m.lower() for m in a.members)), None)
    if caller is None or action is None:
        return f"{NOT_EXPLORED} (no such caller or action in the request space)"
    if case.resource not in space.resources.for_action(action, caller):
        return f"{NOT_EXPLORED} (resource not paired with the action)"
    outcome = Side(world, space.roles).outcome(Probe(caller, action, case.resource, ()))
    if outcome is None:
        return "no answer"
    decision = outcome.decision.value
    exploration = diff_scenarios(None, world, catalogue=None)
    reported = any(
        c.kind is ChangeKind.NEW_ACCESS
        and c.probe.caller.key == key
        and c.probe.action.name == action.name
        and c.probe.resource == case.resource
        and not c.probe.context
        for c in exploration.changes
    )
    if reported != (decision == "allowed"):
        return f"{decision}, but the report {'lists' if reported else 'does not list'} it as new access"
    return decision


def decisions(case: Case, *, with_check_cli: bool = False) -> dict[str, str]:
    """Every entry point's answer to the case, except those in `case.skip`."""
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="policysim-entry-points-") as tmp:
        directory = Path(tmp)
        runs: dict[str, Callable[[], str]] = {
            EVALUATE: lambda: _evaluate(case),
            CHECK: lambda: _check(case),
            EXPLAIN: lambda: _explain(case, directory),
            CUSTOM: lambda: _custom(case),
            PRINCIPAL: lambda: _principal(case),
            DIFF: lambda: _diff(case),
        }
        if with_check_cli:
            runs[CHECK_CLI] = lambda: _check_cli(case, directory)
        for name, run in runs.items():
            if name not in case.skip:
                out[name] = _guard(run)
    if case.diff_may_omit is not None and out.get(DIFF, "").startswith(NOT_EXPLORED):
        del out[DIFF]
        case.skip[DIFF] = case.diff_may_omit
    return out


def disagreement(case: Case, answers: Mapping[str, str]) -> str:
    """The failure message: the answers side by side, then the case."""
    width = max(len(name) for name in answers)
    lines = [f"  {name:<{width}}  {answer}" for name, answer in answers.items()]
    lines += [f"  {name:<{width}}  skipped: {why}" for name, why in case.skip.items()]
    return "entry points disagree:\n" + "\n".join(lines) + "\n" + case.describe()
