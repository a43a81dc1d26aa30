"""The wire records read what the pydantic wire models read (model/wire.py, model/records.py).

The pydantic models are the rule; `records.py` is written from them and `wire.parse` checks data against that copy
without pydantic. These tests hold the two equal: the written file is what `records_refresh` writes now; on every
scenario file of the project, every shipped AWS managed policy and generated data (near misses included) the
check accepts exactly what pydantic accepts, read into the same values, types and given fields.
`HYPOTHESIS_PROFILE=fuzz-more` runs the laws with 2,000 examples.
"""

from __future__ import annotations

import dataclasses
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from policysim.errors import InputError, SchemaError
from policysim.load import Document, load_file
from policysim.managed import ManagedPolicyLibrary
from policysim.model import records, records_refresh, wire

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 2000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-more" else 120
LAW = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROOTS = ("ScenarioFile", "PolicyDocument", "ConfigFile")


def same(found: Any, expected: Any) -> bool:
    """Equal with the same types all the way down (`1`, `1.0` and `True` are three values), given fields too."""
    if type(found) is not type(expected):
        return False
    if dataclasses.is_dataclass(found):
        return found.fields_set == expected.fields_set and all(
            same(getattr(found, f.name), getattr(expected, f.name)) for f in dataclasses.fields(found)
        )
    if isinstance(found, list):
        return len(found) == len(expected) and all(map(same, found, expected))
    if isinstance(found, dict):
        return list(found) == list(expected) and all(same(found[k], expected[k]) for k in found)
    return bool(found == expected)


def agree(name: str, data: Any) -> None:
    """The check and pydantic accept `data` alike, and read it alike."""
    record = getattr(records, name)
    found = wire.parse(record, data)
    try:
        model = wire.pydantic_model(record).model_validate(data)
    except ValidationError:
        assert found is None, f"the check accepts what pydantic refuses: {data!r}"
        return
    assert found is not None, f"the check refuses what pydantic accepts: {data!r}"
    assert same(found, wire.to_record(model)), data


def test_the_records_are_what_records_refresh_writes() -> None:
    written: list[str] = []
    records_refresh.main(written.append)
    assert written == [Path(records.__file__).read_text()], "run `python -m policysim.model.records_refresh`"


def _scenario_files() -> list[Path]:
    return sorted(p for folder in ("scenarios", "tests") for p in (ROOT / folder).rglob("*.y*ml"))


def test_every_scenario_file_of_the_project_reads_alike() -> None:
    read = 0
    for path in _scenario_files():
        try:
            doc = load_file(path)
        except InputError:
            continue
        if isinstance(doc.data, dict) and "scenario" in doc.data:
            agree("ScenarioFile", doc.data)
            read += 1
    assert read >= 10


def test_every_shipped_managed_policy_reads_alike() -> None:
    library = ManagedPolicyLibrary.builtin()
    policies = list(library)
    assert len(policies) > 1000
    for policy in policies:
        agree("PolicyDocument", json.loads(policy.document_text))


def test_a_refusal_is_pydantic_s_located_error() -> None:
    test = {"name": "t", "principal": "p", "action": "s3:GetObject", "resource": "*", "expect": "nope"}
    data = {"scenario": "x", "tests": [test]}
    doc = Document.from_data(data, "<dict>")
    with pytest.raises(SchemaError) as caught:
        wire.read(records.ScenarioFile, data, doc.locate, "scenario")
    assert str(caught.value).startswith("<dict> (tests[0].expect): scenario: `expect` must be 'allowed', 'denied'")


def test_what_only_pydantic_accepts_is_read_through_pydantic() -> None:
    class Text(str):
        """A string subclass: the check leaves it to pydantic, which accepts it."""

    data = {"Statement": {"Effect": "Allow", "Action": Text("s3:GetObject"), "Resource": "*"}}
    assert wire.parse(records.PolicyDocument, data) is None
    found = wire.read(records.PolicyDocument, data, Document.from_data({}, "<dict>").locate)
    assert found.Statement[0].Action == "s3:GetObject" and found.Statement[0].fields_set == {
        "Effect",
        "Action",
        "Resource",
    }


# ---------------------------------------------------------------- generated data from the records' rule

JUNK = st.sampled_from(
    [None, True, False, 0, 1, -1, 1.5, 3600, "", "x", "*", "a\n", "Allow", "identity", [], ["x"], [1], {}, {"x": 1}]
)
KEYS = st.sampled_from(["x", "k", "Sid", "name", "aws:SourceIp", "1", "a\n", ""])


@cache
def _strategy(node: tuple[Any, ...], junk: bool) -> st.SearchStrategy[Any]:
    made = _plain(node, junk)
    return st.one_of(made, JUNK) if junk and node[0] != "record" else made


def _plain(node: tuple[Any, ...], junk: bool) -> st.SearchStrategy[Any]:
    kind = node[0]
    if kind == "str":
        pattern, low, high = node[1:]
        if pattern is not None:
            return st.from_regex(pattern, fullmatch=True) | st.sampled_from(["", "a b", "x" * 129, "o-abc"])
        return st.text(alphabet="ab-:*/ é\n", min_size=max(0, (low or 0) - 1), max_size=(low or 0) + 3) | (
            st.text(min_size=high - 1, max_size=high + 1) if high else st.nothing()
        )
    if kind == "int":
        low, high = node[1:]
        return st.integers(min_value=(low or 0) - 2, max_value=(high or 10) + 2) | st.sampled_from(
            [x for x in (low, high) if x is not None] or [0]
        )
    if kind == "bool":
        return st.booleans()
    if kind == "float":
        return st.floats(allow_nan=False) | st.integers(-3, 3)
    if kind == "none":
        return st.none()
    if kind == "any":
        return st.recursive(
            st.none() | st.booleans() | st.integers(-2, 2) | st.text(max_size=3),
            lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner, max_size=2),
            max_leaves=4,
        )
    if kind == "lit":
        return st.sampled_from(node[1])
    if kind == "list":
        low = node[2] or 0
        return st.lists(_strategy(node[1], junk), min_size=max(0, low - 1), max_size=low + 2)
    if kind == "dict":
        keys = _strategy(node[1], False) | (KEYS if junk else st.nothing())
        return st.dictionaries(keys, _strategy(node[2], junk), max_size=2)
    if kind == "union":
        return st.one_of([_strategy(member, junk) for member in node[1]])
    if kind == "record":
        return _record(node[1], junk)
    if kind == "enum":
        return st.sampled_from([member.value for member in wire.resolve(node[1])])
    if kind == "before":
        inner = _strategy(node[2], junk)
        return inner | st.lists(inner, max_size=1) | (_strategy(node[2][1], junk) if node[2][0] == "list" else inner)
    raise AssertionError(f"no strategy for {node!r}")


@cache
def _record(name: str, junk: bool) -> st.SearchStrategy[dict[str, Any]]:
    fields = records.SPEC[name][1]
    required = {key: _strategy(rule, junk) for _, key, rule, default in fields if default == ("required",)}
    optional = {key: _strategy(rule, junk) for _, key, rule, default in fields if default != ("required",)}
    made = st.fixed_dictionaries(required, optional=optional)
    if not junk:
        return made
    dropped = made.flatmap(lambda d: st.sampled_from([d, *({k: v for k, v in d.items() if k != key} for key in d)]))
    extra = st.fixed_dictionaries({}, optional={"effect": st.just("Allow"), "unknown": JUNK})
    return st.one_of(dropped, st.tuples(made, extra).map(lambda pair: pair[0] | pair[1]), JUNK)


@pytest.mark.parametrize("name", ROOTS)
@LAW
@given(data=st.data())
def test_generated_data_reads_alike(name: str, data: st.DataObject) -> None:
    agree(name, data.draw(_record(name, False)))


@pytest.mark.parametrize("name", ROOTS)
@LAW
@given(data=st.data())
def test_near_misses_read_alike(name: str, data: st.DataObject) -> None:
    agree(name, data.draw(_record(name, True)))
