"""Suppressions: tests the configuration reports as skipped, each with its reason (docs/configuration.md).

A suppressed test is still evaluated; it never counts as failed. A suppression's `file` glob is matched against the
scenario file's path relative to the configuration file's directory (posix), or its absolute path when the file lies
outside that directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from policysim.config import Config, Suppression
from policysim.ir.pattern import Glob
from policysim.report.model import ScenarioRun
from policysim.scenario.results import TestResult

_Compiled = tuple[Suppression, Glob, Glob | None]


def apply_suppressions(
    config: Config, runs: Sequence[ScenarioRun], cwd: Path, *, partial: bool = False
) -> tuple[list[ScenarioRun], list[Suppression]]:
    """The runs with every matched test marked skipped (first matching suppression's reason), and the unused ones.

    A suppression is unused when it matched no test. In a `partial` run (some files named on the command line, as
    pre-commit does) one scoped by its `file` glob to files this run did not check is not reported.
    """
    if not config.suppress:
        return list(runs), []
    compiled = [(s, Glob.compile(s.test), Glob.compile(s.file) if s.file else None) for s in config.suppress]
    used: set[int] = set()
    in_scope: set[int] = set()
    out: list[ScenarioRun] = []
    for run in runs:
        file = config.relative_name(run.file, cwd)
        in_scope.update(i for i, (_, _, glob) in enumerate(compiled) if glob is None or glob.matches(file))
        results: list[TestResult] = []
        for result in run.results:
            hits = _matching(compiled, _test_names(result), file)
            used.update(hits)
            results.append(replace(result, skip_reason=compiled[hits[0]][0].reason) if hits else result)
        out.append(replace(run, results=tuple(results)))
    unused = [i for i in range(len(compiled)) if i not in used and (not partial or i in in_scope)]
    return out, [compiled[i][0] for i in unused]


def _matching(compiled: Sequence[_Compiled], names: Sequence[str], file: str) -> list[int]:
    """Indexes of the suppressions whose `test` glob matches one of the names and whose `file` glob the file."""
    return [
        index
        for index, (_, test, glob) in enumerate(compiled)
        if any(map(test.matches, names)) and (glob is None or glob.matches(file))
    ]


def _test_names(result: TestResult) -> tuple[str, ...]:
    """The result's name, and the test's own name when the result is one action x resource of it."""
    return (result.name, result.test_name) if result.test_name and result.test_name != result.name else (result.name,)
