"""Fail-open and fragile input paths (issue 11, items 9-12), each through the CLI: exit 2, the path named, no hang.

9.  `policysim check DIR` never passes having checked less than it was given.
10. Every user-named file is read by one bounded reader: a regular file, its size checked first, at most the limit
    plus one byte read; standard input too.
11. Invalid UTF-8 is invalid input (exit 2) with its byte offset, in every kind of input.
12. AWS's own limits: the simulate API's member lengths, and the policy-size quotas per kind in scenarios.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import policysim.cli
import policysim.load
import policysim.pytest_plugin
from policysim import limits
from policysim.cli import main
from policysim.limits import policy_chars
from policysim.load import MAX_INPUT_BYTES, is_scenario_text, read_limited, read_stream_limited

ROOT = Path(__file__).resolve().parents[2]
FOUNDING_PATH = ROOT / "scenarios" / "cross-account-delegation.yaml"
FOUNDING = FOUNDING_PATH.read_text(encoding="utf-8")
WORKFLOW = "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return int(done.value.code or 0), out, err


def refused(args: list[str], capsys: pytest.CaptureFixture[str], where: str, *words: str) -> str:
    """Exit 2 with `policysim: error: WHERE...` and every word on stderr."""
    code, _, err = run(args, capsys)
    assert code == 2, err
    assert f"policysim: error: {where}" in err, err
    for word in words:
        assert word in err, f"{word!r} not in {err!r}"
    return err


# ================================================================== 9. check DIR checks all it is given


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A directory with the founding scenario in it."""
    (tmp_path / "founding.yaml").write_text(FOUNDING, encoding="utf-8")
    return tmp_path


def json_report(out: str) -> dict[str, Any]:
    report = json.loads(out)
    assert isinstance(report, dict)
    return report


def error_of(report: dict[str, Any], file: Path) -> dict[str, Any]:
    (scenario,) = [s for s in report["scenarios"] if s["file"] == str(file)]
    error = scenario["error"]
    assert isinstance(error, dict)
    return error


def test_dangling_symlink_under_a_directory_fails(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = tree / "gone.yaml"
    link.symlink_to(tree / "nowhere.yaml")
    code, out, err = run(["check", str(tree), "--format", "json"], capsys)
    assert code == 2
    assert f"policysim: error: {link}: broken symbolic link to `{tree / 'nowhere.yaml'}`" in err
    assert "hint: fix or remove the link" in err
    assert error_of(json_report(out), link)["code"] == "parse-error"
    assert json_report(out)["summary"]["passed"] == 13  # the rest still ran and is reported


@needs_fifo
def test_fifo_named_yaml_under_a_directory_fails_without_blocking(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tree / "pipe.yaml"
    os.mkfifo(fifo)
    refused(["check", str(tree)], capsys, str(fifo), "not a regular file (a named pipe)", "hint: give a regular file")


@needs_dev_zero
def test_device_named_yaml_under_a_directory_fails(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tree / "zero.yaml"
    device.symlink_to("/dev/zero")
    refused(["check", str(tree)], capsys, str(device), "not a regular file (a character device)")


def refuse_to_open(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make `os.open` fail with EACCES for files called `name` (the suite may run as root, who reads anything)."""
    real_open = os.open

    def guarded(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


def test_unreadable_file_under_a_directory_fails(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tree / "secret.yaml"
    secret.write_text(FOUNDING, encoding="utf-8")
    refuse_to_open(monkeypatch, "secret.yaml")
    refused(["check", str(tree)], capsys, str(secret), "cannot read file: permission denied", "make the file readable")


def test_directory_without_any_scenario_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("nothing here\n", encoding="utf-8")
    code, out, err = run(["check", str(tmp_path), "--format", "json"], capsys)
    assert code == 2
    assert f"policysim: error: {tmp_path}: no scenario found under `{tmp_path}`" in err
    assert "a scenario is a .yaml or .yml file with a top-level `scenario` key" in err
    assert error_of(json_report(out), tmp_path)["message"] == f"no scenario found under `{tmp_path}`"


def test_directory_with_only_non_scenario_yaml_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    refused(["check", str(tmp_path)], capsys, str(tmp_path), "no scenario found under", "1 YAML file skipped")


def test_non_scenario_yaml_is_skipped_and_listed(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workflow = tree / "ci.yml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    code, out, err = run(["check", str(tree)], capsys)
    assert code == 0, err
    assert f"- skipped {workflow}: not a scenario: no top-level `scenario` key\n13 passed, 0 failed\n" in out
    code, out, _ = run(["check", str(tree), "--format", "json"], capsys)
    assert code == 0
    report = json_report(out)
    assert report["skipped_files"] == [{"file": str(workflow), "reason": "not a scenario: no top-level `scenario` key"}]
    assert [s["file"] for s in report["scenarios"]] == [str(tree / "founding.yaml")]


def test_json_report_always_has_skipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(FOUNDING_PATH), "--format", "json"], capsys)
    assert code == 0
    assert json_report(out)["skipped_files"] == []


def test_a_file_named_explicitly_is_loaded_as_a_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Named on the command line, a non-scenario file stays an error, as before: the user asked for it."""
    workflow = tmp_path / "ci.yml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    refused(["check", str(workflow)], capsys, f"{workflow}:2:1", "`on` is ambiguous")
    (tmp_path / "data.yaml").write_text("a: 1\n", encoding="utf-8")
    refused(["check", str(tmp_path / "data.yaml")], capsys, f"{tmp_path / 'data.yaml'}:1:1", "unknown key `a`")


@needs_fifo
def test_a_fifo_named_explicitly_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    refused(["check", str(fifo)], capsys, str(fifo), "not a regular file (a named pipe)")


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        ("scenario: x\n", True),
        ("# a comment\naccounts: {}\nscenario: x\n", True),
        ('{"scenario": "x", "accounts": {}}', True),  # JSON (flow style) in a .yaml file
        ("'scenario': x\n", True),
        ("x: &a [1]\ny: *a\nscenario: x\n", True),  # anchors are only looked at, never expanded
        ("---\na: 1\n---\nscenario: x\n", True),  # any document: the loader then refuses the second one
        ("scenario: [\n", True),  # broken after the key: loaded, so the syntax error is reported
        ("{{ .Values.x }}\nscenario: x\n", True),  # not YAML at all: the line rule decides
        (WORKFLOW, False),
        ("jobs:\n  scenario: x\n", False),  # not top-level
        ("- scenario: x\n", False),
        ("a: scenario\n", False),
        ("{{ .Values.x }}\nkind: Deployment\n", False),  # a Helm template: skipped
        ("", False),
    ],
)
def test_the_scenario_rule(text: str, scenario: bool) -> None:
    assert is_scenario_text(text) is scenario
    assert is_scenario_text(text.encode("utf-8")) is scenario


def test_the_scenario_key_can_come_late(tmp_path: Path) -> None:
    """The rule reads the whole file (the plugin used to look at the first 64 KiB only)."""
    path = tmp_path / "late.yaml"
    path.write_text("description: " + "x" * 70_000 + "\nscenario: late\n", encoding="utf-8")
    assert policysim.load.is_scenario_file(path)


def test_one_scenario_rule_for_check_diff_and_the_plugin() -> None:
    import policysim.diff.sources

    assert policysim.cli.scan_directory is policysim.load.scan_directory
    assert policysim.diff.sources.scan_directory is policysim.load.scan_directory
    assert policysim.pytest_plugin.is_scenario_file is policysim.load.is_scenario_file


def test_diff_refuses_a_directory_with_a_broken_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, new = tmp_path / "base", tmp_path / "new"
    for side in (base, new):
        side.mkdir()
        (side / "m.yaml").write_text("scenario: m\n", encoding="utf-8")
    (new / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(SystemExit) as stop:
        main(["diff", str(base), str(new)])
    assert stop.value.code == 2
    assert "broken symbolic link" in capsys.readouterr().err


# ================================================================== 10. bounded reads of every user-named file


class Endless(io.TextIOBase):
    """Standard input that never ends (`yes`-like); counts the bytes handed out."""

    def __init__(self) -> None:
        self.given = 0
        self.buffer = self  # the binary side, as sys.stdin has

    def read(self, size: int | None = -1) -> Any:  # bytes: this stands for the binary buffer too
        assert size is not None and size > 0, "an unbounded read"
        self.given += size
        return b" " * size


def test_stdin_is_read_with_the_size_limit(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    endless = Endless()
    monkeypatch.setattr("sys.stdin", endless)
    refused(["simulate-custom-policy", "--cli-input-json", "-"], capsys, "<stdin>:1:1", "input is too large")
    assert endless.given == MAX_INPUT_BYTES + 1


def test_read_stream_limited_takes_text_streams() -> None:
    assert read_stream_limited(io.StringIO('{"a": "é"}')) == '{"a": "é"}'.encode()


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    """A sparse 11 MiB file is refused from its size alone (the message gives the size `stat` reported)."""
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    with pytest.raises(policysim.load.ParseError, match=f"input is too large: {11 * 1024 * 1024} bytes, the limit"):
        read_limited(huge)


@needs_dev_zero
@pytest.mark.parametrize("value", ["file:///dev/zero", "fileb:///dev/zero", "/dev/zero"])
def test_cli_input_json_dev_zero_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    refused(["simulate-custom-policy", "--cli-input-json", value], capsys, "/dev/zero", "not a regular file")


@needs_fifo
@pytest.mark.parametrize("form", ["file://{}", "{}"])
def test_cli_input_json_fifo_is_refused_without_blocking(
    form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "input.json"
    os.mkfifo(fifo)
    args = ["simulate-custom-policy", "--cli-input-json", form.format(fifo)]
    refused(args, capsys, str(fifo), "not a regular file (a named pipe)")


@needs_dev_zero
@needs_fifo
def test_every_user_named_file_is_read_by_the_bounded_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Scenario files, `{file: ...}` policies, --managed-policies, --catalogue, --config, --accept, flag files."""
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "pipe.json")
    with_file = FOUNDING.replace(
        "        inline_policies:\n          allow-assume",
        "        inline_policies:\n          from-file: {file: pipe.json}\n          allow-assume",
        1,
    )
    (tmp_path / "with-file.yaml").write_text(with_file, encoding="utf-8")
    dev = "not a regular file (a character device)"
    refused(["check", str(zero)], capsys, str(zero), dev)
    refused(["check", str(tmp_path / "with-file.yaml")], capsys, str(tmp_path / "pipe.json"), "(a named pipe)")
    refused(["check", str(FOUNDING_PATH), "--managed-policies", "/dev/zero"], capsys, "/dev/zero", dev)
    refused(["check", str(FOUNDING_PATH), "--config", str(zero)], capsys, "configuration file", "is not a file")
    diff = ["diff", str(FOUNDING_PATH), str(FOUNDING_PATH)]
    refused([*diff, "--catalogue", "/dev/zero"], capsys, "/dev/zero", "cannot read action catalogue", dev)
    refused([*diff, "--accept", str(zero)], capsys, str(zero), dev)
    flags = ["simulate-custom-policy", "--action-names", "s3:GetObject", "--policy-input-list", "file:///dev/zero"]
    refused(flags, capsys, "/dev/zero", dev)


ALLOWED_READS = {
    "policysim/load/files.py": "the bounded reader itself",
    "policysim/grammars.py": "policysim's own grammars (package data)",
    "policysim/managed/library.py": "the shipped managed policies (package data: `entry.read_bytes()`)",
    "policysim/catalogue/refresh.py": "a maintainer's tool, not part of the CLI",
    "policysim/catalogue/refresh_tags.py": "a maintainer's tool, not part of the CLI",
    "policysim/catalogue/resource_tags.py": "the shipped resource-tag table (package data)",
    "policysim/catalogue/services.py": "the shipped service catalogue (package data; a section by its indexed offset)",
    "policysim/commands/diff.py": "writes (never reads) the report an --output names, row by row",
    "policysim/diff/rows.py": "its own sorted runs, in the temporary directory it made",
}
READ_CALL = re.compile(r"\.read_(?:bytes|text)\(|\bopen\(|\.open\(")


def test_no_other_code_opens_files() -> None:
    """The single place: a new file read anywhere else must go through `policysim.load.read_limited`."""
    found = []
    for path in sorted((ROOT / "policysim").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if READ_CALL.search(line.split("#", 1)[0]) and rel not in ALLOWED_READS:
                found.append(f"{rel}:{number}: {line.strip()}")
    assert found == [], "read user-named files with policysim.load.read_limited:\n" + "\n".join(found)


# ================================================================== 11. invalid UTF-8 is exit 2 with its offset

LATIN1 = (
    b'{"PolicyInputList": [], "ActionNames": ["s3:GetObject"], "CallerArn": "arn:aws:iam::111111111111:user/caf\xe9"}'
)
OFFSET = LATIN1.index(b"\xe9")


def bad_byte(offset: int) -> str:
    return f"input is not valid UTF-8: bad byte 0xe9 at byte offset {offset}"


@pytest.mark.parametrize("form", ["file://{}", "fileb://{}", "{}"])
def test_cli_input_json_latin1_file(form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(LATIN1)
    args = ["simulate-custom-policy", "--cli-input-json", form.format(path)]
    refused(args, capsys, f"{path}:1:{OFFSET + 1}", bad_byte(OFFSET), "hint: save the file as UTF-8")


def test_cli_input_json_latin1_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(LATIN1)))
    refused(["simulate-custom-policy", "--cli-input-json", "-"], capsys, f"<stdin>:1:{OFFSET + 1}", bad_byte(OFFSET))


def test_latin1_in_every_other_json_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON scenario, a `{file: x.json}` policy, a managed-policies file, a flag's file, a catalogue."""
    scenario = tmp_path / "scenario.json"
    scenario.write_bytes(b'{"scenario": "caf\xe9", "accounts": {}, "tests": []}')
    refused(["check", str(scenario)], capsys, f"{scenario}:1:18", bad_byte(17))
    policy = tmp_path / "policy.json"
    policy.write_bytes(b'{"Version": "2012-10-17", "Statement": {"Sid": "caf\xe9"}}')
    with_file = FOUNDING.replace(
        "        inline_policies:\n          allow-assume",
        "        inline_policies:\n          from-file: {file: policy.json}\n          allow-assume",
        1,
    )
    (tmp_path / "with-file.yaml").write_text(with_file, encoding="utf-8")
    refused(["check", str(tmp_path / "with-file.yaml")], capsys, f"{policy}:1:52", bad_byte(51))
    managed = tmp_path / "managed.json"
    managed.write_bytes(b'{"Policies": [{"PolicyName": "caf\xe9"}]}')
    refused(["check", str(FOUNDING_PATH), "--managed-policies", str(managed)], capsys, f"{managed}:1:34", bad_byte(33))
    flags = ["simulate-custom-policy", "--action-names", "s3:GetObject", "--policy-input-list", f"file://{policy}"]
    refused(flags, capsys, f"{policy}:1:52", bad_byte(51))
    catalogue = tmp_path / "actions.txt"
    catalogue.write_bytes(b"s3:Caf\xe9\n")
    diff = ["diff", str(FOUNDING_PATH), str(FOUNDING_PATH), "--catalogue", str(catalogue)]
    refused(diff, capsys, f"{catalogue}:1:7", "bad byte 0xe9 at byte offset 6")


# ================================================================== 12. AWS's limits


def simulate_input(tmp_path: Path, **members: Any) -> list[str]:
    data = {"PolicyInputList": [json.dumps(POLICY)], "ActionNames": ["s3:GetObject"], **members}
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return ["simulate-custom-policy", "--cli-input-json", f"file://{path}"]


def simulated(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run(args, capsys)
    assert code == 0, err
    result = json.loads(out)
    assert isinstance(result, dict)
    return result


def test_action_name_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """botocore iam service-2.json: `"ActionNameType": {"type": "string", "max": 128, "min": 3}`."""
    args = simulate_input(tmp_path, ActionNames=["s3:" + "G" * 100_000])
    refused(
        args, capsys, "", "`ActionNames` item [0] is 100003 characters long", "at most 128 (botocore ActionNameType)"
    )
    # 128 characters pass the length check; no action that long exists, so the catalogue refuses it next
    refused(simulate_input(tmp_path, ActionNames=["s3:" + "G" * 125]), capsys, "", "unknown action `s3:GGG")


def test_resource_name_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """botocore: `"ResourceNameType": {"type": "string", "max": 2048, "min": 1}` (ResourceArns, CallerArn)."""
    arn = "arn:aws:s3:::bucket/"
    args = simulate_input(tmp_path, ResourceArns=[arn + "k" * (100_000 - len(arn))])
    refused(
        args,
        capsys,
        "",
        "`ResourceArns` item [0] is 100000 characters long",
        "at most 2048 (botocore ResourceNameType)",
    )
    simulated(simulate_input(tmp_path, ResourceArns=[arn + "k" * (2048 - len(arn))]), capsys)
    refused(
        simulate_input(tmp_path, CallerArn="arn:aws:iam::111111111111:user/" + "u" * 2048), capsys, "", "`CallerArn`"
    )


def test_policy_document_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """botocore: `"policyDocumentType": {"type": "string", "max": 131072, "min": 1, ...}`; "The maximum length of
    the policy document that you can pass in this operation, including whitespace, is listed below."
    """
    text = json.dumps(POLICY)
    padded = text[:-1] + " " * (131_072 - len(text)) + "}"  # white space counts here
    assert len(padded) == 131_072
    simulated(simulate_input(tmp_path, PolicyInputList=[padded]), capsys)
    args = simulate_input(tmp_path, PolicyInputList=[text, padded + " "])
    refused(args, capsys, "", "`PolicyInputList` item [1] is 131073 characters long", "at most 131072")
    levels = simulate_input(tmp_path, ServiceControlPolicyInputList=[[text], [text, padded + " "]])
    refused(levels, capsys, "", "`ServiceControlPolicyInputList` item [1][1]", "policyDocumentType")


def test_context_key_name_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """botocore: `"ContextKeyNameType": {"type": "string", "max": 256, "min": 5}`."""
    entry = {"ContextKeyName": "a:b", "ContextKeyValues": ["x"], "ContextKeyType": "string"}
    refused(
        simulate_input(tmp_path, ContextEntries=[entry]), capsys, "", "`ContextKeyName` is 3 characters", "at least 5"
    )
    entry["ContextKeyName"] = "aws:" + "k" * 253
    refused(simulate_input(tmp_path, ContextEntries=[entry]), capsys, "", "is 257 characters long", "at most 256")


def test_context_entries_and_values_are_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """AWS documents no limit; policysim takes at most 1,000 entries and 1,000 values per key (limits.py says why)."""
    assert limits.MAX_CONTEXT_ENTRIES == limits.MAX_CONTEXT_VALUES == 1000
    entries = [{"ContextKeyName": f"aws:key{i}", "ContextKeyValues": ["v"]} for i in range(1000)]
    simulated(simulate_input(tmp_path, ContextEntries=entries), capsys)
    many = [*entries, {"ContextKeyName": "aws:one-more", "ContextKeyValues": ["v"]}]
    refused(
        simulate_input(tmp_path, ContextEntries=many),
        capsys,
        "",
        "`ContextEntries` has 1001 entries, the limit is 1000",
    )
    values = [{"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["v"] * 1001, "ContextKeyType": "stringList"}]
    refused(simulate_input(tmp_path, ContextEntries=values), capsys, "", "`ContextKeyValues` has 1001 values")


def test_a_hundred_thousand_context_entries_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 41-second, 820 MB input of the report: read in one linear pass and refused at the cap."""
    entries = [{"ContextKeyName": f"aws:key{i}", "ContextKeyValues": ["v"]} for i in range(100_000)]
    refused(simulate_input(tmp_path, ContextEntries=entries), capsys, "", "has 100000 entries, the limit is 1000")


# ------------------------------------------------------------------ policy-size quotas in scenarios


def policy_of(chars: int, statement: dict[str, Any] | None = None) -> dict[str, Any]:
    """A policy of exactly `chars` characters as AWS counts them (compact, no white space), padded in its Sid."""
    body = dict(statement or {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    document = {"Version": "2012-10-17", "Statement": [{"Sid": "S", **body}]}
    document["Statement"][0]["Sid"] = "S" * (chars - policy_chars(document) + 1)
    assert policy_chars(document) == chars
    return document


TRUST = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}


def scenario_with(tmp_path: Path, account: dict[str, Any], organization: dict[str, Any] | None = None) -> Path:
    data: dict[str, Any] = {"scenario": "quotas", "accounts": {"111111111111": {"name": "A", **account}}}
    if organization is not None:
        data["organization"] = organization
    path = tmp_path / "quotas.json"
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")  # pretty-printed: white space is not counted
    return path


def checks(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _, err = run(["check", str(path)], capsys)
    return code, err


INLINE = [("users", "user", 2048), ("groups", "group", 5120), ("roles", "role", 10240)]


@pytest.mark.parametrize(("key", "entity", "limit"), INLINE)
def test_inline_policy_aggregate_quota(
    key: str, entity: str, limit: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "the total aggregate policy size (the sum size of all inline policies) per entity cannot exceed the following
    quotas: User policy size cannot exceed 2,048 characters. Role policy size cannot exceed 10,240 characters. Group
    policy size cannot exceed 5,120 characters. IAM does not count white space when calculating the size of a policy
    against these quotas." (IAM User Guide, reference_iam-quotas.md)
    """
    half = limit // 2
    fits = {"a": policy_of(half), "b": policy_of(limit - half)}
    assert checks(scenario_with(tmp_path, {key: {"x": {"inline_policies": fits}}}), capsys)[0] == 0
    over = {"a": policy_of(half), "b": policy_of(limit - half + 1)}
    code, err = checks(scenario_with(tmp_path, {key: {"x": {"inline_policies": over}}}), capsys)
    assert code == 2
    assert f"inline policies are too large: {limit + 1} characters together" in err
    assert f"the limit for the inline policies of a {entity} is {limit}" in err
    assert f"(accounts.111111111111.{key}.x.inline_policies)" in err


def test_customer_managed_policy_quota(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ "The size of each managed policy cannot exceed 6,144 characters. IAM does not count white space when
    calculating the size of a policy against this quota." (reference_iam-quotas.md)"""
    for attach in ({"users": {"x": {"managed_policies": ["big"]}}}, {"users": {"x": {"permissions_boundary": "big"}}}):
        fits = scenario_with(tmp_path, {"policies": {"big": policy_of(6144)}, **attach})
        assert checks(fits, capsys)[0] == 0
        code, err = checks(scenario_with(tmp_path, {"policies": {"big": policy_of(6145)}, **attach}), capsys)
        assert code == 2
        assert "policy is too large: 6145 characters (white space not counted)" in err
        assert "the limit for a customer managed policy is 6144" in err
        assert "(accounts.111111111111.policies.big)" in err


def test_aws_managed_policies_are_not_held_to_the_customer_quota(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ReadOnlyAccess is far larger than 6,144 characters: AWS's own policies are not customer managed ones."""
    attach = {"users": {"x": {"managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}}
    assert checks(scenario_with(tmp_path, attach), capsys)[0] == 0


def test_trust_policy_quota_is_the_maximum_aws_can_grant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ "| Role trust policy length | 2048 characters | 4096 characters |" (default and maximum quota): policysim
    cannot know an account's quota, so it refuses only what no account can hold."""
    assert (limits.TRUST_POLICY_DEFAULT_CHARS, limits.TRUST_POLICY_CHARS) == (2048, 4096)
    fits = scenario_with(tmp_path, {"roles": {"r": {"trust_policy": policy_of(4096, TRUST)}}})
    assert checks(fits, capsys)[0] == 0  # above the default quota: an account can have it raised
    code, err = checks(scenario_with(tmp_path, {"roles": {"r": {"trust_policy": policy_of(4097, TRUST)}}}), capsys)
    assert code == 2
    assert (
        "policy is too large: 4097 characters (white space not counted), the limit for a role trust policy is 4096"
        in err
    )


def test_scp_quota(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ "The following AWS Organizations quotas are enforced for the maximum size of a policy document: Service
    control policies: 5,120 characters" (Organizations API, CreatePolicy)."""

    def organization(chars: int) -> dict[str, Any]:
        return {
            "id": "o-abcdefghij",
            "management_account": "222222222222",
            "policies": {"Big": policy_of(chars)},
            "root": {"scps": ["FullAWSAccess", "Big"], "accounts": ["111111111111", "222222222222"]},
        }

    assert checks(scenario_with(tmp_path, {}, organization(5120)), capsys)[0] == 0
    code, err = checks(scenario_with(tmp_path, {}, organization(5121)), capsys)
    assert code == 2
    assert "the limit for a service control policy is 5120" in err


def test_policy_chars_ignores_white_space_and_counts_latin1_as_one() -> None:
    assert policy_chars({"a": "b c"}) == len('{"a":"bc"}')
    assert policy_chars({"a": "é"}) == len('{"a":"é"}')


def iter_limits() -> Iterator[limits.Bound]:
    yield from (limits.ACTION_NAME, limits.RESOURCE_NAME, limits.ARN, limits.POLICY_DOCUMENT, limits.CONTEXT_KEY_NAME)


def test_the_botocore_numbers() -> None:
    """The shapes as botocore's iam 2010-05-08 service model states them."""
    assert [(b.shape, b.min, b.max) for b in iter_limits()] == [
        ("ActionNameType", 3, 128),
        ("ResourceNameType", 1, 2048),
        ("arnType", 20, 2048),
        ("policyDocumentType", 1, 131072),
        ("ContextKeyNameType", 5, 256),
    ]
