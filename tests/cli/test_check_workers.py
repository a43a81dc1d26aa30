"""`check --workers N`: the files are checked over N processes and reported exactly as one process reports them."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from policysim.cli import main, run_file

SCENARIOS = "scenarios/"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_the_report_is_the_one_process_report(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    alone = run(["check", "-f", fmt, "-v", SCENARIOS], capsys)
    assert alone[0] == 0
    assert run(["check", "-f", fmt, "-v", "--workers", "2", SCENARIOS], capsys) == alone


def test_failures_and_errors_keep_their_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("scenario: broken\naccounts: 7\n", encoding="utf-8")
    alone = run(["check", "scenarios/cross-account-delegation.yaml", str(broken)], capsys)
    assert alone[0] == 2
    assert run(["check", "--workers", "0", "scenarios/cross-account-delegation.yaml", str(broken)], capsys) == alone


def test_a_negative_count_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--workers", "-1", SCENARIOS], capsys)
    assert code == 2 and "--workers must be 0 (every core) or more" in err


@pytest.mark.parametrize("path", sorted(Path(SCENARIOS).glob("*.yaml"))[:12], ids=lambda p: p.name)
def test_a_run_crosses_between_processes_unchanged(path: Path) -> None:
    """A run travels by pickle; compiled conditions (closures) are sent as their source and compiled again."""
    checked = run_file(path, None)
    assert pickle.loads(pickle.dumps(checked)) == checked
