"""Checks of statements and entries that add nothing: repeated statements, statements another one covers (an Allow
that a Deny of the same policy always overrides, or that another Allow already grants), and Action or Resource
entries another entry of the same element covers.

"Covers" is decided from the text, conservatively: a statement covers another when its principal, actions and
resources include the other's and its condition is absent or the same; an entry covers another when it is `*`, the
same, a pattern that matches the other (a plain name), or a trailing-`*` prefix of the other. Anything subtler is not
claimed. Policies of more than `PAIRWISE_LIMIT` statements are checked for repeated statements only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from policysim.ir.pattern import Glob

from ..codes import Code
from ..findings import Finding
from ..policy import Policy, Statement, Value
from ..vocabulary import Vocabulary

PAIRWISE_LIMIT = 200


def _literal_prefix(text: str) -> str:
    """The text before the first `*`, `?` or `${`."""
    cut = len(text)
    for mark in ("*", "?", "${"):
        found = text.find(mark)
        if found != -1:
            cut = min(cut, found)
    return text[:cut]


def entry_covers(wide: str, narrow: str, *, ignore_case: bool) -> bool:
    """Does the Action or Resource entry `wide` match everything `narrow` can?"""
    if ignore_case:
        wide, narrow = wide.lower(), narrow.lower()
    if wide == "*" or wide == narrow:
        return True
    if "${" in wide:
        return False  # a variable's value is known per request only
    if _literal_prefix(narrow) == narrow:
        return Glob.compile(wide).matches(narrow)
    head = wide[:-1]
    return wide.endswith("*") and _literal_prefix(head) == head and _literal_prefix(narrow).startswith(head)


def _all_covered(wide: Sequence[str], narrow: Sequence[str], ignore_case: bool) -> bool:
    return all(any(entry_covers(w, n, ignore_case=ignore_case) for w in wide) for n in narrow)


@dataclass(frozen=True)
class _Shape:
    """A statement normalised for comparison (Sid left out)."""

    effect: str
    principal: str | None
    principal_element: str | None
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None
    not_resource: bool
    condition: str

    @classmethod
    def of(cls, statement: Statement) -> _Shape:
        blocks: dict[str, dict[str, list[str]]] = {}  # operator -> lowercased key -> sorted values
        for clause in statement.clauses:
            blocks.setdefault(clause.operator, {})[clause.key.lower()] = sorted(v.text for v in clause.values)
        return cls(
            effect=statement.effect.value,
            principal=_canonical(statement.principal) if statement.principal_element else None,
            principal_element=statement.principal_element,
            actions=tuple(sorted({v.text.lower() for v in statement.actions})),
            not_action=statement.not_action,
            resources=None if statement.resources is None else tuple(sorted({v.text for v in statement.resources})),
            not_resource=statement.not_resource,
            condition=json.dumps(blocks, sort_keys=True),
        )

    def covers(self, other: _Shape) -> bool:
        """Does every request `other` applies to also match this statement?"""
        return (
            self._principal_covers(other)
            and self._actions_cover(other)
            and self._resources_cover(other)
            and (self.condition == "{}" or self.condition == other.condition)
        )

    def _principal_covers(self, other: _Shape) -> bool:
        if self.principal_element is None or self.principal == other.principal:
            return self.principal_element == other.principal_element
        return self.principal_element == "Principal" == other.principal_element and self.principal == '"*"'

    def _actions_cover(self, other: _Shape) -> bool:
        if self.not_action or other.not_action:  # fewer exclusions cover more
            return self.not_action and other.not_action and set(self.actions) <= set(other.actions)
        return _all_covered(self.actions, other.actions, ignore_case=True)

    def _resources_cover(self, other: _Shape) -> bool:
        if self.resources is None or other.resources is None:
            return self.resources is None and other.resources is None
        if self.not_resource or other.not_resource:
            if not self.not_resource:
                return self.resources == ("*",)
            return other.not_resource and set(self.resources) <= set(other.resources)
        return _all_covered(self.resources, other.resources, ignore_case=False)


def _canonical(principal: Any) -> str:
    if isinstance(principal, dict):
        principal = {k: sorted([v] if isinstance(v, str) else v) for k, v in principal.items()}
    return json.dumps(principal, sort_keys=True)


def check_statements(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """DUPLICATE_STATEMENT, STATEMENT_SHADOWED_BY_DENY, REDUNDANT_STATEMENT."""
    shapes = [_Shape.of(statement) for statement in policy.statements]
    first: dict[_Shape, Statement] = {}
    duplicates: set[int] = set()
    for statement, shape in zip(policy.statements, shapes, strict=True):
        earlier = first.setdefault(shape, statement)
        if earlier is not statement:
            duplicates.add(statement.index)
            # "When you include the same statement more than once in a long policy, the statements are redundant."
            # (access-analyzer-reference-policy-checks.md, Suggestion - Redundant statement)
            yield policy.finding(
                Code.DUPLICATE_STATEMENT, f"the statement repeats statement {earlier.label}", statement.path, statement
            )
    if len(shapes) > PAIRWISE_LIMIT:
        return
    for statement, shape in zip(policy.statements, shapes, strict=True):
        if statement.index in duplicates:
            continue
        yield from _covered(policy, statement, shape, shapes)


def _covered(policy: Policy, statement: Statement, shape: _Shape, shapes: list[_Shape]) -> Iterator[Finding]:
    """The first statement that covers this one: a Deny (for an Allow) before one of the same effect."""
    pairs = sorted(zip(policy.statements, shapes, strict=True), key=lambda pair: pair[1].effect == shape.effect)
    for other, other_shape in pairs:
        if other is statement or other_shape == shape or not other_shape.covers(shape):
            continue
        if other_shape.effect != shape.effect:
            if statement.allows:
                # An explicit Deny overrides any Allow (reference_policies_evaluation-logic.md): an Allow that a Deny
                # of its own policy covers never grants anything.
                yield policy.finding(
                    Code.STATEMENT_SHADOWED_BY_DENY,
                    f"Deny statement {other.label} covers every request this Allow applies to: it never grants",
                    statement.path,
                    statement,
                )
                return
            continue
        if shape.covers(other_shape) and other.index > statement.index:
            continue  # the two cover each other: report the later one only
        yield policy.finding(
            Code.REDUNDANT_STATEMENT,
            f"statement {other.label} already covers every request this statement applies to",
            statement.path,
            statement,
        )
        return


def check_entries(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """REDUNDANT_ACTION, REDUNDANT_RESOURCE."""
    for statement in policy.statements:
        # "The action(s) are redundant because they provide similar permissions." (Suggestion - Redundant action)
        yield from _redundant(policy, statement, statement.actions, Code.REDUNDANT_ACTION, True)
        # "The resource ARN(s) are redundant because they reference the same resource." (Suggestion - Redundant
        # resource)
        if statement.resources is not None:
            yield from _redundant(policy, statement, statement.resources, Code.REDUNDANT_RESOURCE, False)


def _redundant(
    policy: Policy, statement: Statement, values: tuple[Value, ...], code: Code, ignore_case: bool
) -> Iterator[Finding]:
    def covers(wide: str, narrow: str) -> bool:
        return entry_covers(wide, narrow, ignore_case=ignore_case)

    for index, value in enumerate(values):
        for other_index, other in enumerate(values):
            if other_index == index or not covers(other.text, value.text):
                continue
            if covers(value.text, other.text) and other_index > index:
                continue  # the same entry twice: report the later one
            yield policy.finding(code, f"`{value.text}` is already covered by `{other.text}`", value.path, statement)
            break
