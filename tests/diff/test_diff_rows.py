"""The rows of a diff in bounded memory: spilled to sorted runs and merged, they read back as if held, and the
reports written row by row are the reports of the whole result."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.catalogue import builtin_catalogue
from policysim.diff.accept import load_acceptances
from policysim.diff.compare import Exploration, explore
from policysim.diff.gate import DiffResult, Gate, judge
from policysim.diff.render import DIFF_FORMATS, diff_document, indented_json, render_diff
from policysim.diff.rows import RowStore
from policysim.enums import FailOn
from policysim.load import load_file
from policysim.scenario.api import Scenario

GOLDEN = Path(__file__).with_name("golden")
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def load(name: str) -> Scenario:
    doc = load_file(GOLDEN / name, name)
    return Scenario.from_document(doc, base_dir=GOLDEN, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def exploration() -> Exploration:
    return explore(load("base.yaml"), load("new.yaml"), builtin_catalogue())


def result_with(exploration: Exploration, store: RowStore) -> DiffResult:
    gate = Gate(load_acceptances(GOLDEN / "accept.yaml"), FailOn.NEW_ACCESS, store)
    for change in reversed(exploration.changes):  # in any order: the store sorts
        gate.add(change, exploration.new or "")
    return gate.result("base.yaml", "new.yaml", [exploration])


@pytest.mark.parametrize("fmt", DIFF_FORMATS)
def test_spilled_rows_give_the_golden_reports(fmt: str, exploration: Exploration) -> None:
    with RowStore(limit=2) as store:
        actual = render_diff(fmt, result_with(exploration, store)).replace(str(GOLDEN) + os.sep, "")
        assert store._runs, "the rows were written out"  # more rows than the limit
    assert actual == (GOLDEN / f"report.{SUFFIX[fmt]}").read_text(encoding="utf-8")


def test_rows_read_back_in_report_order_as_often_as_needed(exploration: Exploration) -> None:
    held = judge("base.yaml", "new.yaml", [exploration], [], FailOn.NEW_ACCESS)
    with RowStore(limit=3) as store:
        spilled = result_with(exploration, store)
        first, second = list(spilled.rows), list(spilled.rows)
        assert first == second
        assert [r.change for r in first] == [r.change for r in held.rows]
        assert len(store) == len(exploration.changes) == len(first)
        callers = {id(c.probe.caller) for c in exploration.changes}
        assert {id(r.change.probe.caller) for r in first} <= callers  # shared, not copied
        directory = store._directory
        assert directory is not None and directory.exists()
    assert not directory.exists()


@pytest.mark.parametrize("fail_on", list(FailOn))
def test_the_json_written_row_by_row_is_the_document(exploration: Exploration, fail_on: FailOn) -> None:
    for explorations in ([exploration], []):
        result = judge("base.yaml", "new.yaml", explorations, [], fail_on)
        assert render_diff("json", result) == json.dumps(diff_document(result), indent=2) + "\n"


def test_the_tally_is_what_the_rows_say(exploration: Exploration) -> None:
    result = result_with(exploration, RowStore(limit=4))
    rows = list(result.rows)
    assert result.tally.accepted == sum(1 for r in rows if r.accepted is not None) == 2
    assert result.tally.failing == len(result.failing) == 6
    assert sum(result.tally.kinds.values()) == len(rows)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_rows_are_indented_as_json_indents_them(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2)
    assert indented_json(value, "    ") == json.dumps(value, indent=2).replace("\n", "\n    ")


def test_a_value_json_would_write_otherwise_is_refused() -> None:
    for value in (1.5, {1: "a"}, {"a": {2}}):
        with pytest.raises(TypeError):
            indented_json(value)
