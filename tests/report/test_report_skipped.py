"""Reporters with suppressed (skipped) tests: golden files for every format, plus each format's own checks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from report_support import REPO, check_golden, run_of

from policysim.config import Config, Suppression
from policysim.report import FORMATS, ScenarioRun, render
from policysim.report.sarif import render_sarif
from policysim.report.suppress import apply_suppressions

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
SUPPRESSIONS = (
    Suppression("alice reads a secret*", "tests/report/data/*.yaml", 'TICKET-9: <secrets> & "quotes", 100%', None),
    Suppression("alice writes a report", None, "writes come in the next release", None),
    Suppression("David can switch to UpdateData", "scenarios/*", "passes, but suppressed anyway", None),
)
GOLDEN_NAMES = {
    "text": "report-skipped.txt",
    "json": "report-skipped.json",
    "junit": "report-skipped.junit.xml",
    "sarif": "report-skipped.sarif",
    "github": "report-skipped.github.txt",
}


@pytest.fixture
def skipped_runs(in_repo: None) -> list[ScenarioRun]:
    """The founding tutorial and the file of wrong expectations, with three tests suppressed."""
    runs = [run_of("scenarios/cross-account-delegation.yaml"), run_of("tests/report/data/mistakes.yaml")]
    config = Config(source=str(REPO / ".policysim.yaml"), suppress=SUPPRESSIONS)
    suppressed, unused = apply_suppressions(config, runs, REPO)
    assert unused == []
    return suppressed


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_skipped(fmt: str, skipped_runs: list[ScenarioRun]) -> None:
    output = render_sarif(skipped_runs, version="0.0.0-test") if fmt == "sarif" else render(fmt, skipped_runs)
    check_golden(GOLDEN_NAMES[fmt], output)


def test_golden_skipped_text_verbose(skipped_runs: list[ScenarioRun]) -> None:
    check_golden("report-skipped.text-verbose.txt", render("text", skipped_runs, verbose=True))


def test_summary_counts(skipped_runs: list[ScenarioRun]) -> None:
    summary = json.loads(render("json", skipped_runs))["summary"]
    assert summary == {"passed": 13, "failed": 1, "errors": 0, "skipped": 3}


def test_sarif_with_suppressions_is_valid(skipped_runs: list[ScenarioRun]) -> None:
    log = json.loads(render("sarif", skipped_runs))
    jsonschema.validate(log, SCHEMA)
    suppressed = [result for result in log["runs"][0]["results"] if "suppressions" in result]
    assert len(suppressed) == 2  # the passing suppressed test is no finding at all
    assert suppressed[0]["suppressions"][0]["justification"].startswith("TICKET-9")


def test_junit_with_skipped_is_valid_xml(skipped_runs: list[ScenarioRun]) -> None:
    root = ET.fromstring(render("junit", skipped_runs))
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("17", "1", "3")
    messages = [s.get("message") for s in root.iter("skipped")]
    assert messages == [SUPPRESSIONS[2].reason, SUPPRESSIONS[0].reason, SUPPRESSIONS[1].reason]


def test_github_has_no_error_for_a_skipped_test(skipped_runs: list[ScenarioRun]) -> None:
    lines = render("github", skipped_runs).splitlines()
    assert sum(line.startswith("::error") for line in lines) == 1
    assert sum(line.startswith("::notice") and "skipped%3A" in line for line in lines) == 2
