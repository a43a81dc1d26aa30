"""The diff reports are pure functions of a `DiffResult`: golden files for text, JSON and Markdown."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policysim.catalogue import builtin_catalogue
from policysim.diff.accept import load_acceptances
from policysim.diff.compare import explore
from policysim.diff.gate import DiffResult, judge
from policysim.diff.render import DIFF_FORMATS, render_diff
from policysim.enums import FailOn
from policysim.load import load_file
from policysim.scenario.api import Scenario

GOLDEN = Path(__file__).with_name("golden")
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def load(name: str) -> Scenario:
    doc = load_file(GOLDEN / name, name)  # shown as `base.yaml` / `new.yaml`, wherever the tests run from
    return Scenario.from_document(doc, base_dir=GOLDEN, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def result() -> DiffResult:
    exploration = explore(load("base.yaml"), load("new.yaml"), builtin_catalogue())
    accepted = load_acceptances(GOLDEN / "accept.yaml")
    return judge("base.yaml", "new.yaml", [exploration], accepted, FailOn.NEW_ACCESS)


@pytest.mark.parametrize("fmt", DIFF_FORMATS)
def test_golden(fmt: str, result: DiffResult) -> None:
    actual = render_diff(fmt, result).replace(str(GOLDEN) + os.sep, "")
    path = GOLDEN / f"report.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden file"


def test_the_result_is_what_the_goldens_show(result: DiffResult) -> None:
    document = json.loads(render_diff("json", result))
    assert document["passed"] is False  # alice's other new reads and bob's conditional deletes are not accepted
    assert document["summary"]["accepted"] == 2  # the two objects of the logs bucket
    assert [e["reason"] for e in document["unused_accept_entries"]] == ["an entry that matches nothing"]
    kinds = {c["change"] for c in document["changes"]}
    assert kinds == {"new-access", "removed-access", "deny-changed"}


def test_markdown_cells_escape_pipes_and_newlines(result: DiffResult) -> None:
    markdown = render_diff("markdown", result)
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("| principal"):
            assert line.count(" | ") == 6, line  # seven cells, whatever the reasons contain
