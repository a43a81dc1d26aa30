"""explain(): per clause, what was compared, the result and why; always agrees with evaluate()."""

from __future__ import annotations

from policysim.conditions import ClauseResult, compile_condition
from policysim.context import RequestContext
from policysim.errors import Location

WHERE = Location("policy.json", path=("Statement", 0, "Condition"))


def explain(raw: dict[str, dict[str, object]], context: dict[str, object]) -> list[ClauseResult]:
    compiled = compile_condition(raw, variables_enabled=True, location=WHERE)
    ctx = RequestContext.build(context)  # type: ignore[arg-type]
    results = compiled.explain(ctx)
    assert all(result.result for result in results) is compiled.evaluate(ctx)
    return results


def test_explain_matched_and_absent() -> None:
    results = explain(
        {
            "StringEquals": {"aws:PrincipalTag/Team": ["red", "blue"]},
            "IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"},
        },
        {"aws:principaltag/team": "blue"},
    )
    assert results == [
        ClauseResult(
            operator="StringEquals",
            key="aws:PrincipalTag/Team",
            policy_values=("red", "blue"),
            request_values=("blue",),
            result=True,
            reason="`blue` matches a policy value",
        ),
        ClauseResult(
            operator="IpAddressIfExists",
            key="aws:SourceIp",
            policy_values=("10.0.0.0/8",),
            request_values=None,
            result=True,
            reason="key is absent: `IfExists` makes the clause true",
        ),
    ]


def test_explain_reasons() -> None:
    cases: list[tuple[dict[str, dict[str, object]], dict[str, object], bool, str]] = [
        ({"StringEquals": {"k": "a"}}, {}, False, "key is absent: nothing to match"),
        (
            {"StringNotEquals": {"k": "a"}},
            {},
            True,
            "key is absent: the negated operator `StringNotEquals` is true",
        ),
        (
            {"ForAllValues:StringEquals": {"k": "a"}},
            {},
            True,
            "key is absent: `ForAllValues` is true when there are no values",
        ),
        (
            {"ForAnyValue:StringEquals": {"k": "a"}},
            {},
            False,
            "key is absent: `ForAnyValue` is false when there are no values",
        ),
        ({"StringEquals": {"k": "a"}}, {"k": "b"}, False, "no request value matches"),
        (
            {"StringNotEquals": {"k": "a"}},
            {"k": "a"},
            False,
            "`a` matches a policy value, so `StringNotEquals` is false",
        ),
        (
            {"StringNotEquals": {"k": "a"}},
            {"k": "b"},
            True,
            "no request value matches, so `StringNotEquals` is true",
        ),
        (
            {"ForAllValues:StringEquals": {"k": "a"}},
            {"k": ["a", "b"]},
            False,
            "`b` does not satisfy `StringEquals`",
        ),
        (
            {"ForAllValues:StringEquals": {"k": "a"}},
            {"k": ["a"]},
            True,
            "every request value satisfies `StringEquals`",
        ),
        (
            {"ForAnyValue:StringNotEquals": {"k": "a"}},
            {"k": ["a", "b"]},
            True,
            "`b` satisfies `StringNotEquals`",
        ),
        (
            {"ForAnyValue:StringEquals": {"k": "a"}},
            {"k": ["c"]},
            False,
            "no request value satisfies `StringEquals`",
        ),
        (
            {"ForAnyValue:StringEquals": {"k": "a"}},
            {"k": []},
            False,
            "key has no values: `ForAnyValue` is false for an empty set",
        ),
        ({"Null": {"k": "true"}}, {}, True, "key is absent (null)"),
        ({"Null": {"k": "true"}}, {"k": "x"}, False, "key is present (not null)"),
        ({"Null": {"k": "false"}}, {"k": ""}, False, "key is present with no value (null)"),
    ]
    for raw, context, result, reason in cases:
        (explained,) = explain(raw, context)
        assert (explained.result, explained.reason) == (result, reason), raw
