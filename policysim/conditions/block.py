"""A statement's Condition block, compiled once: the rules every family shares, each written once.

- "If your policy statement has multiple condition operators, the condition operators are evaluated using a
  logical `AND`. If your policy statement has multiple context keys attached to a single condition operator,
  the context keys are evaluated using a logical `AND`. If a single condition operator includes multiple
  values for a context key, those values are evaluated using a logical `OR`. If a single negated matching
  condition operator includes multiple values for a context key, those values are evaluated using a logical
  `NOR`." (reference_policies_multi-value-conditions.md). A family's matcher answers "does this request value
  match any policy value" (the OR); negation is applied here, once, which gives the NOR.
- Absent key: "If the key that you specify in a policy condition is not present in the request context, the
  values do not match and the condition is *false*. If the policy condition requires that the key is *not*
  matched, such as `StringNotLike` or `ArnNotLike`, and the right key is not present, the condition is
  *true*." IfExists: "If the key is not present, evaluate the condition element as true." ForAllValues "also
  returns true if there are no context keys in the request"; ForAnyValue: "For no matching context key or if
  the key does not exist, the condition returns `false`." Precedence: IfExists, then the qualifier, then
  negation.
- Set qualifiers: "The `ForAllValues` qualifier tests whether the value of every member of the request context
  matches the condition operator that follows the qualifier"; ForAnyValue: at least one does. The operator
  that follows includes its negation, so `ForAllValues:StringNotEquals [a, b]` is true iff no request value is
  a or b, and `ForAnyValue:StringNotLike [p]` is true iff some request value is not like p. An empty data set
  (no values, or only empty strings): ForAllValues true, ForAnyValue false.
- No qualifier on a multivalued request value: the docs say "Multivalued context keys require a condition set
  operator" and do not define the unqualified case. policysim reads it as "some request value matches" for
  positive operators and its complement for negated ones (none matches), so negation stays the exact
  complement of the positive operator on every present key; a present key with no values then matches no
  positive operator.
- Missing keys are reported (original spelling) for every operator but `Null`, whose answer absence is.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Mapping
from typing import Any

from policysim.context import RequestContext
from policysim.errors import Location, PolicyError

from .clause import Clause, Runner
from .explain import ClauseResult, explain_clause
from .null import build_null
from .operators import OperatorSpec, SetQualifier, parse_operator
from .registry import FAMILIES, VARIABLES_HINT
from .values import BuildInput, Matcher, ValueTest, contains_variable, is_null_data_set, value_texts


class CompiledCondition:
    """A compiled Condition block: AND over its clauses. Immutable; built once at load time."""

    __slots__ = ("clauses", "keys")

    clauses: tuple[Clause, ...]
    keys: frozenset[str]

    def __init__(self, clauses: tuple[Clause, ...]) -> None:
        object.__setattr__(self, "clauses", clauses)
        object.__setattr__(self, "keys", frozenset(clause.key for clause in clauses))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"CompiledCondition({list(self.clauses)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompiledCondition) and self.clauses == other.clauses

    def __hash__(self) -> int:
        return hash(self.clauses)

    def __reduce__(self) -> tuple[type[CompiledCondition], tuple[tuple[Clause, ...]]]:
        return CompiledCondition, (self.clauses,)

    def evaluate(self, ctx: RequestContext, missing: set[str] | None = None) -> bool:
        """True when every clause holds; with `missing`, all clauses run and absent keys are added."""
        get = ctx.get
        if missing is None:
            for clause in self.clauses:
                values = get(clause.key)
                if values is None:
                    if not clause.on_missing:
                        return False
                elif not clause.run(values, ctx):
                    return False
            return True
        holds = True
        for clause in self.clauses:
            values = get(clause.key)
            if values is None:
                if clause.reports_missing:
                    missing.add(clause.name)
                holds = holds and clause.on_missing
            elif holds and not clause.run(values, ctx):
                holds = False
        return holds

    def explain(self, ctx: RequestContext) -> list[ClauseResult]:
        """Per clause: what was compared, the result and why (not the hot path)."""
        return [explain_clause(clause, ctx) for clause in self.clauses]


def compile_condition(raw: Mapping[str, Any], *, variables_enabled: bool, location: Location) -> CompiledCondition:
    """Compile a statement's Condition element `{operator: {key: value | [values]}}`."""
    if not isinstance(raw, Mapping):
        raise PolicyError("`Condition` must be an object of condition operators", location)
    clauses: list[Clause] = []
    for operator, block in raw.items():
        where = location.child(str(operator))
        if not isinstance(operator, str):
            raise PolicyError(f"condition operator must be a string, not `{operator!r}`", location)
        spec = parse_operator(operator, where)
        if not isinstance(block, Mapping) or not block:
            raise PolicyError(
                f"condition operator `{operator}` must map at least one condition key to its values", where
            )
        seen: dict[str, str] = {}
        for name, raw_values in block.items():
            if not isinstance(name, str) or not name:
                raise PolicyError(f"condition keys must be non-empty strings, not `{name!r}`", where)
            key_where = where.child(name)
            earlier = seen.setdefault(name.lower(), name)
            if earlier != name:
                raise PolicyError(
                    f"duplicate condition key `{name}` under `{operator}`: `{earlier}` is the same key",
                    key_where,
                    hint="condition key names are case-insensitive",
                )
            texts = value_texts(raw_values, key_where, operator, name)
            clauses.append(_compile_clause(BuildInput(spec, name, texts, variables_enabled, key_where)))
    return CompiledCondition(tuple(clauses))


def _compile_clause(spec: BuildInput) -> Clause:
    op = spec.spec
    family = FAMILIES[op.family]
    enabled = spec.variables_enabled
    if enabled and not family.variables:
        _refuse_variables(spec)
    build = family.build
    if build is None:
        expected = build_null(spec)
        return Clause(spec.key, op, spec.texts, _null_runner(expected), True in expected, None, enabled)
    matcher = build(spec)
    return Clause(spec.key, op, spec.texts, make_runner(op, matcher), missing_result(op), matcher.test, enabled)


def rebuild_clause(name: str, spec: OperatorSpec, texts: tuple[str, ...], variables_enabled: bool) -> Clause:
    """A clause compiled again from its source (how a pickled clause is loaded); it compiled once, so it cannot
    fail now."""
    return _compile_clause(BuildInput(spec, name, texts, variables_enabled, Location("<pickled condition>")))


def _reduce_clause(clause: Clause) -> tuple[Callable[..., Clause], tuple[str, OperatorSpec, tuple[str, ...], bool]]:
    """A clause pickles as its source, compiled again when loaded: its functions are closures, which pickle cannot
    carry. How outcomes and runs cross to and from the processes of `evaluate_many` and `check --workers`."""
    return rebuild_clause, clause.source()


copyreg.pickle(Clause, _reduce_clause)


def _refuse_variables(spec: BuildInput) -> None:
    """The one guard for families whose values may not hold policy variables (a registry fact)."""
    for text in spec.texts:
        if contains_variable(text):
            raise spec.error(
                f"policy variables are not allowed in `{spec.spec.name}` values: `{text}`",
                hint=VARIABLES_HINT,
            )


def missing_result(op: OperatorSpec) -> bool:
    """The result of a clause whose key is absent from the request (see the module docstring)."""
    if op.if_exists:
        return True
    if op.qualifier is SetQualifier.FOR_ALL_VALUES:
        return True
    if op.qualifier is SetQualifier.FOR_ANY_VALUE:
        return False
    return op.negated


def make_runner(op: OperatorSpec, matcher: Matcher) -> Runner:
    """The function for a present key: qualifier and negation applied to the family's test, once."""
    test, members, negated = matcher.test, matcher.members, op.negated
    if op.qualifier is SetQualifier.NONE:
        if members is not None:
            return _disjoint(members) if negated else _intersects(members)
        return _none_match(test) if negated else _any_match(test)
    if op.qualifier is SetQualifier.FOR_ALL_VALUES:
        return _for_all(test, negated)
    return _for_any(test, negated)


def _intersects(members: frozenset[str]) -> Runner:
    def run(values: tuple[str, ...], ctx: RequestContext) -> bool:
        return not members.isdisjoint(values)

    return run


def _disjoint(members: frozenset[str]) -> Runner:
    def run(values: tuple[str, ...], ctx: RequestContext) -> bool:
        return members.isdisjoint(values)

    return run


def _any_match(test: ValueTest) -> Runner:
    def run(values: tuple[str, ...], ctx: RequestContext) -> bool:
        for value in values:  # noqa: SIM110 - a plain loop is faster
            if test(value, ctx):
                return True
        return False

    return run


def _none_match(test: ValueTest) -> Runner:
    def run(values: tuple[str, ...], ctx: RequestContext) -> bool:
        for value in values:  # noqa: SIM110 - a plain loop is faster
            if test(value, ctx):
                return False
        return True

    return run


def _for_all(test: ValueTest, negated: bool) -> Runner:
    if negated:

        def run_negated(values: tuple[str, ...], ctx: RequestContext) -> bool:
            if is_null_data_set(values):
                return True
            for value in values:  # noqa: SIM110 - a plain loop is faster
                if test(value, ctx):
                    return False
            return True

        return run_negated

    def run(values: tuple[str, ...], ctx: RequestContext) -> bool:
        if is_null_data_set(values):
            return True
        for value in values:  # noqa: SIM110 - a plain loop is faster
            if not test(value, ctx):
                return False
        return True

    return run


def _for_any(test: ValueTest, negated: bool) -> Runner:
    if negated:

        def run_negated(values: tuple[str, ...], ctx: RequestContext) -> bool:
            if is_null_data_set(values):
                return False
            for value in values:  # noqa: SIM110 - a plain loop is faster
                if not test(value, ctx):
                    return True
            return False

        return run_negated

    def run(values: tuple[str, ...], ctx: RequestContext) -> bool:
        if is_null_data_set(values):
            return False
        for value in values:  # noqa: SIM110 - a plain loop is faster
            if test(value, ctx):
                return True
        return False

    return run


def _null_runner(expected: frozenset[bool]) -> Runner:
    def run(values: tuple[str, ...], ctx: RequestContext) -> bool:
        return is_null_data_set(values) in expected

    return run
