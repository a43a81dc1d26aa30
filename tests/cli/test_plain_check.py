"""A plain `policysim check` command line runs without typer (`policysim.cli.plain_check`, docs/architecture.md
"Start-up") and means exactly what it means to typer: the same output, errors and exit code, which each test here
compares by running the line both ways. Every other command line is left to typer."""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import policysim.cli as cli
from policysim.errors import InputError, Location

ROOT = Path(__file__).resolve().parents[2]
FOUNDING = ROOT / "scenarios" / "cross-account-delegation.yaml"
Capture = pytest.CaptureFixture[str]


def _main(args: list[str], capsys: Capture) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def both_ways(args: list[str], capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run `args` as a plain line and through typer; assert they answer alike; the answer."""
    assert cli.plain_check(args) is not None, f"{args} is not a plain check line"
    with monkeypatch.context() as patch:  # what a stray EPIPE may replace
        patch.setattr(sys, "stdout", sys.stdout)
        patch.setattr(sys, "stderr", sys.stderr)
        plain = _main(args, capsys)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", sys.stdout)
        patch.setattr(sys, "stderr", sys.stderr)
        patch.setattr(cli, "plain_check", lambda args: None)
        typed = _main(args, capsys)
    assert plain == typed
    return plain


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    """A folder with the founding scenario, a failing copy, a broken one and a YAML file that is no scenario."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    text = FOUNDING.read_text(encoding="utf-8")
    (folder / "founding.yaml").write_text(text, encoding="utf-8")
    (folder / "failing.yaml").write_text(text.replace("expect: allowed", "expect: explicitDeny", 1), encoding="utf-8")
    (folder / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("scenario: broken\naccounts: 12\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["check", str(FOUNDING)], 0),
        (["check", str(FOUNDING), "-v"], 0),
        (["check", "--verbose", "-f", "json", str(FOUNDING)], 0),
        (["check", str(FOUNDING), "--format", "sarif"], 0),
        (["check", str(FOUNDING), "-f", "github", "-f", "junit", "-o", "{tmp}/junit.xml"], 0),
        (["check", "{scenarios}"], 1),
        (["check", "{scenarios}/founding.yaml", "{scenarios}/failing.yaml", "-f", "json"], 1),
        (["check", "{tmp}/broken.yaml"], 2),
        (["check", "{tmp}/nothing.yaml"], 2),
        (["check", str(FOUNDING), "-f", "nope"], 2),
        (["check", str(FOUNDING), "-f", "json", "-f", "text"], 2),
        (["check", str(FOUNDING), "-o", "{tmp}/a.txt", "-o", "{tmp}/b.txt"], 2),
        (["check", str(FOUNDING), "--managed-policies", "{tmp}/nothing.json"], 2),
        (["check", str(FOUNDING), "--managed-policies", "{tmp}/one.json", "--managed-policies", "{tmp}/two.json"], 2),
        (["check", str(FOUNDING), "--config", "{tmp}/nothing.yaml"], 2),
        (["check", str(FOUNDING), "-o", "{tmp}/no/such/folder/report.txt"], 2),
    ],
)
def test_a_plain_line_means_what_it_means_to_typer(
    args: list[str], code: int, scenarios: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = scenarios.parent
    args = [arg.format(tmp=tmp, scenarios=scenarios) for arg in args]
    assert both_ways(args, capsys, monkeypatch)[0] == code


def test_the_configuration_gives_paths_formats_and_suppressions(
    scenarios: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = scenarios.parent / ".policysim.yaml"
    config.write_text(
        "paths: [scenarios]\nformat: [json]\n"
        "suppress:\n  - test: David can switch to UpdateData\n    reason: known\n"
        "  - test: no such test\n    reason: stale\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(scenarios.parent)
    code, out, err = both_ways(["check"], capsys, monkeypatch)  # the failing test is the one suppressed
    assert code == 0 and '"skipped": true' in out and "matched no test" in err
    assert both_ways(["check", "scenarios/founding.yaml"], capsys, monkeypatch)[0] == 0
    config.unlink()
    code, _, err = both_ways(["check"], capsys, monkeypatch)
    assert code == 2 and "give a PATH or set `paths` in the configuration" in err


def test_writes_the_same_files(scenarios: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    report = scenarios.parent / "report.xml"
    args = ["check", str(scenarios / "founding.yaml"), "-f", "junit", "-o", str(report)]
    assert cli.plain_check(args) is not None
    assert _main(args, capsys)[0] == 0
    plain = report.read_text(encoding="utf-8")
    report.unlink()
    monkeypatch.setattr(cli, "plain_check", lambda args: None)
    assert _main(args, capsys)[0] == 0
    assert report.read_text(encoding="utf-8") == plain


def _raises(error: BaseException) -> Callable[..., int]:
    def run_check(*args: object, **kwargs: object) -> int:
        raise error

    return run_check


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (KeyboardInterrupt(), 130),
        (EOFError(), 3),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), 1),
        (InputError("no good", Location("x.yaml", 3, 1)), 2),
        (RuntimeError("boom"), 3),
    ],
)
def test_what_happens_while_it_runs_is_answered_alike(
    error: BaseException, code: int, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICYSIM_DEBUG", raising=False)
    monkeypatch.setattr(cli, "run_check", _raises(error))
    assert both_ways(["check", str(FOUNDING)], capsys, monkeypatch)[0] == code


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["chec", "x.yaml"],
        ["explain", "x.yaml"],
        ["check", "--help"],
        ["check", "-h"],
        ["check", "--format=json", "x.yaml"],
        ["check", "-fjson", "x.yaml"],
        ["check", "-vf", "json", "x.yaml"],
        ["check", "--", "x.yaml"],
        ["check", "-", "x.yaml"],
        ["check", ""],
        ["check", "x.yaml", "-f"],
        ["check", "-f", "-v", "x.yaml"],
        ["check", "-o", "", "x.yaml"],
        ["check", "--bogus", "x.yaml"],
        ["check", "--verbose=yes", "x.yaml"],
        ["check", "--no-verbose", "x.yaml"],
        ["check", "--managed", "x.json", "x.yaml"],
        ["check", "--workers", "two", "x.yaml"],
        ["check", "--workers", "-1", "x.yaml"],
    ],
)
def test_every_other_line_is_left_to_typer(args: list[str]) -> None:
    assert cli.plain_check(args) is None


def test_unreadable_paths_and_completion_are_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["check", str(FOUNDING)]
    assert cli.plain_check(args) is not None
    assert cli.plain_check(["check", "no/such/file.yaml"]) is not None  # typer accepts what does not exist
    with monkeypatch.context() as patch:
        patch.setattr(cli.os, "access", lambda path, mode: False)
        assert cli.plain_check(args) is None
    monkeypatch.setenv("_POLICYSIM_COMPLETE", "bash_complete")
    assert cli.plain_check(args) is None


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "a.yaml", "-f", "json", "-o", "out.json", "b", "-v", "--config", "c.yaml", "--config", "d.yaml"],
        ["check", "--managed-policies", "m1.json", "-f", "junit", "--managed-policies", "m2.json", "-f", "sarif"],
        ["check", "-o", "x", "--output", "y", "--verbose", "-v", "z"],
        ["check", "--workers", "2", "a.yaml", "--workers", "0"],
    ],
)
def test_the_arguments_are_those_typer_passes(
    args: list[str], capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    passed: list[dict[str, object]] = []

    def run_check(*values: object) -> int:
        names = ("paths", "format", "output", "managed_policies", "verbose", "config_file", "workers")
        passed.append(dict(zip(names, values, strict=True)))
        return 0

    monkeypatch.setattr(cli, "run_check", run_check)
    monkeypatch.setattr(cli, "plain_check", lambda args: None)
    assert _main(args, capsys)[0] == 0
    monkeypatch.undo()
    plain = cli.plain_check(args)
    assert plain is not None
    assert [{**plain, "paths": plain["paths"] or None}] == [{**passed[0], "paths": passed[0]["paths"] or None}]


def test_the_option_table_is_the_declaration() -> None:
    import typer

    command = typer.main.get_command(cli.build_app()).commands["check"]  # type: ignore[attr-defined]
    options = [param for param in command.params if param.param_type_name == "option"]
    declared = {name: (param.name, param.is_flag) for param in options for name in [*param.opts, *param.secondary_opts]}
    assert declared == cli.CHECK_OPTIONS
    assert {param.name for param in options if param.multiple} == {"format", "output"}
    arguments = [(param.name, param.nargs) for param in command.params if param.param_type_name == "argument"]
    assert arguments == [("paths", -1)]
