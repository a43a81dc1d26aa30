"""The policies `validate` checks, and the view of one the checks read: every value with its key path, so that a
finding points at the element it is about (`Document.locate` turns a path into file:line:column).

The view is built from a document the wire model (`model/policy.py`) has accepted, so every element has its
documented shape; it keeps values as written (`Action` as a string or a list) and records where each came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from policysim.conditions import OperatorSpec, parse_operator
from policysim.context import context_value_text
from policysim.enums import Effect, PolicyKind
from policysim.errors import Location, PolicyError
from policysim.load import Document, Path_

from .codes import Code
from .findings import Finding


class Attachment(StrEnum):
    """Where a policy is held, as far as its size quota goes."""

    FILE = "file"  # a policy file named on the command line or found under a directory: its place is not known
    MANAGED = "managed"  # a customer managed policy of a scenario (also when attached as a boundary)
    INLINE = "inline"  # an inline policy: counted with its user's, group's or role's other inline policies
    OWN = "own"  # a trust, bucket, resource, organization or session policy: the kind says the quota


@dataclass(frozen=True)
class PolicySource:
    """One policy to validate: its document, the name reports give it, its kind and where it is held.

    `accepted` are actions the source declares newer than the catalogue (a scenario's `newer_actions`).
    """

    doc: Document
    name: str
    kind: PolicyKind
    attachment: Attachment = Attachment.FILE
    accepted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InlineGroup:
    """The inline policies of one user, group or role (IAM's quota is on their sum), and where they are declared."""

    entity: str  # user | group | role
    name: str
    location: Location
    documents: tuple[Any, ...]


@dataclass(frozen=True)
class Value:
    """A string of the policy and its key path."""

    text: str
    path: Path_


@dataclass(frozen=True)
class Clause:
    """One condition key under one operator. `spec` is None for a name that is no operator (the compiler says so)."""

    operator: str
    operator_path: Path_
    spec: OperatorSpec | None
    key: str
    key_path: Path_
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Statement:
    """One statement as written. `actions` / `resources` hold the Action or NotAction (Resource or NotResource)
    entries; `not_action` / `not_resource` say which; `resources` is None when the statement has neither."""

    index: int
    path: Path_
    sid: str | None
    effect: Effect
    principal: Any
    principal_element: str | None  # Principal | NotPrincipal | None
    actions: tuple[Value, ...]
    not_action: bool
    resources: tuple[Value, ...] | None
    not_resource: bool
    clauses: tuple[Clause, ...]
    data: Mapping[str, Any]

    @property
    def label(self) -> str:
        """The Sid, or `#N` (from 1), as `StatementRef.label` names statements."""
        return self.sid if self.sid else f"#{self.index + 1}"

    @property
    def allows(self) -> bool:
        """An Allow statement."""
        return self.effect is Effect.ALLOW

    def condition_keys(self) -> set[str]:
        """The condition keys it names, lowercased."""
        return {clause.key.lower() for clause in self.clauses}


@dataclass(frozen=True)
class Policy:
    """A policy the checks read: its source, Version and statements."""

    source: PolicySource
    version: str | None
    statements: tuple[Statement, ...]

    @property
    def kind(self) -> PolicyKind:
        """The policy's kind."""
        return self.source.kind

    @property
    def variables(self) -> bool:
        """Whether `${...}` are policy variables (Version 2012-10-17) rather than literal text."""
        return self.version == "2012-10-17"

    def finding(
        self,
        code: Code,
        message: str,
        path: Path_ = (),
        statement: Statement | None = None,
        hint: str | None = None,
        *,
        value: bool = True,
    ) -> Finding:
        """A finding at the element at `path` (its value; with `value=False`, its key)."""
        return Finding(
            code=code,
            message=message,
            location=self.source.doc.locate(path, value=value),
            policy=self.source.name,
            kind=self.kind,
            statement=statement.label if statement is not None else None,
            hint=hint,
        )


def view(source: PolicySource) -> Policy:
    """The view of a document the wire model accepted (`PolicyDocument`)."""
    data = source.doc.data
    raw = data["Statement"]
    lone = isinstance(raw, dict)
    items = [raw] if lone else list(raw)
    statements = tuple(
        _statement(item, index, ("Statement",) if lone else ("Statement", index), source.doc)
        for index, item in enumerate(items)
    )
    return Policy(source, data.get("Version"), statements)


def _statement(data: Mapping[str, Any], index: int, path: Path_, doc: Document) -> Statement:
    principal_element = next((name for name in ("Principal", "NotPrincipal") if name in data), None)
    action_element = "NotAction" if "NotAction" in data and "Action" not in data else "Action"
    resource_element = next((name for name in ("Resource", "NotResource") if name in data), None)
    return Statement(
        index=index,
        path=path,
        sid=data.get("Sid"),
        effect=Effect(data["Effect"]),
        principal=data.get(principal_element) if principal_element else None,
        principal_element=principal_element,
        actions=_values(data.get(action_element), (*path, action_element)),
        not_action=action_element == "NotAction",
        resources=_values(data[resource_element], (*path, resource_element)) if resource_element else None,
        not_resource=resource_element == "NotResource",
        clauses=_clauses(data.get("Condition") or {}, (*path, "Condition"), doc),
        data=data,
    )


def _values(value: Any, path: Path_) -> tuple[Value, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(Value(context_value_text(item), (*path, index)) for index, item in enumerate(value))
    return (Value(context_value_text(value), path),)


def _clauses(condition: Mapping[str, Any], path: Path_, doc: Document) -> tuple[Clause, ...]:
    out: list[Clause] = []
    for operator, block in condition.items():
        operator_path = (*path, operator)
        try:
            spec: OperatorSpec | None = parse_operator(operator, doc.locate(operator_path))
        except PolicyError:
            spec = None
        for key, values in block.items():
            key_path = (*operator_path, key)
            out.append(Clause(operator, operator_path, spec, key, key_path, _values(values, key_path)))
    return tuple(out)
