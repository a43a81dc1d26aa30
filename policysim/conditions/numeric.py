"""Numeric operators, and the ordered comparison that Date operators share.

"Numeric condition operators let you construct `Condition` elements that restrict access based on comparing a
key to an integer or decimal value." Values are typed as `Decimal` at compile time (exact: `1.0` equals `1`,
`0.1 + 0.2` problems do not arise); an optional exponent is accepted, NaN and infinities are not. "You can not
use a policy variable with the `Numeric` condition operator."

Request values are parsed by a module-level cached parser; one that does not parse matches nothing (negated
operators then see "not equal"), it is not an error.

The comparison is request-value OP policy-value (`NumericLessThan 10` holds for 9). Values of one key OR
together, so the ordered comparisons need one bound: `x < p1 or x < p2` iff `x < max(p)`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from policysim.context import RequestContext

from .operators import Comparison
from .values import BuildInput, Matcher, ValueTest

if TYPE_CHECKING:
    from decimal import Decimal

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)

Parser = Callable[[str], "Decimal | None"]


@lru_cache(maxsize=1)
def _decimal_type() -> type[Decimal]:
    from decimal import Decimal  # imported with the first number or date (docs/performance.md, start-up)

    return Decimal


def decimal(value: str | int) -> Decimal:
    """`decimal.Decimal(value)`."""
    return _decimal_type()(value)


def parse_number(text: str) -> Decimal | None:
    """An integer or decimal number, or None."""
    if len(text) > 200 or not _NUMBER.fullmatch(text):
        return None
    return decimal(text)


request_number: Parser = lru_cache(maxsize=4096)(parse_number)


def build_numeric(spec: BuildInput) -> Matcher:
    """Compile Numeric-family values."""
    return build_ordered(spec, parse_number, request_number, "number")


def build_ordered(spec: BuildInput, parse_policy: Parser, parse_request: Parser, expected: str) -> Matcher:
    """Type the policy values with `parse_policy`; test request values parsed with `parse_request`."""
    values: list[Decimal] = []
    for text in spec.texts:
        value = parse_policy(text)
        if value is None:
            raise spec.invalid(text, expected)
        values.append(value)
    comparison = spec.spec.comparison
    if comparison is Comparison.EQUALS:
        return Matcher(_equals_test(frozenset(values), parse_request))
    compare = _ORDERED[comparison]
    # x < p for some p  <=>  x < max(p); x > p for some p  <=>  x > min(p)
    bound = max(values) if comparison in (Comparison.LESS_THAN, Comparison.LESS_THAN_EQUALS) else min(values)
    return Matcher(_ordered_test(compare, bound, parse_request))


_ORDERED: dict[Comparison, Callable[[Decimal, Decimal], bool]] = {
    Comparison.LESS_THAN: operator.lt,
    Comparison.LESS_THAN_EQUALS: operator.le,
    Comparison.GREATER_THAN: operator.gt,
    Comparison.GREATER_THAN_EQUALS: operator.ge,
}


def _equals_test(members: frozenset[Decimal], parse_request: Parser) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        number = parse_request(value)
        return number is not None and number in members

    return test


def _ordered_test(compare: Callable[[Decimal, Decimal], bool], bound: Decimal, parse_request: Parser) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        number = parse_request(value)
        return number is not None and compare(number, bound)

    return test
