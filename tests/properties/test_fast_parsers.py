"""The fast paths of ARN and policy-variable parsing read exactly what the lark grammars read.

The grammars (`grammars/arn.lark`, `grammars/policy_variable.lark`) are the specification and word the errors; the
hot paths parse with one regular expression each and fall back to the grammar for what it declines. These laws hold
the two equal: the fast path accepts a text exactly when the grammar does, with the same parts.
`HYPOTHESIS_PROFILE=fuzz-more` runs them with 2,000 examples.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from policysim.errors import ParseError, PolicyError
from policysim.ir.arn import arn_parts, grammar_arn_parts, parse_arn
from policysim.ir.template import grammar_template_items, parse_template, template_items

EXAMPLES = 2000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-more" else 150

# pieces that make near-misses likely: separators, digits around twelve, case, control characters
ARN_PIECES = st.sampled_from(
    [
        "arn",
        ":",
        "aws",
        "aws-cn",
        "s3",
        "iam",
        "us-east-1",
        "-",
        "123456789012",
        "1234567890123",
        "0",
        "A",
        "a",
        "/",
        "*",
        "bucket",
        "role/x",
        " ",
        "\x00",
        "\x7f",
        "\t",
        "é",
        "Arn",
        "ec2",
        ":::",
    ]
)
TEMPLATE_PIECES = st.sampled_from(
    [
        "${",
        "}",
        "$",
        "{",
        "aws:username",
        "aws:PrincipalTag/team",
        ":",
        "a",
        " ",
        "  b",
        ",",
        "'",
        "'x'",
        " , 'd'",
        "*",
        "?",
        "$}",
        "text/",
        "=",
        "+",
        "@",
        "\t",
        "\n",
        "é",
        "${*}",
        "${?}",
        "${$}",
        "_",
        ".",
    ]
)


def _grammar_arn(text: str) -> tuple[str, ...] | None:
    try:
        return grammar_arn_parts(text)
    except UnexpectedInput:
        return None


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(ARN_PIECES, max_size=14).map("".join))
@example("arn:aws:s3:::bucket/key")
@example("arn:aws:iam::123456789012:role/a:b")
@example("arn:aws:ec2:us-east-1:1234567890123:instance/i")
@example("arn:aws:sqs:us-east-1:aws:queue")
@example("arn:aws:s3:::")
def test_the_arn_fast_path_is_the_grammar(text: str) -> None:
    assert arn_parts(text) == _grammar_arn(text)


def _grammar_template(text: str) -> list[object] | None:
    try:
        return grammar_template_items(text)
    except UnexpectedInput:
        return None


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(TEMPLATE_PIECES, max_size=12).map("".join))
@example("home/${aws:username}/*")
@example("${aws:PrincipalTag/team, 'none'}")
@example("${aws:a b c}")
@example("${aws:a }")
@example("$${*}$")
@example("${}")
def test_the_template_fast_path_is_the_grammar(text: str) -> None:
    assert template_items(text) == _grammar_template(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("arn:aws:s3", "malformed ARN"),
        ("arn:aws:iam::12345:user/x", "invalid account"),
        ("arn:xyz:s3:::b", "partition"),
    ],
)
def test_a_refused_arn_is_worded_by_the_grammar(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_arn(text)


def test_a_refused_template_is_worded_by_the_grammar() -> None:
    with pytest.raises(PolicyError, match="missing brace"):
        parse_template("home/${aws:username/*", variables_enabled=True)
