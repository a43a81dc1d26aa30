"""`policysim check` with a configuration: defaults, precedence file < environment < command line, errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from policysim.cli import main

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = json.loads((REPO / "tests" / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
SUPPRESS_WRITES = """\
suppress:
  - test: "alice writes*"
    file: "scenarios/*.yaml"
    reason: TICKET-7 write access comes later
"""


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def write(project: Path, name: str, text: str) -> None:
    (project / name).write_text(text, encoding="utf-8")


# -- defaults and precedence ----------------------------------------------------------------------------------------


def test_paths_come_from_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", "paths: [scenarios]\n")
    code, out, _ = run(["check"], capsys)
    assert code == 1
    assert "scenarios/demo.yaml — Config test" in out and "1 passed, 1 failed" in out


def test_no_path_anywhere_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check"], capsys)
    assert code == 2 and out == ""
    assert "policysim: error: give a PATH or set `paths` in the configuration" in err


def test_paths_of_a_config_found_upward_are_relative_to_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", "paths: [scenarios]\nformat: json\n")
    below = project / "docs"
    below.mkdir()
    code, out, _ = run(["check", "--config", str(project / ".policysim.yaml")], capsys)
    assert code == 1 and json.loads(out)["scenarios"][0]["file"] == "scenarios/demo.yaml"


def test_format_precedence(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, ".policysim.yaml", "paths: [scenarios]\nformat: json\n")
    assert json.loads(run(["check"], capsys)[1])["summary"]["failed"] == 1  # file
    monkeypatch.setenv("POLICYSIM_FORMAT", "junit")
    assert run(["check"], capsys)[1].startswith("<?xml")  # environment beats file
    assert run(["check", "--format", "text"], capsys)[1].startswith("scenarios/demo.yaml")  # option beats both


def test_paths_precedence(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "other").mkdir()
    (project / "other" / "ok.yaml").write_text(
        (project / "scenarios" / "demo.yaml").read_text().replace("expect: allowed\n", "expect: denied\n")
    )
    write(project, ".policysim.yaml", "paths: [nowhere]\n")
    code, _, err = run(["check"], capsys)
    assert code == 2 and "nowhere: no such file or directory" in err  # the file's paths are used
    monkeypatch.setenv("POLICYSIM_PATHS", "other")
    code, out, _ = run(["check"], capsys)
    assert code == 1 and "other/ok.yaml" in out  # environment beats file
    code, out, _ = run(["check", "scenarios"], capsys)
    assert code == 1 and "scenarios/demo.yaml" in out and "other/ok.yaml" not in out  # argument beats both


def test_explicit_config_option(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, ".policysim.yaml", "paths: [nowhere]\n")
    write(project, "ci.yaml", "paths: [scenarios]\nformat: json\n")
    monkeypatch.setenv("POLICYSIM_CONFIG", "also-nowhere.yaml")
    code, out, _ = run(["check", "--config", "ci.yaml"], capsys)
    assert code == 1 and json.loads(out)["summary"] == {"passed": 1, "failed": 1, "errors": 0}


def test_config_from_environment_variable(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, "ci.yaml", "paths: [scenarios]\n")
    monkeypatch.setenv("POLICYSIM_CONFIG", "ci.yaml")
    assert run(["check"], capsys)[0] == 1


def test_managed_policies_precedence(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, ".policysim.yaml", "paths: [scenarios]\nmanaged_policies: missing-file.json\n")
    code, out, _ = run(["check", "--format", "json"], capsys)
    assert code == 2 and "missing-file.json" in json.dumps(json.loads(out)["scenarios"][0]["error"])
    monkeypatch.setenv("POLICYSIM_MANAGED_POLICIES", "env-missing.json")
    code, out, _ = run(["check", "--format", "json"], capsys)
    assert code == 2 and "env-missing.json" in json.dumps(json.loads(out)["scenarios"][0]["error"])
    code, out, _ = run(["check", "--format", "json", "--managed-policies", "cli-missing.json"], capsys)
    assert code == 2 and "cli-missing.json" in json.dumps(json.loads(out)["scenarios"][0]["error"])


def test_pyproject_table_drives_check(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        "pyproject.toml",
        '[tool.policysim]\npaths = ["scenarios"]\n\n[[tool.policysim.suppress]]\n'
        'test = "alice writes*"\nreason = "TICKET-7"\n',
    )
    code, out, err = run(["check"], capsys)
    assert code == 0 and "1 passed, 0 failed, 1 skipped" in out and err == ""


# -- malformed configuration: exit 2, a located message, no traceback ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            ".policysim.yaml",
            "paths: [scenarios]\nformats: json\n",
            ".policysim.yaml:2:1 (formats): configuration: unknown key",
        ),
        (".policysim.yaml", "paths: scenarios\n", ".policysim.yaml:1:1 (paths): configuration: `paths` must be a list"),
        (".policysim.yaml", "fail_on: always\n", ".policysim.yaml:1:1 (fail_on): configuration: `fail_on` must be"),
        (
            ".policysim.yaml",
            "suppress:\n  - test: x\n    reason: ''\n",
            ".policysim.yaml:3:5 (suppress[0].reason): `reason` of a suppression must not be empty",
        ),
        ("pyproject.toml", '[tool.policysim]\npaths = "x"\n', "pyproject.toml:2:1 (tool.policysim.paths)"),
        ("pyproject.toml", "[tool.policysim]\npaths = [\n", "pyproject.toml:2: invalid TOML"),
        (".policysim.yaml", "\xff", "input is not valid UTF-8"),
    ],
)
def test_malformed_config_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, expected: str
) -> None:
    (project / name).write_bytes(text.encode("latin-1") if text == "\xff" else text.encode())
    code, out, err = run(["check", "scenarios"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("policysim: error: ") and expected in err
    assert "Traceback" not in err


def test_two_configs_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", "paths: [scenarios]\n")
    write(project, "pyproject.toml", '[tool.policysim]\npaths = ["scenarios"]\n')
    code, _, err = run(["check"], capsys)
    assert code == 2
    assert "two configuration files in one directory: `.policysim.yaml` and `pyproject.toml`" in err


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("POLICYSIM_FORMAT", "yaml", "`POLICYSIM_FORMAT`: unknown format `yaml`"),
        ("POLICYSIM_CONFIG", "gone.yaml", "configuration file `gone.yaml` (from POLICYSIM_CONFIG) does not exist"),
    ],
)
def test_bad_environment_exits_2(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, _, err = run(["check", "scenarios"], capsys)
    assert code == 2 and expected in err and "Traceback" not in err


def test_missing_config_option_file_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "scenarios", "--config", "gone.yaml"], capsys)
    assert code == 2 and "configuration file `gone.yaml` (from --config) does not exist" in err


# -- suppressions ---------------------------------------------------------------------------------------------------


def test_only_suppressed_failures_exit_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES)
    code, out, err = run(["check", "scenarios"], capsys)
    assert code == 0 and err == ""
    assert "○ alice writes, wrongly expected: implicitDeny (skipped)" in out
    assert "    skipped: TICKET-7 write access comes later (expected allowed, got implicitDeny)" in out
    assert out.rstrip().endswith("1 passed, 0 failed, 1 skipped")


def test_suppression_file_glob_must_match(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES.replace("scenarios/*.yaml", "elsewhere/*.yaml"))
    code, out, err = run(["check", "scenarios"], capsys)
    assert code == 1 and "1 passed, 1 failed" in out
    assert "policysim: warning: .policysim.yaml:2:5 (suppress[0]): suppression of test `alice writes*`" in err
    assert "matched no test" in err


def test_file_glob_does_not_match_a_same_named_directory_elsewhere(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scenarios/*.yaml` names the configuration's scenarios, not `other/scenarios/` checked from `other/`."""
    write(project, ".policysim.yaml", SUPPRESS_WRITES)
    other = project / "other" / "scenarios"
    other.mkdir(parents=True)
    (other / "demo.yaml").write_text((project / "scenarios" / "demo.yaml").read_text())
    monkeypatch.chdir(project / "other")
    code, out, _ = run(["check", "scenarios"], capsys)
    assert code == 1 and "1 passed, 1 failed" in out


def test_a_run_of_named_files_does_not_warn_about_suppressions_for_other_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES.replace("scenarios/*.yaml", "scenarios/other.yaml"))
    code, _, err = run(["check", "scenarios/demo.yaml"], capsys)  # as pre-commit runs it
    assert code == 1 and err == ""


def test_file_glob_is_relative_to_the_config_directory(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES)
    (project / "work").mkdir()
    monkeypatch.chdir(project / "work")
    code, out, err = run(["check", "../scenarios"], capsys)
    assert code == 0 and "1 skipped" in out and err == ""


def test_a_passing_test_can_be_suppressed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", "suppress:\n  - test: alice reads\n    reason: flaky upstream\n")
    code, out, _ = run(["check", "scenarios", "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 1 and document["summary"] == {"passed": 0, "failed": 1, "errors": 0, "skipped": 1}
    first = document["scenarios"][0]["tests"][0]
    assert first["passed"] is True and first["skipped"] is True and first["skip_reason"] == "flaky upstream"


def test_suppression_in_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES)
    code, out, _ = run(["check", "scenarios", "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 0
    assert document["summary"] == {"passed": 1, "failed": 0, "errors": 0, "skipped": 1}
    reads, writes = document["scenarios"][0]["tests"]
    assert "skipped" not in reads and "skip_reason" not in reads
    assert writes["passed"] is False and writes["skipped"] is True
    assert writes["skip_reason"] == "TICKET-7 write access comes later"
    assert {"name", "principal", "action", "resource", "expected", "decision", "reasons"} <= set(writes)


def test_suppression_in_junit(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES)
    code, out, _ = run(["check", "scenarios", "--format", "junit"], capsys)
    root = ET.fromstring(out)
    assert code == 0
    assert root.get("skipped") == "1" and root.get("failures") == "0" and root.get("tests") == "2"
    suite = root.find("testsuite")
    assert suite is not None and suite.get("skipped") == "1" and suite.get("failures") == "0"
    skipped = root.findall(".//testcase/skipped")
    assert len(skipped) == 1 and skipped[0].get("message") == "TICKET-7 write access comes later"
    assert root.findall(".//failure") == []


def test_suppression_in_sarif(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES)
    code, out, _ = run(["check", "scenarios", "--format", "sarif"], capsys)
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SCHEMA)
    (result,) = log["runs"][0]["results"]
    assert code == 0
    assert result["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "TICKET-7 write access comes later"}
    ]


def test_suppression_in_github(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES)
    code, out, _ = run(["check", "scenarios", "--format", "github"], capsys)
    lines = out.splitlines()
    assert code == 0
    assert not any(line.startswith("::error") for line in lines)
    assert lines[0].startswith("::notice file=scenarios/demo.yaml,line=")
    assert "title=policysim%3A skipped%3A alice writes%2C wrongly expected::skipped: TICKET-7" in lines[0]
    assert lines[-1] == "::notice title=policysim::1 passed, 0 failed, 1 skipped"


def test_unused_suppression_warns_but_does_not_fail(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".policysim.yaml", SUPPRESS_WRITES + "  - test: nobody\n    reason: stale\n")
    code, _, err = run(["check", "scenarios"], capsys)
    assert code == 0
    assert (
        err == "policysim: warning: .policysim.yaml:5:5 (suppress[1]): suppression of test `nobody` matched no test\n"
    )


def test_suppression_matches_the_test_name_of_every_action(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = (project / "scenarios" / "demo.yaml").read_text()
    scenario = scenario.replace("action: s3:PutObject", "action: [s3:PutObject, s3:DeleteObject]")
    (project / "scenarios" / "demo.yaml").write_text(scenario)
    write(project, ".policysim.yaml", "suppress:\n  - test: alice writes, wrongly expected\n    reason: later\n")
    code, out, _ = run(["check", "scenarios"], capsys)
    assert code == 0 and "1 passed, 0 failed, 2 skipped" in out
