"""The rules written once: missing keys, IfExists, Null, multi-value OR / NOR, set qualifiers, key case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from policysim.conditions import compile_condition
from policysim.context import ContextInput, RequestContext
from policysim.errors import Location

WHERE = Location("policy.json", path=("Statement", 0, "Condition"))
ABSENT = object()

# one (positive, negated) pair per family, with a policy value and a request value that matches it
FAMILIES: dict[str, tuple[str, str | None, str, str]] = {
    "String": ("StringEquals", "StringNotEquals", "a", "a"),
    "StringIgnoreCase": ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "a", "A"),
    "StringLike": ("StringLike", "StringNotLike", "a*", "ab"),
    "Numeric": ("NumericEquals", "NumericNotEquals", "1", "1"),
    "NumericLessThan": ("NumericLessThan", None, "2", "1"),
    "Date": ("DateEquals", "DateNotEquals", "2020-01-01", "1577836800"),
    "DateGreaterThan": ("DateGreaterThan", None, "2020-01-01", "2021-01-01"),
    "Bool": ("Bool", None, "true", "true"),
    "Binary": ("BinaryEquals", None, "QQ==", "QQ=="),
    "Ip": ("IpAddress", "NotIpAddress", "10.0.0.0/8", "10.1.1.1"),
    "Arn": ("ArnLike", "ArnNotLike", "arn:aws:s3:::b*", "arn:aws:s3:::bucket"),
    "ArnEquals": ("ArnEquals", "ArnNotEquals", "arn:aws:s3:::b*", "arn:aws:s3:::bucket"),
}


def ev(condition: dict[str, Any], context: Mapping[str, ContextInput], missing: set[str] | None = None) -> bool:
    compiled = compile_condition(condition, variables_enabled=True, location=WHERE)
    return compiled.evaluate(RequestContext.build(dict(context)), missing)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_missing_key_positive_false_negated_true_ifexists_true(family: str) -> None:
    positive, negated, value, _ = FAMILIES[family]
    assert ev({positive: {"k": value}}, {}) is False
    assert ev({positive + "IfExists": {"k": value}}, {}) is True
    if negated:
        assert ev({negated: {"k": value}}, {}) is True
        assert ev({negated + "IfExists": {"k": value}}, {}) is True


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_ifexists_evaluates_a_present_key(family: str) -> None:
    positive, negated, value, matching = FAMILIES[family]
    assert ev({positive + "IfExists": {"k": value}}, {"k": matching}) is True
    assert ev({positive + "IfExists": {"k": value}}, {"k": "zzz-not-it"}) is False
    if negated:
        assert ev({negated + "IfExists": {"k": value}}, {"k": matching}) is False
        assert ev({negated + "IfExists": {"k": value}}, {"k": "zzz-not-it"}) is True


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_set_qualifiers_on_missing_key(family: str) -> None:
    positive, negated, value, _ = FAMILIES[family]
    for op in filter(None, (positive, negated)):
        assert ev({f"ForAllValues:{op}": {"k": value}}, {}) is True
        assert ev({f"ForAnyValue:{op}": {"k": value}}, {}) is False
        assert ev({f"ForAnyValue:{op}IfExists": {"k": value}}, {}) is True


def test_deny_with_negated_ifexists_still_applies_when_key_missing() -> None:
    # "If you are using an "Effect": "Deny" element with a negated condition operator like
    # StringNotEqualsIfExists, the request is still denied even if the tag is missing."
    assert ev({"StringNotEqualsIfExists": {"aws:ResourceTag/env": "prod"}}, {}) is True


@pytest.mark.parametrize(
    ("policy", "context", "expected"),
    [
        ("true", {}, True),
        ("true", {"k": "x"}, False),
        ("false", {}, False),
        ("false", {"k": "x"}, True),
        ("true", {"k": []}, True),
        ("false", {"k": []}, False),
        ("true", {"k": ""}, True),
        ("false", {"k": ""}, False),
        ("false", {"k": ["a", "b"]}, True),
        (True, {}, True),
        (False, {"k": "x"}, True),
        (["true", "false"], {"k": "x"}, True),
    ],
)
def test_null(policy: Any, context: dict[str, ContextInput], expected: bool) -> None:
    assert ev({"Null": {"k": policy}}, context) is expected


def test_multiple_values_or_and_negated_nor() -> None:
    assert ev({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"}) is True
    assert ev({"StringEquals": {"k": ["a", "b"]}}, {"k": "c"}) is False
    assert ev({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"}) is False
    assert ev({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"}) is True
    assert ev({"NumericNotEquals": {"k": ["1", "2"]}}, {"k": "2"}) is False
    assert ev({"NotIpAddress": {"k": ["10.0.0.0/8", "192.168.0.0/16"]}}, {"k": "192.168.1.1"}) is False
    assert ev({"NotIpAddress": {"k": ["10.0.0.0/8", "192.168.0.0/16"]}}, {"k": "172.16.0.1"}) is True


def test_operators_and_keys_and_together() -> None:
    condition = {
        "StringEquals": {
            "aws:PrincipalTag/department": ["finance", "hr", "legal"],
            "aws:PrincipalTag/role": ["audit", "security"],
        },
        "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary"]},
    }
    mary = "arn:aws:iam::222222222222:user/Mary"
    nikki = "arn:aws:iam::222222222222:user/Nikki"
    tags = {"aws:PrincipalTag/department": "legal", "aws:PrincipalTag/role": "audit"}
    assert ev(condition, {**tags, "aws:PrincipalArn": mary}) is True
    assert ev(condition, {**tags, "aws:PrincipalArn": nikki}) is False
    assert ev(condition, {**tags, "aws:PrincipalTag/role": "payroll", "aws:PrincipalArn": mary}) is False
    assert ev(condition, {"aws:PrincipalTag/department": "hr", "aws:PrincipalArn": mary}) is False


def test_empty_condition_holds() -> None:
    assert ev({}, {}) is True


def test_key_names_are_case_insensitive() -> None:
    assert ev({"IpAddress": {"AWS:SourceIp": "10.0.0.0/8"}}, {"aws:sourceip": "10.2.3.4"}) is True
    assert ev({"StringEquals": {"aws:PrincipalTag/Team": "red"}}, {"AWS:PRINCIPALTAG/team": "red"}) is True


def test_values_stay_case_sensitive() -> None:
    assert ev({"StringEquals": {"aws:username": "johndoe"}}, {"aws:username": "JohnDoe"}) is False
    assert ev({"StringEqualsIgnoreCase": {"aws:username": "johndoe"}}, {"aws:username": "JohnDoe"}) is True


TAGS = ["environment", "cost-center"]


@pytest.mark.parametrize(
    ("request_values", "for_all", "for_any"),
    [
        (ABSENT, True, False),
        ([], True, False),
        ([""], True, False),
        (["environment"], True, True),
        (["environment", "cost-center"], True, True),
        (["environment", "dept"], False, True),
        (["dept"], False, False),
        (["dept", "owner"], False, False),
    ],
)
def test_set_qualifiers(request_values: Any, for_all: bool, for_any: bool) -> None:
    context = {} if request_values is ABSENT else {"aws:TagKeys": request_values}
    assert ev({"ForAllValues:StringEquals": {"aws:TagKeys": TAGS}}, context) is for_all
    assert ev({"ForAnyValue:StringEquals": {"aws:TagKeys": TAGS}}, context) is for_any


@pytest.mark.parametrize(
    ("request_values", "for_all", "for_any"),
    [
        (ABSENT, True, False),
        ([], True, False),
        (["environment"], False, False),
        (["environment", "dept"], False, True),
        (["dept"], True, True),
        (["dept", "owner"], True, True),
    ],
)
def test_set_qualifiers_with_negated_operator(request_values: Any, for_all: bool, for_any: bool) -> None:
    # "The ForAllValues qualifier tests whether the value of every member of the request context matches the
    # condition operator that follows the qualifier": here that operator is StringNotEquals (a NOR over TAGS)
    context = {} if request_values is ABSENT else {"aws:TagKeys": request_values}
    assert ev({"ForAllValues:StringNotEquals": {"aws:TagKeys": TAGS}}, context) is for_all
    assert ev({"ForAnyValue:StringNotEquals": {"aws:TagKeys": TAGS}}, context) is for_any
    assert ev({"ForAllValues:StringNotLike": {"aws:TagKeys": ["env*", "cost-*"]}}, context) is for_all
    assert ev({"ForAnyValue:StringNotLike": {"aws:TagKeys": ["env*", "cost-*"]}}, context) is for_any


def test_set_qualifiers_with_other_families() -> None:
    assert ev({"ForAllValues:NumericLessThan": {"k": "10"}}, {"k": ["1", "9"]}) is True
    assert ev({"ForAllValues:NumericLessThan": {"k": "10"}}, {"k": ["1", "11"]}) is False
    assert ev({"ForAnyValue:IpAddress": {"k": "10.0.0.0/8"}}, {"k": ["1.1.1.1", "10.0.0.1"]}) is True
    assert ev({"ForAllValues:ArnLike": {"k": "arn:aws:s3:::*"}}, {"k": ["arn:aws:s3:::a", "x"]}) is False


def test_unqualified_operator_on_multivalued_key() -> None:
    # positive: some request value matches; negated: the complement (no request value matches)
    assert ev({"StringEquals": {"k": "a"}}, {"k": ["b", "a"]}) is True
    assert ev({"StringEquals": {"k": "a"}}, {"k": ["b", "c"]}) is False
    assert ev({"StringNotEquals": {"k": "a"}}, {"k": ["b", "a"]}) is False
    assert ev({"StringNotEquals": {"k": "a"}}, {"k": ["b", "c"]}) is True
    assert ev({"StringEquals": {"k": "a"}}, {"k": []}) is False
    assert ev({"StringNotEquals": {"k": "a"}}, {"k": []}) is True


def test_missing_keys_reported_with_policy_spelling() -> None:
    missing: set[str] = set()
    condition = {
        "StringEquals": {"aws:PrincipalTag/Team": "red"},
        "IpAddressIfExists": {"AWS:SourceIp": "10.0.0.0/8"},
        "ForAllValues:StringEquals": {"aws:TagKeys": "a"},
        "Null": {"aws:TokenIssueTime": "true"},
        "Bool": {"aws:SecureTransport": "true"},
    }
    assert ev(condition, {"aws:securetransport": "true"}, missing) is False
    assert missing == {"aws:PrincipalTag/Team", "AWS:SourceIp", "aws:TagKeys"}


def test_missing_keys_collected_after_a_false_clause() -> None:
    missing: set[str] = set()
    condition = {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:username": "bob"}}
    assert ev(condition, {"aws:securetransport": "false"}, missing) is False
    assert missing == {"aws:username"}


def test_evaluate_with_and_without_missing_agree() -> None:
    condition = {"StringNotEquals": {"a": "x"}, "NumericLessThanIfExists": {"b": "3"}, "Null": {"c": "true"}}
    for context in ({}, {"a": "x"}, {"a": "y", "b": "2"}, {"b": "5"}, {"c": "1"}):
        assert ev(condition, context) is ev(condition, context, set())


def test_keys_attribute_is_lowercased() -> None:
    compiled = compile_condition(
        {"StringEquals": {"AWS:UserName": "a"}, "Null": {"aws:TokenIssueTime": "true"}},
        variables_enabled=True,
        location=WHERE,
    )
    assert compiled.keys == frozenset({"aws:username", "aws:tokenissuetime"})
    assert [clause.name for clause in compiled.clauses] == ["AWS:UserName", "aws:TokenIssueTime"]


def test_compiled_condition_is_immutable() -> None:
    compiled = compile_condition({"Bool": {"k": "true"}}, variables_enabled=True, location=WHERE)
    with pytest.raises(AttributeError):
        compiled.clauses = ()
    with pytest.raises(AttributeError):
        compiled.clauses[0].on_missing = True
