"""Wire policy -> compiled policy, in one place: every value is parsed and checked here, errors located.

The policy kinds differ only in data (`KIND_RULES`): which elements they require or forbid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policysim.compiled import (
    ActionMatcher,
    CompiledPolicy,
    CompiledStatement,
    Diagnostic,
    ResourceMatcher,
    StatementRef,
)
from policysim.conditions import compile_condition
from policysim.enums import DiagnosticCode, Effect, PolicyKind
from policysim.errors import Location, PathPart, PolicyError
from policysim.ir.arn import check_resource_pattern
from policysim.ir.pattern import Glob, PatternMatcher, compile_pattern
from policysim.ir.principal import PrincipalSet, compile_principal
from policysim.ir.template import parse_template
from policysim.limits import check_policy_size
from policysim.load import Document
from policysim.model.records import PolicyDocument, PolicyStatement
from policysim.model.wire import read

ACTION = re.compile(r"^[a-zA-Z0-9-]+:[a-zA-Z0-9*?_-]*$")
IAM_SID = re.compile(r"^[A-Za-z0-9]*$")
# "IAM policy documents can contain only the following Unicode characters: horizontal tab (U+0009), linefeed
# (U+000A), carriage return (U+000D), and characters in the range U+0020 to U+00FF." (reference_iam-quotas.md)
DISALLOWED_CHAR = re.compile(r"[^\t\n\r\u0020-\u00ff]")


@dataclass(frozen=True, slots=True)
class KindRules:
    """What a policy kind requires or forbids."""

    principal_required: bool
    principal_allowed: bool
    not_principal_allowed: bool
    resource_required: bool
    resource_allowed: bool
    iam_sids: bool  # IAM's Sid rule: ASCII letters and digits only


_IDENTITY_LIKE = KindRules(False, False, False, True, True, True)
KIND_RULES: dict[PolicyKind, KindRules] = {
    PolicyKind.IDENTITY: _IDENTITY_LIKE,
    PolicyKind.BOUNDARY: _IDENTITY_LIKE,
    PolicyKind.SESSION: _IDENTITY_LIKE,
    PolicyKind.SCP: _IDENTITY_LIKE,
    PolicyKind.RCP: KindRules(True, True, False, True, True, False),
    PolicyKind.RESOURCE: KindRules(True, True, True, True, True, False),
    PolicyKind.TRUST: KindRules(True, True, False, False, False, True),
    # "An endpoint policy is a JSON policy document that uses the IAM policy language. It must contain a Principal
    # element." (Amazon VPC, Control access to VPC endpoints using endpoint policies)
    PolicyKind.VPC_ENDPOINT: KindRules(True, True, True, True, True, False),
}


def compile_policy(doc: Document, policy_id: str, kind: PolicyKind, source_text: str | None = None) -> CompiledPolicy:
    """Validate and compile one policy document of a given kind."""
    check_policy_size(doc.data, kind, doc.locate(()))  # first: a policy no AWS account could hold is not compiled
    _check_characters(doc.data, doc, ())
    wire = read(PolicyDocument, doc.data, doc.locate, f"{kind.value} policy `{policy_id}`")
    variables = wire.Version == "2012-10-17"
    lone = isinstance(doc.data, dict) and isinstance(doc.data.get("Statement"), dict)
    rules = KIND_RULES[kind]
    statements: list[CompiledStatement] = []
    diagnostics: list[Diagnostic] = []
    seen_sids: dict[str, int] = {}
    for index, statement in enumerate(wire.Statement):
        path: tuple[PathPart, ...] = ("Statement",) if lone else ("Statement", index)
        where = doc.locate(path)
        _check_sid(statement, index, seen_sids, rules, doc, path)
        statements.append(_compile_statement(statement, index, policy_id, kind, rules, variables, doc, path, where))
    if not variables and "${" in repr(doc.data):
        diagnostics.append(
            Diagnostic(DiagnosticCode.VARIABLE_UNSUPPORTED_IN_VERSION, doc.locate(("Version",) if wire.Version else ()))
        )
    return CompiledPolicy(
        id=policy_id,
        kind=kind,
        statements=tuple(statements),
        version=wire.Version,
        diagnostics=tuple(diagnostics),
        source_text=source_text,
    )


def _check_characters(value: Any, doc: Document, path: tuple[PathPart, ...]) -> None:
    """AWS accepts only TAB, LF, CR and U+0020-U+00FF in policy documents."""
    if isinstance(value, str):
        bad = DISALLOWED_CHAR.search(value)
        if bad:
            raise PolicyError(
                f"character U+{ord(bad.group()):04X} is not allowed in a policy document",
                doc.locate(path),
                "AWS allows only tab, line feed, carriage return and U+0020 to U+00FF",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_characters(key, doc, path)
            _check_characters(item, doc, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_characters(item, doc, (*path, index))


def _check_sid(
    statement: PolicyStatement,
    index: int,
    seen: dict[str, int],
    rules: KindRules,
    doc: Document,
    path: tuple[PathPart, ...],
) -> None:
    sid = statement.Sid
    if sid is None:
        return
    if rules.iam_sids and not IAM_SID.match(sid):
        raise PolicyError(f"Sid `{sid}` may contain only ASCII letters and digits", doc.locate((*path, "Sid")))
    if sid in seen:
        raise PolicyError(
            f"Statement IDs (SID) in a single policy must be unique: `{sid}` is used by statements "
            f"{seen[sid] + 1} and {index + 1}",
            doc.locate((*path, "Sid")),
        )
    seen[sid] = index


def _compile_statement(
    statement: PolicyStatement,
    index: int,
    policy_id: str,
    kind: PolicyKind,
    rules: KindRules,
    variables: bool,
    doc: Document,
    path: tuple[PathPart, ...],
    where: Location,
) -> CompiledStatement:
    def at(*parts: PathPart) -> Location:
        return doc.locate((*path, *parts))

    effect = Effect(statement.Effect)
    _exactly_one(statement.Action, statement.NotAction, "Action", "NotAction", True, "actions", where)
    _exactly_one(
        statement.Resource,
        statement.NotResource,
        "Resource",
        "NotResource",
        rules.resource_required,
        "resources",
        where,
    )
    if not rules.resource_allowed and (statement.Resource is not None or statement.NotResource is not None):
        element = "Resource" if statement.Resource is not None else "NotResource"
        raise PolicyError(f"a {kind.value} policy must not contain `{element}`", at(element))
    principal_value = statement.Principal if statement.Principal is not None else statement.NotPrincipal
    principal_element = "Principal" if statement.Principal is not None else "NotPrincipal"
    if statement.Principal is not None and statement.NotPrincipal is not None:
        raise PolicyError("a statement must not contain both `Principal` and `NotPrincipal`", where)
    if principal_value is not None and not rules.principal_allowed:
        raise PolicyError(
            f"a {kind.value} policy must not contain `{principal_element}`",
            at(principal_element),
            "Principal belongs in resource-based and trust policies; identity policies apply to their holder",
        )
    if statement.NotPrincipal is not None and not rules.not_principal_allowed:
        raise PolicyError(f"a {kind.value} policy must not contain `NotPrincipal`", at("NotPrincipal"))
    if statement.NotPrincipal is not None and effect is Effect.ALLOW:
        # "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
        # (reference_policies_elements_notprincipal.md)
        raise PolicyError(
            '`NotPrincipal` must be used with `"Effect": "Deny"`',
            at("NotPrincipal"),
            "AWS does not support NotPrincipal with Allow; grant with `Principal` and a condition on aws:PrincipalArn",
        )
    if principal_value is None and rules.principal_required:
        raise PolicyError(f"a {kind.value} policy statement must contain `Principal`", where)
    principals: PrincipalSet | None = None
    if principal_value is not None:
        principals = compile_principal(principal_value, at(principal_element))
        if kind is PolicyKind.RCP and not (principals.wildcard and principal_value == "*"):
            raise PolicyError('an RCP statement\'s `Principal` must be "*"', at(principal_element))
    action_element = "Action" if statement.Action is not None else "NotAction"
    actions = _compile_actions(statement.Action or statement.NotAction or [], action_element, at)
    resources = None
    if statement.Resource is not None or statement.NotResource is not None:
        element = "Resource" if statement.Resource is not None else "NotResource"
        resources = _compile_resources(statement.Resource or statement.NotResource or [], element, variables, at)
    condition = None
    if statement.Condition is not None:
        condition = compile_condition(statement.Condition, variables_enabled=variables, location=at("Condition"))
    span = doc.spans.get(path)
    ref = StatementRef(
        policy_id=policy_id,
        kind=kind,
        index=index,
        sid=statement.Sid,
        effect=effect,
        location=where,
        end=(span.end_line, span.end_column) if span else None,
    )
    return CompiledStatement(
        ref=ref,
        effect=effect,
        actions=actions,
        resources=resources,
        principals=principals,
        principals_negated=statement.NotPrincipal is not None,
        condition=condition,
    )


def _exactly_one(
    first: object, second: object, name: str, not_name: str, required: bool, plural: str, where: Location
) -> None:
    if first is not None and second is not None:
        raise PolicyError(f"a statement must not contain both `{name}` and `{not_name}`", where)
    if required and first is None and second is None:
        raise PolicyError(f"Policy statement must contain {plural} (`{name}` or `{not_name}`)", where)


def _items(value: str | list[str]) -> Sequence[tuple[int | None, str]]:
    return [(None, value)] if isinstance(value, str) else list(enumerate(value))


def _compile_actions(value: str | list[str], element: str, at: Any) -> ActionMatcher:
    literals: set[str] = set()
    globs: list[Glob] = []
    everything = False
    for index, action in _items(value):
        where = at(element) if index is None else at(element, index)
        if action == "*":
            everything = True
            continue
        if ":" not in action:
            raise PolicyError(
                f"action `{action}` must be prefaced by a vendor, e.g. `iam`, `s3`, `ec2`",
                where,
                "write actions as `service:ActionName`",
            )
        if action.count(":") > 1:
            raise PolicyError(f"action `{action}` can contain only one colon", where)
        if not ACTION.match(action):
            service = action.split(":")[0]
            problem = "vendor" if not re.match(r"^[a-zA-Z0-9-]+$", service) else "action name"
            raise PolicyError(f"invalid {problem} in action `{action}`", where)
        lowered = action.lower()
        if "*" in lowered or "?" in lowered:
            globs.append(Glob.compile(lowered, ignore_case=True))
        else:
            literals.add(lowered)
    return ActionMatcher(element == "NotAction", frozenset(literals), tuple(globs), everything)


def _compile_resources(value: str | list[str], element: str, variables: bool, at: Any) -> ResourceMatcher:
    literals: set[str] = set()
    patterns: list[PatternMatcher] = []
    everything = False
    for index, resource in _items(value):
        where = at(element) if index is None else at(element, index)
        if resource == "*":
            everything = True
            continue
        check_resource_pattern(resource, location=where)
        template = parse_template(resource, variables_enabled=variables, location=where)
        if template.parts == (resource,) and "*" not in resource and "?" not in resource:
            literals.add(resource)
        else:
            patterns.append(compile_pattern(template))
    return ResourceMatcher(element == "NotResource", frozenset(literals), tuple(patterns), everything)
