"""Loading the configuration: both file kinds, discovery, relative paths, the environment on top."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policysim.config as config_module
from policysim.config import Config, Suppression, load_config
from policysim.errors import ConfigError, ParseError, PolicysimError, SchemaError

YAML_ALL = """\
paths: [scenarios, more/x.yaml]
format: [json, sarif]
managed_policies: aws/managed.json
fail_on: any-change
accept: accepted.yaml
base_ref: origin/main
catalogue: builtin
suppress:
  - test: "alice *"
    file: "scenarios/*.yaml"
    reason: TICKET-1
  - test: other
    reason: "  spaces are trimmed  "
"""

TOML_ALL = """\
[project]
name = "demo"

[tool.policysim]
paths = ["scenarios", "more/x.yaml"]
format = ["json", "sarif"]
managed_policies = "aws/managed.json"
fail_on = "any-change"
accept = "accepted.yaml"
base_ref = "origin/main"
catalogue = "builtin"

[[tool.policysim.suppress]]
test = "alice *"
file = "scenarios/*.yaml"
reason = "TICKET-1"

[[tool.policysim.suppress]]
test = "other"
reason = "  spaces are trimmed  "
"""


def check_all_keys(config: Config, source: str) -> None:
    assert config.source == source
    assert config.paths == (Path("scenarios"), Path("more/x.yaml"))
    assert config.formats == ("json", "sarif")
    assert config.managed_policies == Path("aws/managed.json")
    assert config.fail_on == "any-change"
    assert config.accept == Path("accepted.yaml")
    assert config.base_ref == "origin/main"
    assert config.catalogue == "builtin"
    first, second = config.suppress
    assert (first.test, first.file, first.reason) == ("alice *", "scenarios/*.yaml", "TICKET-1")
    assert (second.test, second.file, second.reason) == ("other", None, "spaces are trimmed")
    assert first.location is not None and first.location.file == source and first.location.line is not None


def test_yaml_file_with_every_key(project: Path) -> None:
    (project / ".policysim.yaml").write_text(YAML_ALL)
    config = load_config(project, environ={})
    check_all_keys(config, ".policysim.yaml")
    assert config.suppress[0].location is not None and config.suppress[0].location.line == 9


def test_yml_suffix_is_found(project: Path) -> None:
    (project / ".policysim.yml").write_text("format: json\n")
    assert load_config(project, environ={}).formats == ("json",)


def test_pyproject_table_with_every_key(project: Path) -> None:
    (project / "pyproject.toml").write_text(TOML_ALL)
    config = load_config(project, environ={})
    check_all_keys(config, "pyproject.toml")
    where = config.suppress[1].location
    assert where is not None and where.line == 18 and where.path == ("tool", "policysim", "suppress", 1)


def test_no_file_gives_empty_config(project: Path) -> None:
    assert load_config(project, environ={}) == Config()


def test_pyproject_without_table_is_not_a_config(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "policysim-demo"\n\n[tool.ruff]\nline-length = 100\n')
    assert load_config(project, environ={}) == Config()


def test_pyproject_table_named_with_an_escape_is_found(project: Path) -> None:
    """A quoted key may spell `policysim` with unicode escapes: the file is still read, never skipped unseen."""
    (project / "pyproject.toml").write_text('[tool."\\u0070olicysim"]\nformat = "json"\n')
    assert load_config(project, environ={}).formats == ("json",)


@pytest.mark.parametrize(
    "text",
    [
        '[tool.policysim]\nformat = "json"\n',
        '  [ tool . "policysim" ]  # spaced and quoted\nformat = "json"\n',
        "[tool.'policysim']\nformat = 'json'\n",
        '[tool]\npolicysim.format = "json"\n',
        '["tool"]\npolicysim = {format = "json"}\n',
        'tool.policysim.format = "json"\n',
        'tool = {policysim = {format = "json"}}\n',
        '"tool".policysim = {format = "json"}\n',
        'name = "x"\r\n[tool.policysim]\r\nformat = "json"\r\n',
        '[tool."\\u0070olicysim"]\nformat = "json"\n',
        '[[tool.policysim.suppress]]\ntest = "t"\nreason = "r"\n[tool.policysim]\nformat = "json"\n',
    ],
)
def test_every_spelling_of_the_table_is_found(project: Path, text: str) -> None:
    (project / "pyproject.toml").write_text(text)
    assert load_config(project, environ={}).formats == ("json",)


def test_a_pyproject_that_names_policysim_only_as_a_package_is_not_parsed() -> None:
    """This project's own pyproject.toml names policysim as its name, a script and a package; no line of it can make
    the table, so `check` run here imports no TOML parser (docs/performance.md, start-up)."""
    own = Path(__file__).resolve().parents[2] / "pyproject.toml"
    with mock.patch.object(config_module, "_toml_table", side_effect=AssertionError("parsed")):
        assert not config_module._has_table(own, "pyproject.toml")
    assert "policysim" in own.read_text()


def test_format_may_be_one_string(project: Path) -> None:
    (project / ".policysim.yaml").write_text("format: junit\n")
    assert load_config(project, environ={}).formats == ("junit",)


def test_catalogue_file_is_relative_to_the_config(project: Path) -> None:
    (project / "sub").mkdir()
    (project / ".policysim.yaml").write_text("catalogue: data/catalogue.json\n")
    assert load_config(project, environ={}).catalogue == "data/catalogue.json"
    below = load_config(project / "sub", environ={})
    assert below.catalogue == str(project / "data" / "catalogue.json")
    assert below.source == str(project / ".policysim.yaml")


# -- discovery ------------------------------------------------------------------------------------------------------


def test_search_goes_upward_and_paths_are_relative_to_the_file(project: Path) -> None:
    (project / ".policysim.yaml").write_text("paths: [scenarios]\nmanaged_policies: m.json\n")
    deep = project / "a" / "b"
    deep.mkdir(parents=True)
    config = load_config(deep, environ={})
    assert config.source == str(project / ".policysim.yaml")
    assert config.paths == (project / "scenarios",)
    assert config.managed_policies == project / "m.json"


def test_the_nearest_directory_wins(project: Path) -> None:
    (project / ".policysim.yaml").write_text("format: json\n")
    (project / "sub").mkdir()
    (project / "sub" / "pyproject.toml").write_text('[tool.policysim]\nformat = "junit"\n')
    assert load_config(project / "sub", environ={}).formats == ("junit",)


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".policysim.yaml").write_text("format: json\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert load_config(repo, environ={}) == Config()
    assert load_config(tmp_path, environ={}).formats == ("json",)


def test_search_stops_at_a_project_root_outside_git(tmp_path: Path) -> None:
    """A pyproject.toml marks the top of a project even without .git (an sdist, a container build context)."""
    (tmp_path / ".policysim.yaml").write_text("suppress: [{test: '*', reason: everything}]\n")
    project = tmp_path / "proj"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(project / "sub", environ={}) == Config()


@pytest.mark.parametrize("other", [".policysim.yml", "pyproject.toml"])
def test_two_configs_in_one_directory_is_an_error(project: Path, other: str) -> None:
    (project / ".policysim.yaml").write_text("format: json\n")
    (project / other).write_text('[tool.policysim]\nformat = "json"\n' if other.endswith(".toml") else "format: json\n")
    with pytest.raises(ConfigError) as caught:
        load_config(project, environ={})
    assert "`.policysim.yaml`" in caught.value.message and f"`{other}`" in caught.value.message


def test_explicit_file_beats_discovery_and_environment(project: Path) -> None:
    (project / ".policysim.yaml").write_text("format: json\n")
    (project / "ci.yaml").write_text("format: sarif\n")
    (project / "env.yaml").write_text("format: junit\n")
    assert load_config(project, Path("ci.yaml"), {"POLICYSIM_CONFIG": "env.yaml"}).formats == ("sarif",)
    assert load_config(project, None, {"POLICYSIM_CONFIG": "env.yaml"}).formats == ("junit",)
    assert load_config(project, None, {"POLICYSIM_CONFIG": ""}).formats == ("json",)


def test_explicit_toml_needs_the_table(project: Path) -> None:
    (project / "other.toml").write_text("[tool.other]\nx = 1\n")
    with pytest.raises(ConfigError, match=r"has no `\[tool.policysim\]` table"):
        load_config(project, Path("other.toml"), {})


def test_explicit_file_must_exist(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"configuration file `nope.yaml` \(from --config\) does not exist"):
        load_config(project, Path("nope.yaml"), {})
    with pytest.raises(ConfigError, match=r"\(from POLICYSIM_CONFIG\) is not a file"):
        load_config(project, None, {"POLICYSIM_CONFIG": "scenarios"})


def test_explicit_file_of_unknown_kind(project: Path) -> None:
    (project / "config.ini").write_text("[x]\n")
    with pytest.raises(ConfigError, match="unknown file type"):
        load_config(project, Path("config.ini"), {})


# -- environment ----------------------------------------------------------------------------------------------------


def test_environment_overrides_the_file(project: Path) -> None:
    (project / ".policysim.yaml").write_text(YAML_ALL)
    env = {
        "POLICYSIM_PATHS": os.pathsep.join(["a", "b/c.yaml"]),
        "POLICYSIM_FORMAT": "text, github",
        "POLICYSIM_MANAGED_POLICIES": "env.json",
        "POLICYSIM_FAIL_ON": "never",
        "POLICYSIM_ACCEPT": "env-accept.yaml",
        "POLICYSIM_BASE_REF": "HEAD~1",
        "POLICYSIM_CATALOGUE": "none",
    }
    config = load_config(project, environ=env)
    assert config.paths == (Path("a"), Path("b/c.yaml"))
    assert config.formats == ("text", "github")
    assert config.managed_policies == Path("env.json")
    assert config.fail_on == "never"
    assert config.accept == Path("env-accept.yaml")
    assert config.base_ref == "HEAD~1"
    assert config.catalogue == "none"
    assert len(config.suppress) == 2  # suppressions only come from the file


def test_empty_environment_variables_count_as_unset(project: Path) -> None:
    (project / ".policysim.yaml").write_text(YAML_ALL)
    names = ("PATHS", "FORMAT", "MANAGED_POLICIES", "FAIL_ON", "ACCEPT", "BASE_REF", "CATALOGUE", "CONFIG")
    config = load_config(project, environ={f"POLICYSIM_{name}": "" for name in names})
    check_all_keys(config, ".policysim.yaml")


def test_environment_without_a_file(project: Path) -> None:
    config = load_config(project, environ={"POLICYSIM_FORMAT": "json"})
    assert config == Config(formats=("json",))


def test_os_environ_is_the_default(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYSIM_BASE_REF", "main")
    assert load_config(project).base_ref == "main"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("POLICYSIM_FAIL_ON", "sometimes", "`POLICYSIM_FAIL_ON` must be one of new-access, any-change, never"),
        ("POLICYSIM_FORMAT", "json,yaml", "`POLICYSIM_FORMAT`: unknown format `yaml`"),
        ("POLICYSIM_FORMAT", ",", "`POLICYSIM_FORMAT` names no format"),
        ("POLICYSIM_PATHS", os.pathsep, "`POLICYSIM_PATHS` names no path"),
    ],
)
def test_bad_environment_values(project: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(project, environ={name: value})
    assert message in caught.value.message


def test_environment_values_are_trimmed(project: Path) -> None:
    config = load_config(project, environ={"POLICYSIM_FAIL_ON": " never ", "POLICYSIM_PATHS": " scenarios "})
    assert config.fail_on == "never" and config.paths == (Path("scenarios"),)


# -- malformed files (the located messages; the CLI exit codes are in test_config_cli.py) ---------------------------


@pytest.mark.parametrize(
    ("text", "kind", "where", "message"),
    [
        ("paths: [a]\nformt: json\n", SchemaError, ".policysim.yaml:2:1 (formt)", "unknown key `formt`"),
        ("paths: scenarios\n", SchemaError, ".policysim.yaml:1:1 (paths)", "`paths` must be a list"),
        ("fail_on: New-Access\n", SchemaError, ".policysim.yaml:1:1 (fail_on)", "`fail_on` must be 'new-access'"),
        ("format: [json, xml]\n", SchemaError, ".policysim.yaml:1:16 (format[1])", "unknown format `xml`"),
        ("format: 3\n", SchemaError, ".policysim.yaml:1:1 (format)", "`format` must be a string or a list"),
        ("managed_policies: ''\n", SchemaError, ".policysim.yaml:1:1 (managed_policies)", "must not be empty"),
        ("base_ref: 12\n", SchemaError, ".policysim.yaml:1:1 (base_ref)", "`base_ref` must be a string"),
        ("suppress:\n  - test: x\n", SchemaError, ".policysim.yaml:2:5 (suppress[0].reason)", "missing required key"),
        (
            "suppress:\n  - test: x\n    reason: ' '\n",
            SchemaError,
            ".policysim.yaml:3:5 (suppress[0].reason)",
            "`reason` of a suppression must not be empty",
        ),
        ("suppress:\n  - tset: x\n    reason: r\n", SchemaError, "(suppress[0].tset)", "did you mean `test`?"),
        ("[a, b]\n", SchemaError, ".policysim.yaml:1:1", "the configuration must be a mapping"),
        ("paths: [a\n", ParseError, ".policysim.yaml:", ""),
        ("a: 1\na: 2\n", SchemaError, ".policysim.yaml:2:1", "duplicate key `a`"),
        ("paths: [a]\nfail_on: yes\n", ParseError, ".policysim.yaml:2:10", "`yes` is ambiguous"),
    ],
)
def test_malformed_yaml(project: Path, text: str, kind: type[PolicysimError], where: str, message: str) -> None:
    (project / ".policysim.yaml").write_text(text)
    with pytest.raises(kind) as caught:
        load_config(project, environ={})
    rendered = caught.value.render()
    assert where in rendered and message in rendered


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ('paths = ["a"]\nformt = "json"\n', "pyproject.toml:3:1 (tool.policysim.formt)", "unknown key `formt`"),
        ('fail_on = "maybe"\n', "pyproject.toml:2:1 (tool.policysim.fail_on)", "`fail_on` must be"),
        ("paths = 1\n", "pyproject.toml:2:1 (tool.policysim.paths)", "`paths` must be a list"),
        (
            '\n[[tool.policysim.suppress]]\ntest = "x"\nreason = ""\n',
            "pyproject.toml:5:1 (tool.policysim.suppress[0].reason)",
            "must not be empty",
        ),
        (
            '\n[[tool.policysim.suppress]]\ntest = "x"\n',
            "pyproject.toml:3:1 (tool.policysim.suppress[0].reason)",
            "missing required key `reason`",
        ),
        ("paths = [\n", "pyproject.toml:", "invalid TOML"),
    ],
)
def test_malformed_toml(project: Path, body: str, where: str, message: str) -> None:
    (project / "pyproject.toml").write_text("[tool.policysim]\n" + body)
    with pytest.raises(SchemaError if "TOML" not in message else ParseError) as caught:
        load_config(project, environ={})
    rendered = caught.value.render()
    assert where in rendered and message in rendered


def test_tool_policysim_must_be_a_table(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool]\npolicysim = "yes"\n')
    with pytest.raises(SchemaError, match="must be a mapping"):
        load_config(project, environ={})


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_unreadable_file(project: Path) -> None:
    config = project / ".policysim.yaml"
    config.write_text("format: json\n")
    config.chmod(0)
    try:
        with pytest.raises(ParseError, match="cannot read file"):
            load_config(project, environ={})
    finally:
        config.chmod(0o644)


def test_unreadable_pyproject(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text('[tool.policysim]\nformat = "json"\n')

    real_open = os.open

    def refuse(path: str | Path, flags: int, *args: int) -> int:
        if Path(path).name == "pyproject.toml":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)  # the loader opens every user-named file with os.open
    with pytest.raises(ParseError, match=r"pyproject\.toml: cannot read file: permission denied"):
        load_config(project, environ={})


def test_config_that_is_not_utf8(project: Path) -> None:
    (project / ".policysim.yaml").write_bytes(b"format: \xff\n")
    with pytest.raises(ParseError, match=r".policysim.yaml:1:9: input is not valid UTF-8"):
        load_config(project, environ={})


def test_suppression_string_names_its_place() -> None:
    suppression = Suppression("a*", "x.yaml", "why", None)
    assert str(suppression) == "suppression of test `a*` in file `x.yaml`"


def test_the_fail_on_levels_of_the_configuration_are_the_gates() -> None:
    from policysim.config import FAIL_ON
    from policysim.enums import FailOn

    assert tuple(level.value for level in FailOn) == FAIL_ON


def test_a_configuration_that_is_not_a_regular_file_is_not_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".policysim.yaml").symlink_to(tmp_path / "missing.yaml")
    with pytest.raises(PolicysimError, match="broken symbolic link"):
        load_config(tmp_path, None, {})


_TOML_LINES = [
    "[tool]",
    "[tool.policysim]",
    "[ tool . 'policysim' ]",
    "[[tool.policysim.suppress]]",
    "[tool.ruff]",
    "[project]",
    "[project.scripts]",
    'policysim = "policysim.cli:main"',
    'policysim.format = "json"',
    "policysim = {}",
    'tool.policysim.format = "json"',
    "tool = {policysim = {}}",
    '"tool".policysim = {}',
    'name = "policysim"',
    'packages = ["policysim"]',
    "x = [",
    "  [1],",
    "]",
    's = """',
    "[fake]",
    '"""',
    'test = "t"',
    'reason = "r"',
    "# policysim",
    "",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOML_LINES), max_size=10), st.sampled_from(["\n", "\r\n"]))
def test_the_pre_check_never_misses_a_table_tomllib_finds(lines: list[str], newline: str) -> None:
    import tomllib

    text = newline.join(lines) + newline
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return
    if isinstance(tool, dict) and "policysim" in tool:
        assert config_module._MAY_HOLD_TABLE.search(text) is not None, text
