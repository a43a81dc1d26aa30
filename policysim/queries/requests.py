"""The requests a question stands for: an action or action pattern, on a resource or resource pattern.

An action pattern (`s3:Put*`, `iam:*`) expands to the catalogue's actions it matches (and the file's
`newer_actions`). A resource pattern (`arn:aws:s3:::logs-*/*`, `*`) expands, for each action, to the resources of the
request space (space/resources.py) of the types the action acts on that the pattern matches: every resource the model
declares or a policy names, each statement's Resource pattern filled in, and an example of the action's simplest type
in the caller's account. A plain action and resource are one request, checked as `evaluate` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policysim.catalogue import ActionCatalogue, builtin_catalogue
from policysim.catalogue.fit import action_problem, resource_problem
from policysim.errors import RequestError
from policysim.identifiers import is_action_name
from policysim.ir.pattern import Glob
from policysim.space.actions import ActionClass, action_class
from policysim.space.harvest import Harvest, harvest
from policysim.space.resources import ResourcePool

from .model import Model


def is_pattern(text: str) -> bool:
    """Does the text hold a wildcard?"""
    return "*" in text or "?" in text


def expand_actions(model: Model, text: str, catalogue: ActionCatalogue | None = None) -> list[str]:
    """The actions `text` names: itself (checked against the catalogue), or the catalogue's matches of a pattern."""
    if not is_pattern(text):
        if not is_action_name(text):
            raise RequestError(f"invalid action `{text}`", None, "write `service:ActionName` or a pattern (`s3:Get*`)")
        problem = action_problem(text, model.newer_actions)
        if problem is not None:
            raise RequestError(problem.message, None, problem.hint)
        return [text]
    service, colon, _ = text.partition(":")
    if not colon:
        raise RequestError(f"invalid action pattern `{text}`", None, "write `service:Pattern`, e.g. `s3:Put*`")
    catalogue = catalogue or builtin_catalogue()
    glob = Glob.compile(text, ignore_case=True)
    pool = catalogue.actions if is_pattern(service) else catalogue.by_service.get(service.lower(), ())
    found = {catalogue.actions[a].name for a in pool if glob.matches(a)}
    found.update(a for a in model.newer_actions if glob.matches(a))
    if not found:
        raise RequestError(f"no action of the catalogue matches `{text}`", None, "check the service prefix")
    return sorted(found, key=str.lower)


@dataclass
class Resources:
    """The resources to try each action on, for callers of a partition and account (made once per key)."""

    model: Model
    text: str
    catalogue: ActionCatalogue | None = None
    _pool: ResourcePool | None = None
    _glob: Glob | None = None
    _chosen: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    _found: Harvest | None = None

    @property
    def pattern(self) -> bool:
        """Is the resource asked about a pattern?"""
        return is_pattern(self.text)

    def fits(self, action: str) -> bool:
        """Can a plain resource be the resource of `action` (as `evaluate` checks)?"""
        return self.pattern or resource_problem(action, self.text) is None

    def check(self, action: str) -> None:
        """Raise the request error `evaluate` would give for `action` on the plain resource."""
        self.model.check_request(action, self.text, None, None)

    def for_action(self, action: str, partition: str, account: str) -> list[str]:
        """The resources `action` is tried on for a caller of `account` in `partition`."""
        if not self.pattern:
            return [self.text] if self.fits(action) else []
        key = (action.lower(), partition, account)
        chosen = self._chosen.get(key)
        if chosen is None:
            pool, glob = self._space()
            candidates = pool.for_key(self._class(action), partition, account)
            chosen = self._chosen[key] = [r for r in candidates if r == self.text or glob.matches(r)]
        return chosen

    def _space(self) -> tuple[ResourcePool, Glob]:
        if self._pool is None or self._glob is None:
            found = self._found = harvest(self.model.world, self.model.tests)
            if self.text != "*":
                found.resource_patterns.add(self.text)
            self._pool = ResourcePool(found)
            self._glob = Glob.compile(self.text)
        return self._pool, self._glob

    def _class(self, action: str) -> ActionClass:
        assert self._found is not None
        catalogue = self.catalogue or builtin_catalogue()
        return action_class([action.lower()], self._found, catalogue)
