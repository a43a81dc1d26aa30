"""Compile errors: located, with the message and hint pinned."""

from __future__ import annotations

from typing import Any

import pytest

from policysim.conditions import all_operator_names, compile_condition, parse_operator
from policysim.conditions.operators import Comparison, Family, SetQualifier
from policysim.conditions.registry import FAMILIES, VARIABLES_HINT
from policysim.errors import Location, PolicyError

WHERE = Location("policy.json", 7, 9, ("Statement", 0, "Condition"))


def error_of(raw: Any, *, variables: bool = True) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        compile_condition(raw, variables_enabled=variables, location=WHERE)
    return caught.value


def test_unknown_operator_with_close_match() -> None:
    error = error_of({"StringEqualz": {"k": "v"}})
    assert error.message == "unknown condition operator `StringEqualz`"
    assert error.hint == "did you mean `StringEquals`?"
    assert error.location == WHERE.child("StringEqualz")
    assert str(error.location) == "policy.json:7:9 (Statement[0].Condition.StringEqualz)"
    assert error.code == "invalid-policy"


def test_unknown_operator_without_close_match() -> None:
    error = error_of({"Frobnicate": {"k": "v"}})
    assert error.message == "unknown condition operator `Frobnicate`"
    assert error.hint is None


def test_operator_names_are_case_sensitive() -> None:
    error = error_of({"stringequals": {"k": "v"}})
    assert error.message == "unknown condition operator `stringequals`"
    assert error.hint == "did you mean `StringEquals`? operator names are case-sensitive"
    error = error_of({"forAnyValue:StringLike": {"k": "v"}})
    assert error.hint == "did you mean `ForAnyValue:StringLike`? operator names are case-sensitive"


def test_null_if_exists_is_an_error() -> None:
    error = error_of({"NullIfExists": {"k": "true"}})
    assert error.message == "`NullIfExists` is not a condition operator: `IfExists` cannot be added to `Null`"
    assert error.location == WHERE.child("NullIfExists")


@pytest.mark.parametrize(
    ("operator", "value", "message"),
    [
        ("IpAddress", "10.0.0.0/33", "`10.0.0.0/33` is not a valid IP address or CIDR range for `IpAddress`"),
        (
            "NotIpAddress",
            "10.0.0.300",
            "`10.0.0.300` is not a valid IP address or CIDR range for `NotIpAddress`",
        ),
        ("IpAddress", " 10.0.0.1", "` 10.0.0.1` is not a valid IP address or CIDR range for `IpAddress`"),
        (
            "DateLessThan",
            "2020-13-01",
            "`2020-13-01` is not a valid date (ISO 8601 or epoch seconds) for `DateLessThan`",
        ),
        (
            "DateEquals",
            "tomorrow",
            "`tomorrow` is not a valid date (ISO 8601 or epoch seconds) for `DateEquals`",
        ),
        (
            "DateEquals",
            "2020-01-01T25:00:00Z",
            "`2020-01-01T25:00:00Z` is not a valid date (ISO 8601 or epoch seconds) for `DateEquals`",
        ),
        ("NumericEquals", "ten", "`ten` is not a valid number for `NumericEquals`"),
        ("NumericEquals", "NaN", "`NaN` is not a valid number for `NumericEquals`"),
        ("NumericLessThan", "Infinity", "`Infinity` is not a valid number for `NumericLessThan`"),
        ("NumericEquals", True, "`true` is not a valid number for `NumericEquals`"),
        ("Bool", "yes", "`yes` is not a valid boolean (`true` or `false`) for `Bool`"),
        ("BoolIfExists", "1", "`1` is not a valid boolean (`true` or `false`) for `BoolIfExists`"),
        ("BinaryEquals", "not base64!", "`not base64!` is not a valid base64 value for `BinaryEquals`"),
        ("BinaryEquals", "QQ=", "`QQ=` is not a valid base64 value for `BinaryEquals`"),
        ("Null", "maybe", "`maybe` is not a valid Null value (`true` or `false`) for `Null`"),
    ],
)
def test_malformed_values(operator: str, value: Any, message: str) -> None:
    error = error_of({operator: {"aws:Key": value}})
    assert error.message == message
    assert error.location == WHERE.child(operator, "aws:Key")


@pytest.mark.parametrize(
    "operator",
    ["NumericEquals", "DateGreaterThan", "IpAddress", "BinaryEquals", "Null", "ForAnyValue:NumericEquals"],
)
def test_variables_not_allowed(operator: str) -> None:
    error = error_of({operator: {"k": "${aws:username}"}})
    assert error.message == f"policy variables are not allowed in `{operator}` values: `${{aws:username}}`"
    assert error.hint == VARIABLES_HINT == "variables work with String, Arn and Bool operators only"
    assert error.location == WHERE.child(operator, "k")


def test_every_family_that_refuses_variables_refuses_them_in_every_value() -> None:
    # one registry fact, checked once for every family: the second value holds the variable
    for family, facts in FAMILIES.items():
        operator = next(name for name in all_operator_names() if parse_operator(name, WHERE).family is family)
        raw = {operator: {"k": ["true", "${aws:username}"]}}
        if facts.variables:
            compile_condition(raw, variables_enabled=True, location=WHERE)
        else:
            assert "policy variables are not allowed" in error_of(raw).message


def test_variable_text_without_variables_enabled_is_just_a_bad_value() -> None:
    error = error_of({"NumericEquals": {"k": "${aws:username}"}}, variables=False)
    assert error.message == "`${aws:username}` is not a valid number for `NumericEquals`"


def test_empty_value_list() -> None:
    error = error_of({"StringEquals": {"aws:username": []}})
    assert error.message == "condition key `aws:username` of `StringEquals` has an empty list of values"
    assert error.location == WHERE.child("StringEquals", "aws:username")


def test_duplicate_keys_differing_in_case() -> None:
    error = error_of({"StringEquals": {"aws:SourceVpce": "a", "AWS:sourcevpce": "b"}})
    assert (
        error.message
        == "duplicate condition key `AWS:sourcevpce` under `StringEquals`: `aws:SourceVpce` is the same key"
    )
    assert error.hint == "condition key names are case-insensitive"
    assert error.location == WHERE.child("StringEquals", "AWS:sourcevpce")


def test_same_key_under_two_operators_is_fine() -> None:
    compile_condition(
        {
            "DateGreaterThan": {"aws:CurrentTime": "2020-01-01"},
            "DateLessThan": {"aws:CurrentTime": "2021-01-01"},
        },
        variables_enabled=True,
        location=WHERE,
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["StringEquals"], "`Condition` must be an object of condition operators"),
        (
            {"StringEquals": "v"},
            "condition operator `StringEquals` must map at least one condition key to its values",
        ),
        (
            {"StringEquals": {}},
            "condition operator `StringEquals` must map at least one condition key to its values",
        ),
        ({"StringEquals": {"": "v"}}, "condition keys must be non-empty strings, not `''`"),
        ({"StringEquals": {"k": None}}, "condition values must be strings, numbers or booleans, not null"),
        (
            {"StringEquals": {"k": [{"a": 1}]}},
            "condition values must be strings, numbers or booleans, not dict",
        ),
    ],
)
def test_malformed_structure(raw: Any, message: str) -> None:
    assert error_of(raw).message == message


def test_malformed_variable_is_located() -> None:
    error = error_of({"StringEquals": {"k": "${aws:username"}})
    assert error.location == WHERE.child("StringEquals", "k")
    assert "missing brace" in error.message


def test_every_listed_operator_parses() -> None:
    names = all_operator_names()
    assert len(names) == 3 * (26 * 2 + 1)  # 26 operators with IfExists forms, plus Null
    for name in names:
        spec = parse_operator(name, WHERE)
        assert spec.name == name
        assert not (spec.family is Family.NULL and spec.if_exists)


def test_operator_parts() -> None:
    spec = parse_operator("ForAllValues:StringNotLikeIfExists", WHERE)
    assert (spec.qualifier, spec.family, spec.comparison, spec.negated, spec.if_exists) == (
        SetQualifier.FOR_ALL_VALUES,
        Family.STRING,
        Comparison.LIKE,
        True,
        True,
    )
    assert parse_operator("ArnEquals", WHERE).comparison is parse_operator("ArnLike", WHERE).comparison
    assert parse_operator("NotIpAddress", WHERE).negated
    assert FAMILIES[parse_operator("Bool", WHERE).family].variables
    assert FAMILIES[parse_operator("NumericEquals", WHERE).family].variables is False


def test_every_family_but_null_names_a_builder_that_is_imported_when_first_used() -> None:
    for family, facts in FAMILIES.items():
        if family is Family.NULL:
            assert facts.builder is None and facts.build is None
            continue
        assert facts.builder is not None
        module, _, name = facts.builder.partition(":")
        built = facts.build
        assert callable(built) and built.__name__ == name and built.__module__ == f"policysim.conditions.{module}"
