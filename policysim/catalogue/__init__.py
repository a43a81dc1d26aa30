"""AWS's vocabulary: every service's actions, resource types and condition keys (`services.py`), the global condition
keys, and the resource-tag keys each service sets (`resource_tags.py`).

`ActionCatalogue` is the flat view `policysim diff` explores: every action with the ARN formats of the resources it
acts on. The built-in copy is the shipped service catalogue (`data/services.tsv`, provenance in its first line and in
`data/NOTICE`); `--catalogue FILE` reads another file of the same format (see refresh.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from policysim.catalogue.arn_format import EXAMPLE, ArnFormat
from policysim.catalogue.services import ServiceCatalogue, builtin_services
from policysim.errors import InputError
from policysim.load import decode_input, read_limited

__all__ = ["EXAMPLE", "ActionCatalogue", "ArnFormat", "CatalogueAction", "builtin_catalogue", "catalogue_named"]


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
        """Read a catalogue file in the shipped format (`data/services.tsv`, see refresh.py)."""
        try:
            raw = read_limited(path, str(path))
        except InputError as error:
            message = f"cannot read action catalogue `{path}`: {error.message}"
            raise InputError(message, error.location, error.hint) from None
        return cls.of(ServiceCatalogue.parse(decode_input(raw, str(path)), str(path)))

    @classmethod
    def of(cls, services: ServiceCatalogue) -> ActionCatalogue:
        """Every action of a service catalogue, with the ARN formats of the resources it acts on."""
        actions: dict[str, CatalogueAction] = {}
        by_service: dict[str, tuple[str, ...]] = {}
        for service in services.services():
            names = []
            for action in service.actions.values():
                formats = tuple(dict.fromkeys(use.type.arn for use in action.resources))
                actions[action.full_name.lower()] = CatalogueAction(action.full_name, service.prefix, formats)
                names.append(action.full_name.lower())
            by_service[service.prefix] = tuple(names)
        return cls(services.source, actions, by_service)


def catalogue_named(value: str) -> ActionCatalogue | None:
    """`builtin`, `none` (no catalogue: wildcards expand to the actions the models name) or a catalogue file."""
    if value == "none":
        return None
    if value == "builtin":
        return builtin_catalogue()
    return ActionCatalogue.from_file(Path(value))


@cache
def builtin_catalogue() -> ActionCatalogue:
    """Every action of the shipped service catalogue (read once)."""
    return ActionCatalogue.of(builtin_services())
