"""`ContextKeys`: user-facing context values as request keys, keeping the names and one-text values it made."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policysim import Scenario
from policysim.context import context_value_text
from policysim.scenario import context_keys as module
from policysim.scenario.context_keys import ContextKeys, context_keys


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


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(NAMES, VALUES, max_size=4), min_size=1, max_size=4))
def test_the_keys_are_the_plain_rule_whatever_was_asked_before(contexts: list[dict[str, Any]]) -> None:
    convert = ContextKeys()
    for context in contexts + contexts:  # each again: from the kept names and values
        assert convert(context) == reference(context) == context_keys(context)


def test_texts_booleans_and_numbers_that_compare_equal_stay_apart() -> None:
    convert = ContextKeys()
    for first, second in [(True, 1), (1, True), (1, 1.0), (False, 0), ("1", 1), ("true", True)]:
        for value in (first, second, [first], [second]):
            assert convert({"k": value}) == reference({"k": value})
    assert convert({"k": True}) == {"k": ("true",)} and convert({"k": 1}) == {"k": ("1",)}


def test_a_text_asked_again_is_the_very_tuple_of_the_first_ask() -> None:
    convert = ContextKeys()
    first = convert({"aws:SourceIp": "203.0.113.7"})
    again = convert({"AWS:SourceIP": "203.0.113.7"})
    assert first == again == {"aws:sourceip": ("203.0.113.7",)}
    assert first["aws:sourceip"] is again["aws:sourceip"]


def test_a_str_subclass_is_read_as_its_text() -> None:
    class Text(str):
        pass

    assert ContextKeys()({"k": Text("v")}) == {"k": ("v",)}


def test_a_key_that_lowers_itself_otherwise_is_asked_each_time_and_never_kept() -> None:
    class Key(str):
        def lower(self) -> str:
            return "k:z"

    convert = ContextKeys()
    assert convert({Key("K:Y"): "2"}) == {"k:z": ("2",)}
    assert convert({"K:Y": "1"}) == {"k:y": ("1",)}  # the plain spelling is its own
    assert convert({Key("K:Y"): "2"}) == {"k:z": ("2",)}
    assert not any(type(name) is not str for name in convert.names)
    with pytest.raises(AttributeError):
        convert({1: "x"})  # type: ignore[dict-item]


def test_what_is_kept_is_bounded_and_short() -> None:
    convert = ContextKeys()
    for number in range(module.KEPT_TEXTS + 5_000):
        convert({f"Key{number % (module.KEPT_NAMES + 100)}": f"value {number}"})
    assert len(convert.names) <= module.KEPT_NAMES and len(convert.texts) <= module.KEPT_TEXTS
    assert convert({"Key1": "value 1"}) == {"key1": ("value 1",)}
    long = "x" * (module.KEPT_CHARS + 1)
    assert convert({long.upper(): long}) == {long: (long,)}
    assert long not in convert.texts and long.upper() not in convert.names


def test_each_scenario_keeps_its_own_and_a_pickled_one_keeps_none() -> None:
    data = {"scenario": "s", "accounts": {"111111111111": {"users": {"alice": {}}}}}
    one, other = Scenario.from_dict(data), Scenario.from_dict(data)
    one.evaluate("alice", "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SourceIp": "203.0.113.7"})
    assert one._context_keys.texts and not other._context_keys.texts
    loaded = pickle.loads(pickle.dumps(one))
    assert not loaded._context_keys.texts and not loaded._context_keys.names
