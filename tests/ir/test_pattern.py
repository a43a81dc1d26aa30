"""Wildcard patterns: unit tests, a differential test against a plain DP matcher, and the adversarial case."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.context import RequestContext
from policysim.ir.pattern import Glob, GlobTemplate, LiteralText, PatternMatcher, compile_pattern
from policysim.ir.template import Escape, TemplatePart, parse_template

STAR = object()
ONE = object()
METACHARACTERS = ".+()[]{}^$|\\*?a/:"


def tokens_of(parts: list[TemplatePart | LiteralText]) -> list[object]:
    """Reference tokenizer: `*` and `?` in str parts are wildcards, everything else is a literal character."""
    out: list[object] = []
    for part in parts:
        if isinstance(part, str):
            out.extend(STAR if c == "*" else ONE if c == "?" else c for c in part)
        elif isinstance(part, Escape):
            out.append(part.char)
        elif isinstance(part, LiteralText):
            out.extend(part.text)
    return out


def reference_match(tokens: list[object], value: str) -> bool:
    """Obviously-correct dynamic programming: row[j] says the tokens so far match value[:j]."""
    row = [True] + [False] * len(value)
    for token in tokens:
        if token is STAR:
            seen = False
            new = []
            for j in range(len(value) + 1):
                seen = seen or row[j]
                new.append(seen)
        elif token is ONE:
            new = [False] + [row[j - 1] for j in range(1, len(value) + 1)]
        else:
            new = [False] + [row[j - 1] and value[j - 1] == token for j in range(1, len(value) + 1)]
        row = new
    return row[len(value)]


EMPTY = RequestContext()


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/", True),
        ("*", "", True),
        ("*", "anything at all", True),
        ("", "", True),
        ("", "x", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a?c", "abbc", False),
        ("*.txt", "report.txt", True),
        ("*.txt", "reportxtxt", False),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),
        ("ab*ba", "abba", True),
        ("a*?b", "ab", False),
        ("a*?b", "axb", True),
        ("*a?c*", "xxabdabcx", True),
        ("[ab]", "a", False),
        ("[ab]", "[ab]", True),
        ("a.c", "abc", False),
        ("a+", "aa", False),
        ("^$", "^$", True),
        ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ],
)
def test_matches(pattern: str, value: str, expected: bool) -> None:
    assert Glob.compile(pattern).matches(value) is expected
    assert reference_match(tokens_of([pattern]), value) is expected


def test_fast_path_flags() -> None:
    literal = Glob.compile("arn:aws:s3:::bucket")
    assert literal.is_literal and literal.literal == "arn:aws:s3:::bucket" and not literal.matches_everything
    star = Glob.compile("*")
    assert star.matches_everything and not star.is_literal and star.literal is None
    assert Glob.compile("**").matches_everything
    assert not Glob.compile("a*").matches_everything
    assert not Glob.compile("?").is_literal
    assert Glob.compile("S3:GetObject", ignore_case=True).literal == "s3:getobject"


def test_ignore_case() -> None:
    glob = Glob.compile("S3:Get*", ignore_case=True)
    assert glob.matches("s3:getobject") and glob.matches("S3:GETOBJECT")
    assert not Glob.compile("S3:Get*").matches("s3:getobject")
    assert Glob.compile("s3:*Object?ag", ignore_case=True).matches("S3:PutObjectTAG")


def test_from_parts_escapes_and_literal_text_are_literal() -> None:
    glob = Glob.from_parts(["a", Escape("*"), "b*"])
    assert glob.matches("a*bzzz") and not glob.matches("axbzzz")
    assert Glob.from_parts([Escape("?")]).is_literal
    assert Glob.from_parts([Escape("?")]).matches("?") and not Glob.from_parts([Escape("?")]).matches("x")
    value = Glob.from_parts(["home/", LiteralText("a*?"), "/*"])
    assert value.matches("home/a*?/x") and not value.matches("home/abc/x")


def test_from_parts_refuses_variables() -> None:
    template = parse_template("${aws:username}", variables_enabled=True)
    with pytest.raises(ValueError, match=r"unresolved variable `\$\{aws:username\}` in a pattern"):
        Glob.from_parts(template.parts)


def test_compile_pattern_without_variables_is_a_glob() -> None:
    matcher = compile_pattern(parse_template("arn:aws:s3:::b/*", variables_enabled=True))
    assert isinstance(matcher, Glob) and not matcher.has_variables
    assert matcher.matches_in("arn:aws:s3:::b/k", EMPTY)


def test_glob_template_substitutes_values_literally() -> None:
    template = parse_template("arn:aws:s3:::b/${aws:username}/*", variables_enabled=True)
    matcher: PatternMatcher = compile_pattern(template)
    assert isinstance(matcher, GlobTemplate) and matcher.has_variables
    alice = RequestContext({"aws:username": ("alice",)})
    assert matcher.matches_in("arn:aws:s3:::b/alice/k", alice)
    assert not matcher.matches_in("arn:aws:s3:::b/bob/k", alice)
    star = RequestContext({"aws:username": ("a*",)})
    assert matcher.matches_in("arn:aws:s3:::b/a*/k", star)
    assert not matcher.matches_in("arn:aws:s3:::b/abc/k", star)
    rendered = matcher.render(alice)
    assert rendered is not None and rendered.matches("arn:aws:s3:::b/alice/x/y")


def test_unresolvable_variable_matches_nothing() -> None:
    matcher = GlobTemplate.from_template(parse_template("${aws:username}*", variables_enabled=True))
    assert matcher.render(EMPTY) is None
    assert not matcher.matches("anything", EMPTY)
    two = RequestContext({"aws:username": ("a", "b")})
    assert not matcher.matches("a", two)
    empty_value = RequestContext({"aws:username": ("",)})
    assert matcher.matches("whatever", empty_value)


def test_variable_default_and_ignore_case() -> None:
    template = parse_template("team-${aws:PrincipalTag/team, 'None'}", variables_enabled=True)
    matcher = GlobTemplate.from_template(template, ignore_case=True)
    assert matcher.matches("TEAM-NONE", EMPTY)
    assert matcher.matches("team-red", RequestContext({"aws:principaltag/team": ("Red",)}))
    assert not GlobTemplate.from_template(template).matches("team-none", EMPTY)


def test_2008_version_text_is_a_literal_pattern() -> None:
    matcher = compile_pattern(parse_template("arn:aws:s3:::b/${aws:username}", variables_enabled=False))
    assert isinstance(matcher, Glob) and matcher.is_literal
    assert matcher.matches_in("arn:aws:s3:::b/${aws:username}", RequestContext({"aws:username": ("x",)}))
    assert not matcher.matches_in("arn:aws:s3:::b/x", RequestContext({"aws:username": ("x",)}))


def test_adversarial_pattern_is_linear() -> None:
    assert not Glob.compile("a*a*a*a*a*a*a*a*b").matches("a" * 100_000)
    assert not Glob.compile("*a*a*a*a*a*a*a*a*b*").matches("a" * 100_000)
    assert Glob.compile("*a*a*a*a*a*a*a*a*").matches("a" * 100_000)
    assert not Glob.compile("*a?a*a?a*a?a*b").matches("a" * 100_000)


text_of = st.text(alphabet=METACHARACTERS, max_size=12)


@settings(max_examples=200, deadline=None)
@given(pattern=text_of, value=text_of)
def test_glob_agrees_with_reference(pattern: str, value: str) -> None:
    assert Glob.compile(pattern).matches(value) == reference_match(tokens_of([pattern]), value)


@settings(max_examples=200, deadline=None)
@given(pattern=text_of, value=text_of)
def test_glob_matches_itself_when_literal(pattern: str, value: str) -> None:
    glob = Glob.compile(pattern)
    assert glob.is_literal == ("*" not in pattern and "?" not in pattern)
    if glob.is_literal:
        assert glob.matches(pattern) and glob.matches(value) == (value == pattern)


part_of = st.one_of(
    text_of,
    st.sampled_from([Escape("*"), Escape("?"), Escape("$")]),
    st.builds(LiteralText, st.text(alphabet="a*?:", max_size=3)),
)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(part_of, max_size=5), value=st.text(alphabet="a*?$:/", max_size=12))
def test_from_parts_agrees_with_reference(parts: list[TemplatePart | LiteralText], value: str) -> None:
    assert Glob.from_parts(parts).matches(value) == reference_match(tokens_of(parts), value)


@settings(max_examples=200, deadline=None)
@given(pattern=st.text(alphabet="aAbB*?", max_size=8), value=st.text(alphabet="aAbB", max_size=8))
def test_ignore_case_agrees_with_reference(pattern: str, value: str) -> None:
    expected = reference_match(tokens_of([pattern.lower()]), value.lower())
    assert Glob.compile(pattern, ignore_case=True).matches(value) == expected
