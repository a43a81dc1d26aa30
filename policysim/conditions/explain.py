"""Explanations of condition clauses as data (not the hot path; reporters render them)."""

from __future__ import annotations

from dataclasses import dataclass

from policysim.context import RequestContext

from .clause import Clause
from .operators import Family, SetQualifier
from .values import is_null_data_set


@dataclass(frozen=True, slots=True)
class ClauseResult:
    """One (operator, key) clause evaluated against a request."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    result: bool
    reason: str


def explain_clause(clause: Clause, ctx: RequestContext) -> ClauseResult:
    """Evaluate one clause exactly as `evaluate` does, and say why."""
    values = ctx.get(clause.key)
    result = clause.result(values, ctx)
    return ClauseResult(
        operator=clause.spec.name,
        key=clause.name,
        policy_values=clause.policy_values,
        request_values=values,
        result=result,
        reason=_reason(clause, values, ctx),
    )


def _reason(clause: Clause, values: tuple[str, ...] | None, ctx: RequestContext) -> str:
    op = clause.spec
    if op.family is Family.NULL:
        if values is None:
            return "key is absent (null)"
        if is_null_data_set(values):
            return "key is present with no value (null)"
        return "key is present (not null)"
    if values is None:
        return "key is absent: " + _absent_rule(clause)
    if op.qualifier is not SetQualifier.NONE and is_null_data_set(values):
        verdict = "true" if op.qualifier is SetQualifier.FOR_ALL_VALUES else "false"
        return f"key has no values: `{op.qualifier.value}` is {verdict} for an empty set"
    test = clause.test
    assert test is not None  # only Null clauses have no per-value test
    matching = [value for value in values if test(value, ctx)]
    if op.qualifier is SetQualifier.NONE:
        found = f"`{matching[0]}` matches a policy value" if matching else "no request value matches"
        if op.negated:
            return f"{found}, so `{op.name}` is {'false' if matching else 'true'}"
        return found
    base = op.name.split(":", 1)[1]
    satisfied = [value for value in values if (value in matching) is not op.negated]
    if op.qualifier is SetQualifier.FOR_ALL_VALUES:
        failing = [value for value in values if value not in satisfied]
        if failing:
            return f"`{failing[0]}` does not satisfy `{base}`"
        return f"every request value satisfies `{base}`"
    if satisfied:
        return f"`{satisfied[0]}` satisfies `{base}`"
    return f"no request value satisfies `{base}`"


def _absent_rule(clause: Clause) -> str:
    op = clause.spec
    if op.if_exists:
        return "`IfExists` makes the clause true"
    if op.qualifier is SetQualifier.FOR_ALL_VALUES:
        return "`ForAllValues` is true when there are no values"
    if op.qualifier is SetQualifier.FOR_ANY_VALUE:
        return "`ForAnyValue` is false when there are no values"
    if op.negated:
        return f"the negated operator `{op.name}` is true"
    return "nothing to match"
