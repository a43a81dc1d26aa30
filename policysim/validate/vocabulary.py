"""What the checks ask the service catalogue (`policysim.catalogue`), with the answers of one run kept on the object.

Action patterns are matched with the wildcard matcher of `policysim.ir` (`Glob`, case-insensitive, as the compiler
builds Action elements); no second matcher. A Resource pattern fits a resource type when some ARN of that type
matches it (`ArnFormat.overlaps`, exact).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from policysim.catalogue.arn_format import ArnFormat
from policysim.catalogue.fit import key_spec
from policysim.catalogue.keys import KeySet, KeySpec
from policysim.catalogue.services import Action, ServiceCatalogue, builtin_services, global_keys
from policysim.errors import PolicysimError
from policysim.ir.pattern import Glob
from policysim.ir.template import Escape, Variable, parse_template

# Global keys the IAM User Guide documents outside its global-keys page (data/global_keys.txt): `aws:SourceOwner`,
# the account of a service's source resource in the SNS and S3 event-notification examples.
EXTRA_GLOBAL_KEYS = KeySet.of([KeySpec("aws:SourceOwner", "String")])


@dataclass(frozen=True)
class Expansion:
    """The documented actions an Action element covers; `complete` is False when the element also covers actions the
    catalogue cannot list (`*`, a NotAction, an unknown or newer action): then nothing is claimed about "all of them".
    """

    actions: tuple[Action, ...]
    complete: bool


@dataclass
class Vocabulary:
    """The catalogue, as the checks of one run ask it; answers are remembered here."""

    services: ServiceCatalogue = field(default_factory=builtin_services)
    _expanded: dict[str, tuple[Action, ...] | None] = field(default_factory=dict, repr=False)
    _service_keys: dict[str, KeySet] = field(default_factory=dict, repr=False)
    _overlaps: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    def known_service(self, prefix: str) -> bool:
        """Whether the catalogue has a service with this prefix (any case)."""
        return self.services.service(prefix) is not None

    def expand(self, pattern: str) -> tuple[Action, ...] | None:
        """The documented actions an Action entry (`s3:GetObject`, `s3:Get*`) covers; None for an unknown service or
        a malformed entry. `*` is not expanded (every action of every service): the caller treats it apart."""
        key = pattern.lower()
        if key in self._expanded:
            return self._expanded[key]
        prefix, colon, name = key.partition(":")
        service = self.services.service(prefix) if colon and name else None
        found: tuple[Action, ...] | None = None
        if service is not None:
            if "*" in name or "?" in name:
                glob = Glob.compile(key, ignore_case=True)
                found = tuple(a for a in service.actions.values() if glob.matches(a.full_name.lower()))
            else:
                action = service.action(name)
                found = (action,) if action is not None else ()
        self._expanded[key] = found
        return found

    def statement_actions(self, entries: list[str], negated: bool, accepted: frozenset[str]) -> Expansion:
        """The documented actions of an Action element (`complete` False for NotAction, `*` or an unknown entry)."""
        if negated:
            return Expansion((), False)
        actions: dict[str, Action] = {}
        complete = True
        for entry in entries:
            found = None if entry == "*" or entry.lower() in accepted else self.expand(entry)
            if not found:
                complete = False
                continue
            for action in found:
                actions.setdefault(action.full_name.lower(), action)
        return Expansion(tuple(actions.values()), complete)

    # ---------------------------------------------------------------- condition keys

    def global_spec(self, key: str) -> KeySpec | None:
        """The documentation of a global condition key (any case)."""
        return global_keys().find(key) or EXTRA_GLOBAL_KEYS.find(key)

    def service_keys(self, prefix: str) -> KeySet | None:
        """Every condition key a service documents: its own list, and every key its actions and resource types name
        (with the listed type where the service lists one). None for an unknown service."""
        prefix = prefix.lower()
        known = self._service_keys.get(prefix)
        if known is not None:
            return known
        service = self.services.service(prefix)
        if service is None:
            return None
        names = {k for a in service.actions.values() for k in (*a.keys, *(k for u in a.resources for k in u.keys))}
        names |= {k for t in service.types.values() for k in t.keys}
        specs = [*service.keys.exact.values(), *service.keys.patterns]
        specs += [service.keys.find(name) or KeySpec(name, "Unknown") for name in sorted(names)]
        found = self._service_keys[prefix] = KeySet.of(specs)
        return found

    def key_spec(self, key: str) -> KeySpec | None:
        """The documentation of a key: global, or of the service its prefix names (the first any action names)."""
        found = self.global_spec(key)
        if found is not None:
            return found
        prefix = key.partition(":")[0]
        keys = self.service_keys(prefix) if prefix else None
        return keys.find(key) if keys is not None else None

    def supplied_by(self, action: Action, key: str, tag_key: bool = False) -> bool:
        """Can a request for `action` (on any of its resources) carry `key`? A global key always can, but for a tag
        key (`tag_key`) only the action and its resource types say."""
        if not tag_key and self.global_spec(key) is not None:
            return True
        return key_spec(action, "*", key, include_global=not tag_key) is not None

    def similar_key(self, key: str) -> str | None:
        """A documented key close to an unknown one, for a "did you mean"."""
        prefix = key.partition(":")[0].lower()
        keys = global_keys() if prefix == "aws" else self.service_keys(prefix)
        if keys is None:
            return None
        names = {name.lower(): name for name in keys.names()}
        close = difflib.get_close_matches(key.lower(), list(names), n=1, cutoff=0.8)
        return names[close[0]] if close else None

    # ---------------------------------------------------------------- resources

    def fits(self, fmt: ArnFormat, pattern: str) -> bool:
        """Can a resource of this type match `pattern` (a Resource entry with variables as `*`)?"""
        if "*" not in pattern and "?" not in pattern:
            return fmt.matches(pattern)
        key = (fmt.text, pattern)
        found = self._overlaps.get(key)
        if found is None:
            found = self._overlaps[key] = fmt.overlaps(pattern)
        return found


def resource_pattern(text: str, variables: bool) -> str | None:
    """A Resource entry as a wildcard pattern: each policy variable (and escape) as `*`, the text it can become.

    None when the entry does not parse (the compiler reports it)."""
    try:
        template = parse_template(text, variables_enabled=variables)
    except PolicysimError:
        return None
    return "".join("*" if isinstance(part, Variable | Escape) else part for part in template.parts)
