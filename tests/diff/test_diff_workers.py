"""`diff --workers N`: the action classes spread over processes give the same changes, in the same order."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_diff_scaling import answers

from policysim.catalogue import builtin_catalogue
from policysim.cli import main
from policysim.diff.compare import explore
from policysim.scenario.api import Scenario

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from bench_diff_models import changed, scenario_model

CLOCK = datetime(2026, 1, 1, tzinfo=UTC)


def test_two_workers_find_what_one_process_finds() -> None:
    model = scenario_model(120, seed=5)
    base = Scenario.from_dict(model, clock=lambda: CLOCK)
    new = Scenario.from_dict(changed(model), clock=lambda: CLOCK)
    catalogue = builtin_catalogue()
    one = explore(base, new, catalogue)
    two = explore(base, new, catalogue, workers=2)
    assert one.changes, "the changed model must change some access"
    assert answers(two) == answers(one)
    assert (two.requests, two.evaluated, two.unreached) == (one.requests, one.evaluated, one.unreached)


def test_the_command_takes_workers(capsys: pytest.CaptureFixture[str]) -> None:
    founding = "scenarios/cross-account-delegation.yaml"
    with pytest.raises(SystemExit) as done:
        main(["diff", founding, founding, "--workers", "2"])
    assert done.value.code == 0
    with pytest.raises(SystemExit) as done:
        main(["diff", founding, founding, "--workers", "-1"])
    assert done.value.code == 2
    assert "--workers" in capsys.readouterr().err
