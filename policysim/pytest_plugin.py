"""pytest plugin: `pytest scenarios/` collects scenario files and reports each of their tests as a test item.

A YAML file is a scenario when it has a top-level `scenario` key: `policysim.load.is_scenario_file`, the rule
`policysim check DIR` uses too. A YAML file that cannot be read is collected, so that its error is reported rather
than the file silently skipped. Node ids are `file::test name`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policysim.errors import PolicysimError
from policysim.load import is_scenario_file
from policysim.scenario.api import Scenario
from policysim.scenario.results import TestResult


def pytest_addoption(parser: pytest.Parser) -> None:
    """`policysim_collect` (ini, default true): collect scenario files as tests."""
    parser.addini("policysim_collect", "collect policysim scenario files as tests", type="bool", default=True)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect `*.yaml` / `*.yml` files that are policysim scenarios."""
    if file_path.suffix not in (".yaml", ".yml") or not parent.config.getini("policysim_collect"):
        return None
    try:
        if not is_scenario_file(file_path):
            return None
    except PolicysimError:
        pass  # unreadable: collected, and its load reports the error
    return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    """A scenario file: one item per test (per action x resource)."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = Scenario.load(self.path)
            results = scenario.run_tests()
        except PolicysimError as error:
            yield ScenarioItem.from_parent(self, name="<load>", result=None, error=error)
            return
        for result in results:
            yield ScenarioItem.from_parent(self, name=result.name, result=result, error=None)


class ScenarioItem(pytest.Item):
    """One expectation of a scenario."""

    def __init__(self, *, result: TestResult | None, error: PolicysimError | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.error = error

    def runtest(self) -> None:
        if self.error is not None:
            raise ScenarioFailure(f"invalid scenario: {self.error.render()}")
        assert self.result is not None
        if not self.result.passed:
            raise ScenarioFailure(f"{self.result.expectation}\n{self.result.outcome.explain()}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.result.location.line if self.result and self.result.location else None
        return self.path, (line - 1) if line else None, self.name


class ScenarioFailure(Exception):
    """A scenario expectation that was not met (or a scenario that did not load)."""
