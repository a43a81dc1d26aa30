"""Loading YAML and JSON into located plain data: `Document`.

Everything refused raises `policysim.errors.ParseError` or `SchemaError` with a file:line:column.
Every file a user names is read by `read_limited` (or `load_file`, which uses it): only regular files, the size
checked before reading, and never more than `MAX_INPUT_BYTES + 1` bytes read, so no file (`/dev/zero`, a FIFO,
a huge file) can make policysim block or grow without bound.
"""

from __future__ import annotations

from pathlib import Path

from policysim.errors import Location, ParseError

from .document import MAX_DEPTH, MAX_INPUT_BYTES, Document, Path_, Span, decode_input
from .files import read_limited, read_stream_limited
from .json_loader import load_json
from .scenario_file import (
    NOT_A_SCENARIO,
    DirectoryScan,
    has_imports,
    is_scenario_file,
    is_scenario_text,
    scan_directory,
)
from .yaml_loader import load_yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_INPUT_BYTES",
    "NOT_A_SCENARIO",
    "DirectoryScan",
    "Document",
    "Path_",
    "Span",
    "decode_input",
    "has_imports",
    "is_scenario_file",
    "is_scenario_text",
    "load_file",
    "load_json",
    "load_text",
    "load_yaml",
    "read_limited",
    "read_stream_limited",
    "scan_directory",
]

_BY_SUFFIX = {".json": load_json, ".yaml": load_yaml, ".yml": load_yaml}


def load_file(path: Path, display: str | None = None, limit: int = MAX_INPUT_BYTES) -> Document:
    """Load a `.json`, `.yaml` or `.yml` file of at most `limit` bytes; `display` is the name used in messages
    (default: `path`)."""
    name = display if display is not None else str(path)
    loader = _BY_SUFFIX.get(Path(path).suffix.lower())
    if loader is None:
        raise ParseError(
            f"cannot load `{Path(path).name}`: unknown file type",
            Location(name),
            hint="use a .json, .yaml or .yml file",
        )
    return loader(read_limited(path, name, limit), name, limit)


def load_text(text: str | bytes, file: str = "<string>") -> Document:
    """Load JSON if the first non-space character is `{` or `[`, YAML otherwise."""
    source = decode_input(text, file)
    head = source.lstrip()[:1]
    return load_json(source, file) if head in ("{", "[") else load_yaml(source, file)
