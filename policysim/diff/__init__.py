"""The access diff: requests whose decision differs between two versions of a model (docs/diff.md)."""

from __future__ import annotations

from policysim.catalogue import ActionCatalogue, catalogue_named
from policysim.enums import ChangeKind
from policysim.scenario.api import Scenario

from .compare import Change, Exploration, explore


def diff_scenarios(
    base: Scenario | None,
    new: Scenario | None,
    *,
    catalogue: ActionCatalogue | str | None = "builtin",
    workers: int | None = None,
    cluster: str | None = None,
) -> Exploration:
    """Explore both models' request space; `catalogue` is an ActionCatalogue, None (named actions only), or as
    `--catalogue` takes it: "builtin", "none" or a file name; `workers` processes (None: this one; 0: every core),
    or the workers of the Dask cluster at `cluster` (`tcp://HOST:PORT`, `local`, `local:N`; the extra
    `policysim[cluster]`), share the work, with the same changes in the same order; not both."""
    actions = catalogue_named(catalogue) if isinstance(catalogue, str) else catalogue
    return explore(base, new, actions, workers=workers, cluster=cluster)


__all__ = ["Change", "ChangeKind", "Exploration", "diff_scenarios"]
