"""The conditions under which a refused answer of a query would be allowed: discovery (engine/discovery.py) on the
context keys the request did not carry, each alternative verified through the same `Model.answer`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from policysim.engine.discovered import DiscoveryStatus
from policysim.engine.outcome import Outcome
from policysim.world.actor import Actor

from .model import Model


def with_conditions(
    model: Model,
    actor: Actor,
    action: str,
    resource: str,
    outcome: Outcome,
    given: Mapping[str, tuple[str, ...] | None] | None = None,
) -> Outcome | None:
    """The refused outcome (slim) with its discovery, or None when it is denied whatever the absent keys hold;
    `given`: the context the request carried (lowercased keys), kept in every context tried."""
    from policysim.engine.discovery import discover

    def again(keys: Mapping[str, tuple[str, ...]]) -> Outcome:
        return model.answer(actor, action, resource, {**(given or {}), **{k.lower(): v for k, v in keys.items()}})

    found = discover(outcome, again)
    if found.status is DiscoveryStatus.NONE:
        return None
    return replace(outcome.slim(), discovery=found)
