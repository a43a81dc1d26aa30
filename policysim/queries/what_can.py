"""What a principal can do: the actions (expanded with the catalogue) it is allowed on the resources of the model.

The actions and resources are the request space's (space/actions.py, space/resources.py): every action a policy or
test names and every catalogue action a policy's wildcard matches, in classes the engine cannot tell apart (one
member of a class is evaluated on a resource, and the answer holds for every member that acts on that resource's
type); every resource the model declares or names, each Resource pattern filled in, and an example of each action's
simplest type in the caller's account. With `include_chains`, the same is asked as every role session the principal
reaches (queries/chains.py). Every request is put to the one evaluator (`Model.answer`); a refused one whose decision
read context keys the request did not carry is a conditional grant when discovery finds the conditions that allow it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from policysim.catalogue import ActionCatalogue, ArnFormat, builtin_catalogue
from policysim.catalogue.services import builtin_services
from policysim.cluster.client import check_spread, cluster_map
from policysim.engine.outcome import Outcome
from policysim.enums import Decision
from policysim.errors import RequestError
from policysim.parallel import fork_map
from policysim.space.actions import ActionClass, action_classes
from policysim.space.harvest import harvest
from policysim.space.resources import DEFAULT_ACCOUNT, ResourcePool
from policysim.world.resolve import resolve_actor

from .chains import MAX_HOPS, Hop, Path, Reached, paths
from .conditions import with_conditions
from .model import Model

NO_CONTEXT: dict[str, tuple[str, ...] | None] = {}
BATCH = 32  # action classes per piece of work sent to a worker process
Progress = Callable[[int, int], None]  # (action classes done, in all)


@dataclass(frozen=True)
class Grant(Reached):
    """One action the principal (at the end of `hops`) may do on one resource, and the outcome that says so."""

    hops: tuple[Hop, ...]
    service: str
    access_level: str  # the catalogue's (`Read`, `Write`, `List`, `Tagging`, `Permissions management`), or `Unknown`
    action: str
    resource: str
    outcome: Outcome  # slim


@dataclass(frozen=True)
class WhatCan:
    """The answer to "what can `principal` do?"."""

    principal: str  # as resolved: its ARN (`anonymous`, or the service name)
    service: str | None
    sessions: tuple[tuple[str, ...], ...]  # the paths asked: () as itself, then the roles of each chain
    allowed: tuple[Grant, ...]
    undetermined: tuple[Grant, ...]
    requests: int
    conditional: tuple[Grant, ...] = ()  # allowed only under conditions on absent context keys (`outcome.discovery`)


def what_can(
    model: Model,
    principal: str,
    *,
    service: str | None = None,
    include_chains: bool = False,
    max_hops: int = MAX_HOPS,
    workers: int | None = None,
    cluster: str | None = None,
    progress: Progress | None = None,
    catalogue: ActionCatalogue | None = None,
) -> WhatCan:
    """Every action `principal` (a reference as in a test) may do on the request space's resources; `workers`
    processes (None: this one; 0: every core) or the workers of the Dask cluster at `cluster` (`policysim.cluster`)
    share the action classes, with the same answer; not both."""
    check_spread(workers, cluster)
    # each cluster worker has the builtin catalogue: it is not shipped
    given = None if cluster is not None and catalogue is builtin_catalogue() else catalogue
    question = _Question(model, principal, service, include_chains, max_hops, given)
    asking = _Asking(question)
    classes, walks = asking.classes, asking.walks
    batches = [classes[i : i + BATCH] for i in range(0, len(classes), BATCH)]
    results = (
        fork_map(asking.work, batches, workers)
        if cluster is None
        else cluster_map(question, _work, batches, cluster, prepare=_Asking)
    )
    allowed: list[Grant] = []
    undetermined: list[Grant] = []
    conditional: list[Grant] = []
    kinds = {Decision.ALLOWED: allowed, Decision.UNDETERMINED: undetermined}
    requests = done = 0
    for grants, count in results:
        for grant in grants:
            kinds.get(grant.decision, conditional).append(grant)
        requests += count
        done += BATCH
        if progress is not None:
            progress(min(done, len(classes)), len(classes))
    order = _order
    return WhatCan(
        str(asking.actor.principal),
        service,
        tuple(w.roles for w in walks),
        tuple(sorted(allowed, key=order)),
        tuple(sorted(undetermined, key=order)),
        requests,
        tuple(sorted(conditional, key=order)),
    )


@dataclass(frozen=True)
class _Question:
    """A what-can question as a cluster's workers receive it (once each); they make the rest of it (`_Asking`)."""

    model: Model
    principal: str
    service: str | None
    include_chains: bool
    max_hops: int
    catalogue: ActionCatalogue | None  # None: the builtin one


class _Asking:
    """A question's principal, action classes, resources and paths, made once: here, or once per cluster worker
    thread."""

    def __init__(self, question: _Question) -> None:
        model = self.model = question.model
        actor = self.actor = resolve_actor(model.world, question.principal, None)
        found = harvest(model.world, model.tests)
        catalogue = self.catalogue = question.catalogue or builtin_catalogue()
        classes = action_classes(found, catalogue)
        service = question.service
        if service is not None:
            wanted = service.lower()
            if wanted not in catalogue.by_service and not any(c.name.split(":")[0].lower() == wanted for c in classes):
                raise RequestError(f"unknown service `{service}`", None, "give a service prefix such as `s3` or `iam`")
            classes = [c for c in classes if c.name.split(":", 1)[0].lower() == wanted]
        self.classes = classes
        self.pool = ResourcePool(found)
        chains = question.include_chains
        self.walks = list(paths(model, actor, question.max_hops, conditional=True)) if chains else [Path((), actor)]

    def work(self, batch: Sequence[ActionClass]) -> tuple[list[Grant], int]:
        """The grants of these action classes on every path (allowed, undetermined or conditional), and the
        requests they took."""
        model, catalogue = self.model, self.catalogue
        grants: list[Grant] = []
        count = 0
        for action in batch:
            for path in self.walks:
                at = path.actor.principal
                for resource in self.pool.for_key(action, at.partition or "aws", at.account or DEFAULT_ACCOUNT):
                    outcome = model.answer(path.actor, action.name, resource, NO_CONTEXT)
                    count += 1
                    if outcome.decision in (Decision.ALLOWED, Decision.UNDETERMINED):
                        grants += _grants(path, action, resource, outcome.slim(), catalogue)
                    elif outcome.missing_keys:
                        found = with_conditions(model, path.actor, action.name, resource, outcome)
                        if found is not None:
                            grants += _grants(path, action, resource, found, catalogue)
        return grants, count


def _work(asking: _Asking, batch: Sequence[ActionClass]) -> tuple[list[Grant], int]:
    """`_Asking.work` as a cluster's workers run it (a module-level function pickles by reference)."""
    return asking.work(batch)


def _grants(
    path: Path, action: ActionClass, resource: str, outcome: Outcome, catalogue: ActionCatalogue
) -> list[Grant]:
    """The members of the class that act on `resource` (the others' requests would not exist), as grants."""
    out = []
    for member in action.members:
        entry = catalogue.get(member)
        if entry is not None and not _takes(entry.resources, resource):
            continue
        service = member.split(":", 1)[0].lower()
        out.append(Grant(path.hops, service, access_level(member), member, resource, outcome))
    return out


def _takes(formats: tuple[ArnFormat, ...], resource: str) -> bool:
    """Does an action with these resource formats act on `resource` (`*` for an action that takes none)?"""
    if not formats:
        return resource == "*"
    return resource != "*" and any(f.matches(resource) for f in formats)


def access_level(action: str) -> str:
    """The catalogue's access level of an action, or `Unknown` for one it does not list."""
    found = builtin_services().action(action)
    return found.access_level if found is not None else "Unknown"


def _order(grant: Grant) -> tuple[object, ...]:
    return (len(grant.hops), grant.roles, grant.service, grant.access_level, grant.action.lower(), grant.resource)
