"""The access diff: requests whose decision differs between two versions of a model (docs/diff.md)."""

from __future__ import annotations

from policysim.catalogue import ActionCatalogue, builtin_catalogue
from policysim.scenario.api import Scenario

from .compare import Change, ChangeKind, Exploration, explore


def diff_scenarios(
    base: Scenario | None, new: Scenario | None, *, catalogue: ActionCatalogue | str | None = "builtin"
) -> Exploration:
    """Explore both models' request space; `catalogue` is "builtin", None (named actions only) or a catalogue."""
    if catalogue == "builtin":
        catalogue = builtin_catalogue()
    if isinstance(catalogue, str):
        raise ValueError(f"catalogue must be 'builtin', None or an ActionCatalogue, not {catalogue!r}")
    return explore(base, new, catalogue)


__all__ = ["Change", "ChangeKind", "Exploration", "diff_scenarios"]
