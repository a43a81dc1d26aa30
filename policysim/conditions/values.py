"""What every operator family shares: policy values as text, the matcher type, the "null data set" rule."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from policysim.context import RequestContext, context_value_text
from policysim.errors import Location, PolicyError
from policysim.ir.template import Template, parse_template

from .operators import OperatorSpec

#: does one request value match at least one policy value (the positive test, before negation)?
ValueTest: TypeAlias = Callable[[str, RequestContext], bool]

EMPTY_CONTEXT = RequestContext()


@dataclass(frozen=True, slots=True)
class Matcher:
    """A family's compiled policy values.

    `members`, when set, is an exact-membership shortcut: ``test(v, ctx) == (v in members)`` for every v,
    which lets the block use set operations instead of a loop.
    """

    test: ValueTest
    members: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class BuildInput:
    """Everything a family needs to compile the values of one (operator, key) clause."""

    spec: OperatorSpec
    key: str
    texts: tuple[str, ...]
    variables_enabled: bool
    location: Location

    def error(self, message: str, hint: str | None = None) -> PolicyError:
        """A located error about this clause's values."""
        return PolicyError(message, self.location, hint=hint)

    def invalid(self, text: str, expected: str) -> PolicyError:
        """The standard "not a valid X" error."""
        return self.error(f"`{text}` is not a valid {expected} for `{self.spec.name}`")

    def templates(self) -> tuple[Template, ...]:
        """The values parsed as templates (families that allow variables)."""
        return tuple(
            parse_template(text, variables_enabled=self.variables_enabled, location=self.location)
            for text in self.texts
        )


Builder: TypeAlias = Callable[[BuildInput], Matcher]


def value_texts(raw: object, location: Location, operator: str, key: str) -> tuple[str, ...]:
    """A condition value (scalar or list of scalars) as the texts AWS compares (booleans: `true`/`false`)."""
    items: Sequence[object] = raw if isinstance(raw, list | tuple) else [raw]
    if not items:
        raise PolicyError(f"condition key `{key}` of `{operator}` has an empty list of values", location)
    texts: list[str] = []
    for item in items:
        if not isinstance(item, str | bool | int | float):
            kind = "null" if item is None else type(item).__name__
            raise PolicyError(
                f"condition values must be strings, numbers or booleans, not {kind}",
                location,
                hint=f"under `{operator}`, key `{key}`",
            )
        texts.append(context_value_text(item))
    return tuple(texts)


def literal_text(template: Template, text: str) -> str:
    """The text of a template without variables (escapes such as `${*}` resolved)."""
    rendered = template.render(EMPTY_CONTEXT)
    return text if rendered is None else rendered


def is_null_data_set(values: tuple[str, ...]) -> bool:
    """True when request values "resolve to an empty data set (for example, an empty string)".

    The multi-value page: "If the key values in the request resolve to an empty data set (for example, an
    empty string), a condition operator modified by `ForAllValues` returns true, and a condition operator
    modified by `ForAnyValue` returns false." Used by the set qualifiers and by `Null`.
    """
    return not any(values)


def contains_variable(text: str) -> bool:
    """Whether a value would be a policy variable if variables were allowed."""
    return "${" in text
