"""Fixtures for the reporter tests: scenario runs with passes, failures, a role-chain refusal and a load error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_support import REPO, error_run, run_of

from policysim.report import ScenarioRun


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from the repository root so that file names in reports are relative and stable."""
    monkeypatch.chdir(REPO)
    yield


@pytest.fixture
def runs(in_repo: None) -> list[ScenarioRun]:
    """The founding tutorial (all pass), a file of wrong expectations, and a file that failed to load."""
    return [
        run_of("scenarios/cross-account-delegation.yaml"),
        run_of("tests/report/data/mistakes.yaml"),
        error_run(),
    ]
