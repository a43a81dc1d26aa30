"""The access diff: requests whose decision differs between two versions of a model (docs/diff.md)."""

from __future__ import annotations

from policysim.catalogue import ActionCatalogue, catalogue_named
from policysim.enums import ChangeKind
from policysim.scenario.api import Scenario

from .compare import Change, Exploration, explore


def diff_scenarios(
    base: Scenario | None, new: Scenario | None, *, catalogue: ActionCatalogue | str | None = "builtin"
) -> Exploration:
    """Explore both models' request space; `catalogue` is an ActionCatalogue, None (named actions only), or as
    `--catalogue` takes it: "builtin", "none" or a file name."""
    return explore(base, new, catalogue_named(catalogue) if isinstance(catalogue, str) else catalogue)


__all__ = ["Change", "ChangeKind", "Exploration", "diff_scenarios"]
