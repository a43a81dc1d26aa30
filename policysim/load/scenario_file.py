"""The one rule for "is this YAML file a policysim scenario?", shared by `policysim check DIR` and the pytest plugin.

A file is a scenario when it has a top-level `scenario` key. The rule reads PyYAML's event stream (nothing is
constructed, tags and anchors are only looked at), so it also sees a key written in flow style or quoted, and
anywhere in the file. A file that is not YAML at all (a Helm template, a syntax error) cannot be read that way;
for it the rule falls back to the text: a line that starts with `scenario:` (optionally quoted). A file that looks
like a scenario is loaded, so its errors are reported; anything else is skipped (and listed by the caller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policysim.errors import PolicysimError

from .files import read_limited

SCENARIO_KEY = "scenario"
SCENARIO_SUFFIXES = (".yaml", ".yml")
NOT_A_SCENARIO = "not a scenario: no top-level `scenario` key"
_TEXT_RULE = re.compile(r"""^(?:scenario|"scenario"|'scenario')[ \t]*:""", re.MULTILINE)


def has_imports(data: Any) -> bool:
    """Whether a scenario document's data has an `import:` list (contracts.md section 5): what the importers (and
    `policysim.imports`, imported only then) are for."""
    return isinstance(data, dict) and "import" in data


def is_scenario_text(raw: str | bytes) -> bool:
    """Whether a YAML text (or its bytes) has a top-level `scenario` key."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _TEXT_RULE.search(raw.decode("utf-8", "replace")) is not None
    else:
        text = raw
    text = text.removeprefix("\ufeff")
    import yaml  # for a directory's files only (docs/performance.md, start-up)

    try:
        return _has_top_level_key(text)
    except yaml.YAMLError:
        return _TEXT_RULE.search(text) is not None
    except Exception:  # any other library failure: decide by the text, never crash the collection
        return _TEXT_RULE.search(text) is not None


def is_scenario_file(path: Path | str) -> bool:
    """Whether the file at `path` is a scenario; unreadable files raise the loader's located `ParseError`."""

    return is_scenario_text(read_limited(path))


@dataclass(frozen=True)
class DirectoryScan:
    """The YAML files under a directory, sorted: scenarios, files that could not be read, and non-scenarios."""

    scenarios: tuple[Path, ...]
    unreadable: tuple[tuple[Path, PolicysimError], ...]
    skipped: tuple[Path, ...]


def scan_directory(directory: Path) -> DirectoryScan:
    """Every `*.yaml` / `*.yml` under `directory`, by the one rule (`check DIR` and `diff DIR DIR` both use it).

    A path that cannot be read (a broken symbolic link, a FIFO or device, no permission, too large) is listed with
    its located error rather than skipped: a caller that checked less than it was given must not pass.
    """
    scenarios: list[Path] = []
    unreadable: list[tuple[Path, PolicysimError]] = []
    skipped: list[Path] = []
    for path in sorted(p for p in directory.rglob("*") if p.suffix in SCENARIO_SUFFIXES):
        if path.is_dir() and not path.is_symlink():
            continue  # a directory named `x.yaml`: its files are searched like any other
        try:
            (scenarios if is_scenario_file(path) else skipped).append(path)
        except PolicysimError as error:
            unreadable.append((path, error))
    return DirectoryScan(tuple(scenarios), tuple(unreadable), tuple(skipped))


def _has_top_level_key(text: str) -> bool:
    """True as soon as a document's top-level mapping has the key `scenario` (events only, no construction)."""
    depth = 0  # collections open around the current event
    in_root_mapping = False
    expect_key = False
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.DocumentStartEvent):
            depth, in_root_mapping, expect_key = 0, False, False
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if depth == 0:
                in_root_mapping = isinstance(event, yaml.MappingStartEvent)
                expect_key = True
            elif depth == 1 and in_root_mapping:
                expect_key = not expect_key  # a collection as a key or a value of the root mapping
            depth += 1
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent) and depth == 1 and in_root_mapping:
            if expect_key and isinstance(event, yaml.ScalarEvent) and event.value == SCENARIO_KEY:
                return True
            expect_key = not expect_key
    return False
