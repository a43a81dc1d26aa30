"""The action catalogue: every IAM action AWS documents, and the ARN formats of the resources each acts on.

`policysim diff` expands wildcard actions against it and pairs actions with the resources they can name. The
built-in copy is `data/actions.txt` (provenance in its first line and in `data/NOTICE`); `--catalogue FILE` reads
another file of the same format (fields separated by tabs; resource type names may contain spaces):

    @SERVICE TYPE ARN-FORMAT        a resource type, e.g. `@s3 object arn:${Partition}:s3:::${BucketName}/${ObjectName}`
    SERVICE:Action [TYPE ...]       an action and its resource types; none means it takes resource `*`
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from policysim.errors import InputError, Location
from policysim.identifiers import is_action_name
from policysim.load import decode_input, read_limited

BUILTIN = Path(__file__).with_name("data") / "actions.txt"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
EXAMPLE = "policysim-example"


@dataclass(frozen=True)
class ArnFormat:
    """A resource type's ARN format; `matches` tells whether an ARN is of this type.

    A placeholder matches within one `:` field (a bucket name also stops at `/`); the last one takes the rest. The
    regex is built on first use: a diff touches a few of the 2,000 formats.
    """

    service: str
    type: str
    text: str

    @classmethod
    def compile(cls, service: str, type_: str, text: str) -> ArnFormat:
        """The format of one resource type."""
        return cls(service, type_, text)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(_regex(PLACEHOLDER.split(self.text)) + r"\Z")

    def matches(self, arn: str) -> bool:
        """Is `arn` a resource of this type?"""
        return self._pattern.match(arn) is not None

    def example(self, partition: str, account: str) -> str:
        """An ARN of this type in `account`, placeholders filled with `policysim-example`."""
        return "".join(self._filled(PLACEHOLDER.split(self.text), partition, account))

    def examples_after(self, prefix: str, partition: str, account: str) -> list[str]:
        """ARNs of this type that start with `prefix`, for each placeholder the prefix may end inside.

        `arn:aws:logs:us-east-1:111111111111:log-group:/app/` ends inside `${LogGroupName}`, so one example is the
        prefix, `policysim-example`, then the format after that placeholder: `:log-stream:policysim-example`.
        """
        pieces = PLACEHOLDER.split(self.text)
        out = []
        for index in range(1, len(pieces), 2):
            # the prefix must be the format up to this placeholder, and end inside it
            inside = "[^:/]*" if pieces[index] == "BucketName" else "[^:]*"
            if not re.fullmatch(_regex(pieces[:index]) + inside, prefix):
                continue
            candidate = prefix + EXAMPLE + "".join(self._filled(pieces[index + 1 :], partition, account))
            if self.matches(candidate):
                out.append(candidate)
        return out

    @staticmethod
    def _filled(pieces: list[str], partition: str, account: str) -> list[str]:
        """Literal pieces kept, placeholders (at odd positions) filled."""
        fill = {"Partition": partition, "Region": "us-east-1"}
        return [
            piece
            if index % 2 == 0
            else account
            if piece.endswith(("Account", "AccountId"))
            else fill.get(piece, EXAMPLE)
            for index, piece in enumerate(pieces)
        ]


def _regex(pieces: list[str]) -> str:
    """The regex of format pieces (literal, placeholder, literal, ...): see `ArnFormat.compile`."""
    last = len(pieces) - 2 if len(pieces) % 2 == 1 else len(pieces) - 1  # the final placeholder's index
    regex = ""
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            regex += re.escape(piece)
        elif piece == "BucketName":
            regex += "[^:/]+"
        elif index == last and index == len(pieces) - 2 and not pieces[-1]:
            regex += ".+"
        else:
            regex += "[^:]+"
    return regex


@dataclass(frozen=True)
class CatalogueAction:
    """One action: its documented name and the formats of the resources it acts on (none: resource `*`)."""

    name: str
    service: str
    resources: tuple[ArnFormat, ...]


@dataclass(frozen=True)
class ActionCatalogue:
    """Actions by lowercased name, and the lowercased names of each service's actions."""

    source: str
    actions: Mapping[str, CatalogueAction]
    by_service: Mapping[str, tuple[str, ...]]

    def get(self, action: str) -> CatalogueAction | None:
        """The catalogue entry of an action (any case), or None."""
        return self.actions.get(action.lower())

    @classmethod
    def from_file(cls, path: Path) -> ActionCatalogue:
        """Read a catalogue file; a malformed line is an error naming file and line."""
        try:
            raw = read_limited(path, str(path))
        except InputError as error:
            message = f"cannot read action catalogue `{path}`: {error.message}"
            raise InputError(message, error.location, error.hint) from None
        return cls.parse(decode_input(raw, str(path)), str(path))

    @classmethod
    def parse(cls, text: str, source: str) -> ActionCatalogue:
        """Parse catalogue text (see the module docstring)."""
        formats: dict[tuple[str, str], ArnFormat] = {}
        actions: dict[str, CatalogueAction] = {}
        by_service: dict[str, list[str]] = {}
        for number, line in enumerate(text.splitlines(), 1):
            fields = line.rstrip("\r").split("\t")
            if not line.strip() or fields[0].startswith("#"):
                continue
            where = Location(source, number, 1)
            if fields[0].startswith("@"):
                if len(fields) != 3 or not fields[2].startswith("arn:"):
                    raise InputError("a resource type line is `@SERVICE TYPE ARN-FORMAT`", where)
                service = fields[0][1:].lower()
                if (service, fields[1]) in formats:
                    raise InputError(f"resource type `{fields[1]}` of `{service}` is declared twice", where)
                formats[(service, fields[1])] = ArnFormat.compile(service, fields[1], fields[2])
                continue
            if not is_action_name(fields[0]):
                raise InputError(f"invalid action name `{fields[0]}`", where, "write `service:ActionName`")
            service = fields[0].split(":", 1)[0].lower()
            unknown = [t for t in fields[1:] if (service, t) not in formats]
            if unknown:
                raise InputError(f"resource type `{unknown[0]}` of `{fields[0]}` is not declared", where)
            resources = tuple(formats[(service, t)] for t in fields[1:])
            if fields[0].lower() in actions:
                raise InputError(f"action `{fields[0]}` is listed twice", where)
            actions[fields[0].lower()] = CatalogueAction(fields[0], service, resources)
            by_service.setdefault(service, []).append(fields[0].lower())
        return cls(source, actions, {s: tuple(names) for s, names in by_service.items()})


def catalogue_named(value: str) -> ActionCatalogue | None:
    """`builtin`, `none` (no catalogue: wildcards expand to the actions the models name) or a catalogue file."""
    if value == "none":
        return None
    if value == "builtin":
        return builtin_catalogue()
    return ActionCatalogue.from_file(Path(value))


@cache
def builtin_catalogue() -> ActionCatalogue:
    """The catalogue shipped with policysim (read once)."""
    return ActionCatalogue.from_file(BUILTIN)
