"""The pytest plugin, run in a sandboxed pytest with `pytester`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

FOUNDING = Path("scenarios/cross-account-delegation.yaml").resolve()


def test_scenario_tests_become_pytest_items(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", founding=FOUNDING.read_text())
    result = pytester.runpytest("-v", "--junitxml=report.xml")
    result.assert_outcomes(passed=13)
    result.stdout.fnmatch_lines(["*founding.yaml::David can switch to UpdateData PASSED*"])
    assert "David can switch to UpdateData" in (pytester.path / "report.xml").read_text()


def test_failing_expectation_shows_the_explanation(pytester: pytest.Pytester) -> None:
    text = FOUNDING.read_text().replace("expect: explicitDeny", "expect: allowed", 1)
    pytester.makefile(".yaml", founding=text)
    result = pytester.runpytest()
    result.assert_outcomes(passed=12, failed=1)
    result.stdout.fnmatch_lines(["*expected allowed, got explicitDeny*", "*deny-assume-S3-role-in-destination*"])


def test_invalid_scenario_is_one_failing_item(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", broken="scenario: x\naccounts:\n  111111111111: {}\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*invalid scenario*"])


def test_assert_helpers_carry_the_explanation() -> None:
    import policysim
    from policysim.testing import assert_allowed, assert_denied

    world = policysim.load_scenario(FOUNDING)
    role = "arn:aws:iam::999999999999:role/UpdateData"
    assert_allowed(world, "David", "sts:AssumeRole", role)
    assert_denied(world, "Jane", "sts:AssumeRole", role, explicit=True)
    with pytest.raises(AssertionError, match="expected allowed, got explicitDeny"):
        assert_allowed(world, "Jane", "sts:AssumeRole", role)


WORKFLOW = "name: CI\non: [push]\njobs: {test: {runs-on: ubuntu-latest}}\n"


def test_collection_uses_the_scenario_rule_of_check(pytester: pytest.Pytester) -> None:
    """A YAML file is a scenario when it has a top-level `scenario` key (`policysim.load.is_scenario_file`, the rule
    `policysim check DIR` uses): a workflow file is not collected, a scenario in flow style or with its key after
    64 KiB is."""
    pytester.makefile(".yml", ci=WORKFLOW)
    late = "# " + "padding " * 9000 + "\n" + FOUNDING.read_text()  # the key on a line after 72,000 characters
    pytester.makefile(".yaml", late=late)
    pytester.makefile(".yaml", flow='{"scenario": "flow", "accounts": {}, "tests": []}')
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*late.yaml::David can switch to UpdateData*"])
    assert "ci.yml" not in result.stdout.str()


def test_an_unreadable_yaml_file_is_a_failing_item(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never silently skipped: a YAML file that cannot be read is collected and fails with the read error."""
    pytester.makefile(".yaml", secret=FOUNDING.read_text())
    real_open = os.open

    def refuse(path: str, flags: int, *args: int) -> int:
        if Path(path).name == "secret.yaml":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*invalid scenario*cannot read file: permission denied*"])
