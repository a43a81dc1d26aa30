"""String operators: StringEquals, StringEqualsIgnoreCase, StringLike (and their negations).

- Equals compares exactly; `*` and `?` are literal ("Exact matching, case sensitive").
- EqualsIgnoreCase lowercases both sides ("Exact matching, ignoring case").
- Like: "The values can include multi-character match wildcards (*) and single-character match wildcards (?)
  anywhere in the string"; matching uses `compile_pattern` (linear time, no regex). `${*}` / `${?}` are
  literal.
- Variables are allowed ("You can use a policy variable with the `String` condition operator"). A variable
  without a value makes that policy value null: "condition operators like `StringEquals` or `StringLike` do
  not match" (reference_policies_variables.md, "Policy variables with no value"); negation is applied by the
  block.

Static values become frozensets (membership instead of loops); only values with variables are rendered per
request.
"""

from __future__ import annotations

from policysim.context import RequestContext
from policysim.ir.pattern import PatternMatcher, compile_pattern
from policysim.ir.template import Template

from .operators import Comparison
from .values import BuildInput, Matcher, ValueTest, literal_text

_WILDCARDS = frozenset("*?$")


def build_string(spec: BuildInput) -> Matcher:
    """Compile String-family values."""
    comparison = spec.spec.comparison
    if comparison is Comparison.LIKE:
        return _build_like(spec)
    fold = comparison is Comparison.EQUALS_IGNORE_CASE
    static: set[str] = set()
    dynamic: list[Template] = []
    for text, template in zip(spec.texts, spec.templates(), strict=True):
        if template.has_variables:
            dynamic.append(template)
        else:
            literal = literal_text(template, text)
            static.add(literal.lower() if fold else literal)
    members = frozenset(static)
    if not dynamic:
        if fold:
            return Matcher(_fold_member_test(members))
        return Matcher(_member_test(members), members)
    return Matcher(_dynamic_equals_test(members, tuple(dynamic), fold))


def _member_test(members: frozenset[str]) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        return value in members

    return test


def _fold_member_test(members: frozenset[str]) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        return value.lower() in members

    return test


def _dynamic_equals_test(members: frozenset[str], templates: tuple[Template, ...], fold: bool) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        probe = value.lower() if fold else value
        if probe in members:
            return True
        for template in templates:
            rendered = template.render(ctx)
            if rendered is not None and (rendered.lower() if fold else rendered) == probe:
                return True
        return False

    return test


def _build_like(spec: BuildInput) -> Matcher:
    literals: set[str] = set()
    patterns: list[PatternMatcher] = []
    for text, template in zip(spec.texts, spec.templates(), strict=True):
        if _WILDCARDS.isdisjoint(text):
            literals.add(text)  # no wildcard, no variable, no escape: plain equality
        else:
            patterns.append(compile_pattern(template))
    members = frozenset(literals)
    if not patterns:
        return Matcher(_member_test(members), members)
    return Matcher(_like_test(members, tuple(patterns)))


def _like_test(members: frozenset[str], patterns: tuple[PatternMatcher, ...]) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        if value in members:
            return True
        for pattern in patterns:  # noqa: SIM110 - a plain loop is faster
            if pattern.matches_in(value, ctx):
                return True
        return False

    return test
