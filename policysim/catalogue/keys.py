"""Condition keys as the catalogue lists them: a name that may hold a `${Placeholder}` (`aws:ResourceTag/${TagKey}`)
and a type (`String`, `ArrayOfString`, `ARN`, `Bool`, `Numeric`, `Date`, `IPAddress`, `ArrayOf...`).

"Condition key names are not case-sensitive" (reference_policies_elements_condition.md), so matching ignores case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class KeySpec:
    """One documented condition key."""

    name: str  # as documented, e.g. `s3:ExistingObjectTag/${key}`
    type: str  # `String`, `ArrayOfString`, ... (`Unknown` when only an action names it)

    @property
    def multivalued(self) -> bool:
        """Does a request carry a set of values for this key (AWS's `ArrayOf...` types)?"""
        return self.type.startswith("ArrayOf")

    @property
    def base_type(self) -> str:
        """The type of one value: `ArrayOfString` → `String`."""
        return self.type.removeprefix("ArrayOf")

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        pieces = PLACEHOLDER.split(self.name)
        if len(pieces) == 1:
            return None
        return re.compile(".+".join(re.escape(p) for p in pieces) + r"\Z", re.IGNORECASE)

    def matches(self, key: str) -> bool:
        """Is `key` (any case) this key, its placeholder filled (`aws:ResourceTag/team`)?"""
        if self._pattern is None:
            return key.lower() == self.name.lower()
        return self._pattern.match(key) is not None

    @property
    def prefix(self) -> str:
        """The lowercased text before the placeholder (the whole name when it has none)."""
        return PLACEHOLDER.split(self.name)[0].lower()


@dataclass(frozen=True)
class KeySet:
    """A set of key specs, looked up by exact name first, then by placeholder patterns."""

    exact: dict[str, KeySpec]  # lowercased name -> spec, for names without a placeholder
    patterns: tuple[KeySpec, ...]

    @classmethod
    def of(cls, specs: Iterable[KeySpec]) -> KeySet:
        """The set of `specs`; the first spec of a name wins."""
        exact: dict[str, KeySpec] = {}
        patterns: dict[str, KeySpec] = {}
        for spec in specs:
            target = patterns if PLACEHOLDER.search(spec.name) else exact
            target.setdefault(spec.name.lower(), spec)
        return cls(exact, tuple(patterns.values()))

    def find(self, key: str) -> KeySpec | None:
        """The spec of `key` (any case), or None."""
        found = self.exact.get(key.lower())
        if found is not None:
            return found
        return next((spec for spec in self.patterns if spec.matches(key)), None)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.find(key) is not None

    def names(self) -> list[str]:
        """Every documented name, sorted."""
        return sorted([*(s.name for s in self.exact.values()), *(s.name for s in self.patterns)], key=str.lower)
