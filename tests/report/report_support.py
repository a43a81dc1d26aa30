"""Helpers for the reporter tests: scenario runs built with a fixed clock, golden-file comparison."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import policysim
from policysim.report import ScenarioRun

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"


def clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


def run_of(path: str) -> ScenarioRun:
    scenario = policysim.Scenario.load(path, clock=clock)
    return ScenarioRun(scenario.file, scenario.title, tuple(scenario.run_tests()))


def run_of_dict(data: dict[str, object]) -> ScenarioRun:
    scenario = policysim.Scenario.from_dict(data, clock=clock)
    return ScenarioRun(scenario.file, scenario.title, tuple(scenario.run_tests()))


def error_run() -> ScenarioRun:
    where = policysim.Location("broken.yaml", 3, 5)
    error = policysim.SchemaError("unknown key `x`", where, hint="did you mean `tests`?")
    return ScenarioRun("broken.yaml", "", error=error)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/report/golden/NAME; `UPDATE_GOLDEN=1` rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"
