"""JSON loading: the lark grammar, start/end spans, readable syntax errors, and never crashing."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.errors import Location, ParseError, PolicysimError, SchemaError
from policysim.load import MAX_DEPTH, MAX_INPUT_BYTES, Document, Span, load_json

POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:*"],
      "Resource": "*"
    }
  ]
}"""


def error(source: str | bytes) -> PolicysimError:
    with pytest.raises(PolicysimError) as info:
        load_json(source, "p.json")
    return info.value


# ------------------------------------------------------------------ values


def test_values() -> None:
    doc = load_json(
        '{"s": "a\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00", "i": -12, "f": 2.5, "e": 1E3, "z": 0,'
        ' "t": true, "n": null, "no": false, "l": [], "o": {}}'
    )
    assert doc.data == {
        "s": 'a"b\\c/\né\U0001f600',
        "i": -12,
        "f": 2.5,
        "e": 1000.0,
        "z": 0,
        "t": True,
        "n": None,
        "no": False,
        "l": [],
        "o": {},
    }
    assert type(doc.data["i"]) is int and type(doc.data["e"]) is float
    assert list(doc.data) == ["s", "i", "f", "e", "z", "t", "n", "no", "l", "o"]


@pytest.mark.parametrize("source", ['"x"', "1", "true", "null", "[1, [2, [3]]]"])
def test_any_value_may_be_the_root(source: str) -> None:
    assert load_json(source).data == json.loads(source)


def test_big_numbers() -> None:
    assert load_json("[123456789012345678901234567890]").data == [123456789012345678901234567890]
    with pytest.raises(ParseError, match=re.escape("p.json:1:2: number `1e999` is out of range")):
        load_json("[1e999]", "p.json")
    with pytest.raises(ParseError, match=r"number `9+…` is too long"):
        load_json("9" * 5000)


# ------------------------------------------------------------------ positions


def test_start_and_end_positions() -> None:
    doc = load_json(POLICY, "p.json")
    assert doc.spans[()] == Span(1, 1, 10, 2)
    assert doc.key_spans[("Version",)] == Span(2, 3, 2, 12)
    assert doc.spans[("Version",)] == Span(2, 14, 2, 26)
    assert doc.spans[("Statement",)] == Span(3, 16, 9, 4)
    assert doc.spans[("Statement", 0)] == Span(4, 5, 8, 6)
    assert doc.key_spans[("Statement", 0, "Effect")] == Span(5, 7, 5, 15)
    assert doc.spans[("Statement", 0, "Action")] == Span(6, 17, 6, 41)
    assert doc.spans[("Statement", 0, "Action", 1)] == Span(6, 34, 6, 40)


def test_locate_and_sub() -> None:
    doc = load_json(POLICY, "p.json")
    assert doc.locate(("Statement", 0, "Efect")) == Location("p.json", 4, 5, ("Statement", 0, "Efect"))
    assert doc.locate(("Statement", 0, "Effect")) == Location("p.json", 5, 7, ("Statement", 0, "Effect"))
    assert doc.locate(("Statement", 0, "Effect"), value=True).column == 17
    statement = doc.sub(("Statement", 0))
    assert isinstance(statement, Document)
    assert statement.data == {"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"}
    assert statement.spans[()] == Span(4, 5, 8, 6)
    assert statement.spans[("Action", 1)] == Span(6, 34, 6, 40)
    assert statement.key_spans[("Resource",)] == Span(7, 7, 7, 17)
    assert statement.locate(("Action", 5)) == Location("p.json", 6, 7, ("Action", 5))
    assert sorted(map(str, statement.spans)) == sorted(str(p[2:]) for p in doc.spans if p[:2] == ("Statement", 0))


# ------------------------------------------------------------------ refusals


def test_duplicate_key() -> None:
    exc = error('{\n  "Effect": "Allow",\n  "Effect": "Deny"\n}')
    assert isinstance(exc, SchemaError)
    assert exc.message == "duplicate key `Effect` (first defined on line 2)"
    assert exc.location == Location("p.json", 3, 3)


def test_escaped_duplicate_key_is_still_a_duplicate() -> None:
    with pytest.raises(SchemaError, match=re.escape("duplicate key `a`")):
        load_json('{"a": 1, "\\u0061": 2}')


@pytest.mark.parametrize(
    ("source", "message", "where", "hint"),
    [
        ('{"a" 1}', "expected `:`, found `1`", (1, 6), None),
        ('{"a": 1 "b": 2}', 'expected `,` or `}`, found `"b"`', (1, 9), "is a `,` missing?"),
        ("[1 2]", "expected `,` or `]`, found `2`", (1, 4), "is a `,` missing?"),
        ("[1,]", "expected a value, found `]`", (1, 4), "JSON does not allow a trailing comma"),
        ('{"a": 1,}', "expected a string, found `}`", (1, 9), "JSON does not allow a trailing comma"),
        ("[", "expected a value or `]`, found end of input", (1, 2), None),
        ('{"a": [1,\n  2', "expected `,` or `]`, found end of input", (2, 4), None),
        ("{1: 2}", "expected a string or `}`, found `1`", (1, 2), None),
        ("{} {}", "expected end of input, found `{`", (1, 4), None),
        ("{'a': 1}", "unexpected character `'`", (1, 2), "JSON strings use double quotes"),
        ("// c\n{}", "unexpected character `/`", (1, 1), "JSON does not allow comments"),
        ("[True]", "invalid value `True`", (1, 2), "JSON literals are lowercase: `true`, `false`, `null`"),
        ("[NaN]", "invalid value `NaN`", (1, 2), "JSON has no NaN or infinity"),
        ("[-Infinity]", "invalid value `-Infinity`", (1, 2), "JSON has no NaN or infinity"),
        ("[+1]", "invalid value `+1`", (1, 2), "JSON numbers look like `-12`, `0.5` or `1e3`"),
        ("[.5]", "invalid value `.5`", (1, 2), "JSON numbers look like `-12`, `0.5` or `1e3`"),
        ('{"a": yes}', "invalid value `yes`", (1, 7), 'strings must be quoted: `"yes"`'),
        ('["abc', "unterminated string", (1, 2), None),
        ('["a\\x"]', "invalid escape `\\x` in string", (1, 4), None),
        ('["\\u12"]', "invalid `\\u` escape in string (expected 4 hex digits)", (1, 3), None),
        ('["a\tb"]', "control character U+0009 in string (escape it, e.g. as `\\n`)", (1, 4), None),
        (
            '["\\ud800"]',
            "string holds a lone surrogate (an unpaired `\\ud800`-`\\udfff` escape)",
            (1, 2),
            None,
        ),
        ("[1]\x00", "unexpected character `U+0000`", (1, 4), None),
    ],
)
def test_syntax_errors_are_readable_and_located(
    source: str, message: str, where: tuple[int, int], hint: str | None
) -> None:
    exc = error(source)
    assert isinstance(exc, ParseError)
    assert exc.message == message
    assert exc.location == Location("p.json", *where)
    assert exc.hint == hint


def test_leading_zero_number_is_a_syntax_error() -> None:
    with pytest.raises(ParseError, match=re.escape("expected `,` or `]`, found `123`")):
        load_json("[0123]")


@pytest.mark.parametrize("source", ["", "   \n\t ", b"", "\ufeff"])
def test_empty(source: str | bytes) -> None:
    exc = error(source)
    assert exc.message == "file is empty"
    assert exc.location == Location("p.json", 1, 1)


def test_encoding() -> None:
    exc = error(b'{"a":\n "\xff"}')
    assert exc.message == "input is not valid UTF-8: bad byte 0xff at byte offset 8"
    assert exc.location == Location("p.json", 2, 3)
    assert load_json(b'\xef\xbb\xbf{"a": "\xc3\xa9"}').data == {"a": "é"}


def test_size_cap() -> None:
    with pytest.raises(ParseError, match="input is too large: 10485762 bytes, the limit is 10485760 bytes"):
        load_json(b'"' + b"x" * MAX_INPUT_BYTES + b'"')


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_is_refused_without_recursion(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    source = opener * 10_000 + "1" + closer * 10_000
    exc = error(source)
    assert isinstance(exc, ParseError)
    assert exc.message == f"nesting is deeper than {MAX_DEPTH} levels"
    assert exc.location == Location("p.json", 1, MAX_DEPTH * len(opener) + 1)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert load_json('["' + "[" * 1000 + '\\"{"]').data == ["[" * 1000 + '"{']
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_json(nested).spans[(0,) * (MAX_DEPTH - 1)] == Span(1, MAX_DEPTH, 1, MAX_DEPTH + 2)


# ------------------------------------------------------------------ properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return type(a) is type(b) and (a == b or (math.isnan(a) and math.isnan(b)))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 2]), st.booleans())
def test_json_round_trip(value: Any, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    doc = load_json(text)
    assert _same(doc.data, value)
    assert () in doc.spans


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        doc = load_json(text)
    except PolicysimError:
        return
    assert isinstance(doc, Document)


_jsonish = st.text(alphabet=st.sampled_from(list('{}[],:"\\ 0123456789.eE+-tfnul\n\tx')), max_size=60)


@settings(max_examples=200, deadline=None)
@given(_jsonish)
def test_json_like_text_never_crashes(text: str) -> None:
    try:
        load_json(text)
    except PolicysimError:
        return
