"""Reporters: golden files for every format, plus the properties each format must keep."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from report_support import check_golden, error_run, run_of_dict

from policysim.report import FORMATS, ScenarioRun, render
from policysim.report.github import command, escape_data, escape_property
from policysim.report.sarif import render_sarif, tool_version

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
NASTY = "bad\x00\x1b[31m]]>name\x7f, 100%: done\r\nnext"

GOLDEN_NAMES = {
    "text": "report.txt",
    "json": "report.json",
    "junit": "report.junit.xml",
    "sarif": "report.sarif",
    "github": "report.github.txt",
}


def nasty_run() -> ScenarioRun:
    return run_of_dict(
        {
            "scenario": "names full of <trouble> & ]]>",
            "accounts": {"111111111111": {"users": {"bob": {}}}},
            "tests": [
                {"name": NASTY, "principal": "bob", "action": "s3:GetObject", "resource": "*", "expect": "allowed"}
            ],
        }
    )


# -- golden files ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, runs: list[ScenarioRun]) -> None:
    # the SARIF tool version is pinned so that the golden file does not change with every release
    output = render_sarif(runs, version="0.0.0-test") if fmt == "sarif" else render(fmt, runs)
    check_golden(GOLDEN_NAMES[fmt], output)


def test_golden_text_verbose(runs: list[ScenarioRun]) -> None:
    check_golden("report.text-verbose.txt", render("text", runs, verbose=True))


def test_golden_text_color(runs: list[ScenarioRun], monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS"):
        monkeypatch.delenv(variable, raising=False)
    check_golden("report.text-color.txt", render("text", runs, color=True))


def test_every_format_ends_with_newline(runs: list[ScenarioRun]) -> None:
    for fmt in FORMATS:
        assert render(fmt, runs).endswith("\n")


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render("yaml", [])


# -- text -----------------------------------------------------------------------------------------------------------


def test_text_plain_has_no_escape_codes(runs: list[ScenarioRun]) -> None:
    for verbose in (False, True):
        out = render("text", [*runs, nasty_run()], verbose=verbose)
        assert "\x1b" not in out
        assert all(ch == "\n" or ch.isprintable() for ch in out)


def test_text_color_has_ansi_codes(runs: list[ScenarioRun], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in render("text", runs, color=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", render("text", runs, color=True))
    assert plain == render("text", runs)


def test_text_explains_failures_only_unless_verbose(runs: list[ScenarioRun]) -> None:
    out = render("text", runs)
    assert "✗ alice reads a secret, says the test: wrongly, 100%: explicitDeny" in out
    assert "    expected allowed, got explicitDeny" in out
    assert "statement `NoSecrets` (Deny)" in out
    assert "at tests/report/data/mistakes.yaml:15:17" in out
    assert "✓ David can switch to UpdateData: allowed" in out
    assert "request: arn:aws:iam::111111111111:user/David" not in out
    assert "request: arn:aws:iam::111111111111:user/David" in render("text", runs, verbose=True)
    assert "broken.yaml:3:5: unknown key `x`" in out
    assert out.splitlines()[-1] == "14 passed, 3 failed, 1 error"


def test_text_summary_without_errors(runs: list[ScenarioRun]) -> None:
    assert render("text", runs[:1]).splitlines()[-1] == "13 passed, 0 failed"


# -- json -----------------------------------------------------------------------------------------------------------


def test_json_matches_the_contract(runs: list[ScenarioRun]) -> None:
    doc = json.loads(render("json", runs))
    assert list(doc) == ["format_version", "scenarios", "summary"]
    assert doc["format_version"] == "1"
    assert doc["summary"] == {"passed": 14, "failed": 3, "errors": 1}
    first = doc["scenarios"][0]
    assert {"file", "scenario", "tests"} <= set(first)
    assert first["file"] == "scenarios/cross-account-delegation.yaml"
    assert first["scenario"] == "Delegate access across AWS accounts using IAM roles"
    david = first["tests"][0]
    contract = ["name", "principal", "action", "resource", "expected", "decision", "passed", "reasons"]
    assert list(david)[: len(contract)] == contract
    assert david["name"] == "David can switch to UpdateData"
    assert david["principal"] == "arn:aws:iam::111111111111:user/David"
    assert david["action"] == "sts:AssumeRole"
    assert david["resource"] == "arn:aws:iam::999999999999:role/UpdateData"
    assert (david["expected"], david["decision"], david["passed"]) == ("allowed", "allowed", True)
    for scenario in doc["scenarios"]:
        for test in scenario["tests"]:
            assert test["decision"] in ("allowed", "explicitDeny", "implicitDeny")
            assert all(isinstance(reason, str) for reason in test["reasons"])


def test_json_names_deciding_policy_statement_and_gate(runs: list[ScenarioRun]) -> None:
    doc = json.loads(render("json", runs))
    secret = doc["scenarios"][1]["tests"][1]
    assert secret["passed"] is False
    assert secret["decision"] == "explicitDeny"
    reason = secret["reasons"][0]
    assert "identity" in reason and "user/alice#read-only" in reason and "NoSecrets" in reason
    assert secret["gates"] == ["identity"]
    assert secret["statements"] == [
        {
            "policy_id": "arn:aws:iam::111111111111:user/alice#read-only",
            "kind": "identity",
            "sid": "NoSecrets",
            "index": 1,
            "effect": "Deny",
            "file": "tests/report/data/mistakes.yaml",
            "line": 15,
            "column": 17,
        }
    ]
    chain = doc["scenarios"][1]["tests"][3]
    assert chain["hop"] == 0
    assert doc["scenarios"][2]["error"]["line"] == 3
    assert doc["scenarios"][2]["tests"] == []


# -- junit ----------------------------------------------------------------------------------------------------------


def test_junit_structure(runs: list[ScenarioRun]) -> None:
    root = ET.fromstring(render("junit", runs))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "scenarios/cross-account-delegation.yaml",
        "tests/report/data/mistakes.yaml",
        "broken.yaml",
    ]
    cases = suites[1].findall("testcase")
    assert [c.get("classname") for c in cases] == ["tests/report/data/mistakes.yaml"] * 4
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "expected allowed, got explicitDeny"
    assert "NoSecrets" in (failure.text or "")
    assert cases[0].find("failure") is None
    error = suites[2].find("testcase/error")
    assert error is not None and error.get("type") == "schema-error"
    assert root.get("failures") == "3" and root.get("errors") == "1"


def test_junit_survives_control_characters_and_cdata_end() -> None:
    out = render("junit", [nasty_run()])
    root = ET.fromstring(out)
    case = root.find("testsuite/testcase")
    assert case is not None
    name = case.get("name") or ""
    assert "]]>" in name
    assert "\\x00" in name and "\\x1b" in name
    assert "\x00" not in out and "\x1b" not in out


# -- sarif ----------------------------------------------------------------------------------------------------------


def test_sarif_validates_against_the_schema(runs: list[ScenarioRun]) -> None:
    for case in (runs, [nasty_run()], [], [error_run()]):
        log = json.loads(render("sarif", case))
        jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)


def test_sarif_results(runs: list[ScenarioRun]) -> None:
    log = json.loads(render("sarif", runs))
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "policysim"
    assert run["tool"]["driver"]["version"] == tool_version()
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "policysim/expectation-not-met",
        "policysim/invalid-input",
    ]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["policysim/expectation-not-met"] * 3 + ["policysim/invalid-input"]
    assert all(r["level"] == "error" for r in results)
    secret = results[0]
    assert secret["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "tests/report/data/mistakes.yaml"},
        "region": {"startLine": 30, "startColumn": 5},
    }
    assert secret["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 15, "startColumn": 17}
    assert "expected allowed, got explicitDeny" in secret["message"]["text"]
    error = results[3]
    assert error["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 5}


def test_sarif_fingerprints_are_stable_and_distinct(runs: list[ScenarioRun]) -> None:
    first = json.loads(render("sarif", runs))["runs"][0]["results"]
    again = json.loads(render("sarif", runs))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["policysim/v1"] for r in first]
    assert prints == [r["partialFingerprints"]["policysim/v1"] for r in again]
    assert len(set(prints)) == len(prints)


# -- github ---------------------------------------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
    assert command("error", "a\nb", {"file": "x,y.yaml", "line": "3"}) == "::error file=x%2Cy.yaml,line=3::a%0Ab"
    assert command("notice", "hi") == "::notice::hi"


def test_github_commands(runs: list[ScenarioRun]) -> None:
    lines = render("github", runs).splitlines()
    assert len(lines) == 5
    assert lines[0].startswith(
        "::error file=tests/report/data/mistakes.yaml,line=30,col=5,"
        "title=policysim%3A alice reads a secret%2C says the test%3A wrongly%2C 100%25::"
        "expected allowed, got explicitDeny%0A"
    )
    assert lines[3].startswith("::error file=broken.yaml,line=3,col=5,title=policysim%3A invalid input")
    assert lines[4] == "::notice title=policysim::14 passed, 3 failed, 1 error"


def test_github_one_line_per_command_even_with_nasty_names() -> None:
    out = render("github", [nasty_run()])
    lines = out.splitlines()
    assert len(lines) == 2
    assert "\x1b" not in out and "\x00" not in out
    assert "title=policysim%3A bad\\x00\\x1b[31m]]>name\\x7f%2C 100%25%3A done\\x0d\\x0anext::" in lines[0]


def test_json_names_an_unmet_gate() -> None:
    import policysim
    from policysim.report.json_report import report_document
    from policysim.report.model import ScenarioRun

    allow_all = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    scenario = policysim.Scenario.from_dict(
        {
            "scenario": "gates",
            "accounts": {"111111111111": {"users": {"a": {"inline_policies": {"p": allow_all}}}}},
            "tests": [
                {"name": "x", "principal": "a", "action": "s3:GetObject", "resource": "*", "expect": "allowed",
                 "expect_gate": "service"}
            ],
        }
    )
    run = ScenarioRun(scenario.file, scenario.title, tuple(scenario.run_tests()))
    test = report_document([run])["scenarios"][0]["tests"][0]
    assert test["passed"] is False and test["decision"] == "allowed"
    assert test["expected_gate"] == "service"
    assert test["unmet"] == ["expected gate `service`, got `identity`"]
