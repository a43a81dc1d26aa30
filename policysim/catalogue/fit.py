"""Can a request exist? An action the Service Authorization Reference does not list, or a resource of a type the
action does not act on, is a request AWS would never evaluate: policysim reports it instead of answering it.

And which condition keys can a request carry? A key that is not global and that neither the action nor the types of
its resource list is never in the request (a Deny conditioned on it never applies; an Allow never matches).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from policysim.catalogue.keys import KeySpec
from policysim.catalogue.services import Action, ServiceCatalogue, builtin_services, global_keys


@dataclass(frozen=True)
class Problem:
    """Why a request cannot exist, and what to do about it."""

    message: str
    hint: str | None = None


def accepted_names(names: Collection[str]) -> frozenset[str]:
    """Actions to accept though the catalogue does not list them (newer than it), lowercased."""
    return frozenset(name.lower() for name in names)


def action_problem(
    action: str, accepted: frozenset[str] = frozenset(), catalogue: ServiceCatalogue | None = None
) -> Problem | None:
    """None when `action` is documented or accepted; else the problem, with a "did you mean" where one is close."""
    services = catalogue or builtin_services()
    if action.lower() in accepted or services.action(action) is not None:
        return None
    suggestion = services.suggest(action)
    newer = "list it under `newer_actions` if it is newer than the catalogue"
    prefix = action.partition(":")[0]
    what = "action" if services.service(prefix) is not None else f"service `{prefix}` of action"
    hint = f"did you mean `{suggestion}`? or {newer}" if suggestion else newer
    return Problem(f"unknown {what} `{action}`: the Service Authorization Reference does not list it", hint)


def resource_problem(action: str, resource: str, catalogue: ServiceCatalogue | None = None) -> Problem | None:
    """None when the documented `action` can name `resource` (or the action is not documented); else the problem."""
    found = (catalogue or builtin_services()).action(action)
    if found is None or found.takes(resource):
        return None
    types = ", ".join(f"`{name}`" for name in found.type_names())
    if not found.resources:
        return Problem(
            f"`{found.full_name}` takes no resource ARN, only `*`; `{resource}` cannot be its resource", "use `*`"
        )
    return Problem(
        f"`{resource}` is not a resource `{found.full_name}` acts on; it acts on {types}",
        "name a resource of one of those types",
    )


def key_spec(action: Action | None, resource: str, key: str, *, include_global: bool = True) -> KeySpec | None:
    """The documentation of `key` in a request for `action` on `resource`: a global key, a key of the action, of the
    resource types of `resource` it acts on, or of its service's types; None when such a request never carries it.

    `include_global=False` asks the action and its resource types only: the tag keys (`aws:ResourceTag/...`,
    `aws:RequestTag/...`, `aws:TagKeys`) are global names, but only the requests the catalogue lists them for carry
    them."""
    found = global_keys().find(key) if include_global else None
    if found is not None or action is None:
        return found
    catalogue = builtin_services()
    service = catalogue.service(action.service)
    if service is None:
        return None
    uses = action.resources if resource == "*" else action.uses_for(resource)
    names = [*action.keys, *(k for use in uses for k in (*use.keys, *use.type.keys))]
    for name in names:
        spec = service.keys.find(name) or KeySpec(name, "Unknown")
        if spec.matches(key):
            return spec
    return None


def supplies(action: str, resource: str, key: str) -> bool:
    """Can a request for `action` on `resource` carry condition key `key`? Always yes for an action the catalogue
    does not know (newer than it): nothing can be said, so nothing is claimed."""
    found = builtin_services().action(action)
    if found is None:
        return True
    return key_spec(found, resource, key) is not None
