"""Loading YAML and JSON into located plain data: `Document`.

Everything refused raises `policysim.errors.ParseError` or `SchemaError` with a file:line:column.
"""

from __future__ import annotations

from pathlib import Path

from policysim.errors import Location, ParseError

from .document import MAX_DEPTH, MAX_INPUT_BYTES, Document, Path_, Span, decode_input
from .json_loader import load_json
from .yaml_loader import load_yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_INPUT_BYTES",
    "Document",
    "Path_",
    "Span",
    "load_file",
    "load_json",
    "load_text",
    "load_yaml",
]

_BY_SUFFIX = {".json": load_json, ".yaml": load_yaml, ".yml": load_yaml}


def load_file(path: Path, display: str | None = None) -> Document:
    """Load a `.json`, `.yaml` or `.yml` file; `display` is the name used in messages (default: `path`)."""
    name = display if display is not None else str(path)
    loader = _BY_SUFFIX.get(Path(path).suffix.lower())
    if loader is None:
        raise ParseError(
            f"cannot load `{Path(path).name}`: unknown file type",
            Location(name),
            hint="use a .json, .yaml or .yml file",
        )
    try:
        size = Path(path).stat().st_size
        if size > MAX_INPUT_BYTES:
            raise ParseError(
                f"input is too large: {size} bytes, the limit is {MAX_INPUT_BYTES} bytes",
                Location(name, 1, 1),
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or type(exc).__name__}", Location(name)) from None
    return loader(raw, name)


def load_text(text: str | bytes, file: str = "<string>") -> Document:
    """Load JSON if the first non-space character is `{` or `[`, YAML otherwise."""
    source = decode_input(text, file)
    head = source.lstrip()[:1]
    return load_json(source, file) if head in ("{", "[") else load_yaml(source, file)
