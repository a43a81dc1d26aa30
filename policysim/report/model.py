"""What reporters read: the results of running scenario files, and the errors that stopped some of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from policysim.errors import PolicysimError
from policysim.scenario.results import TestResult


@dataclass(frozen=True)
class ScenarioRun:
    """The results of one scenario file; `error` is set when the file could not be loaded or run."""

    file: str
    scenario: str
    results: tuple[TestResult, ...] = ()
    error: PolicysimError | None = None
    notes: tuple[str, ...] = ()  # what the file's imports did not give, and their warnings


@dataclass(frozen=True)
class RunSummary:
    """Counts over several scenario runs."""

    runs: tuple[ScenarioRun, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> int:
        """Tests whose expectation was met (skipped tests excluded)."""
        return sum(1 for run in self.runs for r in run.results if r.passed and not r.skipped)

    @property
    def failed(self) -> int:
        """Tests whose expectation was not met (skipped tests excluded)."""
        return sum(1 for run in self.runs for r in run.results if r.failed)

    @property
    def skipped(self) -> int:
        """Tests a suppression matched, whatever their decision."""
        return sum(1 for run in self.runs for r in run.results if r.skipped)

    @property
    def errors(self) -> int:
        """Scenario files that could not be run."""
        return sum(1 for run in self.runs if run.error is not None)
