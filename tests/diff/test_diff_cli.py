"""`policysim diff` through the CLI: the gate's exit codes, accept files, formats, git revisions, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from diff_models import Model, base_model, changed, user_policy, write_model

from policysim.cli import main

Files = Callable[[Model, Model], tuple[Path, Path]]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(args)
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


def widened() -> Model:
    def widen(model: Model) -> None:
        user_policy(model, "alice", "read-app-data")[0]["Resource"] = "*"

    return changed(widen)


def narrowed() -> Model:
    def narrow(model: Model) -> None:
        user_policy(model, "alice", "read-app-data")[0]["Resource"] = "arn:aws:s3:::app-data/public/*"

    return changed(narrow)


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("POLICYSIM_CONFIG", "POLICYSIM_FAIL_ON", "POLICYSIM_ACCEPT", "POLICYSIM_BASE_REF", "CI"):
        monkeypatch.delenv(name, raising=False)


def test_widening_fails_the_gate_and_lists_the_new_requests(
    model_files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = model_files(base_model(), widened())
    code, out, _ = run(["diff", str(base), str(new)], capsys)
    assert code == 1
    assert "NEW ACCESS: arn:aws:iam::111111111111:user/alice -> s3:GetObject on arn:aws:s3:::logs/old.log" in out
    assert "after:  allowed: identity: allowed by an identity-based policy" in out
    assert "statement `ReadAppData` (Allow)" in out
    assert "3 newly allowed, 0 no longer allowed" in out and "FAILED" in out


def test_narrowing_passes_unless_any_change_fails(model_files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    base, new = model_files(base_model(), narrowed())
    code, out, _ = run(["diff", str(base), str(new)], capsys)
    assert code == 0
    assert "REMOVED ACCESS: arn:aws:iam::111111111111:user/alice -> s3:GetObject" in out
    assert run(["diff", str(base), str(new), "--fail-on", "any-change"], capsys)[0] == 1
    assert run(["diff", str(base), str(new), "--fail-on", "never"], capsys)[0] == 0


def test_widening_passes_with_never(model_files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    base, new = model_files(base_model(), widened())
    assert run(["diff", str(base), str(new), "--fail-on", "never"], capsys)[0] == 0


def test_accept_file_lets_a_reviewed_change_pass(
    model_files: Files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = model_files(base_model(), widened())
    accept = tmp_path / "accept.yaml"
    accept.write_text(
        "accept:\n"
        "  - change: new-access\n"
        "    principal: arn:aws:iam::111111111111:user/alice\n"
        "    action: s3:Get*\n"
        "    reason: alice reads every bucket now (SEC-42)\n"
        "  - action: iam:*\n"
        "    reason: stale entry\n",
        encoding="utf-8",
    )
    code, out, err = run(["diff", str(base), str(new), "--accept", str(accept), "--format", "json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["passed"] is True and report["summary"]["accepted"] == 3
    assert {c["accepted"]["reason"] for c in report["changes"]} == {"alice reads every bucket now (SEC-42)"}
    assert report["unused_accept_entries"][0]["reason"] == "stale entry"
    assert "accept.yaml:6:5 (accept[1])" in err and "matched no change" in err


def test_accept_entry_must_cover_the_change(
    model_files: Files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = model_files(base_model(), widened())
    accept = tmp_path / "accept.yaml"
    accept.write_text("accept:\n  - resource: arn:aws:s3:::logs/*\n    reason: logs are fine\n", encoding="utf-8")
    code, out, _ = run(["diff", str(base), str(new), "--accept", str(accept)], capsys)
    assert code == 1  # the object in the bucket the model does not name is still new access
    assert "FAILED (1 change(s) not accepted)" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("accept:\n  - action: s3:*\n", "accept file: missing required key `reason`"),
        ("accept:\n  - reason: ' '\n", "accept[0].reason"),
        ("accept:\n  - reason: x\n    change: widened\n", "accept[0].change"),
        ("accept:\n  - reason: x\n    principle: z\n", "unknown key `principle`"),
    ],
)
def test_bad_accept_file_is_a_located_error(
    model_files: Files, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    base, new = model_files(base_model(), widened())
    accept = tmp_path / "accept.yaml"
    accept.write_text(text, encoding="utf-8")
    code, _, err = run(["diff", str(base), str(new), "--accept", str(accept)], capsys)
    assert code == 2
    assert "accept.yaml:" in err and message in err
    assert "Traceback" not in err


def test_json_and_markdown_in_one_run(model_files: Files, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, new = model_files(base_model(), widened())
    md = tmp_path / "diff.md"
    code, out, _ = run(["diff", str(base), str(new), "-f", "markdown", "-o", str(md), "-f", "json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["format_version"] == "1" and report["fail_on"] == "new-access"
    change = report["changes"][0]
    assert change["change"] == "new-access" and change["principal"] == "arn:aws:iam::111111111111:user/alice"
    assert change["before"]["decision"] == "implicitDeny" and change["after"]["decision"] == "allowed"
    assert change["after"]["statements"][0]["statement"] == "ReadAppData"
    text = md.read_text(encoding="utf-8")
    assert text.startswith("## policysim access diff\n")
    assert "### Newly allowed (3)" in text and "`arn:aws:s3:::logs/old.log`" in text


def test_directories_pair_files_by_relative_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_model(tmp_path / "a" / "same.yaml", base_model())
    write_model(tmp_path / "b" / "same.yaml", base_model())
    write_model(tmp_path / "b" / "added.yaml", base_model())
    code, out, _ = run(["diff", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 1  # everything the added file allows is new access
    assert {(f["base"], f["new"]) for f in report["files"]} == {
        (None, f"{tmp_path / 'b'}/added.yaml"),
        (f"{tmp_path / 'a'}/same.yaml", f"{tmp_path / 'b'}/same.yaml"),
    }
    assert {c["file"] for c in report["changes"]} == {f"{tmp_path / 'b'}/added.yaml"}


def test_without_a_catalogue_wildcards_expand_to_named_actions(
    model_files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = model_files(base_model(), base_model())
    code, out, _ = run(["diff", str(base), str(new), "--catalogue", "none", "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 0
    assert report["files"][0]["actions"] == 4  # s3:GetObject, sts:AssumeRole, s3:DeleteObject, s3:PutObject


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["one.yaml"], "give BASE and NEW"),
        (["a.yaml", "b.yaml", "--fail-on", "sometimes"], "`--fail-on` must be one of"),
        (["a.yaml", "b.yaml", "--format", "sarif"], "unknown format `sarif`; choose from text, json, markdown"),
        (["a.yaml", "b.yaml", "--new-ref", "HEAD"], "`--new-ref` needs `--base-ref`"),
        (["missing-a.yaml", "missing-b.yaml"], "BASE `missing-a.yaml`: no such file or directory"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(["diff", *args], capsys)
    assert code == 2 and message in err


def test_invalid_model_is_a_located_error(model_files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    broken = widened()
    user_policy(broken, "alice", "read-app-data")[0]["Effect"] = "Permit"
    base, new = model_files(base_model(), broken)
    code, _, err = run(["diff", str(base), str(new)], capsys)
    assert code == 2 and "new.yaml:" in err and "Permit" in err


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True, capture_output=True
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_base_ref_compares_the_path_at_a_revision_with_the_working_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "scenarios").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write_model(repo / "scenarios" / "model.yaml", base_model())
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    write_model(repo / "scenarios" / "model.yaml", widened())
    code, out, _ = run(["diff", str(repo / "scenarios"), "--base-ref", "HEAD", "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 1 and report["base"] == "HEAD" and report["new"] == "working tree"
    assert report["files"][0]["base"] == "HEAD:scenarios/model.yaml"
    assert report["summary"]["new_access"] == 3
    git(repo, "commit", "-q", "-am", "widen")
    code, out, _ = run(
        ["diff", str(repo / "scenarios"), "--base-ref", "HEAD~1", "--new-ref", "HEAD", "-f", "json"], capsys
    )
    assert code == 1 and json.loads(out)["summary"]["new_access"] == 3
    code, _, err = run(["diff", str(repo / "scenarios"), "--base-ref", "no-such-ref"], capsys)
    assert code == 2 and "unknown git revision `no-such-ref`" in err


def test_a_configured_base_ref_does_not_change_a_two_path_diff(
    model_files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = model_files(base_model(), widened())
    monkeypatch.setenv("POLICYSIM_BASE_REF", "main")
    code, out, err = run(["diff", str(base), str(new)], capsys)
    assert code == 1 and "3 newly allowed" in out  # A against B, not each path against itself at `main`
    assert "configured base_ref `main` is not used" in err


def test_the_gate_levels_are_the_configuration_levels() -> None:
    from policysim.config import FAIL_ON
    from policysim.enums import FailOn

    assert tuple(level.value for level in FailOn) == FAIL_ON
