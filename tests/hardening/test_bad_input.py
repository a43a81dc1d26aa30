"""Bad input never crashes and never allows (issue 6): one test per class of bad input.

Every case runs the CLI in-process, `policysim check FILE --format json`, and asserts exit code 2, no traceback,
and the message pinned: `file:line:col` on stderr (and `line`/`column` in the JSON error record) plus its words.
Scenario cases are the founding scenario (`scenarios/cross-account-delegation.yaml`) with one thing broken each,
written to `tmp_path`; the expected position is computed from the broken text, so it pins the place of the fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from policysim.cli import main
from policysim.load import MAX_DEPTH, MAX_INPUT_BYTES, load_json, load_yaml

ROOT = Path(__file__).resolve().parents[2]
FOUNDING = (ROOT / "scenarios" / "cross-account-delegation.yaml").read_text(encoding="utf-8")
INPUTS = Path(__file__).parent / "inputs"

# Fragments of the founding scenario that the cases break.
GROUP_STATEMENT = (
    "              Effect: Allow\n"
    "              Action: sts:AssumeRole\n"
    "              Resource: arn:aws:iam::999999999999:role/UpdateData\n"
)
TRUST_STATEMENT = (
    "            Effect: Allow\n"
    "            Principal:\n"
    "              AWS: arn:aws:iam::111111111111:root\n"
    "            Action: sts:AssumeRole\n"
)
ROLE_ARN = "arn:aws:iam::999999999999:role/UpdateData"


@dataclass
class Run:
    code: int | str | None
    out: str
    err: str

    @property
    def error(self) -> dict[str, object]:
        """The `error` record of the first scenario in the JSON report."""
        report = json.loads(self.out)
        error = report["scenarios"][0]["error"]
        assert isinstance(error, dict)
        return error


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> Run:
    with pytest.raises(SystemExit) as exited:
        main(args)
    captured = capsys.readouterr()
    run = Run(exited.value.code, captured.out, captured.err)
    assert "Traceback" not in run.out + run.err
    return run


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return run_cli(["check", str(path), "--format", "json"], capsys)


def broken(old: str, new: str, count: int = 1) -> str:
    """The founding scenario with `old` replaced by `new` (which must be there)."""
    assert old in FOUNDING, f"the founding scenario no longer holds {old!r}"
    return FOUNDING.replace(old, new, count)


def position(text: str, needle: str, nth: int = 1, at: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the `nth` occurrence of `needle` in `text`, plus `at` characters."""
    offset = -1
    for _ in range(nth):
        offset = text.index(needle, offset + 1)
    offset += at
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def write(tmp_path: Path, text: str | bytes, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def assert_refused(
    run: Run, path: Path, line: int | None, column: int | None, *words: str, code: str | None = None
) -> None:
    """Exit 2, `path:line:col` and every word in the message, the same place in the JSON record."""
    assert run.code == 2, run.err
    where = f"{path}:{line}:{column}" if line is not None else str(path)
    assert f"policysim: error: {where}" in run.err, run.err
    for word in words:
        assert word in run.err, f"{word!r} not in {run.err!r}"
    error = run.error
    if line is not None:
        assert (error["line"], error["column"]) == (line, column)
    if code is not None:
        assert error["code"] == code


def refused_scenario(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    where: tuple[int, int],
    *words: str,
    code: str | None = None,
) -> Run:
    path = write(tmp_path, text)
    run = check(path, capsys)
    assert_refused(run, path, where[0], where[1], *words, code=code)
    return run


def test_the_founding_scenario_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The baseline every case breaks: unbroken, it loads and passes."""
    run = check(write(tmp_path, FOUNDING), capsys)
    assert run.code == 0, run.err


# ------------------------------------------------------------------ syntax, encoding, size


def test_malformed_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "scenario: x\naccounts: [\n"
    path = write(tmp_path, text)
    assert_refused(check(path, capsys), path, 3, 1, "invalid YAML", "did not find expected node", code="parse-error")


def test_malformed_yaml_from_the_founding_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken("    principal: David\n", "    principal: [David\n")
    colon = text.index("action:", text.index("[David")) + len("action")  # the parser stops at the next `:`
    where = position(text[: colon + 1], ":", text[: colon + 1].count(":"))
    refused_scenario(
        tmp_path, capsys, text, where, "invalid YAML", "did not find expected ',' or ']'", code="parse-error"
    )


def test_malformed_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '{"scenario": "x",\n "tests": [,]}', "scenario.json")
    assert_refused(check(path, capsys), path, 2, 12, "expected a value or `]`, found `,`", code="parse-error")


def test_malformed_json_trailing_comma(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '{"scenario": "x",\n "tests": [],\n}', "scenario.json")
    assert_refused(check(path, capsys), path, 3, 1, "found `}`", "trailing comma", code="parse-error")


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n"])
def test_empty_file(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, text)
    assert_refused(check(path, capsys), path, 1, 1, "file is empty", code="parse-error")


def test_empty_json_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "", "scenario.json")
    assert_refused(check(path, capsys), path, 1, 1, "file is empty", code="parse-error")


def test_non_utf8_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = broken("name: Originating", "name: Origin\xe9ting").encode("latin-1")
    path = write(tmp_path, raw)
    line, col = position(raw.decode("latin-1"), "\xe9")
    assert_refused(check(path, capsys), path, line, col, "not valid UTF-8", "0xe9", "save the file as UTF-8")


def test_non_utf8_bytes_from_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    path = INPUTS / "latin1.yaml"
    assert_refused(check(path, capsys), path, 1, 14, "not valid UTF-8", "0xe9", code="parse-error")


@pytest.mark.parametrize(
    ("element", "old", "new", "char"),
    [
        (
            "Statement.Resource",
            f"Resource: {ROLE_ARN}\n",
            'Resource: "arn:aws:iam::999999999999:role/Update\\u2028Data"\n',
            "U+2028",
        ),
        ("Statement.Sid", TRUST_STATEMENT, '            Sid: "Trust\\u2028Origin"\n' + TRUST_STATEMENT, "U+2028"),
        ("Statement.Sid", TRUST_STATEMENT, '            Sid: "Trust\\U0001F600"\n' + TRUST_STATEMENT, "U+1F600"),
        ("Statement.Action", "Action: sts:AssumeRole\n", 'Action: "sts:Assume\\x01Role"\n', "U+0001"),
    ],
)
def test_character_aws_forbids_in_a_policy(
    element: str, old: str, new: str, char: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """AWS allows only TAB, LF, CR and U+0020-U+00FF in policy documents (here written as YAML escapes)."""
    text = broken(old, new)
    key = element.split(".")[-1] + ":"
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, key, 1),
        f"({element})",
        f"character {char} is not allowed in a policy document",
        "U+0020 to U+00FF",
        code="invalid-policy",
    )


@pytest.mark.parametrize(
    "char",
    [
        "\u2028",
        "\u2029",
        "\x85",
    ],
)
def test_raw_yaml_line_break_character(char: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Written raw, U+2028/U+2029/U+0085 are line breaks to YAML 1.1, which folds them to a space in a quoted
    string: the value must be refused (by the loader, or as a character AWS forbids), never silently changed."""
    text = broken(f"Resource: {ROLE_ARN}\n", f'Resource: "arn:aws:iam::999999999999:role/Update{char}Data"\n')
    path = write(tmp_path, text)
    run = check(path, capsys)
    assert run.code == 2, run.err
    assert run.error["line"] == position(text, char)[0]
    assert f"character U+{ord(char):04X} is not" in run.err
    assert "reads it as a line break" in run.err or "not allowed in a policy document" in run.err


def test_character_aws_forbids_in_a_json_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same rule for a policy written as JSON (an escaped U+2028 in an Action)."""
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow",\n  "Action": "s3:Get\\u2028Object", "Resource": "*"}}',
        encoding="utf-8",
    )
    text = broken(
        "        managed_policies:\n          - read-write-app-bucket\n",
        "        managed_policies:\n          - read-write-app-bucket\n        inline_policies:\n"
        "          from-file: {file: policy.json}\n",
    )
    path = write(tmp_path, text)
    run = check(path, capsys)
    assert run.code == 2
    assert "U+2028 is not allowed in a policy document" in run.err
    assert "Traceback" not in run.err


def test_file_over_the_size_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert MAX_INPUT_BYTES == 10 * 1024 * 1024
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(FOUNDING)
        padding = "#" * 1023 + "\n"
        for _ in range(11 * 1024):  # 11 MiB of comments after a valid scenario
            handle.write(padding)
    assert_refused(check(path, capsys), path, 1, 1, "input is too large", f"the limit is {MAX_INPUT_BYTES} bytes")


# ------------------------------------------------------------------ YAML features refused


def test_duplicate_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken("    name: Destination\n", "    name: Destination\n    name: Target\n")
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "name: Target"),
        "duplicate key `name`",
        "first defined on line",
        code="schema-error",
    )


def test_duplicate_effect_is_refused_not_last_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """PyYAML would keep the last: `Effect: Allow` then `Effect: Deny` silently gives Deny (or the reverse)."""
    text = broken(
        GROUP_STATEMENT, GROUP_STATEMENT.replace("Effect: Allow\n", "Effect: Deny\n              Effect: Allow\n")
    )
    first_line = position(text, "Effect: Deny")[0]
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Effect: Allow", 1),
        "duplicate key `Effect`",
        f"first defined on line {first_line}",
        code="schema-error",
    )


def test_duplicate_key_differing_in_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`Effect` and `effect`: policy element names are case-sensitive, so the second is an unknown element."""
    text = broken(
        GROUP_STATEMENT, GROUP_STATEMENT.replace("Effect: Allow\n", "Effect: Allow\n              effect: Deny\n")
    )
    refused_scenario(
        tmp_path, capsys, text, position(text, "effect: Deny"), "unknown key `effect`", "did you mean `Effect`?"
    )


def test_duplicate_condition_keys_differing_in_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Condition key names are case-insensitive in AWS: two spellings of one key are a duplicate."""
    text = broken(
        TRUST_STATEMENT,
        TRUST_STATEMENT + "            Condition:\n              StringEquals:\n"
        "                sts:ExternalId: a\n                STS:externalid: b\n",
    )
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "            Condition:", at=12),
        "duplicate condition key `STS:externalid` under `StringEquals`",
        "`sts:ExternalId` is the same key",
        "case-insensitive",
        code="invalid-policy",
    )


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/new:os.system ["touch {marker}"]',
        "!!python/name:os.system",
        '!custom "touch {marker}"',
    ],
)
def test_yaml_tags_never_execute(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    tag = value.format(marker=marker)
    text = broken("    name: Originating\n", f"    name: {tag}\n")
    run = refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, tag),
        "YAML tags are not supported",
        f"(found `{tag.split()[0]}`)",
        code="parse-error",
    )
    assert not marker.exists()
    assert run.error["code"] == "parse-error"
    # and through the loader directly
    with pytest.raises(Exception) as raised:
        load_yaml(text, "direct.yaml")
    assert type(raised.value).__name__ == "ParseError"
    assert not marker.exists()


def test_python_tag_fixture_never_executes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The fixture names /tmp/pwned: it must still not exist after the run (unless something else made it)."""
    marker = Path("/tmp/pwned")
    existed = marker.exists()
    path = INPUTS / "python-tag.yaml"
    assert_refused(check(path, capsys), path, 1, 4, "YAML tags are not supported", "os.system")
    assert marker.exists() == existed


def test_billion_laughs_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    path = INPUTS / "billion-laughs.yaml"
    assert_refused(check(path, capsys), path, 2, 4, "anchors and aliases are not supported", code="parse-error")


def test_alias_in_a_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken("        groups: [Developers]\n", "        groups: &devs [Developers]\n")
    refused_scenario(
        tmp_path, capsys, text, position(text, "&devs"), "anchors and aliases are not supported", code="parse-error"
    )


def test_merge_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken("    name: Destination\n", "    <<: {name: Destination}\n")
    refused_scenario(
        tmp_path, capsys, text, position(text, "<<:"), "merge keys (`<<`) are not supported", code="parse-error"
    )


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_ten_thousand_deep_nesting(suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    depth = 10_000
    if suffix == ".json":
        text = '{"scenario": "deep", "tests": ' + "[" * depth + "]" * depth + "}"
    else:
        text = "scenario: deep\ntests: " + "[" * depth + "]" * depth + "\n"
    path = write(tmp_path, text, "deep" + suffix)
    run = check(path, capsys)
    assert run.code == 2
    assert f"nesting is deeper than {MAX_DEPTH} levels" in run.err
    assert run.error["code"] == "parse-error"
    if suffix == ".json":  # the 65th opening bracket
        assert (run.error["line"], run.error["column"]) == position(text, "[", MAX_DEPTH)


def test_deep_block_nesting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    depth = MAX_DEPTH + 5
    text = "scenario: deep\n" + "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth + "b: 1\n"
    path = write(tmp_path, text)
    run = check(path, capsys)
    # the root mapping is level 1, so the value of the 64th `a:` is level 65
    assert_refused(run, path, *position(text, "a:", MAX_DEPTH + 1), f"nesting is deeper than {MAX_DEPTH} levels")


# ------------------------------------------------------------------ wrong types and YAML traps


def test_effect_is_a_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace("Effect: Allow", "Effect: 1"))
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Effect: 1"),
        "(Statement.Effect)",
        "`Effect` must be 'Allow' or 'Deny', got `1`",
        code="schema-error",
    )


def test_action_is_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace("Action: sts:AssumeRole", "Action: {sts: AssumeRole}"))
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Action: {"),
        "(Statement.Action)",
        "`Action` must be a string or a list of strings",
    )


def test_unquoted_version_is_a_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken('Version: "2012-10-17"', "Version: 2012-10-17")
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "2012-10-17", 1),
        "YAML reads `2012-10-17` as a date",
        'quote it: `"2012-10-17"`',
        code="parse-error",
    )


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("999999999999", ("mapping key `999999999999` is not a string", 'quote it: `"999999999999"`')),
        ("011111111111", ("`011111111111` is ambiguous", "octal", 'quote it: `"011111111111"`')),
    ],
)
def test_unquoted_account_id_key(
    key: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken('  "999999999999":\n', f"  {key}:\n")
    refused_scenario(tmp_path, capsys, text, position(text, f"  {key}:", at=2), *words)


def test_unquoted_account_id_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(TRUST_STATEMENT, TRUST_STATEMENT.replace("arn:aws:iam::111111111111:root", "111111111111"))
    run = refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "AWS: 1111"),
        "(Statement.Principal.AWS)",
        "`AWS` must be a string or a list of strings",
        'quote it: `"111111111111"`',
    )
    assert "more problem" not in run.err  # the losing union branch (`"*"`) is not a second problem


def test_yes_is_not_a_boolean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken("    session_name: David-ProdUpdate\n", "    session_name: David-ProdUpdate\n    mfa: yes\n")
    refused_scenario(tmp_path, capsys, text, position(text, "yes"), "`yes` is ambiguous", "boolean", code="parse-error")


# ------------------------------------------------------------------ wrong case, unknown and missing elements


def test_lowercase_element_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace("Effect: Allow", "effect: Allow"))
    refused_scenario(
        tmp_path, capsys, text, position(text, "effect: Allow"), "unknown key `effect`", "did you mean `Effect`?"
    )


def test_lowercase_element_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace("Effect: Allow", "Effect: allow"))
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Effect: allow"),
        "`Effect` must be 'Allow' or 'Deny', got `allow`",
        "values are case-sensitive",
    )


def test_misspelled_actions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace("Action:", "Actions:"))
    refused_scenario(
        tmp_path, capsys, text, position(text, "Actions:"), "unknown key `Actions`", "did you mean `Action`?"
    )


def test_misspelled_principal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(TRUST_STATEMENT, TRUST_STATEMENT.replace("Principal:", "Princpal:"))
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Princpal:"),
        "trust policy",
        "unknown key `Princpal`",
        "did you mean `Principal`?",
        code="schema-error",
    )


def test_misspelled_scenario_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken("    expect: explicitDeny\n", "    expects: explicitDeny\n")
    refused_scenario(
        tmp_path, capsys, text, position(text, "expects:"), "unknown key `expects`", "did you mean `expect`?"
    )


def test_missing_effect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace("              Effect: Allow\n", ""))
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Statement:"),  # a missing key is reported at the mapping that lacks it
        "(Statement.Effect)",
        "missing required key `Effect`",
    )


def test_both_action_and_not_action(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT + '              NotAction: "s3:*"\n')
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Statement:"),
        "(Statement)",
        "must not contain both `Action` and `NotAction`",
    )


def test_invalid_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken('Version: "2012-10-17"', 'Version: "2013-01-01"')
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "Version:"),
        "(Version)",
        "`Version` must be '2012-10-17' or '2008-10-17', got `2013-01-01`",
    )


# ------------------------------------------------------------------ invalid values


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("s3:Get:Object", ("action `s3:Get:Object` can contain only one colon",)),
        ("GetObject", ("action `GetObject` must be prefaced by a vendor", "service:ActionName")),
    ],
)
def test_invalid_action_in_a_policy(
    action: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace("Action: sts:AssumeRole", f"Action: {action}"))
    refused_scenario(tmp_path, capsys, text, position(text, f"Action: {action}"), "(Statement.Action)", *words)


@pytest.mark.parametrize(
    ("arn", "words"),
    [
        ("arn:awz:s3:::b", ("invalid partition `awz` in resource `arn:awz:s3:::b`", "known partitions")),
        (
            "arn:aws:iam:us-east-1:111111111111:role/x",
            ("cannot contain region information", "IAM is global"),
        ),
        ("arn:aws:s3:us-east-1::b", ("S3 resource", "cannot contain region information")),
        ("arn:aws:s3:::", ("empty resource part",)),
        ("not-an-arn", ("must be in ARN format or `*`",)),
        ("arn:aws:iam::12345:role/x", ("invalid account `12345`", "12 digits")),
    ],
)
def test_invalid_resource_arn(
    arn: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace(f"Resource: {ROLE_ARN}", f'Resource: "{arn}"'))
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, f'Resource: "{arn}"'),
        "(Statement.Resource)",
        *words,
        code="invalid-policy",
    )


@pytest.mark.parametrize(
    ("principal", "words"),
    [
        ("arn:aws:iam::111111111111:role/Dev*", ("cannot contain wildcards", "partial wildcards")),
        ("arn:aws:iam::*:root", ("cannot contain wildcards",)),
        ("1111*", ("invalid AWS principal `1111*`",)),
        ("arn:aws:iam::12345:root", ("invalid account `12345` in ARN", "12 digits")),
        ("12345", ("invalid AWS principal `12345`",)),
    ],
)
def test_invalid_principal(
    principal: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken(TRUST_STATEMENT, TRUST_STATEMENT.replace("arn:aws:iam::111111111111:root", f'"{principal}"'))
    refused_scenario(tmp_path, capsys, text, position(text, "Principal:"), "(Statement.Principal.AWS)", *words)


def condition(operator: str, key: str, value: str) -> str:
    return broken(
        TRUST_STATEMENT,
        TRUST_STATEMENT + f"            Condition:\n              {operator}:\n                {key}: {value}\n",
    )


def test_unknown_condition_operator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = condition("StringEqualz", "sts:ExternalId", "x")
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "            Condition:", at=12),
        "(Statement.Condition.StringEqualz)",
        "unknown condition operator `StringEqualz`",
        "did you mean `StringEquals`?",
    )


@pytest.mark.parametrize(
    ("operator", "key", "value", "words"),
    [
        ("IpAddress", "aws:SourceIp", "10.0.0.0/33", ("`10.0.0.0/33` is not a valid IP address or CIDR range",)),
        ("IpAddress", "aws:SourceIp", "300.1.1.1", ("`300.1.1.1` is not a valid IP address",)),
        ("DateGreaterThan", "aws:CurrentTime", "yesterday", ("`yesterday` is not a valid date",)),
        ("NumericLessThan", "aws:MultiFactorAuthAge", "ten", ("`ten` is not a valid number",)),
        ("Bool", "aws:MultiFactorAuthPresent", "maybe", ("maybe",)),
    ],
)
def test_condition_value_that_does_not_parse(
    operator: str,
    key: str,
    value: str,
    words: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = condition(operator, key, value)
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "            Condition:", at=12),
        f"(Statement.Condition.{operator}.{key})",
        *words,
        f"`{operator}`" if operator != "Bool" else "Bool",
    )


@pytest.mark.parametrize(
    ("resource", "words"),
    [
        ("arn:aws:iam::999999999999:role/${aws:username", ("missing brace in variable `${aws:username`",)),
        ("arn:aws:iam::999999999999:role/${}", ("variable",)),
        ("arn:aws:iam::${aws:PrincipalAccount}:role/x", ("policy variable outside the resource part",)),
    ],
)
def test_malformed_policy_variable(
    resource: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken(GROUP_STATEMENT, GROUP_STATEMENT.replace(f"Resource: {ROLE_ARN}", f'Resource: "{resource}"'))
    refused_scenario(tmp_path, capsys, text, position(text, "Resource: "), "(Statement.Resource)", *words)


# ------------------------------------------------------------------ scenario references and expectations


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        (
            "    principal: Jane\n",
            "    principal: Janet\n",
            "principal: Janet",
            ("(tests[1].principal)", "unknown principal `Janet`"),
        ),
        (
            "    principal: arn:aws:iam::111111111111:root\n",
            "    principal: arn:aws:iam::111111111111:user/Nobody\n",
            "principal: arn",
            ("unknown user",),
        ),
        (
            "    assume: [UpdateData]\n",
            "    assume: [UpdateDta]\n",
            "UpdateDta",
            ("(tests[3].assume[0])", "unknown role `UpdateDta`", "UpdateData"),
        ),
        (
            "groups: [Developers]",
            "groups: [Developer]",
            "Developer]",
            ("unknown group `Developer` in account `111111111111`", "`Developers`"),
        ),
        (
            "          - read-write-app-bucket\n",
            "          - read-write-app-buckets\n",
            "- read-write-app-buckets",
            ("unknown policy `read-write-app-buckets` in account `999999999999`",),
        ),
        (
            "          - arn:aws:iam::aws:policy/PowerUserAccess\n",
            "          - arn:aws:iam::aws:policy/PowerUsrAccess\n",
            "- arn:aws:iam::aws:policy/PowerUsrAccess",
            ("unknown AWS managed policy `arn:aws:iam::aws:policy/PowerUsrAccess`", "--managed-policies"),
        ),
        (
            "        groups: [Developers]\n",
            "        groups: [Developers]\n        permissions_boundary: nope\n",
            "permissions_boundary",
            ("unknown policy `nope`",),
        ),
    ],
)
def test_unknown_reference(
    old: str,
    new: str,
    needle: str,
    words: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = broken(old, new)
    line = position(text, needle)[0]
    path = write(tmp_path, text)
    run = check(path, capsys)
    assert run.code == 2, run.err
    assert run.error["code"] == "unresolved-reference"
    assert run.error["line"] == line, (run.err, line)
    assert f"policysim: error: {path}:{line}:{run.error['column']}" in run.err
    for word in words:
        assert word in run.err


def test_bucket_reference_disagreeing_with_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A test's `resource_account` for a declared bucket must agree with the account that declares it."""
    text = broken(
        "    action: s3:DeleteBucket\n", '    action: s3:DeleteBucket\n    resource_account: "111111111111"\n'
    )
    test_line = position(text, "  - name: the role cannot delete the bucket itself", at=4)
    refused_scenario(
        tmp_path,
        capsys,
        text,
        test_line,
        "`resource_account` `111111111111` disagrees with the model",
        "belongs to `999999999999`",
    )


def org(body: str) -> str:
    return broken(
        'accounts:\n  "111111111111":', f'organization:\n  id: o-exampleorg1\n{body}accounts:\n  "111111111111":'
    )


def test_unknown_organizational_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = org('  units:\n    Dev: {parent: Nope, accounts: ["111111111111"]}\n')
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "parent: Nope"),
        "unknown parent unit `Nope` of `Dev`",
        code="unresolved-reference",
    )


def test_unknown_scp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = org('  root: {scps: [Nope], accounts: ["111111111111"]}\n')
    refused_scenario(tmp_path, capsys, text, position(text, "Nope"), "unknown SCP `Nope`", code="unresolved-reference")


def test_unknown_scp_on_an_empty_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = org("  units:\n    Dev: {scps: [Nope]}\n")
    refused_scenario(tmp_path, capsys, text, position(text, "Nope"), "unknown SCP `Nope`")


@pytest.mark.parametrize("value", ["allow", "Allowed", "deny", "true"])
def test_invalid_expectation(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken("    expect: allowed\n", f"    expect: {value}\n")
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, f"expect: {value}"),
        "(tests[0].expect)",
        "`expect` must be 'allowed', 'denied', 'explicitDeny', 'implicitDeny' or 'undetermined'",
    )


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('  "999999999999":\n', '  "12345":\n', ("account id `12345` must be 12 digits",)),
        (
            "    principal: arn:aws:iam::111111111111:root\n",
            "    principal: arn:aws:iam::12345:root\n",
            ("invalid account `12345` in ARN",),
        ),
    ],
)
def test_invalid_account_id_in_the_scenario(
    old: str, new: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken(old, new)
    refused_scenario(tmp_path, capsys, text, position(text, new.strip()), *words)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        pytest.param(
            '    action: ec2:DescribeInstances\n    resource: "*"\n',
            '    action: ec2:DescribeInstances\n    resource: "*"\n    resource_account: "12345"\n',
            ("12345",),
            id="resource_account",
        ),
        pytest.param(
            "    action: ec2:DescribeInstances\n",
            "    action: ec2:Describe:Instances\n",
            ("invalid request action `ec2:Describe:Instances`",),
            id="action-two-colons",
        ),
        pytest.param(
            "    action: ec2:DescribeInstances\n",
            "    action: DescribeInstances\n",
            ("invalid request action `DescribeInstances`", "no wildcards"),
            id="action-no-prefix",
        ),
        pytest.param(
            "    action: ec2:DescribeInstances\n",
            '    action: "ec2:*"\n',
            ("invalid request action `ec2:*`", "no wildcards"),
            id="action-wildcard",
        ),
        pytest.param(
            "    action: ec2:DescribeInstances\n",
            "    action: ec2:DescribeInstances\n    resource: arn:awz:s3:::b\n",
            ("invalid partition `awz`",),
            id="resource-partition",
        ),
    ],
)
def test_invalid_test_request(
    old: str, new: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken(old, new)
    if "resource: arn:awz" in new:  # a second `resource:` would be a duplicate key; drop the original one
        text = text.replace('arn:awz:s3:::b\n    resource: "*"\n', "arn:awz:s3:::b\n", 1)
    path = write(tmp_path, text)
    run = check(path, capsys)
    assert run.code == 2, (run.code, run.err)
    test_line = position(text, "  - name: the role reaches no other resource in Destination")[0]
    assert f"{path}:" in run.err
    assert run.error["line"] is not None and int(str(run.error["line"])) >= test_line
    for word in words:
        assert word in run.err


# ------------------------------------------------------------------ usage and internal errors


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    run = run_cli(["check", str(missing), "--format", "json"], capsys)
    assert run.code == 2
    assert f"policysim: error: {missing}: no such file or directory" in run.err


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["frobnicate"], capsys)
    assert run.code == 2
    assert "frobnicate" in run.err
    assert "policysim --help" in run.err


def test_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["check", str(write(tmp_path, FOUNDING)), "--format", "yaml"], capsys)
    assert run.code == 2
    assert "unknown format `yaml`" in run.err


def test_unknown_file_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, FOUNDING, "scenario.txt")
    run = check(path, capsys)
    assert run.code == 2
    assert "unknown file type" in run.err


def test_one_bad_file_among_good_ones_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An input error anywhere is exit 2 even when every other test passes: never a green gate."""
    write(tmp_path, FOUNDING, "a-good.yaml")
    write(tmp_path, broken("    expect: allowed\n", "    expect: allow\n"), "b-bad.yaml")
    run = run_cli(["check", str(tmp_path), "--format", "json"], capsys)
    assert run.code == 2
    report = json.loads(run.out)
    assert [s.get("error") is None for s in report["scenarios"]] == [True, False]


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("synthetic failure")


def test_internal_error_is_exit_3_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICYSIM_DEBUG", raising=False)
    monkeypatch.setattr("policysim.cli.Scenario.load", _boom)
    run = run_cli(["check", str(write(tmp_path, FOUNDING)), "--format", "json"], capsys)
    assert run.code == 3
    assert "policysim: internal error: RuntimeError: synthetic failure" in run.err
    assert "POLICYSIM_DEBUG=1" in run.err


def test_internal_error_traceback_with_debug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYSIM_DEBUG", "1")
    monkeypatch.setattr("policysim.cli.Scenario.load", _boom)
    with pytest.raises(SystemExit) as exited:
        main(["check", str(write(tmp_path, FOUNDING)), "--format", "json"])
    assert exited.value.code == 3
    assert "Traceback" in capsys.readouterr().err


# ------------------------------------------------------------------ loaders directly


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: 1\n---\nb: 2\n",
        "? [a]\n: 1\n",
        "a: 0x1f\n",
        "a: .inf\n",
        "a: 1_000\n",
        "a: 1:30\n",
        'a: "\\ud800"\n',
    ],
)
def test_yaml_loader_refuses(text: str) -> None:
    from policysim.errors import ParseError, SchemaError

    with pytest.raises((ParseError, SchemaError)) as raised:
        load_yaml(text, "t.yaml")
    location = raised.value.location
    assert location is not None and location.file == "t.yaml" and location.line is not None


@pytest.mark.parametrize(
    "text",
    ['{"a": NaN}', '{"a": 1,}', "{'a': 1}", '{"a": "\\ud800"}', '{"a": 1} {"b": 2}', '{"a": 1, "a": 2}', "[1e999]"],
)
def test_json_loader_refuses(text: str) -> None:
    from policysim.errors import ParseError, SchemaError

    with pytest.raises((ParseError, SchemaError)) as raised:
        load_json(text, "t.json")
    location = raised.value.location
    assert location is not None and location.file == "t.json" and location.line is not None


# ------------------------------------------------------------------ unsupported constructs


@pytest.mark.parametrize("action", ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"])
def test_federated_assume_role_flows_are_refused(
    action: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = broken(
        "  - name: David can switch to UpdateData\n    principal: David\n    action: sts:AssumeRole\n",
        f"  - name: David can switch to UpdateData\n    principal: David\n    action: {action}\n",
    )
    path = write(tmp_path, text)
    run = check(path, capsys)
    assert run.code == 2, (run.code, run.err)
    assert run.error["code"] == "unsupported"
    assert action in run.err


def test_federated_user_principal_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = broken(
        "    principal: arn:aws:iam::111111111111:root\n",
        "    principal: arn:aws:sts::111111111111:federated-user/bob\n",
    )
    refused_scenario(
        tmp_path,
        capsys,
        text,
        position(text, "principal: arn:aws:sts"),
        "federated user principals are not modelled in scenarios",
        code="unsupported",
    )


# ------------------------------------------------------------------ hostile patterns stay fast


def test_hostile_wildcard_against_a_long_key() -> None:
    """`a*a*a*a*a*a*a*a*b` against the longest resource AWS accepts (2,048 characters, botocore ResourceNameType;
    a request's resource is held to it since issue 16) finishes (backtracking would not)."""
    from policysim import Decision, Scenario

    policy = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::a*a*a*a*a*a*a*a*b"},
    }
    scenario = Scenario.from_dict(
        {"scenario": "hostile", "accounts": {"111111111111": {"users": {"u": {"inline_policies": {"p": policy}}}}}}
    )
    miss = scenario.evaluate("u", "s3:ListBucket", "arn:aws:s3:::" + "a" * 2035)
    assert miss.decision is Decision.IMPLICIT_DENY
    hit = scenario.evaluate("u", "s3:ListBucket", "arn:aws:s3:::" + "a" * 2034 + "b")
    assert hit.decision is Decision.ALLOWED


def test_hostile_string_like_condition_against_a_long_value() -> None:
    from policysim import Decision, Scenario

    policy = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringLike": {"s3:prefix": "*a*a*a*a*a*a*a*a*a*b"}},
        },
    }
    allow = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    scenario = Scenario.from_dict(
        {
            "scenario": "hostile",
            "accounts": {"111111111111": {"users": {"u": {"inline_policies": {"deny": policy, "allow": allow}}}}},
        }
    )
    value = "a" * 100_000
    outcome = scenario.evaluate("u", "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": value})
    assert outcome.decision is Decision.ALLOWED
    outcome = scenario.evaluate("u", "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": value + "b"})
    assert outcome.decision is Decision.EXPLICIT_DENY


@pytest.mark.parametrize("text", ["a: 1e3\n", "a: 0E0\n"])
def test_exponent_without_dot_is_ambiguous(text: str) -> None:
    from policysim.errors import ParseError

    with pytest.raises(ParseError, match="ambiguous"):
        load_yaml(text, "t.yaml")


@pytest.mark.parametrize("name", ["deny assume", "line\\nbreak", "pipe|name", "x" * 129])
def test_invalid_policy_name(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """IAM policy names are 1-128 of `[\\w+=,.@-]`: anything else (a space, a newline, a pipe) is refused."""
    text = broken("deny-assume-S3-role-in-destination:", f'"{name}":')
    refused_scenario(
        tmp_path, capsys, text, position(text, f'"{name}"'), "invalid policy name", "1 to 128", code="schema-error"
    )
