"""Who can do an action on a resource: every caller of the model, as itself and through the roles it can assume.

The callers are the request space's (space/callers.py): users, the root user of each declared account, a session of
every role, service principals, stand-ins for principals outside the model that a policy names or makes public, and
the anonymous caller. Each one is asked as itself, then as each role session it reaches (chains.py, shortest path
first). Every request is put to
the one evaluator (`Model.answer`), exactly as `evaluate` would put it; nothing is inferred from policy text.

A stand-in for an outside account is not reported on that account's own resources (an example resource of a pattern
in its account): they are not the model's, and its own policies are only assumed to allow.

An answer is `allowed`, `undetermined` (listed apart: unknown imported values decide it), or not allowed; a
not-allowed answer whose decision read context keys the request did not carry is put to discovery
(engine/discovery.py) and listed as conditional with the conditions under which it would be allowed, each verified
through the same `answer` (or with why the search could not decide); one denied whatever those keys hold is not
listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from policysim.cluster.client import check_spread, cluster_map
from policysim.engine.outcome import Outcome
from policysim.enums import Decision
from policysim.parallel import fork_map
from policysim.space.callers import Caller, CallerKind, callers
from policysim.space.harvest import harvest
from policysim.space.resources import DEFAULT_ACCOUNT

from .chains import MAX_HOPS, Hop, Path, Reached, TrustIndex, paths
from .conditions import with_conditions
from .model import Model
from .requests import Resources, expand_actions, is_pattern

NO_CONTEXT: dict[str, tuple[str, ...] | None] = {}
BATCH = 16  # callers per piece of work sent to a worker process
Progress = Callable[[int, int], None]  # (callers done, callers in all)


@dataclass(frozen=True)
class Access(Reached):
    """A way for a caller to make a request: the path of AssumeRole hops (none: as itself) and the outcome."""

    caller: Caller
    hops: tuple[Hop, ...]
    action: str
    resource: str
    outcome: Outcome  # slim: the decision and the reasons that decided it


@dataclass(frozen=True)
class WhoCan:
    """The answer to "who can do `action` on `resource`?"."""

    action: str
    resource: str
    allowed: tuple[Access, ...]
    undetermined: tuple[Access, ...]
    conditional: tuple[Access, ...]  # allowed only under conditions on absent context keys (`outcome.discovery`)
    callers: int  # callers asked
    requests: int  # requests evaluated (AssumeRole hops not counted)


def who_can(
    model: Model,
    action: str,
    resource: str,
    *,
    max_hops: int = MAX_HOPS,
    workers: int | None = None,
    cluster: str | None = None,
    progress: Progress | None = None,
) -> WhoCan:
    """Every caller of `model` allowed to do `action` (a name or pattern) on `resource` (an ARN or pattern);
    `workers` processes (None: this one; 0: every core) or the workers of the Dask cluster at `cluster`
    (`policysim.cluster`) share the callers, with the same answer; not both."""
    check_spread(workers, cluster)
    question = _Question(model, action, resource, max_hops)
    asking = _Asking(question)
    if not is_pattern(action) and not asking.resources.pattern:
        asking.resources.check(asking.actions[0])  # one plain request: refused exactly as `evaluate` refuses it
    everyone = asking.everyone
    batches = [list(range(i, min(i + BATCH, len(everyone)))) for i in range(0, len(everyone), BATCH)]
    results = (
        fork_map(asking.work, batches, workers)
        if cluster is None
        else cluster_map(question, _work, batches, cluster, prepare=_Asking)
    )
    answers: list[Access] = []
    requests = done = 0
    for found, count in results:
        answers += found
        requests += count
        done += BATCH
        if progress is not None:
            progress(min(done, len(everyone)), len(everyone))
    return WhoCan(
        action,
        resource,
        tuple(a for a in answers if a.decision is Decision.ALLOWED),
        tuple(a for a in answers if a.decision is Decision.UNDETERMINED),
        tuple(a for a in answers if a.decision not in (Decision.ALLOWED, Decision.UNDETERMINED)),
        len(everyone),
        requests,
    )


@dataclass(frozen=True)
class _Question:
    """A who-can question as a cluster's workers receive it (once each); they make the rest of it (`_Asking`)."""

    model: Model
    action: str
    resource: str
    max_hops: int


class _Asking:
    """A question's actions, resources, callers and trusts, made once: here, or once per cluster worker thread."""

    def __init__(self, question: _Question) -> None:
        model = self.model = question.model
        self.max_hops = question.max_hops
        self.actions = expand_actions(model, question.action)
        self.resources = Resources(model, question.resource)
        world = model.world
        roots = {account.id: account.partition for account in world.accounts.values()}
        self.everyone = callers(harvest(world, model.tests), set(world.users), set(world.roles), roots)
        self.trusts = TrustIndex(model.world)

    def work(self, batch: Sequence[int]) -> tuple[list[Access], int]:
        """The answers worth reporting for these callers (by index), and the requests they took."""
        model = self.model
        found: list[Access] = []
        count = 0
        for index in batch:
            caller = self.everyone[index]
            actor = caller.actor(model.world)
            if actor is None:
                continue
            for path in paths(model, actor, self.max_hops, self.trusts, conditional=True):
                asked = _ask(model, caller, path, self.actions, self.resources)
                count += asked[1]
                found += asked[0]
        return found, count


def _work(asking: _Asking, batch: Sequence[int]) -> tuple[list[Access], int]:
    """`_Asking.work` as a cluster's workers run it (a module-level function pickles by reference)."""
    return asking.work(batch)


def _ask(
    model: Model, caller: Caller, path: Path, actions: Sequence[str], resources: Resources
) -> tuple[list[Access], int]:
    """The answers worth reporting for one path: allowed, undetermined, or conditional on absent context keys."""
    principal = path.actor.principal
    partition = principal.partition or "aws"
    account = principal.account or caller.account or DEFAULT_ACCOUNT
    found: list[Access] = []
    count = 0
    outside = caller.kind is CallerKind.EXTERNAL and principal.account not in model.world.accounts
    for action in actions:
        for resource in resources.for_action(action, partition, account):
            outcome = model.answer(path.actor, action, resource, NO_CONTEXT)
            count += 1
            if outside and outcome.request is not None and outcome.request.resource_account == principal.account:
                continue  # a resource of the outside account itself: not the model's, and its policies are assumed
            if outcome.decision in (Decision.ALLOWED, Decision.UNDETERMINED):
                found.append(Access(caller, path.hops, action, resource, outcome.slim()))
            elif outcome.missing_keys:
                discovered = with_conditions(model, path.actor, action, resource, outcome)
                if discovered is not None:
                    found.append(Access(caller, path.hops, action, resource, discovered))
    return found, count
