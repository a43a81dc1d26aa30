"""Hypothesis laws: negation is the complement of the positive operator on a present value, and friends."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.conditions import compile_condition
from policysim.context import RequestContext
from policysim.errors import Location

WHERE = Location("laws", path=("Condition",))
LAWS = settings(max_examples=200, deadline=None)

PAIRS: dict[str, list[tuple[str, str | None]]] = {
    "string": [
        ("StringEquals", "StringNotEquals"),
        ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
        ("StringLike", "StringNotLike"),
    ],
    "numeric": [
        ("NumericEquals", "NumericNotEquals"),
        ("NumericLessThan", None),
        ("NumericGreaterThanEquals", None),
    ],
    "date": [("DateEquals", "DateNotEquals"), ("DateLessThanEquals", None)],
    "ip": [("IpAddress", "NotIpAddress")],
    "arn": [("ArnLike", "ArnNotLike"), ("ArnEquals", "ArnNotEquals")],
}

text = st.text(alphabet="ab*?$.{}[]()\\^+|:/Aé", max_size=8)
#: policy text without `{`, so no malformed `${...}` (variables have their own tests)
policy_text = st.text(alphabet="ab*?$.}[]()\\^+|:/Aé", max_size=8)
numbers = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False).map(str),
)
epochs = st.integers(0, 4_000_000_000)
dates = st.one_of(
    epochs.map(str),
    epochs.map(lambda s: datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
    epochs.map(lambda s: datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%d")),
)
ipv4 = st.ip_addresses(v=4).map(str)
ip_any = st.ip_addresses().map(str)
cidrs = st.tuples(st.ip_addresses(), st.integers(0, 128)).map(
    lambda pair: str(ipaddress.ip_network(f"{pair[0]}/{min(pair[1], pair[0].max_prefixlen)}", strict=False))
)
segment = st.text(alphabet="ab*?/-1", max_size=5)
arns = st.tuples(segment, segment, segment, segment).map(lambda p: f"arn:aws:{p[0] or 's3'}:{p[1]}:{p[2]}:{p[3]}")

POLICY = {"string": policy_text, "numeric": numbers, "date": dates, "ip": cidrs, "arn": arns}
REQUEST = {
    "string": text,
    "numeric": st.one_of(numbers, text),
    "date": st.one_of(dates, text),
    "ip": st.one_of(ip_any, ipv4, text),
    "arn": st.one_of(arns, text),
}


def run(operator: str, policy: list[str], request: tuple[str, ...] | None) -> bool:
    compiled = compile_condition({operator: {"k": policy}}, variables_enabled=True, location=WHERE)
    return compiled.evaluate(RequestContext({} if request is None else {"k": request}))


def _family_law(family: str):  # type: ignore[no-untyped-def]
    @LAWS
    @given(
        pair=st.sampled_from(PAIRS[family]),
        policy=st.lists(POLICY[family], min_size=1, max_size=3),
        request=REQUEST[family],
    )
    def law(pair: tuple[str, str | None], policy: list[str], request: str) -> None:
        positive, negated = pair
        result = run(positive, policy, (request,))
        if negated is not None:
            assert run(negated, policy, (request,)) is (not result)
        # IfExists changes nothing for a present key
        assert run(positive + "IfExists", policy, (request,)) is result

    return law


test_string_negation_is_complement = _family_law("string")
test_numeric_negation_is_complement = _family_law("numeric")
test_date_negation_is_complement = _family_law("date")
test_ip_negation_is_complement = _family_law("ip")
test_arn_negation_is_complement = _family_law("arn")


@LAWS
@given(policy=st.lists(policy_text, min_size=1, max_size=3), request=st.lists(text, min_size=1, max_size=4))
def test_for_all_not_is_not_for_any(policy: list[str], request: list[str]) -> None:
    values = tuple(request)
    if not any(values):
        return  # an empty data set is true for ForAllValues and false for ForAnyValue, whatever the operator
    assert run("ForAllValues:StringNotLike", policy, values) is not run("ForAnyValue:StringLike", policy, values)
    assert run("ForAnyValue:StringNotEquals", policy, values) is not run("ForAllValues:StringEquals", policy, values)


@LAWS
@given(policy=st.lists(policy_text, min_size=1, max_size=3), request=text)
def test_single_value_qualifiers_agree_with_plain_operator(policy: list[str], request: str) -> None:
    if not request:
        return
    for operator in ("StringLike", "StringNotEquals"):
        plain = run(operator, policy, (request,))
        assert run(f"ForAllValues:{operator}", policy, (request,)) is plain
        assert run(f"ForAnyValue:{operator}", policy, (request,)) is plain


@LAWS
@given(policy=numbers, request=numbers)
def test_numeric_orders_like_decimal(policy: str, request: str) -> None:
    from decimal import Decimal

    p, r = Decimal(policy), Decimal(request)
    assert run("NumericLessThan", [policy], (request,)) is (r < p)
    assert run("NumericGreaterThanEquals", [policy], (request,)) is (r >= p)
    assert run("NumericEquals", [policy], (request,)) is (r == p)


@LAWS
@given(seconds=epochs)
def test_epoch_and_iso_are_the_same_instant(seconds: int) -> None:
    iso = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run("DateEquals", [iso], (str(seconds),))
    assert run("DateEquals", [str(seconds)], (iso,))
