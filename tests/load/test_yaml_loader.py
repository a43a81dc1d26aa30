"""YAML loading: strict scalars, refused YAML features, positions, and never crashing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import policysim.load.yaml_loader as yaml_loader
from policysim.errors import Location, ParseError, PolicysimError, SchemaError
from policysim.load import (
    MAX_DEPTH,
    MAX_INPUT_BYTES,
    Document,
    Span,
    load_file,
    load_text,
    load_yaml,
)

LOADERS = [None, yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__ if loader else "fast", autouse=True)
def event_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run every test with the fast path (yaml_fast.py, PyYAML for what it does not read), and with only the
    pure-Python and (when present) the libyaml event parser."""
    if request.param is not None:
        monkeypatch.setattr(yaml_loader, "events", lambda text: None)
        monkeypatch.setattr(yaml_loader, "_LOADER", request.param)
    yield


def error(source: str | bytes) -> PolicysimError:
    with pytest.raises(PolicysimError) as info:
        load_yaml(source, "p.yaml")
    return info.value


POLICY = """\
Version: "2012-10-17"
Statement:
  - Sid: One
    Effect: Allow
    Action: [s3:GetObject, "s3:*"]
    Resource: '*'
    Condition:
      Bool: {aws:SecureTransport: "true"}
"""


# ------------------------------------------------------------------ data and scalars


def test_policy_loads_as_plain_data() -> None:
    doc = load_yaml(POLICY, "p.yaml")
    assert doc.file == "p.yaml"
    assert doc.data == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "One",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:*"],
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ],
    }
    assert list(doc.data) == ["Version", "Statement"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("~", None),
        ("", None),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("0", 0),
        ("-0", 0),
        ("+7", 7),
        ("3600", 3600),
        ("-12", -12),
        ("1.5", 1.5),
        ("1.", 1.0),
        (".5", 0.5),
        ("1.0e3", 1000.0),
        ("-2.5E-1", -0.25),
        ("tRUE", "tRUE"),
        ("e5", "e5"),
        ("inf", "inf"),
        ("s3:GetObject", "s3:GetObject"),
        ("arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:root"),
        ("'yes'", "yes"),
        ('"0123"', "0123"),
        ("'2012-10-17'", "2012-10-17"),
        ('"true"', "true"),
        ("'null'", "null"),
        ("'~'", "~"),
        ('""', ""),
        ("|\n  text\n", "text\n"),
    ],
)
def test_scalar_resolution(text: str, value: object) -> None:
    data = load_yaml(f"k: {text}").data
    assert data == {"k": value}
    assert type(data["k"]) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (word, f"`{word}` is ambiguous (YAML 1.1 reads it as a boolean)")
        for word in ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "Y", "N", "yEs"]
    ]
    + [
        ("0123", "`0123` is ambiguous (YAML reads it as an octal number or drops the leading zero)"),
        (
            "012345678901",
            "`012345678901` is ambiguous (YAML reads it as an octal number or drops the leading zero)",
        ),
        ("00", "`00` is ambiguous (YAML reads it as an octal number or drops the leading zero)"),
        ("-017", "`-017` is ambiguous (YAML reads it as an octal number or drops the leading zero)"),
        ("0x1F", "`0x1F` is ambiguous (YAML reads it as a hexadecimal number)"),
        ("0o17", "`0o17` is ambiguous (YAML reads it as an octal number)"),
        ("0b101", "`0b101` is ambiguous (YAML reads it as a binary number)"),
        (".inf", "`.inf` is not supported (YAML reads it as an infinite or NaN number)"),
        ("-.Inf", "`-.Inf` is not supported (YAML reads it as an infinite or NaN number)"),
        (".nan", "`.nan` is not supported (YAML reads it as an infinite or NaN number)"),
        ("2012-10-17", "YAML reads `2012-10-17` as a date"),
        ("2001-12-14T21:59:43.10-05:00", "YAML reads `2001-12-14T21:59:43.10-05:00` as a date"),
        ("1:30:00", "`1:30:00` is ambiguous (YAML 1.1 reads it as a base-60 number)"),
        ("1_000", "`1_000` is ambiguous (YAML 1.1 reads it as a number without the underscores)"),
    ],
)
def test_yaml_traps_are_errors_with_a_quote_hint(text: str, message: str) -> None:
    exc = error(f"Version: {text}\n")
    assert isinstance(exc, ParseError)
    assert exc.message == message
    assert exc.hint == f'quote it: `"{text}"`'
    assert exc.location == Location("p.yaml", 1, 10)


def test_version_date_trap_message() -> None:
    with pytest.raises(ParseError, match=re.escape("p.yaml:1:10: YAML reads `2012-10-17` as a date")):
        load_yaml("Version: 2012-10-17\n", "p.yaml")


def test_out_of_range_and_overlong_numbers() -> None:
    with pytest.raises(ParseError, match=re.escape("number `1.0e999` is out of range")):
        load_yaml("a: 1.0e999")
    with pytest.raises(ParseError, match=r"number `9+…` is too long"):
        load_yaml("a: " + "9" * 5000)


# ------------------------------------------------------------------ keys


def test_unquoted_account_id_key_is_refused() -> None:
    exc = error('accounts:\n  111111111111:\n    name: prod\n  "222222222222": {}\n')
    assert isinstance(exc, SchemaError)
    assert exc.message == "mapping key `111111111111` is not a string"
    assert exc.hint == 'quote it: `"111111111111"` (account ids and other keys must be quoted strings)'
    assert exc.location == Location("p.yaml", 2, 3)


@pytest.mark.parametrize(
    ("source", "shown"), [("true: x", "true"), ("1.5: x", "1.5"), ("~: x", "~"), ("?\n: x", "null")]
)
def test_non_string_scalar_keys(source: str, shown: str) -> None:
    with pytest.raises(SchemaError, match=re.escape(f"mapping key `{shown}` is not a string")):
        load_yaml(source)


def test_collection_keys_are_refused() -> None:
    with pytest.raises(SchemaError, match="mapping keys must be strings, not collections"):
        load_yaml("? [a, b]\n: c\n")
    with pytest.raises(SchemaError, match="mapping keys must be strings, not collections"):
        load_yaml("{{a: 1}: 2}")


def test_quoted_keys_are_strings() -> None:
    assert load_yaml('"111111111111": a\n\'true\': b\n"<<": c\n').data == {
        "111111111111": "a",
        "true": "b",
        "<<": "c",
    }


def test_duplicate_key_names_the_first_line() -> None:
    exc = error("Statement:\n  Effect: Allow\n  Action: '*'\n  Effect: Deny\n")
    assert isinstance(exc, SchemaError)
    assert exc.message == "duplicate key `Effect` (first defined on line 2)"
    assert exc.location == Location("p.yaml", 4, 3)


def test_duplicate_key_quoted_and_plain_and_flow() -> None:
    with pytest.raises(SchemaError, match=re.escape("duplicate key `a` (first defined on line 1)")):
        load_yaml('a: 1\n"a": 2\n')
    with pytest.raises(SchemaError, match=re.escape("1:8: duplicate key `a` (first defined on line 1)")):
        load_yaml("{a: 1, a: 2}")


def test_same_key_in_sibling_mappings_is_fine() -> None:
    assert load_yaml("- a: 1\n- a: 2\n").data == [{"a": 1}, {"a": 2}]


# ------------------------------------------------------------------ refused YAML features


def test_anchors_and_aliases_are_refused() -> None:
    exc = error("base: &b {a: 1}\nother: *b\n")
    assert isinstance(exc, ParseError)
    assert exc.message == "anchors and aliases are not supported"
    assert exc.location == Location("p.yaml", 1, 7)
    with pytest.raises(ParseError, match="anchors and aliases are not supported"):
        load_yaml("a: *undefined\n")


def test_billion_laughs_is_refused() -> None:
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, 10)]
    with pytest.raises(ParseError, match="anchors and aliases are not supported"):
        load_yaml("\n".join(lines))


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ('!!python/object/apply:os.system ["echo pwned"]', "!!python/object/apply:os.system"),
        ('a: !!python/object/apply:os.system ["echo pwned"]', "!!python/object/apply:os.system"),
        ("a: !!str 1", "!!str"),
        ("a: !foo x", "!foo"),
        ("a: !!map {b: 1}", "!!map"),
        ("a: ! 1", "!"),
    ],
)
def test_tags_are_refused(source: str, tag: str) -> None:
    with pytest.raises(ParseError, match=re.escape(f"YAML tags are not supported (found `{tag}`)")):
        load_yaml(source)


def test_merge_key_is_refused() -> None:
    exc = error("a:\n  <<: {b: 1}\n")
    assert isinstance(exc, ParseError)
    assert exc.message == "merge keys (`<<`) are not supported"
    assert exc.location == Location("p.yaml", 2, 3)


def test_several_documents_are_refused() -> None:
    exc = error("a: 1\n---\nb: 2\n")
    assert exc.message == "multiple documents in one file are not supported"
    assert exc.location == Location("p.yaml", 2, 1)
    assert load_yaml("---\na: 1\n...\n").data == {"a": 1}


@pytest.mark.parametrize(
    "source",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "}" * 10_000,
        "- " * 10_000 + "x",
        "".join(" " * i + "a:\n" for i in range(200)),
    ],
    ids=["flow-seq", "flow-map", "block-seq", "block-map"],
)
def test_deep_nesting_is_refused(source: str) -> None:
    with pytest.raises(ParseError, match=f"nesting is deeper than {MAX_DEPTH} levels"):
        load_yaml(source)


def test_nesting_at_the_limit_is_fine() -> None:
    doc = load_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    depth, value = 0, doc.data
    while isinstance(value, list):
        depth, value = depth + 1, value[0] if value else None
    assert depth == MAX_DEPTH


# ------------------------------------------------------------------ input checks


@pytest.mark.parametrize("source", ["", "   \n\n", "# only a comment\n", "---\n", b""])
def test_empty_file(source: str | bytes) -> None:
    exc = error(source)
    assert isinstance(exc, ParseError)
    assert exc.message == "file is empty"
    assert exc.location == Location("p.yaml", 1, 1)


def test_explicit_null_document_is_not_empty() -> None:
    assert load_yaml("~").data is None


def test_bad_utf8_reports_offset_and_line() -> None:
    exc = error(b"a: 1\nb: caf\xe9\n")
    assert isinstance(exc, ParseError)
    assert exc.message == "input is not valid UTF-8: bad byte 0xe9 at byte offset 11"
    assert exc.location == Location("p.yaml", 2, 7)


def test_bom_is_stripped() -> None:
    assert load_yaml("\ufeffa: 1\n".encode()).data == {"a": 1}
    assert load_yaml("\ufeffa: 1\n").data == {"a": 1}


def test_oversized_input_is_refused_before_parsing() -> None:
    big = b"a: [" + b"*x, " * (MAX_INPUT_BYTES // 4) + b"]"
    with pytest.raises(ParseError, match=r"input is too large: \d+ bytes, the limit is 10485760 bytes"):
        load_yaml(big)
    with pytest.raises(ParseError, match="input is too large"):
        load_yaml("#" * (MAX_INPUT_BYTES + 1))


def test_control_character_is_refused() -> None:
    with pytest.raises(ParseError, match=re.escape("p.yaml:2:4: character U+0001 is not allowed in YAML")):
        load_yaml("a: 1\nb: \x01\n", "p.yaml")


def test_lone_surrogate_string_is_refused() -> None:
    with pytest.raises(ParseError):
        load_yaml('a: "\\ud800"\n')
    with pytest.raises(ParseError, match="lone surrogate"):
        load_yaml("a: \ud800\n")


def test_syntax_error_is_located_at_the_problem() -> None:
    exc = error("a: [1, 2\nb: 3\n")
    assert isinstance(exc, ParseError)
    assert exc.message.startswith("invalid YAML: ")
    assert "expected ',' or ']'" in exc.message
    assert exc.location == Location("p.yaml", 2, 2)
    with pytest.raises(ParseError, match=r"p.yaml:1:5: invalid YAML: mapping values are not allowed"):
        load_yaml("a: b: c\n", "p.yaml")


# ------------------------------------------------------------------ positions


def test_positions_of_values_and_keys() -> None:
    doc = load_yaml(POLICY, "p.yaml")
    assert doc.spans[()] == Span(1, 1, 8, 42)
    assert doc.spans[("Version",)] == Span(1, 10, 1, 22)
    assert doc.key_spans[("Version",)] == Span(1, 1, 1, 8)
    assert doc.spans[("Statement",)] == Span(3, 3, 8, 42)
    assert doc.spans[("Statement", 0)] == Span(3, 5, 8, 42)
    assert doc.key_spans[("Statement", 0, "Effect")] == Span(4, 5, 4, 11)
    assert doc.spans[("Statement", 0, "Effect")] == Span(4, 13, 4, 18)
    assert doc.spans[("Statement", 0, "Action")] == Span(5, 13, 5, 35)
    assert doc.spans[("Statement", 0, "Action", 1)] == Span(5, 28, 5, 34)
    assert doc.spans[("Statement", 0, "Condition", "Bool", "aws:SecureTransport")] == Span(8, 35, 8, 41)
    assert doc.span(("Statement", 0, "Nope")) is None


def test_locate_prefers_the_key_and_falls_back_to_the_deepest_prefix() -> None:
    doc = load_yaml(POLICY, "p.yaml")
    assert doc.locate(("Statement", 0, "Effect")) == Location("p.yaml", 4, 5, ("Statement", 0, "Effect"))
    assert doc.locate(("Statement", 0, "Effect"), value=True) == Location("p.yaml", 4, 13, ("Statement", 0, "Effect"))
    assert doc.locate(("Statement", 0, "Action", 1)) == Location("p.yaml", 5, 28, ("Statement", 0, "Action", 1))
    missing = ("Statement", 0, "Principal", "AWS")
    assert doc.locate(missing) == Location("p.yaml", 3, 5, missing)
    assert doc.locate(("Nope",)) == Location("p.yaml", 1, 1, ("Nope",))
    assert doc.locate(()) == Location("p.yaml", 1, 1, ())


def test_sub_rekeys_positions() -> None:
    doc = load_yaml(POLICY, "p.yaml")
    statement = doc.sub(("Statement", 0))
    assert isinstance(statement, Document)
    assert statement.file == "p.yaml"
    assert statement.data is doc.data["Statement"][0]
    assert statement.spans[()] == doc.spans[("Statement", 0)]
    assert statement.spans[("Action", 1)] == Span(5, 28, 5, 34)
    assert statement.key_spans[("Effect",)] == Span(4, 5, 4, 11)
    assert () not in statement.key_spans
    assert set(statement.spans) == {p[2:] for p in doc.spans if p[:2] == ("Statement", 0)}
    assert len(statement.spans) == len(set(statement.spans))
    assert statement.locate(("Bogus",)) == Location("p.yaml", 3, 5, ("Bogus",))
    nested = doc.sub(("Statement",)).sub((0, "Condition"))
    assert nested.spans[("Bool",)] == doc.spans[("Statement", 0, "Condition", "Bool")]
    assert nested.key_spans[("Bool",)] == doc.key_spans[("Statement", 0, "Condition", "Bool")]
    assert doc.sub(()) is doc
    with pytest.raises(KeyError):
        doc.sub(("Statement", 5))


# ------------------------------------------------------------------ files and text


def test_load_file_and_load_text(tmp_path: Path) -> None:
    (tmp_path / "p.yml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "p.YAML").write_text("a: 2\n", encoding="utf-8")
    (tmp_path / "p.json").write_text('{"a": 3}', encoding="utf-8")
    (tmp_path / "p.txt").write_text("a: 4\n", encoding="utf-8")
    assert load_file(tmp_path / "p.yml").data == {"a": 1}
    assert load_file(tmp_path / "p.yml").file == str(tmp_path / "p.yml")
    assert load_file(tmp_path / "p.YAML", display="x.yaml").file == "x.yaml"
    assert load_file(tmp_path / "p.json").data == {"a": 3}
    with pytest.raises(ParseError, match=re.escape("cannot load `p.txt`: unknown file type")):
        load_file(tmp_path / "p.txt")
    with pytest.raises(ParseError, match="cannot read file"):
        load_file(tmp_path / "missing.yaml")
    (tmp_path / "dup.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape("dup.yaml:2:1: duplicate key `a`")):
        load_file(tmp_path / "dup.yaml", display="dup.yaml")
    assert load_text('  \n{"a": 1}').data == {"a": 1}
    assert load_text("a: [1]").data == {"a": [1]}
    assert load_text(b"\xef\xbb\xbf[1]").data == [1]
    with pytest.raises(ParseError, match="1:2: invalid value `a`"):
        load_text("{a: 1}")  # a flow mapping looks like JSON and is read as JSON


def test_oversized_file_is_refused_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)
    with pytest.raises(ParseError, match="input is too large: 10485761 bytes"):
        load_file(big)


# ------------------------------------------------------------------ never crash


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        doc = load_yaml(text)
    except PolicysimError:
        return
    assert isinstance(doc, Document)


_yamlish = st.text(alphabet=st.sampled_from(list("ab01:-[]{},'\"&*!#|>?~. \n\t%@`\\")), max_size=80)


@settings(max_examples=200, deadline=None)
@given(_yamlish)
def test_yaml_like_text_never_crashes(text: str) -> None:
    try:
        doc = load_yaml(text)
    except PolicysimError:
        return
    assert () in doc.spans


def test_unquoted_star_gets_a_hint() -> None:
    exc = error("Resource: *\n")
    assert isinstance(exc, ParseError)
    assert exc.message.startswith("invalid YAML: ")
    assert exc.location == Location("p.yaml", 1, 12)
    assert exc.hint == 'a value starting with `*` must be quoted: `"*"`'
