"""The JSON loader (issue 11, item 12): the same documents, spans and errors as the lark loader it replaced.

The lark grammar built every value as a parse-tree node: 100,000 `ContextEntries` (a 9 MB input) took 41 s and
820 MB in `--cli-input-json`, and a 10 MiB input could take minutes. Now valid JSON goes through Python's C decoder
with spans found lazily, and anything else through a linear scanner. The lark loader is kept beside this test
(`json_lark_reference.py`) as the oracle: on arbitrary JSON-like text both paths must give the same data, value spans
and key spans (all of them: comparing the tables expands every lazy span), or raise the same error in the same place.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_lark_reference import load_json_lark

from policysim.errors import PolicysimError
from policysim.load import load_json

TOKENS = [
    "{", "}", "[", "]", ":", ",", " ", "\n", "\t", "\r\n", '"a"', '"b"', '"\\u00e9"', '"\\ud800"', '"x\\"y"', '"\\q"',
    '"', "'a'", "1", "-0.5e3", "01", "1e999", "9" * 5000, "true", "false", "null", "True", "nul", "NaN", "-", ".5",
    "/*", "//", "\x00", "é", "\u00a0", "\ufeff",
]  # fmt: skip
token_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(loader: Any, text: str) -> tuple[str, Any]:
    try:
        doc = loader(text, "in.json")
    except PolicysimError as error:
        return type(error).__name__, error.render()
    return "ok", (doc.data, dict(doc.spans), dict(doc.key_spans))


def assert_same(text: str) -> None:
    assert outcome(load_json, text) == outcome(load_json_lark, text), repr(text)


@SETTINGS
@given(token_soup)
def test_token_soup_is_read_as_lark_read_it(text: str) -> None:
    assert_same(text)


@SETTINGS
@given(values, st.sampled_from([None, 0, 2]))
def test_valid_documents_have_the_same_data_and_spans(value: Any, indent: int | None) -> None:
    assert_same(json.dumps(value, indent=indent, ensure_ascii=False))


def test_pinned_messages() -> None:
    for text in ['{"a": [,]}', '{"a": 1,}', "[1 2]", "{'a': 1}", '{"a": 1} x', "[1, NaN]", '{"a": 1, "a": 2}']:
        assert_same(text)


def test_many_context_entries_are_read_in_one_pass() -> None:
    """100,000 entries (the 41-second input) load; the test asserts the result, never the time."""
    entries = [{"ContextKeyName": f"aws:key{i}", "ContextKeyValues": ["v"]} for i in range(100_000)]
    text = json.dumps({"ContextEntries": entries})
    doc = load_json(text, "big.json")
    assert len(doc.data["ContextEntries"]) == 100_000
    span = doc.spans[("ContextEntries", 99_999, "ContextKeyName")]
    assert (span.line, span.column) == (1, text.rindex('"aws:key99999"') + 1)


def test_lazy_spans_of_a_pretty_printed_document() -> None:
    text = '{\n  "a": [\n    1,\n    {"b": "c"}\n  ],\n  "d": null\n}\n'
    doc = load_json(text, "p.json")
    assert doc.locate(("a", 1, "b")).line == 4
    assert (doc.spans[("a",)].line, doc.spans[("a",)].end_line, doc.spans[("a",)].end_column) == (2, 5, 4)
    assert ("a", 2) not in doc.spans and ("zz",) not in doc.key_spans
    assert outcome(load_json, text) == outcome(load_json_lark, text)
