"""Finding suppressions from the configuration: `suppress_findings` entries with a required reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from validate_support import POLICIES, run

DEPLOY = (POLICIES / "deploy.json").read_text()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory (with `.git`, the top of the configuration search) holding policies/deploy.json."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "deploy.json").write_text(DEPLOY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLICYSIM_CONFIG", raising=False)
    return tmp_path


def findings(out: str) -> list[dict[str, object]]:
    return list(json.loads(out)["findings"])


def test_a_suppressed_finding_is_reported_and_does_not_fail(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".policysim.yaml").write_text(
        "suppress_findings:\n"
        "  - code: UNKNOWN_ACTION\n"
        "    file: policies/*.json\n"
        "    statement: ReadReports\n"
        "    reason: 'TICKET-9: the action is in preview'\n"
    )
    code, out, err = run(["validate", "policies", "--format", "json"], capsys)
    assert (code, err) == (0, "")
    (suppressed,) = [f for f in findings(out) if f["code"] == "UNKNOWN_ACTION"]
    assert suppressed["suppressed"] is True and suppressed["suppression_reason"] == "TICKET-9: the action is in preview"
    assert json.loads(out)["summary"]["suppressed"] == 1
    code, out, _ = run(["validate", "policies"], capsys)
    assert "  suppressed: TICKET-9: the action is in preview" in out
    code, out, _ = run(["validate", "policies", "--format", "sarif"], capsys)
    (result,) = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "UNKNOWN_ACTION"]
    assert result["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "TICKET-9: the action is in preview"}
    ]
    code, out, _ = run(["validate", "policies", "--format", "github"], capsys)
    assert "::notice file=policies/deploy.json,line=6,col=34,title=policysim%3A suppressed UNKNOWN_ACTION::" in out


def test_code_globs_and_scopes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".policysim.yaml").write_text(
        "suppress_findings:\n"
        "  - {code: 'REDUNDANT_*', reason: style}\n"
        "  - {code: PASS_ROLE_WITHOUT_PASSED_TO_SERVICE, policy: other.json, reason: not this policy}\n"
    )
    code, out, err = run(["validate", "policies", "--format", "json", "--fail-on", "suggestion"], capsys)
    by_code = {f["code"]: f.get("suppressed", False) for f in findings(out)}
    assert by_code["REDUNDANT_ACTION"] is True
    assert by_code["PASS_ROLE_WITHOUT_PASSED_TO_SERVICE"] is False
    assert code == 1
    assert (
        "suppression of finding `PASS_ROLE_WITHOUT_PASSED_TO_SERVICE` in policy `other.json` matched no finding" in err
    )


def test_toml_suppressions(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.policysim]\n\n[[tool.policysim.suppress_findings]]\ncode = "UNKNOWN_ACTION"\nreason = "preview"\n'
    )
    code, out, _ = run(["validate", "policies/deploy.json", "--format", "json"], capsys)
    assert code == 0
    assert [f["code"] for f in findings(out) if f.get("suppressed")] == ["UNKNOWN_ACTION"]


@pytest.mark.parametrize(
    ("entry", "message", "line"),
    [
        ("  - {code: UNKNOWN_ACTION}\n", "missing required key `reason`", 2),
        ("  - {code: UNKNOWN_ACTION, reason: ' '}\n", "`reason` of a finding suppression must not be empty", 2),
        ("  - {code: UNKNOWN_ACTON, reason: typo}\n", "`UNKNOWN_ACTON` matches no finding code", 2),
        ("  - {code: UNKNOWN_ACTION, reason: x, sid: A}\n", "unknown key `sid`", 2),
    ],
)
def test_bad_suppressions_exit_2_with_their_place(
    entry: str, message: str, line: int, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".policysim.yaml").write_text("suppress_findings:\n" + entry)
    code, _, err = run(["validate", "policies"], capsys)
    assert code == 2
    assert message in err
    assert f".policysim.yaml:{line}:" in err


def test_a_partial_run_does_not_report_suppressions_of_other_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".policysim.yaml").write_text(
        "suppress_findings:\n  - {code: UNKNOWN_ACTION, file: elsewhere/*.json, reason: other files}\n"
    )
    code, _, err = run(["validate", "policies/deploy.json"], capsys)
    assert (code, err) == (1, "")
    code, _, err = run(["validate", "policies"], capsys)
    assert "matched no finding" in err
