"""Checks of Action and Resource entries against the service catalogue: unknown services and actions, wildcards
that match nothing, trust policy actions, and resources of types none of the statement's actions act on.

The catalogue can be older than AWS: an action a scenario lists under `newer_actions` is accepted, and a statement
with an action the catalogue does not know is not checked for resource types (that action might act on anything).
"""

from __future__ import annotations

from collections.abc import Iterator

from policysim.catalogue.fit import action_problem
from policysim.catalogue.services import Action
from policysim.compile import ACTION
from policysim.enums import PolicyKind
from policysim.ir.pattern import Glob
from policysim.services.sts import TRUST_ACTIONS

from ..codes import Code
from ..findings import Finding
from ..policy import Policy, Statement, Value
from ..vocabulary import Vocabulary, resource_pattern

#: the actions a role trust policy may grant (lowercased): the trust actions policysim evaluates, and the two
#: AssumeRole forms for federated callers it does not model
TRUST_POLICY_ACTIONS = TRUST_ACTIONS | {"sts:assumerolewithsaml", "sts:assumerolewithwebidentity"}
_NEWER = "list it under `newer_actions` if it is newer than the catalogue"


def _entries(statement: Statement) -> Iterator[Value]:
    """The well-formed Action / NotAction entries other than `*` (the compiler reports malformed ones)."""
    for value in statement.actions:
        if value.text != "*" and ACTION.match(value.text):
            yield value


def check_action_names(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """UNKNOWN_SERVICE, UNKNOWN_ACTION, WILDCARD_MATCHES_NO_ACTION."""
    accepted = policy.source.accepted
    for statement in policy.statements:
        for value in _entries(statement):
            text = value.text
            if text.lower() in accepted:
                continue
            prefix, _, name = text.partition(":")
            # "The action does not exist. Did you mean ?" / "The service specified in the action does not exist."
            # (access-analyzer-reference-policy-checks.md, Error - Invalid action / Invalid service in action)
            if not vocabulary.known_service(prefix):
                problem = action_problem(text, accepted, vocabulary.services)
                message = problem.message if problem else f"unknown service `{prefix}`"
                hint = problem.hint if problem else None
                yield policy.finding(Code.UNKNOWN_SERVICE, message, value.path, statement, hint)
                continue
            found = vocabulary.expand(text)
            if found:
                continue
            if "*" in name or "?" in name:
                yield policy.finding(
                    Code.WILDCARD_MATCHES_NO_ACTION,
                    f"`{text}` matches no action of `{prefix.lower()}`: it grants or denies nothing",
                    value.path,
                    statement,
                    f"correct the pattern, or {_NEWER}",
                )
            else:
                problem = action_problem(text, accepted, vocabulary.services)
                message = problem.message if problem else f"`{text}` names no action"
                hint = problem.hint if problem else None
                yield policy.finding(Code.UNKNOWN_ACTION, message, value.path, statement, hint)


def check_trust_actions(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """TRUST_POLICY_UNSUPPORTED_ACTION."""
    if policy.kind is not PolicyKind.TRUST:
        return
    for statement in policy.statements:
        if statement.not_action:
            continue
        for value in _entries(statement):
            lowered = value.text.lower()
            glob = Glob.compile(lowered, ignore_case=True)
            # IAM refuses other actions in a role's trust policy: "AssumeRole policy may only specify STS
            # AssumeRole actions." (MalformedPolicyDocument); sts:TagSession, sts:SetSourceIdentity and
            # sts:SetContext are granted there too (id_session-tags.md, id_credentials_temp_control-access_monitor.md)
            if not any(glob.matches(action) for action in TRUST_POLICY_ACTIONS):
                yield policy.finding(
                    Code.TRUST_POLICY_UNSUPPORTED_ACTION,
                    f"`{value.text}` is not an action a trust policy grants",
                    value.path,
                    statement,
                )


def check_resource_types(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """RESOURCE_TYPE_MISMATCH: a Resource entry no action of its statement can act on.

    A resource fits an action when it is of one of the action's resource types: for an ARN, when the type's format
    matches it; for a pattern, when some ARN of the type matches it (`ArnFormat.overlaps`). Reported only when the
    statement's actions are all documented (an Action element, no `*`, nothing newer than the catalogue).
    """
    for statement in policy.statements:
        if statement.resources is None or statement.not_resource or statement.not_action:
            continue
        expansion = vocabulary.statement_actions(
            [v.text for v in statement.actions], statement.not_action, policy.source.accepted
        )
        if not expansion.complete or not expansion.actions:
            continue
        for value in statement.resources:
            pattern = resource_pattern(value.text, policy.variables) if value.text != "*" else None
            if pattern is None or _fits(pattern, expansion.actions, vocabulary):
                continue
            yield policy.finding(
                Code.RESOURCE_TYPE_MISMATCH,
                f"`{value.text}` is not a resource the statement's actions act on; they act on "
                f"{_types(expansion.actions)}",
                value.path,
                statement,
            )


def _fits(pattern: str, actions: tuple[Action, ...], vocabulary: Vocabulary) -> bool:
    """Does some action of the statement act on a resource `pattern` can name?"""
    if pattern.strip("*") == "":
        return True
    formats = {use.type.arn.text: use.type.arn for action in actions for use in action.resources}
    if any(vocabulary.fits(fmt, pattern) for fmt in formats.values()):
        return True
    # An action without resource types takes only `*` (service-authorization reference). AWS's own examples grant
    # `s3:ListAllMyBuckets` with `arn:aws:s3:::*` too (docs/semantics.md 12.1): a pattern naming the action's service
    # is not reported for such an action; a plain ARN is.
    wild = "*" in pattern or "?" in pattern
    for action in actions:
        if not action.resources and wild:
            service = pattern.split(":")[2] if pattern.count(":") >= 2 else "*"
            if Glob.compile(service).matches(action.service):
                return True
    return False


def _types(actions: tuple[Action, ...]) -> str:
    names = list(dict.fromkeys(name for action in actions for name in action.type_names()))
    shown = ", ".join(f"`{name}`" for name in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")
