"""Pairs a review of the diff found wrong (false passes, false failures, crashes), each pinned with its answer."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from policysim.cli import main

CASES = Path(__file__).with_name("regressions")
EXTERNAL = "assumed-role/policysim-external-principal/policysim"

# case -> the changes as (kind, last field of the principal ARN, action)
EXPECTED: dict[str, set[tuple[str, str, str]]] = {
    # a public grant reaches the anonymous caller and outside accounts
    "public_allow": {("new-access", "anonymous", "s3:GetObject"), ("new-access", EXTERNAL, "s3:GetObject")},
    # outside roles with an IAM path keep it in their role ARN
    "ext_role_path": {("new-access", "role/team/Reader", "s3:GetObject")},
    "trust_ext_role_path": {("new-access", "role/ci/Runner", "sts:AssumeRole")},
    # stand-ins for outside accounts live in the model's partition (aws-cn here)
    "cn_ext_account": {("new-access", EXTERNAL, "s3:PutObject")},
    "cn_trust_ext": {("new-access", EXTERNAL, "sts:AssumeRole")},
    # actions the service rules treat differently are never one class
    "slr_class_merge2": {
        ("new-access", "user/carol", a)
        for a in (
            "iam:DeleteServiceLinkedRole",
            "iam:GetRole",
            "iam:GetServiceLinkedRoleDeletionStatus",
            "iam:GetRolePolicy",
            "iam:ListRolePolicies",
            "iam:ListRoleTags",
            "iam:PassRole",
            "iam:GetServiceLinkedRoleDeletionStatus",
        )
    },
    # a CIDR widened from the same network address: its last address and the ones just outside are tried
    "ip_same_network": {("new-access", "user/u", "s3:GetObject")},
    "notip_same_network": {("new-access", "user/u", "s3:GetObject")},
    # AssumeRole on a role one side lacks has no answer there: a removed role removes access, adds none
    "role_removed": {("removed-access", "lambda.amazonaws.com", "sts:AssumeRole")},
    "new_role_existing_allow": {("new-access", "user/carol", "sts:AssumeRole")},
    # a wildcard inside a name: the pattern's prefix is completed into a resource of each type the action acts on
    "s3_prefix_widen": {("new-access", "user/alice", "s3:GetObject")},
    "s3_slash_drop": {("new-access", "user/alice", "s3:GetObject")},
    "logs_widen": {("new-access", "user/alice", "logs:GetLogEvents")},
    # accounts named by aws:PrincipalAccount / aws:PrincipalArn conditions get stand-in callers
    "principal_account_cond": {("new-access", EXTERNAL, "s3:GetObject")},
    "principal_arn_cond": {("new-access", EXTERNAL, "s3:GetObject")},
    # ${aws:PrincipalTag/team} in a Resource takes the principals' tag values
    "abac_tag_change": {("new-access", "user/alice", "s3:GetObject"), ("removed-access", "user/alice", "s3:GetObject")},
    # a Null condition's key is tried although Null never reports it missing
    "null_flip": {
        ("new-access", "user/alice", "ec2:RunInstances"),
        ("removed-access", "user/alice", "ec2:RunInstances"),
    },
    # a new identity that can do nothing adds no access (sts:GetCallerIdentity is not explored)
    "empty_role_with_star_model": set(),
    "empty_user_with_star_model": set(),
}


def diff_json(case: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    with pytest.raises(SystemExit) as stop:
        main(["diff", str(CASES / case / "base.json"), str(CASES / case / "new.json"), "-f", "json", *extra])
    return int(stop.value.code or 0), json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_review_case(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = diff_json(case, capsys)
    found = {(c["change"], c["principal"].split(":")[-1], c["action"]) for c in report["changes"]}
    expected = EXPECTED[case]
    if case == "slr_class_merge2":  # rows stand for classes: compare every member
        found = {(c["change"], c["principal"].split(":")[-1], a) for c in report["changes"] for a in c["actions"]}
        assert expected <= found
        assert not any(a.lower().startswith(("iam:create", "iam:delete", "iam:update")) for *_, a in found - expected)
    else:
        assert found == expected
    assert code == (1 if any(kind == "new-access" for kind, *_ in expected) else 0)


def test_markdown_cells_cannot_break_the_table_or_hide_the_comment() -> None:
    from policysim.diff.render import _cell, _code

    assert _cell("a|b\n<!-- x -->`y`") == "a\\|b &lt;!-- x --&gt;'y'"
    assert _code("arn:aws:s3:::a/b|c") == "arn:aws:s3:::a/b\\|c"
    assert _code("s3:GetObject") == "`s3:GetObject`"


def test_not_principal_with_allow_is_refused_on_either_side(capsys: pytest.CaptureFixture[str]) -> None:
    # "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
    # (reference_policies_elements_notprincipal.md): a side that holds one is invalid input, never a public grant.
    with pytest.raises(SystemExit) as stop:
        main(["diff", str(CASES / "public_allow" / "base.json"), str(CASES / "np_allow_refused" / "new.json")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "new.json:" in err and '`NotPrincipal` must be used with `"Effect": "Deny"`' in err


def test_unwritable_output_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case = CASES / "public_allow"
    with pytest.raises(SystemExit) as stop:
        main(["diff", str(case / "base.json"), str(case / "new.json"), "-f", "json", "-o", str(tmp_path / "no/x.json")])
    assert stop.value.code == 2
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("new", "message"),
    [("missing.json", "NEW `{}`: no such file or directory"), ("empty", "NEW `{}` holds no scenario files")],
)
def test_a_new_side_that_is_missing_or_empty_does_not_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new: str, message: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "note.json").write_text("{}")
    target = tmp_path / new
    with pytest.raises(SystemExit) as stop:
        main(["diff", str(CASES / "public_allow" / "base.json"), str(target)])
    assert stop.value.code == 2
    assert message.format(target) in capsys.readouterr().err


def git(repo: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    subprocess.run(command, cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_revisions_are_read_as_stored_despite_export_ignore_and_links(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / "scen").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(CASES / "public_allow" / "base.json", repo / "scen" / "m.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    shutil.copy(CASES / "public_allow" / "new.json", repo / "scen" / "m.yaml")
    (repo / ".gitattributes").write_text("scen/** export-ignore\n")  # git archive would drop the new side
    (repo / "abs-link").symlink_to("/etc/hostname")  # tar extraction filters refuse absolute links
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "public")
    with pytest.raises(SystemExit) as stop:
        main(["diff", str(repo / "scen"), "--base-ref", "main~1", "--new-ref", "main", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    assert stop.value.code == 1
    assert report["summary"]["new_access"] == 2 and report["summary"]["removed_access"] == 0
