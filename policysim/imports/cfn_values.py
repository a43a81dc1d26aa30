"""The values a template evaluates to: plain data, `Unknown` where the input cannot tell, `NO_VALUE` for AWS::NoValue.

An `Unknown` stays where it arose (an item of a list, a value of a mapping), so a policy reference list can hold one
unknown item beside known ones; a string built from an unknown part (`!Sub`, `!Join`) is unknown as a whole. When a
value is written into the model, `marker` turns it into the importers' `unknown(reason, source)` marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from policysim.errors import Location

from .model import unknown


@dataclass(frozen=True)
class Unknown:
    """A value the template and its inputs cannot tell: why, and where (`file:line:col`)."""

    reason: str
    source: str

    def marker(self) -> dict[str, Any]:
        """The model's unknown marker for this value."""
        return unknown(self.reason, self.source)


class _NoValue:
    """`Ref: AWS::NoValue`: the property (or list item) it stands for is removed."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


def where(location: Location) -> str:
    """`file:line:col` of a location (as much of it as is known)."""
    text = location.file or "<template>"
    if location.line is not None:
        text += f":{location.line}"
        if location.column is not None:
            text += f":{location.column}"
    return text


def unknowns(value: Any) -> Iterator[Unknown]:
    """Every `Unknown` in `value`, depth first."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            yield item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def first_unknown(value: Any) -> Unknown | None:
    """The first `Unknown` in `value`, if any; with a count of the others in its reason."""
    found = list(unknowns(value))
    if not found:
        return None
    head = found[0]
    others = len({u for u in found[1:] if u != head})
    if not others:
        return head
    more = f" (and {others} more unknown value{'s' if others > 1 else ''})"
    return Unknown(head.reason + more, head.source)


def text(value: Any) -> str:
    """A known scalar as CloudFormation hands it to a service: booleans `true`/`false`, numbers in decimal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stringify(value: Any) -> Any:
    """A policy document's scalars as text (`false` -> `"false"`, `123456789012` -> `"123456789012"`), as IAM
    reads the JSON CloudFormation sends; `None` stays null."""
    if isinstance(value, dict):
        return {key: stringify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stringify(item) for item in value]
    if value is None or isinstance(value, str | Unknown):
        return value
    return text(value)
