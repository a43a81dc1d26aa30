"""`Scenario`: a loaded model of accounts you can ask "would AWS allow this?", and its own tests."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policysim.catalogue.fit import accepted_names, action_problem, resource_problem
from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.engine.outcome import Outcome
from policysim.enums import PolicyKind
from policysim.errors import Location, RequestError, UnsupportedError
from policysim.flows.assume_role import AssumeParams, HopResult, Via, assume_role, hop_key
from policysim.identifiers import is_account_id, is_action_name
from policysim.ir.arn import parse_arn
from policysim.limits import ACTION_NAME, RESOURCE_NAME
from policysim.load import Document, has_imports, load_file
from policysim.load.document import show
from policysim.managed import ManagedPolicyLibrary
from policysim.model.records import ScenarioFile, Test
from policysim.model.wire import read
from policysim.records import slot_maker
from policysim.scenario.build import build_world
from policysim.scenario.context_keys import ContextKeys
from policysim.scenario.defaults import with_defaults
from policysim.scenario.policies import PolicyCompiler
from policysim.scenario.results import TestResult
from policysim.scenario.runner import final_caller, run_tests
from policysim.scenario.spec import ContextArg, RequestSpec
from policysim.services.sts import TRUST_ACTIONS
from policysim.world.actor import Actor
from policysim.world.assemble import request_endpoint
from policysim.world.evaluator import Clock, Evaluator, Plan, utc_now
from policysim.world.resolve import Target, find_role, request_target, resolve_actor
from policysim.world.world import RoleInfo, World

if TYPE_CHECKING:
    from policysim.queries.graph import Graph
    from policysim.queries.graph import Progress as GraphProgress
    from policysim.queries.patterns import PatternAnswer
    from policysim.queries.what_can import WhatCan
    from policysim.queries.who_can import WhoCan

_make_spec = slot_maker(RequestSpec)
Route = tuple[Actor, str, RoleInfo | None, Target | None, Plan | None]
UNMODELLED_ASSUME_ACTIONS = frozenset({"sts:assumerolewithwebidentity", "sts:assumerolewithsaml"})


class Session:
    """A role session minted by `Scenario.assume_role`; `.evaluate` answers as that session."""

    def __init__(self, scenario: Scenario, actor: Actor, outcome: Outcome) -> None:
        self.scenario = scenario
        self.actor = actor
        self.outcome = outcome  # the AssumeRole outcome that minted it

    @property
    def arn(self) -> str:
        """The session principal ARN, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`."""
        return self.actor.principal.arn

    def evaluate(
        self,
        action: str,
        resource: str,
        context: ContextArg | None = None,
        *,
        resource_account: str | None = None,
    ) -> Outcome:
        """The outcome of this session doing `action` on `resource`; AssumeRole on a role is a full chained hop."""
        self.scenario.check_request(action, resource, resource_account, None)
        extra = self.scenario._context_keys(context)
        return self.scenario.answer(self.actor, action, resource, extra, resource_account)


class Scenario:
    """A compiled scenario: build with `load_scenario`, `Scenario.load` or `Scenario.from_dict`.

    Its parts are private; tools read the compiled model through `world`, the file's tests through `tests`, and
    evaluate through `evaluate`, `evaluate_spec`, `answer` or `evaluator` (docs/api.md, "The surface for tools").
    """

    def __init__(
        self,
        wire: ScenarioFile,
        compiler: PolicyCompiler,
        world: World,
        *,
        clock: Clock = utc_now,
        aliases: Mapping[str, str] | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        self._wire = wire
        self._compiler = compiler
        self._doc = compiler.doc
        self._world = world
        self._evaluator = Evaluator(world, clock)
        self._actors: dict[tuple[str, str | None], Actor] = {}
        self._aliases = dict(aliases or {})
        self._notes = tuple(notes)
        self._tests = tuple(self._aliased(with_defaults(test, wire.defaults)) for test in wire.tests)
        self._accepted = accepted_names(wire.newer_actions)
        self._fitting: set[tuple[str, str]] = set()  # (action, resource) pairs check_request passed
        self._targets: dict[tuple[bool, str, str | None, str | None, str], Target] = {}
        self._hops: dict[tuple[object, ...], tuple[Actor, AssumeParams, HopResult]] = {}
        # the last session (or the refusal) of each chain walked, by its options, context and second
        self._walks: dict[tuple[object, ...], Actor | Outcome] = {}
        # `_plain`'s requests by what they name: the actor, the resource (aliased), the role or the target and its plan
        self._routes: dict[tuple[str, str, str, str | None], Route] = {}
        self._context_keys = ContextKeys()  # the given contexts' names and texts it made, kept (bounded)

    def __getstate__(self) -> dict[str, object]:
        """Pickled (for a cluster's workers) without its memories of requests: each process makes its own."""
        return {
            **self.__dict__,
            "_actors": {},
            "_fitting": set(),
            "_targets": {},
            "_hops": {},
            "_routes": {},
            "_walks": {},
            "_context_keys": ContextKeys(),
        }

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self._wire.scenario

    @property
    def file(self) -> str:
        """The file the scenario came from (or `<dict>`)."""
        return self._doc.file

    @property
    def world(self) -> World:
        """The compiled model: accounts, users, roles, buckets and resources, every policy compiled (read only)."""
        return self._world

    @property
    def evaluator(self) -> Evaluator:
        """The evaluator of this model, with the scenario's clock: the one way to answer one request of an actor."""
        return self._evaluator

    @property
    def tests(self) -> tuple[Test, ...]:
        """The scenario file's own tests, as validated (`policysim.model.records.Test`), `defaults:` applied."""
        return self._tests

    @property
    def notes(self) -> tuple[str, ...]:
        """What the file's imports did not give, and their warnings, in words (contracts.md section 5)."""
        return self._notes

    def alias(self, name: str) -> str:
        """The ARN an imported source address names (`terraform:aws_iam_role.app`), or `name` itself; the address of
        a bucket followed by `/KEY` names an object in it (`cloudformation:LogsBucket/some/key`)."""
        found = self._aliases.get(name)
        if found is not None:
            return found
        cut = name.find("/")
        while cut != -1:
            bucket = self._aliases.get(name[:cut])
            if bucket is not None and bucket.startswith("arn:") and ":s3:::" in bucket and "/" not in bucket:
                return bucket + name[cut:]
            cut = name.find("/", cut + 1)
        return name

    def _aliased(self, test: Test) -> Test:
        if not self._aliases:
            return test
        resource = test.resource  # a pattern (`{pattern: ...}`) is not a name to alias
        if isinstance(resource, str):
            resource = self.alias(resource)
        elif isinstance(resource, list):
            resource = list(map(self.alias, resource))
        return replace(
            test, principal=self.alias(test.principal), resource=resource, assume=list(map(self.alias, test.assume))
        )

    @property
    def default_region(self) -> str | None:
        """The `defaults.region` of the file: `aws:RequestedRegion` of a test whose resource names no Region."""
        return self._wire.defaults.region if self._wire.defaults is not None else None

    @property
    def newer_actions(self) -> frozenset[str]:
        """The actions, lowercased, that the file's `newer_actions` accepts though the catalogue does not list them."""
        return self._accepted

    def locate(self, path: Sequence[str | int]) -> Location:
        """Where the value at key `path` of the scenario file is written (`("tests", 0, "principal")`)."""
        return self._doc.locate(path)

    @classmethod
    def from_document(
        cls,
        doc: Document,
        *,
        base_dir: Path | None = None,
        library: ManagedPolicyLibrary | None = None,
        clock: Clock = utc_now,
    ) -> Scenario:
        """Validate and compile a loaded document."""
        aliases: dict[str, str] = {}
        notes: list[str] = []
        if has_imports(doc.data):  # policysim.imports only for a file that imports
            from policysim.imports.merge import apply_imports

            merged = apply_imports(doc, base_dir)
            doc, aliases, notes = merged.doc, merged.aliases, merged.notes
        wire = read(ScenarioFile, doc.data, doc.locate, "scenario")
        library = library if library is not None else ManagedPolicyLibrary.builtin()
        if wire.aws_managed_policies:  # the account's own versions of AWS managed policies win (imports.md)
            versions = wire.aws_managed_policies.items()
            library = library.with_overrides({arn: (v.document, v.version_id, v.date) for arn, v in versions})
        compiler = PolicyCompiler(doc, base_dir, library)
        world = build_world(wire, compiler)
        if wire.import_ or wire.imported:  # what imports cannot tell is unknown (services/s3.py, resolve.py)
            world = replace(world, imported=True)
        scenario = cls(wire, compiler, world, clock=clock, aliases=aliases, notes=notes)
        scenario._check_references()
        return scenario

    @classmethod
    def load(cls, path: str | Path, *, library: ManagedPolicyLibrary | None = None, clock: Clock = utc_now) -> Scenario:
        """Load a scenario file (YAML or JSON)."""
        path = Path(path)
        return cls.from_document(load_file(path, str(path)), base_dir=path.parent, library=library, clock=clock)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, library: ManagedPolicyLibrary | None = None, clock: Clock = utc_now
    ) -> Scenario:
        """The same model built in memory, with the same keys as the YAML."""
        return cls.from_document(Document.from_data(data, "<dict>"), library=library, clock=clock)

    def _check_references(self) -> None:
        """Resolve every test's principal and roles now, so a bad reference is a load-time error."""
        for index, name in enumerate(self._wire.newer_actions):
            if not is_action_name(name):
                at = self.locate(("newer_actions", index))
                raise RequestError(f"invalid action `{name}` in `newer_actions`", at, "write `service:ActionName`")
        for index, test in enumerate(self._tests):
            where = ("tests", index)
            resolve_actor(self._world, test.principal, self.locate((*where, "principal")))
            for hop, role in enumerate(test.assume):
                find_role(self._world, role, self.locate((*where, "assume", hop)))

    def principal_arn(self, principal: str, session_name: str | None = None) -> str:
        """The ARN a principal reference resolves to (`anonymous` for the anonymous caller)."""
        return str(resolve_actor(self._world, principal, None, session_name).principal)

    def policy_document(self, path: tuple[str | int, ...]) -> Document:
        """The policy document at `path` of the scenario file (inline or `{file: ...}`)."""
        return self._compiler.document(path)

    def run_tests(self) -> list[TestResult]:
        """Run the scenario's own tests."""
        return run_tests(self)

    # ------------------------------------------------------------------ evaluation

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: ContextArg | None = None,
        *,
        assume: Sequence[str] = (),
        session_name: str | None = None,
        external_id: str | None = None,
        mfa: bool | None = None,
        session_policy: Mapping[str, Any] | CompiledPolicy | None = None,
        duration_seconds: int | None = None,
        resource_account: str | None = None,
        via: str = "api",
        session_tags: Mapping[str, str] | None = None,
        transitive_tag_keys: Sequence[str] = (),
        source_identity: str | None = None,
        where: Location | None = None,
        discover: bool = False,
    ) -> Outcome:
        """Would AWS allow `principal` (after walking the `assume` chain) to do `action` on `resource`? With
        `discover`, an outcome that is not allowed carries `discovery`: the conditions on its missing context keys
        under which it would be (docs/api.md, "Discovery")."""
        if not (
            assume
            or discover
            or session_name is not None
            or external_id is not None
            or session_policy is not None
            or duration_seconds is not None
            or via != "api"
            or session_tags
            or transitive_tag_keys
            or source_identity is not None
        ):  # no role chain and none of `RequestSpec.assume_role_options`: the request as it is (as `evaluate_spec`)
            return self._plain(principal, action, resource, context, resource_account, where, mfa)
        if not (discover or session_policy is not None or session_tags or transitive_tag_keys):
            extra = self._context_keys(context)
            walk = _walk_key(
                principal=principal,
                session_name=session_name,
                mfa=mfa,
                assume=tuple(assume),
                external_id=external_id,
                duration_seconds=duration_seconds,
                via=via,
                source_identity=source_identity,
                extra=extra,
                now=self._evaluator.now(),
            )
            found = self._walked_before(walk, action, resource, extra, resource_account, where)
            if found is not None:
                return found
        # every field (a frozen record's own init costs more than the rest of a remembered answer)
        spec = _make_spec(
            principal=principal,
            action=action,
            resource=resource,
            context=context or {},
            assume=tuple(assume),
            session_name=session_name,
            external_id=external_id,
            mfa=mfa,
            session_policy=session_policy,
            duration_seconds=duration_seconds,
            resource_account=resource_account,
            via=via,
            session_tags=session_tags or {},
            transitive_tag_keys=tuple(transitive_tag_keys),
            source_identity=source_identity,
            where=where,
            discover=discover,
        )
        return self.evaluate_spec(spec)

    def evaluate_many(
        self, requests: Iterable[Mapping[str, Any]], workers: int | None = None, cluster: str | None = None
    ) -> list[Outcome]:
        """The outcomes of many requests (each a dict of `evaluate`'s keywords), in order, exactly as `evaluate`
        gives them; `workers` processes (None: this one; 0: every core; contracts.md section 8), or, with `cluster`
        (`tcp://HOST:PORT` of a Dask scheduler, or `local` / `local:N` for N processes started for the call), the
        workers of that cluster, with the extra `policysim[cluster]` (`scenario.cluster`); not both."""
        from policysim.scenario.many import evaluate_many  # processes and pickling: only for those who ask

        return evaluate_many(self, requests, workers, cluster)

    def who_can(
        self, action: str, resource: str, *, workers: int | None = None, max_hops: int = 5, cluster: str | None = None
    ) -> WhoCan:
        """Every caller of the model allowed to do `action` on `resource` (either may be a pattern), as itself or
        through the roles it can assume, each with its path and deciding statements (docs/queries.md); `workers`
        processes or the Dask cluster at `cluster` share the callers (as for `evaluate_many`), not both."""
        from policysim.queries.who_can import who_can

        return who_can(self, action, resource, workers=workers, max_hops=max_hops, cluster=cluster)

    def graph(
        self,
        *,
        to: str | None = None,
        workers: int | None = None,
        progress: GraphProgress | None = None,
        cluster: str | None = None,
    ) -> Graph:
        """Who can become whom: every caller's AssumeRole and privilege-escalation edges, each request put to the one
        evaluator; with `to` (`admin`, or a user or role by name, ARN or source address), each caller's shortest
        route into it (docs/queries.md "graph"); `workers` processes or the Dask cluster at `cluster` share the
        callers (as for `evaluate_many`), not both."""
        from policysim.queries.graph import graph

        to = self.alias(to) if to is not None else None
        return graph(self, to=to, workers=workers, progress=progress, cluster=cluster)

    def evaluate_pattern(
        self, principal: str, action: str, pattern: str, context: ContextArg | None = None, **keywords: Any
    ) -> PatternAnswer:
        """Is some resource matching `pattern` (`arn:aws:s3:::logs-*/*`, `*`) allowed to `principal` for `action`?
        Per resource type and statement pattern, with the examples tried, each asked exactly as `evaluate` asks it
        with the same keywords (docs/queries.md, "Resource patterns")."""
        from policysim.queries.patterns import answer_pattern
        from policysim.space.harvest import harvest

        principal = self.alias(principal)
        caller = final_caller(self, principal, tuple(keywords.get("assume", ())), keywords.get("session_name"))
        where = keywords.get("where")
        ask = lambda resource: self.evaluate(principal, action, resource, context, **keywords)  # noqa: E731
        return answer_pattern(harvest(self._world, self._tests), ask, principal, action, pattern, caller, where=where)

    def what_can(
        self,
        principal: str,
        *,
        service: str | None = None,
        include_chains: bool = False,
        max_hops: int = 5,
        workers: int | None = None,
        cluster: str | None = None,
    ) -> WhatCan:
        """Every action `principal` may do on the model's resources, with the granting statements; with
        `include_chains`, also as each role session it reaches (docs/queries.md); `workers` processes or the Dask
        cluster at `cluster` share the action classes (as for `evaluate_many`), not both."""
        from policysim.queries.what_can import what_can

        chains = include_chains
        return what_can(
            self, principal, service=service, include_chains=chains, max_hops=max_hops, workers=workers, cluster=cluster
        )

    def check_request(self, action: str, resource: str, resource_account: str | None, where: Location | None) -> None:
        """`check_request` with this scenario's `newer_actions`; a pair of action and resource that passed once
        passes again without a second look (the checks read nothing else; the memory is bounded)."""
        if (action, resource) in self._fitting:
            check_resource_account(resource_account, where)
            return
        check_request(action, resource, resource_account, where, self._accepted)
        if len(self._fitting) >= 65_536:
            self._fitting.clear()
        self._fitting.add((action, resource))

    def evaluate_spec(self, spec: RequestSpec) -> Outcome:
        """The outcome of one request given as a value: `evaluate`'s keywords, a test, `explain`'s flags."""
        if spec.discover:  # off the hot path: the search asks this method again, with the missing keys given
            from policysim.engine.discovery import discover

            plain = replace(spec, discover=False)
            outcome = self.evaluate_spec(plain)
            return replace(outcome, discovery=discover(outcome, lambda keys: self.evaluate_spec(plain.with_keys(keys))))
        if not spec.assume and spec.session_name is None and not spec.assume_role_options():
            at = spec.where
            return self._plain(
                spec.principal, spec.action, spec.resource, spec.context, spec.resource_account, at, spec.mfa
            )
        where = spec.where
        extra = self._context_keys(spec.context)
        walk = None
        if not (spec.session_policy is not None or spec.session_tags or spec.transitive_tag_keys):
            walk = _walk_key(
                principal=spec.principal,
                session_name=spec.session_name,
                mfa=spec.mfa,
                assume=tuple(spec.assume),
                external_id=spec.external_id,
                duration_seconds=spec.duration_seconds,
                via=spec.via,
                source_identity=spec.source_identity,
                extra=extra,
                now=self._evaluator.now(),
            )
            found = self._walked_before(walk, spec.action, spec.resource, extra, spec.resource_account, where)
            if found is not None:
                return found
        if self._aliases:
            assume = tuple(map(self.alias, spec.assume))
            spec = replace(
                spec, principal=self.alias(spec.principal), resource=self.alias(spec.resource), assume=assume
            )
        final_is_hop = self._is_hop(spec.action, spec.resource)
        self.check_request(spec.action, spec.resource, spec.resource_account, where)
        actor = self._actor(spec.principal, where, spec.session_name)
        if spec.mfa is not None:
            actor = replace(actor, mfa=spec.mfa)
        request_endpoint(self._world, extra, where)  # an undeclared VPC endpoint is refused here, located
        if not spec.assume and not final_is_hop:
            given = spec.assume_role_options()
            if given:
                raise RequestError(
                    f"`{next(iter(given))}` describes an AssumeRole request, but this request assumes no role",
                    where,
                    "add `assume: [ROLE]`, or make the action `sts:AssumeRole` on a role of the scenario",
                )
            return self.answer(actor, spec.action, spec.resource, extra, spec.resource_account, where)
        walked = self._walk(spec, actor, extra, final_is_hop)
        if walk is not None and not final_is_hop:  # (the last hop's own parameters are not the walk's)
            if len(self._walks) >= 4096:
                self._walks.clear()
            self._walks[walk] = walked if isinstance(walked, Outcome) else walked[0]
        if isinstance(walked, Outcome):
            return walked
        if final_is_hop:
            role = self._world.roles[spec.resource]
            return self._hop(walked[0], role, walked[1], mint=False).outcome
        return self.answer(walked[0], spec.action, spec.resource, extra, spec.resource_account, where)

    def _is_hop(self, action: str, resource: str) -> bool:
        """Is the request (its resource aliased) an AssumeRole of a role of the model: a hop of its own?"""
        return action.lower() == "sts:assumerole" and resource in self._world.roles

    def _walked_before(
        self,
        walk: tuple[object, ...],
        action: str,
        resource: str,
        extra: dict[str, tuple[str, ...] | None],
        resource_account: str | None,
        where: Location | None,
    ) -> Outcome | None:
        """The answer through a role chain walked before with the same options, context and second (`_walk_key`):
        the request of its last session, or the refusal of the hop that refused; None when it was not walked, or
        when the request is an AssumeRole hop itself (its parameters are the last hop's own)."""
        walked = self._walks.get(walk)
        if walked is None:
            return None
        if self._aliases:
            resource = self.alias(resource)
        if self._is_hop(action, resource):
            return None
        self.check_request(action, resource, resource_account, where)
        if isinstance(walked, Outcome):
            return walked
        return self.answer(walked, action, resource, extra, resource_account, where)

    def _walk(
        self, spec: RequestSpec, actor: Actor, extra: dict[str, tuple[str, ...] | None], final_is_hop: bool
    ) -> tuple[Actor, AssumeParams] | Outcome:
        """Walk `spec`'s role chain from `actor`: the last session and the parameters of the last AssumeRole (the
        request's own, when it is a hop), or the refusal of the hop that refused."""
        where = spec.where
        policy = self._session_policy(spec.session_policy)
        via = _via(spec, policy[0], where)
        last = AssumeParams(
            session_name=spec.session_name,
            external_id=spec.external_id,
            duration_seconds=spec.duration_seconds,
            via=via,
            context=extra,
            session_policy=policy[0],
            session_policy_chars=policy[1],
            session_tags=dict(spec.session_tags),
            transitive_tag_keys=spec.transitive_tag_keys,
            source_identity=spec.source_identity,
        )
        base = last  # the hops before the last carry none of its extras (session policy, tags, source identity)
        if len(spec.assume) > 1 or (spec.assume and final_is_hop):
            base = AssumeParams(spec.session_name, spec.external_id, spec.duration_seconds, via=via, context=extra)
        for hop, role_ref in enumerate(spec.assume):
            role = find_role(self._world, role_ref, where)
            params = last if hop == len(spec.assume) - 1 and not final_is_hop else base
            result = self._hop(actor, role, params)
            if result.session is None:
                return result.outcome.with_hop(hop)
            actor = result.session
        return actor, last

    def _plain(
        self,
        principal: str,
        action: str,
        resource: str,
        context: ContextArg | None,
        resource_account: str | None,
        where: Location | None,
        mfa: bool | None,
    ) -> Outcome:
        """A request without a role chain, session name or AssumeRole options (an AssumeRole on a role of the model
        is its hop). What the request names is checked and resolved once per principal, action, resource and
        resource account (bounded): it reads nothing else."""
        named = (principal, action, resource, resource_account)
        route = self._routes.get(named) if mfa is None else None
        extra = self._context_keys(context)
        endpoint_checked = False
        if route is None:
            if self._aliases:
                principal, resource = self.alias(principal), self.alias(resource)
            self.check_request(action, resource, resource_account, where)
            actor = self._actor(principal, where, None)
            if mfa is not None:
                actor = replace(actor, mfa=mfa)
            if extra:  # an undeclared VPC endpoint is refused before the target is resolved, as `evaluate_spec` does
                request_endpoint(self._world, extra, where)
                endpoint_checked = True
            role, target = self._route(actor, action, resource, resource_account, where)
            plan = None if target is None else self._evaluator.plan(actor, action, target)
            route = (actor, resource, role, target, plan)
            if mfa is None:
                if len(self._routes) >= 65_536:
                    self._routes.clear()
                self._routes[named] = route
        actor, resource, role, target, plan = route
        if role is not None:
            if extra and not endpoint_checked:
                request_endpoint(self._world, extra, where)  # also on a hop (the evaluator checks the others)
            return self._hop(actor, role, AssumeParams(context=extra), mint=False).outcome
        assert target is not None
        evaluator = self._evaluator
        return evaluator.evaluate(actor, action, target, extra, where, handed=True, plan=plan)  # ContextKeys made it

    def answer(
        self,
        actor: Actor,
        action: str,
        resource: str,
        extra: Mapping[str, tuple[str, ...] | None],
        resource_account: str | None = None,
        where: Location | None = None,
    ) -> Outcome:
        """The outcome of `actor` doing `action` on `resource`; AssumeRole on a role of the model is a full hop."""
        role, target = self._route(actor, action, resource, resource_account, where)
        if role is not None:
            return assume_role(self._evaluator, actor, role, AssumeParams(context=extra), mint=False).outcome
        assert target is not None
        return self._evaluator.evaluate(actor, action, target, extra, where)

    def _route(
        self, actor: Actor, action: str, resource: str, resource_account: str | None, where: Location | None
    ) -> tuple[RoleInfo, None] | tuple[None, Target]:
        """Where `actor` doing `action` on `resource` goes: the role of the model an AssumeRole assumes (a full hop),
        or the request's target (resolved once per what it reads, bounded)."""
        lowered = action.lower()
        role = self._world.roles.get(resource) if lowered == "sts:assumerole" else None
        if role is not None:
            return role, None
        principal = actor.principal
        key = (lowered in TRUST_ACTIONS, resource, resource_account, principal.account, principal.partition)
        target = self._targets.get(key)
        if target is None:
            target = request_target(self._world, action, resource, resource_account, actor, where)
            if len(self._targets) >= 65_536:
                self._targets.clear()
            self._targets[key] = target
        return None, target

    def _hop(self, actor: Actor, role: RoleInfo, params: AssumeParams, *, mint: bool = True) -> HopResult:
        """One AssumeRole hop of a chain, and the session it mints (with `mint`; a request's own last AssumeRole
        mints none). A hop reads only its caller, its role, its parameters and the clock, so within one second of the
        clock the same hop is walked once (bounded); the caller and parameters are kept with the result, so an
        address in the key is never another object's."""
        now = self._evaluator.now()
        key = (id(actor), role.arn, hop_key(params), now, mint)
        known = self._hops.get(key)
        if known is not None and known[0] is actor:
            return known[2]
        result = assume_role(self._evaluator, actor, role, params, mint=mint)
        if len(self._hops) >= 4096:
            self._hops.clear()
        self._hops[key] = (actor, params, result)
        return result

    def _actor(self, principal: str, where: Location | None, session_name: str | None) -> Actor:
        """The actor a principal reference names, resolved once per reference."""
        key = (principal, session_name)
        actor = self._actors.get(key)
        if actor is None:
            actor = resolve_actor(self._world, principal, where, session_name)
            self._actors[key] = actor
        return actor

    def assume_role(self, principal: str, role: str, **options: Any) -> Session:
        """Assume `role` as `principal` and keep the session; raises RequestError when refused."""
        outcome, session = self.try_assume_role(principal, role, **options)
        if session is None:
            declared = find_role(self._world, role, None).location  # where the refusing role is written
            raise RequestError(f"AssumeRole refused: {outcome.explain()}", declared)
        return session

    def try_assume_role(self, principal: str, role: str, **options: Any) -> tuple[Outcome, Session | None]:
        """The AssumeRole outcome and, when allowed, the minted session (options as for `evaluate`)."""
        actor = resolve_actor(self._world, principal, None)
        mfa = options.pop("mfa", None)
        if mfa is not None:
            actor = replace(actor, mfa=mfa)
        policy = self._session_policy(options.pop("session_policy", None))
        params = AssumeParams(
            session_policy=policy[0],
            session_policy_chars=policy[1],
            context=self._context_keys(options.pop("context", None)),
            **options,
        )
        result = assume_role(self._evaluator, actor, find_role(self._world, role, None), params)
        if result.session is None:
            return result.outcome, None
        return result.outcome, Session(self, result.session, result.outcome)

    def _session_policy(self, value: Mapping[str, Any] | CompiledPolicy | None) -> tuple[CompiledPolicy | None, int]:
        if value is None:
            return None, 0
        if isinstance(value, CompiledPolicy):
            return value, len(value.source_text or "")
        doc = Document.from_data(value, "<session policy>")
        chars = len(json.dumps(doc.data, separators=(",", ":")))
        return compile_policy(doc, "session policy", PolicyKind.SESSION), chars


def check_request(
    action: str,
    resource: str,
    resource_account: str | None,
    where: Location | None,
    accepted: frozenset[str] = frozenset(),
) -> None:
    """A request names one concrete action (`service:Name`, no wildcard) and, if any, a 12-digit account; its action
    name and resource are no longer than AWS accepts (`policysim.limits`: botocore's ActionNameType, 128 characters,
    and ResourceNameType, 2,048), as the simulate twins enforce for `ActionNames` and `ResourceArns`.

    The action must be one the service catalogue lists (or one of `accepted`, newer than it), and the resource of a
    type it acts on (`policysim.catalogue.fit`): a request AWS would never evaluate gets no answer."""
    for what, value, bound in (("action", action, ACTION_NAME), ("resource", resource, RESOURCE_NAME)):
        if len(value) > bound.max:
            raise RequestError(
                f"request {what} is {len(value)} characters long; AWS allows at most {bound.max} "
                f"(botocore {bound.shape})",
                where,
                f"the {what} begins `{show(value, 40)}`",
            )
    if not is_action_name(action):
        raise RequestError(
            f"invalid request action `{action}`",
            where,
            "a request names one action as `service:ActionName`, no wildcards",
        )
    if action.lower() in UNMODELLED_ASSUME_ACTIONS:
        # Their trust policies name identity providers, whose tokens policysim does not model: evaluating them as
        # plain actions would skip the trust policy and could allow what AWS refuses.
        raise UnsupportedError(
            f"`{action}` (federated AssumeRole) is not modelled", where, "model the role session with `assume` instead"
        )
    check_resource_account(resource_account, where)
    if resource != "*":
        parse_arn(resource, location=where)  # a malformed ARN is reported as such, before its type is judged
    problem = action_problem(action, accepted) or resource_problem(action, resource)
    if problem is not None:
        raise RequestError(problem.message, where, problem.hint)


def check_resource_account(resource_account: str | None, where: Location | None) -> None:
    """A request's `resource_account`, where given, is a 12-digit account id."""
    if resource_account is not None and not is_account_id(resource_account):
        raise RequestError(f"`resource_account` `{resource_account}` must be a 12-digit account id", where)


def _walk_key(
    *,
    principal: str,
    session_name: str | None,
    mfa: bool | None,
    assume: tuple[str, ...],
    external_id: str | None,
    duration_seconds: int | None,
    via: str,
    source_identity: str | None,
    extra: Mapping[str, tuple[str, ...] | None],
    now: tuple[str, str],
) -> tuple[object, ...]:
    """What walking a role chain reads, as given (before aliases), the context and the second of the clock, in one
    order whoever asks. A chain whose options are all hashable (no session policy or tags) is walked once per key
    (`Scenario._walks`, bounded)."""
    chain = (principal, session_name, mfa, assume, external_id, duration_seconds, via, source_identity)
    return (*chain, tuple(extra.items()), now)


def _via(spec: RequestSpec, session_policy: CompiledPolicy | None, where: Location | None) -> Via:
    """The request's `via`, and what the console's Switch Role cannot do."""
    try:
        mode = Via(spec.via)
    except ValueError:
        raise RequestError(f"`via` must be `api`, `cli` or `console`, got `{spec.via}`", where) from None
    if mode is Via.CONSOLE:
        if spec.external_id is not None:
            raise RequestError(
                "the console's Switch Role cannot pass an ExternalId",
                where,
                "remove `external_id`, or use `via: api` / `via: cli`",
            )
        if spec.duration_seconds is not None and spec.duration_seconds != 3600:
            raise RequestError("the console's Switch Role gives 1-hour sessions", where, "remove `duration_seconds`")
        if session_policy is not None or spec.session_tags:
            raise RequestError("the console's Switch Role cannot pass session policies or tags", where)
    return mode


def load_scenario(path: str | Path, *, library: ManagedPolicyLibrary | None = None, clock: Clock = utc_now) -> Scenario:
    """Load and compile a scenario file."""
    return Scenario.load(path, library=library, clock=clock)
