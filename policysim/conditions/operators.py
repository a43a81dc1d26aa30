"""Condition operator names, parsed once into typed parts.

An operator name is ``[ForAllValues:|ForAnyValue:]<Base>[IfExists]``. It is parsed at compile time into an
`OperatorSpec` (set qualifier, family, comparison, negated flag, if-exists flag); nothing after compile looks
at the name again.

Case: operator names are matched exactly as AWS spells them. The User Guide gives no case-insensitivity rule
for operators (it gives one for key *names*: "Condition key names are not case-sensitive"), and its grammar
says that "Each string value (..., `condition_type_string`, ...) can have its own minimum and maximum length
restrictions, specific allowed values, or required internal format" (reference_policies_grammar.md). policysim
fails closed: a name in another case (`stringequals`) is an unknown operator, and the error hints at the right
spelling.

IfExists: "You can add `IfExists` to the end of any condition operator name except the `Null` condition"
(reference_policies_elements_condition_operators.md), so `NullIfExists` is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from policysim.errors import Location, PolicyError


class SetQualifier(StrEnum):
    """The set-operator prefix of a condition operator."""

    NONE = ""
    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


class Family(StrEnum):
    """Operator families; each has one module that types its policy values and tests request values."""

    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class Comparison(StrEnum):
    """What a request value is tested for against one policy value (before negation)."""

    EQUALS = "equals"
    EQUALS_IGNORE_CASE = "equals-ignore-case"
    LIKE = "like"
    LESS_THAN = "less-than"
    LESS_THAN_EQUALS = "less-than-equals"
    GREATER_THAN = "greater-than"
    GREATER_THAN_EQUALS = "greater-than-equals"
    IN_RANGE = "in-range"
    IS_NULL = "is-null"


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """A parsed operator name."""

    name: str
    qualifier: SetQualifier
    family: Family
    comparison: Comparison
    negated: bool
    if_exists: bool


_ORDER = (
    ("Equals", Comparison.EQUALS, False),
    ("NotEquals", Comparison.EQUALS, True),
    ("LessThan", Comparison.LESS_THAN, False),
    ("LessThanEquals", Comparison.LESS_THAN_EQUALS, False),
    ("GreaterThan", Comparison.GREATER_THAN, False),
    ("GreaterThanEquals", Comparison.GREATER_THAN_EQUALS, False),
)

#: base operator name -> (family, comparison, negated); the one table of AWS's operator vocabulary
BASE_OPERATORS: dict[str, tuple[Family, Comparison, bool]] = {
    "StringEquals": (Family.STRING, Comparison.EQUALS, False),
    "StringNotEquals": (Family.STRING, Comparison.EQUALS, True),
    "StringEqualsIgnoreCase": (Family.STRING, Comparison.EQUALS_IGNORE_CASE, False),
    "StringNotEqualsIgnoreCase": (Family.STRING, Comparison.EQUALS_IGNORE_CASE, True),
    "StringLike": (Family.STRING, Comparison.LIKE, False),
    "StringNotLike": (Family.STRING, Comparison.LIKE, True),
    **{f"Numeric{suffix}": (Family.NUMERIC, comparison, negated) for suffix, comparison, negated in _ORDER},
    **{f"Date{suffix}": (Family.DATE, comparison, negated) for suffix, comparison, negated in _ORDER},
    "Bool": (Family.BOOL, Comparison.EQUALS, False),
    "BinaryEquals": (Family.BINARY, Comparison.EQUALS, False),
    "IpAddress": (Family.IP, Comparison.IN_RANGE, False),
    "NotIpAddress": (Family.IP, Comparison.IN_RANGE, True),
    # "The `ArnEquals` and `ArnLike` condition operators behave identically."
    "ArnEquals": (Family.ARN, Comparison.LIKE, False),
    "ArnLike": (Family.ARN, Comparison.LIKE, False),
    "ArnNotEquals": (Family.ARN, Comparison.LIKE, True),
    "ArnNotLike": (Family.ARN, Comparison.LIKE, True),
    "Null": (Family.NULL, Comparison.IS_NULL, False),
}

_IF_EXISTS = "IfExists"
_QUALIFIERS = (SetQualifier.FOR_ALL_VALUES, SetQualifier.FOR_ANY_VALUE)


def all_operator_names() -> list[str]:
    """Every operator name policysim accepts (used for "did you mean" hints and tests)."""
    names: list[str] = []
    for base, (family, _, _) in BASE_OPERATORS.items():
        forms = [base] if family is Family.NULL else [base, base + _IF_EXISTS]
        for form in forms:
            names.append(form)
            names.extend(f"{q.value}:{form}" for q in _QUALIFIERS)
    return names


_ALL_NAMES = all_operator_names()
_BY_LOWER = {name.lower(): name for name in _ALL_NAMES}


def parse_operator(name: str, location: Location) -> OperatorSpec:
    """Parse an operator name, or raise a located `PolicyError` with a "did you mean" hint."""
    qualifier = SetQualifier.NONE
    rest = name
    for candidate in _QUALIFIERS:
        prefix = candidate.value + ":"
        if rest.startswith(prefix):
            qualifier, rest = candidate, rest[len(prefix) :]
            break
    if_exists = rest.endswith(_IF_EXISTS) and rest not in BASE_OPERATORS
    base = rest[: -len(_IF_EXISTS)] if if_exists else rest
    entry = BASE_OPERATORS.get(base)
    if entry is None:
        raise PolicyError(f"unknown condition operator `{name}`", location, hint=_suggest(name))
    family, comparison, negated = entry
    if if_exists and family is Family.NULL:
        raise PolicyError(
            f"`{name}` is not a condition operator: `IfExists` cannot be added to `Null`",
            location,
            hint="`Null` already tests whether the key exists; use `Null` alone",
        )
    return OperatorSpec(name, qualifier, family, comparison, negated, if_exists)


def _suggest(name: str) -> str | None:
    exact_case = _BY_LOWER.get(name.lower())
    if exact_case is not None:
        return f"did you mean `{exact_case}`? operator names are case-sensitive"
    import difflib  # only for an unknown operator

    close = difflib.get_close_matches(name, _ALL_NAMES, n=1, cutoff=0.75)
    return f"did you mean `{close[0]}`?" if close else None
