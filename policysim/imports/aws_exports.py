"""Reading the JSON the AWS CLI and SDKs print: typed fields with their places, embedded policy documents, ARNs,
and the model an importer builds with the source of every value (shared by `gaad`, `resource_policies` and
`organizations`).

Every field is read through an `ExportFile`, so a value of the wrong type is a `SchemaError` at its line and column,
and every value put into the model goes through `ModelBuilder.put`, which records where it came from and turns a
second, different definition of the same thing into a warning that names both places (the first is kept).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from policysim.errors import Location, ParseError, PolicysimError, SchemaError
from policysim.identifiers import is_account_id
from policysim.load import Document, load_file, load_json
from policysim.managed.library import MAX_FILE_BYTES

from .model import Imported, ImportWarning, Path_, unknown

# exports of large accounts are large: as `--managed-policies` (the same GAAD files), up to 256 MiB
EXPORT_BYTES = MAX_FILE_BYTES

T = TypeVar("T")
JsonPath = tuple[str | int, ...]

_TYPE_WORDS: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "true or false",
    int: "a whole number",
}


def type_word(value: object) -> str:
    """`an object`, `a string`, ... for a JSON value, as messages say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return _TYPE_WORDS.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class ExportFile:
    """One loaded export file: its data, and the place of every value in it."""

    doc: Document

    @classmethod
    def load(cls, path: Path) -> ExportFile:
        """Read a `.json` (or YAML) export with policysim's bounded, located loader."""
        return cls(load_file(path, limit=EXPORT_BYTES))

    @property
    def name(self) -> str:
        return self.doc.file

    def at(self, path: JsonPath) -> Any:
        value = self.doc.data
        for part in path:
            value = value[part]
        return value

    def loc(self, path: JsonPath) -> Location:
        """Where the value at `path` is written (file, line, column, JSON path)."""
        return self.doc.locate(path, value=True)

    def where(self, path: JsonPath) -> str:
        """`file:line:col (path)`: the `source` of an unknown marker."""
        return str(self.loc(path))

    def field(self, path: JsonPath, key: str, kind: type[T], *, required: bool = False) -> T | None:
        """The `key` of the object at `path`, checked to be `kind`; None when absent (or null) and not required."""
        obj = self.at(path)
        if not isinstance(obj, dict):
            raise SchemaError(f"expected an object, got {type_word(obj)}", self.loc(path))
        value = obj.get(key)
        if value is None:
            if required:
                raise SchemaError(f"missing key `{key}`", self.loc(path))
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise SchemaError(f"`{key}` must be {_TYPE_WORDS[kind]}, got {type_word(value)}", self.loc((*path, key)))
        return value

    def text(self, path: JsonPath, key: str) -> str:
        """A required string field."""
        value = self.field(path, key, str, required=True)
        assert value is not None
        return value

    def items(self, path: JsonPath, key: str) -> Iterator[JsonPath]:
        """The paths of the objects in the array `key` of the object at `path` (none when absent)."""
        for index, item in enumerate(self.field(path, key, list) or []):
            if not isinstance(item, dict):
                raise SchemaError(
                    f"`{key}` items must be objects, got {type_word(item)}", self.loc((*path, key, index))
                )
            yield (*path, key, index)

    def document(self, path: JsonPath, what: str) -> dict[str, Any] | None:
        """The policy document at `path`: an object, a JSON string or a URL-encoded JSON string; None when absent,
        null or an empty string. Text that is not a JSON object is a `ParseError` at the string."""
        value = self.at(path)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dict):
            return value
        if not isinstance(value, str):
            raise SchemaError(f"{what} must be an object or a JSON string, got {type_word(value)}", self.loc(path))
        text = value.strip()
        encoded = not text.startswith("{")
        if encoded:  # the IAM API's RFC 3986 encoding (`%7B%22Version%22...`); the CLI and boto3 decode it
            text = urllib.parse.unquote(text).strip()
        form = "URL-encoded JSON" if encoded else "JSON"
        try:
            data = load_json(text, "<document>").data
        except PolicysimError as error:
            where = (
                f" (at {error.location.line}:{error.location.column} of the decoded text)"
                if (error.location and error.location.line)
                else ""
            )
            raise ParseError(
                f"{what} is not a {form} policy document: {error.message}{where}",
                self.loc(path),
                hint="a document is a JSON object, as an object, a JSON string or a URL-encoded JSON string",
            ) from None
        if not isinstance(data, dict):
            raise SchemaError(f"{what} must be a JSON object, got {type_word(data)}", self.loc(path))
        return data


@dataclass(frozen=True)
class IamArn:
    """An IAM ARN `arn:PARTITION:iam::ACCOUNT:TYPE/PATH/NAME` taken apart (`account` as written, maybe invalid)."""

    partition: str
    account: str
    type: str
    path: str
    name: str

    def with_account(self, partition: str, account: str) -> str:
        """The ARN of the same entity in `partition` and `account` (the import's account wins)."""
        return f"arn:{partition}:iam::{account}:{self.type}{self.path}{self.name}"


def parse_iam_arn(text: str) -> IamArn | None:
    """An IAM user, group, role or policy ARN, or None when `text` is not one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3] != "":
        return None
    kind, slash, rest = parts[5].partition("/")
    if not slash or kind not in ("user", "group", "role", "policy") or not rest or rest.endswith("/"):
        return None
    path, _, name = ("/" + rest).rpartition("/")
    if "//" in path + "/":
        return None
    return IamArn(parts[1], parts[4], kind, path + "/", name)


def split_arn(text: str) -> tuple[str, str, str, str, str] | None:
    """(partition, service, region, account, resource) of an ARN, or None."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2], parts[3], parts[4], parts[5]


def set_at(data: dict[str, Any], path: Path_, value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def get_at(data: Any, path: Path_) -> Any:
    node: Any = data
    for part in path:
        if isinstance(node, dict) and part in node:  # noqa: SIM114 - a dict and a list, indexed apart for mypy
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return _MISSING
    return node


_MISSING = object()


class ModelBuilder:
    """The `Imported` an importer fills: values put at key paths with their sources, warnings and absent kinds."""

    def __init__(self) -> None:
        self.imported = Imported()

    @property
    def data(self) -> dict[str, Any]:
        return self.imported.data

    def warn(self, message: str, location: Location) -> None:
        self.imported.warnings.append(ImportWarning(message, location))

    def absent(self, what: str) -> None:
        if what not in self.imported.absent:
            self.imported.absent.append(what)

    def source(self, path: Path_, location: Location) -> None:
        self.imported.sources.setdefault(path, location)

    def put(
        self,
        path: Path_,
        value: Any,
        location: Location,
        what: str,
        inner: Mapping[Path_, Location] | None = None,
    ) -> bool:
        """Put `value` at `path` (read at `location`; `inner` locates its parts, relative to `path`).

        The same value twice is kept once; a different one is a warning naming both places, and the first stays.
        Returns whether the value is the one in the model.
        """
        existing = get_at(self.data, path)
        if existing is not _MISSING:
            if existing != value:
                first = self.imported.sources.get(path, Location(None))
                self.warn(f"{what} is given twice, differently: at {first} and here; the first is kept", location)
                return False
            return True
        set_at(self.data, path, value)
        self.source(path, location)
        for sub, where in (inner or {}).items():
            self.source((*path, *sub), where)
        return True

    def append(self, path: Path_, value: dict[str, Any], location: Location, what: str, key: str) -> bool:
        """Append `value` to the list at `path` unless an item with the same `key` is there (then as `put`)."""
        items = get_at(self.data, path)
        if items is _MISSING:
            set_at(self.data, path, [])
            items = get_at(self.data, path)
        for index, item in enumerate(items):
            if item.get(key) == value.get(key):
                return self.put((*path, index), value, location, what)
        items.append(value)
        self.source((*path, len(items) - 1), location)
        return True


def document_sources(file: ExportFile, path: JsonPath, document: Mapping[str, Any] | None) -> dict[Path_, Location]:
    """Places of a document's statements, when it is written as an object in the file (a string has one place)."""
    out: dict[Path_, Location] = {}
    if document is None or not isinstance(file.at(path), dict):
        return out
    statements = document.get("Statement")
    if isinstance(statements, list):
        for index in range(len(statements)):
            out[("Statement", index)] = file.loc((*path, "Statement", index))
    elif isinstance(statements, dict):
        out[("Statement",)] = file.loc((*path, "Statement"))
    return out


def marker(reason: str, file: ExportFile, path: JsonPath) -> dict[str, Any]:
    """An unknown marker located at `path` of `file`."""
    return unknown(reason, file.where(path))


def check_account(account: str | None, what: str) -> str | None:
    """A 12-digit account id given to an importer, or None."""
    if account is not None and not is_account_id(account):
        raise SchemaError(f"{what} `{account}` must be 12 digits", Location(None), hint='quote it: "111111111111"')
    return account
