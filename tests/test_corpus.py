"""The scenario corpus as acceptance tests: every file under tests/cases/ and scenarios/ loads, and every test in
it gets the decision it expects.

One pytest item per scenario test, id `path::test name`. A failure prints policysim's explanation of each request.
Expectations follow the AWS IAM User Guide (the YAML files cite the doc file by each non-obvious test); where
policysim is known to disagree, the item is listed in KNOWN_ENGINE_BUGS and is a strict xfail, so the fix shows up
as an XPASS to be removed from the list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

import policysim
from policysim.scenario.results import TestResult

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIRS = (ROOT / "tests" / "cases", ROOT / "scenarios")

# `path::test name` (the pytest id) -> why policysim is wrong. Strict: when the engine is fixed the XPASS fails,
# and the entry must be removed.
KNOWN_ENGINE_BUGS: dict[str, str] = {}


def corpus_files() -> list[Path]:
    files: list[Path] = []
    for directory in CORPUS_DIRS:
        files += sorted(p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"})
    return files


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def corpus_items() -> list[pytest.param]:
    items = []
    for path in corpus_files():
        rel = _rel(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            tests = data.get("tests") or []
        except Exception as error:  # the load test below reports it with policysim's own message
            tests = []
            items.append(pytest.param(rel, -1, id=f"{rel}::<unreadable: {type(error).__name__}>"))
            continue
        if not tests:
            items.append(pytest.param(rel, -1, id=f"{rel}::<no tests>"))
        for index, test in enumerate(tests):
            name = test.get("name", f"#{index}") if isinstance(test, dict) else f"#{index}"
            test_id = f"{rel}::{name}"
            marks = []
            if test_id in KNOWN_ENGINE_BUGS:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_ENGINE_BUGS[test_id]))
            items.append(pytest.param(rel, index, id=test_id, marks=marks))
    return items


@cache
def _results(rel: str) -> dict[int, list[TestResult]] | BaseException:
    """All results of one file grouped by test index, or the error that stopped loading or running it."""
    try:
        scenario = policysim.load_scenario(ROOT / rel)
        results = scenario.run_tests()
    except policysim.PolicysimError as error:
        return error
    grouped: dict[int, list[TestResult]] = {}
    for result in results:
        assert result.location is not None and result.location.path[:1] == ("tests",), result.location
        grouped.setdefault(int(result.location.path[1]), []).append(result)
    return grouped


def _describe(result: TestResult) -> str:
    mark = "ok  " if result.passed else "FAIL"
    return (
        f"[{mark}] {result.name}: {result.expectation}\n{result.outcome.explain()}"
    )


@pytest.mark.parametrize(("rel", "index"), corpus_items())
def test_corpus(rel: str, index: int) -> None:
    outcome = _results(rel)
    if isinstance(outcome, BaseException):
        pytest.fail(f"{rel} does not load or run: {type(outcome).__name__}: {outcome}", pytrace=False)
    if index < 0:
        pytest.fail(f"{rel} has no tests", pytrace=False)
    results = outcome.get(index, [])
    assert results, f"{rel}: test #{index} produced no result"
    if not all(r.passed for r in results):
        pytest.fail("\n\n".join(_describe(r) for r in results), pytrace=False)


def test_test_names_are_unique() -> None:
    """Pytest ids are `file::test name`, so names must be unique within a file."""
    for path in corpus_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names = [t.get("name") for t in data.get("tests") or [] if isinstance(t, dict)]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        assert not duplicates, f"{_rel(path)}: duplicate test names {duplicates}"
