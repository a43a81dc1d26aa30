"""What `policysim validate PATH...` reads: policy files, scenario files and directories.

- A file named on the command line is a scenario when it has a top-level `scenario` key (`is_scenario_text`, the
  rule of `policysim check`), else a policy document of `--kind` (identity by default). A file that is neither (no
  `Statement`) is invalid input (exit 2), as is one that is not JSON or YAML.
- Under a directory, every `*.json`, `*.yaml` and `*.yml` file is told apart the same way; a file that is neither a
  scenario nor a policy document (a workflow, a `package.json`) is skipped and listed. A file that cannot be parsed
  is skipped too unless its text has a top-level `scenario` key, or names `"Statement"` (JSON) or a top-level
  `Statement:` (YAML): then it was meant as a scenario or a policy, and it is an error. A policy file a scenario
  names as `{file: ...}` is validated as part of that scenario (with the kind of its place there), not again as a
  policy file. A path that cannot be read (a broken link, a FIFO, no permission) is an error, and so is a directory
  without any policy or scenario: a gate that checked less than it was given must not pass.

Every file is read once, by `policysim.load.read_limited`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policysim.enums import PolicyKind
from policysim.errors import InputError, Location, PolicysimError
from policysim.load import Document, decode_input, is_scenario_text, load_json, load_yaml, read_limited

from .policy import Attachment, InlineGroup, PolicySource
from .scenarios import scenario_policies

SUFFIXES = (".json", ".yaml", ".yml")
NEITHER = "neither a policy document (no top-level `Statement`) nor a scenario (no top-level `scenario` key)"


@dataclass
class Inputs:
    """The policies to validate, with the inline groups of scenarios, the inputs that could not be read, the files
    skipped under directories, and how many files were read."""

    sources: list[PolicySource] = field(default_factory=list)
    groups: list[InlineGroup] = field(default_factory=list)
    errors: list[PolicysimError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0
    policy_files: list[tuple[Path, PolicySource]] = field(default_factory=list)  # policy files, resolved
    referenced: set[Path] = field(default_factory=set)  # policy files scenarios name as `{file: ...}`


def collect(paths: Sequence[Path], kind: PolicyKind | None = None) -> Inputs:
    """Read every PATH (`kind`: the kind of policy files; default identity)."""
    found = Inputs()
    for path in paths:
        if path.is_dir():
            _directory(path, kind or PolicyKind.IDENTITY, found)
        elif path.exists() or path.is_symlink():
            _file(path, kind or PolicyKind.IDENTITY, found, named=True)
        else:
            found.errors.append(InputError(f"no such file or directory: `{path}`", Location(str(path))))
    for resolved, source in found.policy_files:  # a file a scenario names is checked there, as its place's kind
        if resolved in found.referenced:
            found.files -= 1
        else:
            found.sources.append(source)
    return found


def _directory(directory: Path, kind: PolicyKind, found: Inputs) -> None:
    before = (len(found.sources), len(found.errors), found.files)
    skipped = len(found.skipped)
    for path in sorted(p for p in directory.rglob("*") if p.suffix.lower() in SUFFIXES):
        if path.is_dir() and not path.is_symlink():
            continue
        _file(path, kind, found, named=False)
    if (len(found.sources), len(found.errors), found.files) == before:
        count = len(found.skipped) - skipped
        also = f" ({count} file{'s' if count != 1 else ''} skipped: {NEITHER})" if count else ""
        found.errors.append(
            InputError(
                f"no policy or scenario found under `{directory}`{also}",
                Location(str(directory)),
                hint="a policy is a .json, .yaml or .yml document with `Statement`; a scenario has a `scenario` key",
            )
        )


def _file(path: Path, kind: PolicyKind, found: Inputs, *, named: bool) -> None:
    shown = str(path)
    try:
        raw = read_limited(path, shown)
        scenario = is_scenario_text(raw)
        doc = _parse(raw, path, shown, named or scenario or _policy_text(raw, path))
    except PolicysimError as error:
        found.errors.append(error)
        return
    if doc is None:
        found.skipped.append(shown)
        return
    if scenario:
        try:
            policies = scenario_policies(doc, path)
        except PolicysimError as error:
            found.errors.append(error)
            return
        found.files += 1
        found.sources += policies.sources
        found.groups += policies.groups
        found.errors += policies.errors
        found.referenced |= policies.referenced
    elif isinstance(doc.data, dict) and "Statement" in doc.data:
        found.files += 1
        found.policy_files.append((path.resolve(), PolicySource(doc, path.name, kind, Attachment.FILE)))
    elif named:
        found.errors.append(
            InputError(
                f"`{shown}` is {NEITHER}",
                doc.locate(()),
                hint="a policy document has a top-level `Statement`; a scenario, a `scenario` key",
            )
        )
    else:
        found.skipped.append(shown)


_TOP_LEVEL_STATEMENT = re.compile(rb"""^(?:Statement|"Statement"|'Statement')[ \t]*:""", re.MULTILINE)


def _policy_text(raw: bytes, path: Path) -> bool:
    """Does a file that does not parse read like a policy: `"Statement"` in JSON, a top-level `Statement:` in YAML
    (a CloudFormation template's indented `Statement:` is not one)?"""
    if path.suffix.lower() == ".json":
        return b'"Statement"' in raw
    return _TOP_LEVEL_STATEMENT.search(raw) is not None


def _parse(raw: bytes, path: Path, shown: str, meant: bool) -> Document | None:
    """The document in `raw`; a file that does not parse is an error when it was `meant` as input, else None."""
    try:
        text = decode_input(raw, shown)
        if path.suffix.lower() == ".json":
            return load_json(text, shown)
        if path.suffix.lower() in (".yaml", ".yml"):
            return load_yaml(text, shown)
    except PolicysimError:
        if meant:
            raise
        return None
    raise InputError(
        f"cannot load `{path.name}`: unknown file type", Location(shown), hint="use a .json, .yaml or .yml file"
    )
