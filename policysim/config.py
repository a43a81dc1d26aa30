"""Configuration of `policysim check`, `diff` and `validate`: `.policysim.yaml` or `[tool.policysim]` in pyproject.toml.

Precedence: file < environment < command line; `load_config` gives file + environment, the CLI applies its options.
Discovery: `--config FILE`, else `POLICYSIM_CONFIG`, else the first directory from the working directory upward that
holds `.policysim.yaml`/`.policysim.yml` or a pyproject.toml with a `[tool.policysim]` table (never above the top of
the project: a directory holding `.git` or a pyproject.toml, or the home directory). Two configurations in one
directory are an error. See docs/configuration.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, get_args

from policysim.enums import ReportFormat
from policysim.errors import ConfigError, Location, ParseError, PathPart, SchemaError
from policysim.load import load_file, read_limited
from policysim.load.document import decode_input
from policysim.model.records import ConfigFile, FindingSuppressionEntry, SuppressionEntry
from policysim.model.wire import Locator, read
from policysim.model.wire_types import FailOnLevel

YAML_NAMES = (".policysim.yaml", ".policysim.yml")
PYPROJECT = "pyproject.toml"
FAIL_ON: tuple[str, ...] = get_args(FailOnLevel)
FORMATS = tuple(f.value for f in ReportFormat)
TOML_TABLE = ("tool", "policysim")
ENV_CONFIG = "POLICYSIM_CONFIG"


@dataclass(frozen=True)
class Suppression:
    """A test reported as skipped, with the reason why; `test` and `file` are globs (`*`, `?`)."""

    test: str  # glob on the test name
    file: str | None  # glob on the scenario file path as given or relative to the config dir, posix; None = any
    reason: str  # required, non-empty
    location: Location | None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        scope = f" in file `{self.file}`" if self.file else ""
        return f"{where}suppression of test `{self.test}`{scope}"


@dataclass(frozen=True)
class FindingSuppression:
    """A `policysim validate` finding reported as suppressed, with the reason why; every field but `reason` is a glob
    (`*`, `?`): `code` on the finding's code, `file` on its file (as for `Suppression`), `policy` and `statement` on
    the finding's policy and statement (Sid or `#N`). An absent field matches anything."""

    code: str
    file: str | None
    policy: str | None
    statement: str | None
    reason: str  # required, non-empty
    location: Location | None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        scope = "".join(
            f" in {name} `{value}`"
            for name, value in (("file", self.file), ("policy", self.policy), ("statement", self.statement))
            if value
        )
        return f"{where}suppression of finding `{self.code}`{scope}"


@dataclass(frozen=True)
class Config:
    """Settings from a configuration file and the environment."""

    source: str | None = None  # the file it came from, None when no file
    paths: tuple[Path, ...] = ()  # default PATH arguments of check and diff
    formats: tuple[str, ...] = ()  # default --format of check
    managed_policies: Path | None = None
    fail_on: str | None = None  # diff gate level: new-access | any-change | never
    accept: Path | None = None  # diff --accept file
    base_ref: str | None = None  # diff --base-ref
    catalogue: str | None = None  # diff --catalogue: FILE | builtin | none
    suppress: tuple[Suppression, ...] = ()
    suppress_findings: tuple[FindingSuppression, ...] = ()  # `policysim validate`

    def relative_name(self, file: str, cwd: Path) -> str:
        """A file's path as suppression `file` globs see it: relative to the configuration file's directory (posix),
        or absolute when the file lies outside it (relative names are relative to `cwd`)."""
        here = Path(os.path.abspath(cwd))
        base = Path(os.path.normpath(here / self.source)).parent if self.source else here
        full = Path(os.path.normpath(here / file))
        return full.relative_to(base).as_posix() if full.is_relative_to(base) else full.as_posix()


# ---------------------------------------------------------------- loading


def load_config(cwd: Path, explicit: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """file < environment; the CLI applies its own options on top."""
    env = os.environ if environ is None else environ
    here = Path(os.path.abspath(cwd))
    found = find_config(here, explicit, env)
    config = read_config(found, here) if found is not None else Config()
    return with_environment(config, env, here)


def find_config(cwd: Path, explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The configuration file to use: `explicit`, else $POLICYSIM_CONFIG, else the one found upward from `cwd`."""
    if explicit is not None:
        return _named(cwd, explicit, "--config")
    named = _env(environ, ENV_CONFIG)
    if named is not None:
        return _named(cwd, Path(named), ENV_CONFIG)
    return _search(cwd)


def _named(cwd: Path, path: Path, via: str) -> Path:
    full = cwd / path
    if not full.is_file():
        problem = "is not a file" if full.exists() else "does not exist"
        raise ConfigError(f"configuration file `{path}` (from {via}) {problem}")
    return full


def _search(cwd: Path) -> Path | None:
    for directory in (cwd, *cwd.parents):
        # anything by that name counts (a broken link, a FIFO): reading it then fails, located, instead of the
        # configuration being silently ignored
        found = [directory / name for name in YAML_NAMES if os.path.lexists(directory / name)]
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject, _shown(pyproject, cwd)):
            found.append(pyproject)
        if len(found) > 1:
            names = " and ".join(f"`{_shown(path, cwd)}`" for path in found)
            raise ConfigError(f"two configuration files in one directory: {names}", hint="keep only one of them")
        if found:
            return found[0]
        if (directory / ".git").exists() or pyproject.is_file() or directory == Path.home():
            return None  # the top of the project (a repository, a pyproject.toml, or the home directory)
    return None


# The lines that can make a `tool.policysim` table, as TOML writes them (each on a line of its own): a table header
# naming policysim (`[tool.policysim]`, `[[tool.policysim.suppress]]`, any spacing or quoting), the `[tool]` header
# (a `policysim` key may follow), or a key of the root table that is `tool` (`tool.policysim.format = ...`,
# `tool = {policysim = ...}`). Every line is tried, strings' lines too: what the search finds may still be no table,
# but a table is never missed. A quoted key may spell either name with escapes: a file holding one is parsed.
_MAY_HOLD_TABLE = re.compile(
    r"""^[ \t]*(?:\[[^\n]*policysim|\[[ \t]*["']?tool["']?[ \t]*\]|["']?tool["']?[ \t]*[.=])""", re.MULTILINE
)


def _has_table(pyproject: Path, shown: str) -> bool:
    """Whether a pyproject.toml holds `[tool.policysim]`: only a file with a line that could make the table is parsed
    (most projects' files, this one's too, name policysim only as a dependency, a script or a package), so a file
    that is not valid TOML is refused only when it could hold the table; one that cannot is not policysim's."""
    text = _read_text(pyproject, shown)
    escaped = "\\u" in text or "\\U" in text
    # lines the search cannot split (a lone CR, which TOML refuses): tomllib says what a file naming policysim is
    lone_returns = "policysim" in text and "\r" in text.replace("\r\n", "")
    maybe = escaped or lone_returns or _MAY_HOLD_TABLE.search(text) is not None
    return maybe and _toml_table(text, shown) is not None


def read_config(path: Path, cwd: Path) -> Config:
    """Read one configuration file (YAML, or TOML with a `[tool.policysim]` table)."""
    shown = _shown(path, cwd)
    if path.suffix.lower() == ".toml":
        text = _read_text(path, shown)
        table = _toml_table(text, shown)
        if table is None:
            raise ConfigError(f"`{shown}` has no `[tool.policysim]` table")
        return _build(table, _toml_locator(text, shown), shown, path.parent, cwd)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise ConfigError(f"cannot read configuration `{shown}`: unknown file type", hint="use .yaml, .yml or .toml")
    doc = load_file(path, shown)
    return _build(doc.data, doc.locate, shown, path.parent, cwd)


def _read_text(path: Path, shown: str) -> str:
    return decode_input(read_limited(path, shown), shown)


def _toml_table(text: str, shown: str) -> Any:
    """The value of `tool.policysim` (None when absent); TOML syntax errors located."""
    import tomllib  # only where a pyproject.toml is read (docs/architecture.md, start-up)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(at.group(1)), int(at.group(2))) if at else (max(1, len(text.splitlines())), None)
        message = str(exc).split(" (at ", 1)[0]
        raise ParseError(f"invalid TOML: {message}", Location(shown, line, column)) from None
    tool = data.get("tool")
    return tool.get("policysim") if isinstance(tool, dict) else None


def _build(data: Any, locate: Locator, shown: str, base: Path, cwd: Path) -> Config:
    """Validate the file's data and turn it into a Config (paths relative to the file's directory)."""
    if not isinstance(data, dict):
        raise SchemaError("the configuration must be a mapping of keys", locate(()))
    wire = read(ConfigFile, data, locate, "configuration")
    for key in ("managed_policies", "accept", "base_ref", "catalogue"):
        _non_empty(getattr(wire, key), key, locate((key,)))
    for index, item in enumerate(wire.paths):
        _non_empty(item, "paths", locate(("paths", index)))
    return Config(
        source=shown,
        paths=tuple(_resolve(base, item, cwd) for item in wire.paths),
        formats=_formats(wire.format, locate),
        managed_policies=_optional_path(base, wire.managed_policies, cwd),
        fail_on=wire.fail_on,
        accept=_optional_path(base, wire.accept, cwd),
        base_ref=wire.base_ref,
        catalogue=_catalogue(base, wire.catalogue, cwd),
        suppress=tuple(_suppression(entry, index, locate) for index, entry in enumerate(wire.suppress)),
        suppress_findings=tuple(
            _finding_suppression(entry, index, locate) for index, entry in enumerate(wire.suppress_findings)
        ),
    )


def _non_empty(value: str | None, key: str, where: Location) -> None:
    if value is not None and not value.strip():
        raise SchemaError(f"`{key}` must not be empty", where)


def _formats(value: Any, locate: Locator) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise SchemaError("`format` must be a string or a list of strings", locate(("format",)))
    for index, item in enumerate(items):
        if item not in FORMATS:
            where = locate(("format",) if isinstance(value, str) else ("format", index))
            raise SchemaError(f"unknown format `{item}`", where, hint=f"choose from {', '.join(FORMATS)}")
    return tuple(items)


def _suppression(entry: SuppressionEntry, index: int, locate: Locator) -> Suppression:
    for key in ("test", "reason", "file"):
        value = getattr(entry, key)
        if value is not None and not value.strip():
            hint = "say why the test may fail, e.g. a ticket" if key == "reason" else None
            raise SchemaError(f"`{key}` of a suppression must not be empty", locate(("suppress", index, key)), hint)
    return Suppression(entry.test, entry.file, entry.reason.strip(), locate(("suppress", index)))


def _finding_suppression(entry: FindingSuppressionEntry, index: int, locate: Locator) -> FindingSuppression:
    for key in ("code", "reason", "file", "policy", "statement"):
        value = getattr(entry, key)
        if value is not None and not value.strip():
            hint = "say why the finding is accepted, e.g. a ticket" if key == "reason" else None
            where = locate(("suppress_findings", index, key))
            raise SchemaError(f"`{key}` of a finding suppression must not be empty", where, hint)
    return FindingSuppression(
        entry.code,
        entry.file,
        entry.policy,
        entry.statement,
        entry.reason.strip(),
        locate(("suppress_findings", index)),
    )


def _resolve(base: Path, value: str, cwd: Path) -> Path:
    """`value` relative to `base`, shown relative to `cwd` when it lies below it."""
    full = Path(os.path.normpath(base / value))
    return Path(_shown(full, cwd))


def _optional_path(base: Path, value: str | None, cwd: Path) -> Path | None:
    return None if value is None else _resolve(base, value, cwd)


def _catalogue(base: Path, value: str | None, cwd: Path) -> str | None:
    if value is None or value in ("builtin", "none"):
        return value
    return str(_resolve(base, value, cwd))


def _shown(path: Path, cwd: Path) -> str:
    """A path relative to `cwd` when it lies below it, absolute otherwise."""
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- TOML positions (cheap: a line scan)


def _toml_locator(text: str, shown: str) -> Locator:
    lines = text.splitlines()

    def locate(path: Sequence[PathPart]) -> Location:
        line, column = _toml_position(lines, tuple(path))
        return Location(shown, line, column, (*TOML_TABLE, *path))

    return locate


def _toml_position(lines: list[str], path: tuple[PathPart, ...]) -> tuple[int | None, int | None]:
    """(line, column) of the key at `path` inside `[tool.policysim]`, else of the table header, else unknown."""
    header = _header(lines, "[tool.policysim]", 0)
    if header is None:
        return None, None
    found = _key_in_section(lines, header, path[0]) if path and isinstance(path[0], str) else None
    if path[:1] in (("suppress",), ("suppress_findings",)) and len(path) > 1 and isinstance(path[1], int):
        table = _header(lines, f"[[tool.policysim.{path[0]}]]", path[1])
        if table is not None:
            found = _key_in_section(lines, table, path[2]) if len(path) > 2 else None
            found = found or (table + 1, 1)
    return found or (header + 1, 1)


def _header(lines: list[str], header: str, nth: int) -> int | None:
    """The index of the `nth` line that is the table header `header` (spaces and quotes ignored)."""
    seen = 0
    for index, line in enumerate(lines):
        if line.split("#", 1)[0].strip().replace(" ", "").replace('"', "") == header:
            if seen == nth:
                return index
            seen += 1
    return None


def _key_in_section(lines: list[str], header: int, key: PathPart) -> tuple[int, int] | None:
    """(line, column) of `key = ...` in the section that starts after line index `header`."""
    for index in range(header + 1, len(lines)):
        stripped = lines[index].lstrip()
        if stripped.startswith("["):
            return None
        name = stripped.split("=", 1)[0].strip().strip('"')
        if "=" in stripped and name == key:
            return index + 1, len(lines[index]) - len(stripped) + 1
    return None


# ---------------------------------------------------------------- environment


def _env(environ: Mapping[str, str], name: str) -> str | None:
    """A variable's value; an empty variable counts as unset."""
    value = environ.get(name, "").strip()
    return value or None


def with_environment(config: Config, environ: Mapping[str, str], cwd: Path) -> Config:
    """The config with POLICYSIM_* variables applied on top (their paths are relative to `cwd`)."""
    changes: dict[str, Any] = {}
    if (paths := _env(environ, "POLICYSIM_PATHS")) is not None:
        changes["paths"] = tuple(Path(item.strip()) for item in paths.split(os.pathsep) if item.strip())
        if not changes["paths"]:
            raise ConfigError(f"`POLICYSIM_PATHS` names no path: `{paths}`")
    if (formats := _env(environ, "POLICYSIM_FORMAT")) is not None:
        changes["formats"] = _env_formats(formats)
    if (fail_on := _env(environ, "POLICYSIM_FAIL_ON")) is not None:
        if fail_on not in FAIL_ON:
            raise ConfigError(f"`POLICYSIM_FAIL_ON` must be one of {', '.join(FAIL_ON)}, got `{fail_on}`")
        changes["fail_on"] = fail_on
    for key in ("managed_policies", "accept", "base_ref", "catalogue"):
        if (value := _env(environ, f"POLICYSIM_{key.upper()}")) is not None:
            changes[key] = Path(value) if key in ("managed_policies", "accept") else value
    return replace(config, **changes)


def _env_formats(value: str) -> tuple[str, ...]:
    items = tuple(item.strip() for item in value.split(",") if item.strip())
    if not items:
        raise ConfigError(f"`POLICYSIM_FORMAT` names no format: `{value}`", hint=f"choose from {', '.join(FORMATS)}")
    for item in items:
        if item not in FORMATS:
            raise ConfigError(f"`POLICYSIM_FORMAT`: unknown format `{item}`", hint=f"choose from {', '.join(FORMATS)}")
    return items
