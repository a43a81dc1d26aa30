"""`context_keys`: user-facing context values as request keys, with the names and one-text values it keeps made."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.context import context_value_text
from policysim.scenario import api
from policysim.scenario.api import context_keys


def reference(context: dict[str, Any]) -> dict[str, tuple[str, ...] | None]:
    """The rule, written plainly: names lowercased (a later spelling wins), values as AWS's texts."""
    out: dict[str, tuple[str, ...] | None] = {}
    for key, value in context.items():
        if value is None:
            out[key.lower()] = None
        elif isinstance(value, list | tuple):
            out[key.lower()] = tuple(context_value_text(v) for v in value)
        else:
            out[key.lower()] = (context_value_text(value),)
    return out


SCALARS = st.one_of(st.text(max_size=6), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.none())
VALUES = st.one_of(SCALARS, st.lists(st.one_of(st.text(max_size=4), st.booleans(), st.integers(0, 2)), max_size=3))
NAMES = st.sampled_from(["aws:SourceIp", "aws:sourceip", "AWS:SOURCEIP", "s3:prefix", "n", "aws:TagKeys"])


@settings(max_examples=200)
@given(st.lists(st.dictionaries(NAMES, VALUES, max_size=4), min_size=1, max_size=4))
def test_the_keys_are_the_plain_rule_whatever_was_asked_before(contexts: list[dict[str, Any]]) -> None:
    for context in contexts + contexts:  # each again: from the kept names and values
        assert context_keys(context) == reference(context)


def test_texts_booleans_and_numbers_that_compare_equal_stay_apart() -> None:
    for first, second in [(True, 1), (1, True), (1, 1.0), (False, 0), ("1", 1), ("true", True)]:
        assert context_keys({"k": first}) == reference({"k": first})
        assert context_keys({"k": second}) == reference({"k": second})
        assert context_keys({"k": [first]}) == reference({"k": [first]})
    assert context_keys({"k": True}) == {"k": ("true",)} and context_keys({"k": 1}) == {"k": ("1",)}


def test_a_text_asked_again_is_the_very_tuple_of_the_first_ask() -> None:
    first = context_keys({"aws:SourceIp": "203.0.113.7"})
    again = context_keys({"AWS:SourceIP": "203.0.113.7"})
    assert first == again == {"aws:sourceip": ("203.0.113.7",)}
    assert first["aws:sourceip"] is again["aws:sourceip"]


def test_a_str_subclass_is_read_as_its_text() -> None:
    class Text(str):
        pass

    assert context_keys({"k": Text("v")}) == {"k": ("v",)}


def test_what_is_kept_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "_NAMES", {})
    monkeypatch.setattr(api, "_ONES", {})
    for number in range(70_000):
        context_keys({f"Key{number % 5_000}": f"value {number}"})
    assert len(api._NAMES) <= 4096 and len(api._ONES) <= 65_536
    long = "x" * (api.KEPT_CHARS + 1)
    assert context_keys({long.upper(): long}) == {long: (long,)}
    assert long not in api._ONES and long.upper() not in api._NAMES
    assert context_keys({"Key1": "value 1"}) == {"key1": ("value 1",)}
