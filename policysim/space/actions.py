"""The request space `policysim diff` explores: callers x actions x resources x context (see docs/diff.md).

Actions: every action a policy or test of either model names, and every catalogue action a policy's wildcard
(Action or NotAction) matches. Catalogue actions that no policy names and that the same wildcards match are
evaluated alike by the engine, so each such class is explored once, through its first member, and reported with
all its members.

Resources (resources.py): every declared resource and every resource a policy or test names, patterns filled in.
Each action is paired with the resources its catalogue entry says it acts on (for an action the catalogue does not
know: the resources of its service), plus an example resource of its simplest type in the caller's account that the
model does not name, or `*` for actions that take no resource.

Context: the request as the model makes it, then one condition key at a time set to each value that the
conditions of the statements covering the action compare it with, and one other value (for a CIDR: its first and
last addresses and the addresses just outside it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from policysim.catalogue import ActionCatalogue, ArnFormat
from policysim.conditions.operators import Family
from policysim.ir.pattern import Glob
from policysim.services.rules import rule_trait
from policysim.services.sts import TRUST_ACTIONS, UNDENIABLE_ACTIONS
from policysim.world.assemble import RCP_EXEMPT_ACTIONS

from .callers import Caller
from .harvest import Harvest, is_derived_key

OTHER = "policysim-other"
#: actions that the engine or the flows treat specially: never merged into a class with others
SPECIAL_ACTIONS = TRUST_ACTIONS | RCP_EXEMPT_ACTIONS
Context = tuple[tuple[str, str], ...]  # () for the model's own request, else one (key, value)


@dataclass(frozen=True)
class ActionClass:
    """Actions the engine cannot tell apart; `name` is the one evaluated."""

    name: str
    members: tuple[str, ...]
    formats: tuple[ArnFormat, ...] | None  # None: not in the catalogue
    star: bool  # some member takes resource `*`


@dataclass(frozen=True)
class Probe:
    """One request to put to both models."""

    caller: Caller
    action: ActionClass
    resource: str
    context: Context


def action_classes(found: Harvest, catalogue: ActionCatalogue | None) -> list[ActionClass]:
    """The actions to explore, grouped into classes the engine evaluates alike."""
    globs = sorted(found.action_globs.items())
    named = set(found.actions)
    pool = list(catalogue.actions) if catalogue is not None else sorted(named)
    candidates = named | set(pool) if found.all_actions else set(named)
    for text, glob in globs:
        service = text.split(":", 1)[0].lower()
        scope: Iterable[str] = pool
        if catalogue is not None and not _wild(service):
            scope = catalogue.by_service.get(service, ())
        candidates.update(a for a in scope if glob.matches(a))
    candidates -= UNDENIABLE_ACTIONS
    by_service: dict[str, list[tuple[str, Glob]]] = {}  # a glob whose service part is literal tests only that service
    anywhere = [(text, glob) for text, glob in globs if _wild(text.split(":", 1)[0])]
    for text, glob in globs:
        if not _wild(text.split(":", 1)[0]):
            by_service.setdefault(text.split(":", 1)[0].lower(), []).append((text, glob))
    groups: dict[tuple[object, ...], list[str]] = {}
    for action in sorted(candidates):
        own = action if action in named or action in SPECIAL_ACTIONS else None
        service = action.split(":", 1)[0]
        relevant = by_service.get(service, []) + anywhere
        hits = tuple(sorted(text for text, glob in relevant if glob.matches(action)))
        groups.setdefault((service, own, hits, rule_trait(action)), []).append(action)
    return [action_class(members, found, catalogue) for members in groups.values()]


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def action_class(members: list[str], found: Harvest, catalogue: ActionCatalogue | None) -> ActionClass:
    """The class of `members` (lowercased, the first evaluated), named as the catalogue or the model writes them."""
    entries = [catalogue.get(a) if catalogue is not None else None for a in members]
    names = tuple(e.name if e is not None else found.actions.get(a, a) for a, e in zip(members, entries, strict=True))
    if any(e is None for e in entries):
        return ActionClass(names[0], names, None, True)
    formats = tuple(dict.fromkeys(f for e in entries if e is not None for f in e.resources))
    star = any(e is not None and not e.resources for e in entries)
    return ActionClass(names[0], names, formats, star)


def context_values(found: Harvest) -> dict[str, tuple[str, list[str]]]:
    """For each free condition key (lowercased): its name as written and the values worth trying."""
    out: dict[str, tuple[str, list[str]]] = {}
    for key, entries in sorted(found.conditions.items()):
        if is_derived_key(key):
            continue
        values: dict[str, None] = {}
        for family, value in sorted(entries, key=lambda e: (e[0].value, e[1])):
            values.update(dict.fromkeys(_representatives(family, value)))
        values.setdefault(_other(entries), None)
        out[key] = (found.key_names.get(key, key), list(values))
    return out


def _representatives(family: Family, value: str) -> list[str]:
    if "${" in value:
        return []
    if family is Family.BOOL:
        return ["true", "false"]
    if family is Family.IP:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return []
        first, last = network.network_address, network.broadcast_address
        edges = [first - 1 if int(first) > 0 else None, first, last, last + 1 if last != _top(last) else None]
        return [str(a) for a in edges if a is not None]
    if family is Family.NUMERIC:
        try:
            number = int(value)
        except ValueError:
            return [value]
        return [str(number - 1), str(number), str(number + 1)]
    return [value.replace("*", "x").replace("?", "x")]


def _top(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The highest address of the address's family."""
    return ipaddress.ip_address((1 << address.max_prefixlen) - 1 if address.version == 6 else 0xFFFFFFFF)


def _other(entries: set[tuple[Family, str]]) -> str:
    families = {family for family, _ in entries}
    if Family.IP in families:
        return "192.0.2.77"
    if Family.NUMERIC in families:
        return "-1"
    if Family.DATE in families:
        return "2000-01-01T00:00:00Z"
    return OTHER
