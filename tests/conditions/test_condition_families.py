"""Every operator family: positive and negative cases, typed values, variables."""

from __future__ import annotations

from typing import Any

import pytest

from policysim.conditions import compile_condition
from policysim.context import ContextInput, RequestContext
from policysim.errors import Location

WHERE = Location("policy.json", 3, 5, ("Statement", 0, "Condition"))


def ev(
    operator: str,
    value: Any,
    request: ContextInput | None,
    *,
    key: str = "k",
    variables: bool = True,
    extra: dict[str, ContextInput] | None = None,
) -> bool:
    condition = compile_condition({operator: {key: value}}, variables_enabled=variables, location=WHERE)
    items: dict[str, ContextInput | None] = {key: request, **(extra or {})}
    return condition.evaluate(RequestContext.build(items))


CASES: list[tuple[str, Any, ContextInput, bool]] = [
    # String
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),
    ("StringEquals", "a*", "abc", False),
    ("StringEquals", "a*", "a*", True),
    ("StringEquals", ["x", "abc"], "abc", True),
    ("StringEquals", 10, "10", True),
    ("StringEquals", True, "true", True),
    ("StringNotEquals", "abc", "abc", False),
    ("StringNotEquals", "abc", "abd", True),
    ("StringNotEquals", ["a", "b"], "b", False),
    ("StringNotEquals", ["a", "b"], "c", True),
    ("StringEqualsIgnoreCase", "JohnDoe", "johndoe", True),
    ("StringEqualsIgnoreCase", "JohnDoe", "john", False),
    ("StringNotEqualsIgnoreCase", "JohnDoe", "JOHNDOE", False),
    ("StringNotEqualsIgnoreCase", "JohnDoe", "jane", True),
    ("StringLike", "home/*", "home/bob/x", True),
    ("StringLike", "home/*", "Home/bob", False),
    ("StringLike", "t?.micro", "t2.micro", True),
    ("StringLike", "t?.micro", "t22.micro", False),
    ("StringLike", ["", "home/"], "", True),
    ("StringLike", "a[bc]", "ab", False),
    ("StringLike", "a[bc]", "a[bc]", True),
    ("StringLike", "lit", "lit", True),
    ("StringNotLike", "home/*", "home/x", False),
    ("StringNotLike", "home/*", "other", True),
    # Numeric
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", 10, "1e1", True),
    ("NumericEquals", "10", "11", False),
    ("NumericEquals", "10", "ten", False),
    ("NumericNotEquals", "10", "10", False),
    ("NumericNotEquals", "10", "9", True),
    ("NumericNotEquals", "10", "ten", True),
    ("NumericLessThan", "10", "9.99", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThan", ["5", "10"], "7", True),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "10.5", False),
    ("NumericGreaterThan", "-1.5", "0", True),
    ("NumericGreaterThan", "10", "10", False),
    ("NumericGreaterThan", ["5", "10"], "7", True),
    ("NumericGreaterThanEquals", "0.1", ".1", True),
    ("NumericGreaterThanEquals", "0.1", "0.09", False),
    # Date
    ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),
    ("DateEquals", "1577836800", "2020-01-01T01:00:00+01:00", True),
    ("DateEquals", "2020-01-01T00:00:00.5Z", "2020-01-01T00:00:00.500Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", False),
    ("DateEquals", "2020-01-01T00:00:00Z", "yesterday", False),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "1577836800", False),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00.001Z", False),
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-06-01", True),
    ("DateGreaterThan", "2020-01-01T12:00:00-05:00", "2020-01-01T16:59:59Z", False),
    ("DateGreaterThanEquals", "2020-01-01T12:00:00-05:00", "2020-01-01T17:00:00Z", True),
    ("DateGreaterThanEquals", "2020-01", "2019-12-31T23:59:59Z", False),
    # Bool
    ("Bool", "true", "true", True),
    ("Bool", True, "true", True),
    ("Bool", "false", True, False),
    ("Bool", "TRUE", "True", True),
    ("Bool", "true", "yes", False),
    # Binary
    ("BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
    ("BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NQ==", False),
    ("BinaryEquals", "QQ==", "not base64!", False),
    # IP
    ("IpAddress", "203.0.113.0/24", "203.0.113.77", True),
    ("IpAddress", "203.0.113.0/24", "203.0.114.1", False),
    ("IpAddress", "203.0.113.5", "203.0.113.5", True),
    ("IpAddress", "203.0.113.5", "203.0.113.6", False),
    ("IpAddress", "203.0.113.9/24", "203.0.113.200", True),
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
    ("IpAddress", ["203.0.113.0/24", "2001:DB8::/32"], "2001:db8::9", True),
    ("IpAddress", "0.0.0.0/0", "::1", False),
    ("IpAddress", "0.0.0.0/0", "not-an-ip", False),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", "garbage", True),
    # Arn
    ("ArnLike", "arn:aws:sns:*:111122223333:topic-*", "arn:aws:sns:us-east-1:111122223333:topic-a", True),
    ("ArnEquals", "arn:aws:sns:*:111122223333:topic-*", "arn:aws:sns:us-east-1:111122223333:topic-a", True),
    ("ArnLike", "arn:aws:sns:*:111122223333:topic-*", "arn:aws:sns:us-east-1:999999999999:topic-a", False),
    (
        "ArnLike",
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        False,
    ),
    (
        "StringLike",
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        True,
    ),
    ("ArnNotLike", "arn:aws:iam::*:user/Ana", "arn:aws:iam::222222222222:user/Ana", False),
    ("ArnNotEquals", "arn:aws:iam::*:user/Ana", "arn:aws:iam::222222222222:user/Mary", True),
]


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), CASES)
def test_operator(operator: str, policy: Any, request_value: ContextInput, expected: bool) -> None:
    assert ev(operator, policy, request_value) is expected


def test_binary_compares_bytes_not_text() -> None:
    # same bytes, different base64 spelling is impossible for strict base64, so check decoding instead
    assert ev("BinaryEquals", "AAEC", "AAEC")
    assert not ev("BinaryEquals", "AAEC", "AAED")


def test_string_variable_resolved() -> None:
    assert ev("StringEquals", "${aws:username}", "bob", extra={"aws:username": "bob"})
    assert not ev("StringEquals", "${aws:username}", "bob", extra={"aws:username": "alice"})
    assert ev("StringLike", "home/${aws:username}/*", "home/bob/a", extra={"aws:username": "bob"})
    assert ev("StringEqualsIgnoreCase", "${aws:username}", "BOB", extra={"aws:username": "bob"})
    assert ev(
        "ArnLike",
        "arn:aws:iam::*:user/${aws:username}",
        "arn:aws:iam::1:user/bob",
        extra={"aws:username": "bob"},
    )
    assert ev("Bool", "${aws:PrincipalTag/mfa}", "true", extra={"aws:principaltag/mfa": "true"})


def test_string_variable_default() -> None:
    assert ev("StringEquals", "${aws:PrincipalTag/team, 'none'}", "none")
    assert ev("StringEquals", "${aws:PrincipalTag/team, 'none'}", "red", extra={"aws:principaltag/team": "red"})


def test_unresolved_variable_is_null() -> None:
    # positive operators never match a null policy value; negated ones find the request value "not equal"
    assert not ev("StringEquals", "${aws:username}", "bob")
    assert not ev("StringLike", "${aws:username}*", "bob")
    assert not ev("ArnLike", "arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::1:user/bob")
    assert not ev("Bool", "${aws:PrincipalTag/mfa}", "true")
    assert ev("StringNotEquals", "${aws:username}", "bob")
    assert ev("StringNotLike", "${aws:username}*", "bob")
    assert ev("ArnNotLike", "arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::1:user/bob")


def test_unresolved_variable_does_not_hide_static_values() -> None:
    assert ev("StringEquals", ["${aws:username}", "bob"], "bob")
    assert not ev("StringNotEquals", ["${aws:username}", "bob"], "bob")


def test_escapes_are_literal() -> None:
    assert ev("StringLike", "a${*}", "a*")
    assert not ev("StringLike", "a${*}", "ab")
    assert ev("StringEquals", "a${?}", "a?")


def test_variables_disabled_are_literal_text() -> None:
    assert ev("StringEquals", "${aws:username}", "${aws:username}", variables=False, extra={"aws:username": "bob"})
    assert not ev("StringEquals", "${aws:username}", "bob", variables=False, extra={"aws:username": "bob"})


def test_multivalued_variable_does_not_resolve() -> None:
    # "you cannot use a multivalued context key as a policy variable"
    assert not ev("StringEquals", "${aws:TagKeys}", "a", extra={"aws:tagkeys": ["a", "b"]})
