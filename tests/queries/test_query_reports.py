"""who-can and what-can in every format: golden files (`UPDATE_GOLDEN=1 pytest tests/queries` rewrites them)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

import policysim
from policysim.cli import main
from policysim.report.queries import QUERY_FORMATS, render_what_can, render_who_can

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
ESTATE = HERE / "models" / "estate.yaml"
NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def estate() -> policysim.Scenario:
    return policysim.load_scenario(
        ESTATE.relative_to(Path.cwd()) if ESTATE.is_relative_to(Path.cwd()) else ESTATE, clock=lambda: NOON
    )


@pytest.mark.parametrize("fmt", QUERY_FORMATS)
def test_who_can_golden(estate: policysim.Scenario, fmt: str) -> None:
    answer = estate.who_can("s3:GetObject", "arn:aws:s3:::data-bucket/shared/x")
    check_golden(f"who_can.{SUFFIX[fmt]}", render_who_can(answer, fmt).replace(str(HERE.parents[1]) + "/", ""))


@pytest.mark.parametrize("fmt", QUERY_FORMATS)
def test_who_can_with_conditions_golden(estate: policysim.Scenario, fmt: str) -> None:
    answer = estate.who_can("s3:GetObject", "arn:aws:s3:::dev-logs/app.log")
    text = render_who_can(answer, fmt).replace(str(HERE.parents[1]) + "/", "")
    check_golden(f"who_can_conditions.{SUFFIX[fmt]}", text)


@pytest.mark.parametrize("fmt", QUERY_FORMATS)
def test_what_can_golden(estate: policysim.Scenario, fmt: str) -> None:
    answer = estate.what_can("alice", include_chains=True, service="s3")
    check_golden(f"what_can.{SUFFIX[fmt]}", render_what_can(answer, fmt).replace(str(HERE.parents[1]) + "/", ""))


def test_json_carries_the_format_version(estate: policysim.Scenario) -> None:
    document = json.loads(render_who_can(estate.who_can("s3:GetObject", "arn:aws:s3:::data-bucket/public/x"), "json"))
    assert document["format_version"] == 1 and document["query"] == "who-can"
    assert any(row["kind"] == "anonymous" for row in document["allowed"])


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_cli_answers_and_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "answer.md"
    args = ["who-can", str(ESTATE), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data-bucket/*"]
    code, _, err = run([*args, "-f", "markdown", "-o", str(out)], capsys)
    assert code == 0, err
    assert out.read_text().startswith("# who can `s3:GetObject`")
    code, stdout, _ = run(["what-can", str(ESTATE), "--principal", "alice", "--include-chains", "-f", "json"], capsys)
    assert code == 0 and json.loads(stdout)["query"] == "what-can"
    for bad, message in (
        ([*args, "-f", "yaml"], "unknown format"),
        (["who-can", str(ESTATE), "--action", "s3:Nope", "--resource", "*"], "unknown action"),
        (["what-can", str(ESTATE), "--principal", "mallory"], "mallory"),
        (["who-can", str(tmp_path / "missing.yaml"), "--action", "s3:GetObject", "--resource", "*"], "missing.yaml"),
        ([*args, "--workers", "-1"], "--workers"),
    ):
        code, _, err = run(bad, capsys)
        assert code == 2 and message in err, (bad, err)
