"""`simulate_principal_policy`: the offline `aws iam simulate-principal-policy`, the scenario standing in for the
live account (the principal's attached, inline and group policies, its boundary, its organization's SCPs and RCPs,
the resources' own policies and owners), evaluated through the scenario's own resolver and evaluator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from policysim.compiled import CompiledPolicy
from policysim.enums import PolicyKind
from policysim.errors import Location, UnresolvedReferenceError, UnsupportedError
from policysim.load import Document, load_json
from policysim.model.validation import validate
from policysim.request import PrincipalKind
from policysim.scenario.api import Scenario
from policysim.space.harvest import harvest
from policysim.twins.custom import (
    PolicyBook,
    caller_principal,
    check_requests,
    endpoint_location,
    owner_account,
    resource_policy,
    with_endpoint_policy,
    with_resource_policy,
)
from policysim.twins.discovered import with_discovery
from policysim.twins.input_model import PrincipalPolicyInput, context_values
from policysim.twins.output import Evaluation, Renderer, StatementSpan, page, statement_positions
from policysim.twins.patterns import pattern_results
from policysim.world.actor import Actor
from policysim.world.evaluator import Evaluator
from policysim.world.resolve import Target, is_role_arn, request_target, resolve_actor


def policy_name(policy_id: str) -> str:
    """AWS's `SourcePolicyId` for a scenario policy: the managed policy's or inline policy's name (a VPC endpoint's
    policy: the endpoint's id)."""
    if policy_id.startswith("vpce-"):
        return policy_id.split("#", 1)[0]
    if policy_id.endswith(("#policy", "#trust")):
        return "ResourcePolicy"  # the resource's own policy, named as AWS names the one resource policy
    if "#" in policy_id:
        return policy_id.rsplit("#", 1)[1]
    if policy_id.startswith("arn:") and ":policy/" in policy_id:
        return policy_id.rsplit("/", 1)[1]
    return policy_id


def _source_actor(scenario: Scenario, arn: str, where: Location) -> Actor:
    world = scenario.world
    if ":group/" in arn:
        raise UnsupportedError(
            f"group ARNs are not simulated: `{arn}`",
            where,
            "simulate one of the group's users; it has the group's policies",
        )
    if arn not in world.users and arn not in world.roles:
        known = [*world.users, *world.roles][:8]
        raise UnresolvedReferenceError(
            f"`{arn}` is not a user or role of the scenario", where, "known: " + ", ".join(f"`{k}`" for k in known)
        )
    return resolve_actor(world, arn, where)


def _caller(scenario: Scenario, arn: str, where: Location) -> Actor:
    """The `CallerArn` principal: as the scenario knows it when it declares it (tags, ids), else from its ARN."""
    world = scenario.world
    if arn in world.users or arn in world.roles or (arn.startswith("arn:") and ":assumed-role/" in arn):
        return resolve_actor(world, arn, where)
    principal = caller_principal(arn, None, where)
    return Actor(principal, account=world.account(principal.account) if principal.account else None)


def _positions(policies: list[CompiledPolicy], book: PolicyBook) -> dict[str, dict[int, StatementSpan]]:
    out = dict(book.positions)
    for policy in policies:
        if policy.id not in out and policy.source_text and policy.source_text.lstrip().startswith("{"):
            out[policy.id] = statement_positions(load_json(policy.source_text, policy.id), policy.source_text)
    return out


def simulate_principal_document(scenario: Scenario, doc: Document) -> dict[str, Any]:
    """Run a simulate-principal-policy input, loaded as a `Document`, against `scenario`."""
    wire = validate(PrincipalPolicyInput, doc.data, doc.locate, "simulate-principal-policy input")
    if wire.PolicyExclusionList:
        raise UnsupportedError("`PolicyExclusionList` is not supported", doc.locate(("PolicyExclusionList",)))
    actor = _source_actor(scenario, wire.PolicySourceArn, doc.locate(("PolicySourceArn",)))
    book = PolicyBook(doc)
    added = book.many(wire.PolicyInputList, "PolicyInputList", PolicyKind.IDENTITY)
    boundaries = book.many(
        wire.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", PolicyKind.BOUNDARY
    )
    actor = replace(actor, identity=actor.identity + added, boundary=boundaries[0] if boundaries else actor.boundary)
    if wire.CallerArn is not None:
        caller = _caller(scenario, wire.CallerArn, doc.locate(("CallerArn",)))
        # "as if Bob had David's policies": the caller's identity, the policy source's policies
        actor = replace(
            actor, principal=caller.principal, account=caller.account, root=caller.principal.kind is PrincipalKind.ROOT
        )
    given_policy = resource_policy(book, wire, doc.locate)
    owner = owner_account(wire.ResourceOwner, doc.locate(("ResourceOwner",)))
    extra = context_values(wire.ContextEntries or [], doc.locate)
    world = with_endpoint_policy(scenario.world, book, wire, extra, doc.locate)
    evaluator = scenario.evaluator if world is scenario.world else Evaluator(world, scenario.evaluator.clock)
    vpce_at = endpoint_location(wire, doc.locate)
    evaluations: list[Evaluation] = []
    resources = wire.ResourceArns or ([] if wire.ResourcePatterns else ["*"])
    check_requests(wire.ActionNames, wire.ResourceArns or [], doc.locate, scenario.newer_actions)

    def governed(action: str, resource: str, where: Location | None) -> Target:
        target = request_target(world, action, resource, owner, actor, where)
        if given_policy is not None or is_role_arn(resource):
            target = with_resource_policy(target, action, given_policy)
        return target

    for action in wire.ActionNames:
        for index, resource in enumerate(resources):
            target = governed(action, resource, doc.locate(("ResourceArns", index)))
            outcome = evaluator.evaluate(actor, action, target, extra, vpce_at)
            outcome = with_discovery(wire.SimulationMode, outcome, evaluator, (actor, action, target), extra, vpce_at)
            assert outcome.policies is not None  # the evaluator records what it evaluated
            evaluations.append(Evaluation(action, resource, outcome, outcome.policies))
    compiled = [*actor.identity, *([actor.boundary] if actor.boundary else [])]
    compiled += [e.policies.resource for e in evaluations if e.policies.resource is not None]
    renderer = Renderer(_positions(compiled, book), policy_name)
    results = [renderer.result(e) for e in evaluations]
    if wire.ResourcePatterns:  # policysim extension: requests over resource patterns (twins/patterns.py)
        where = doc.locate(("ResourcePatterns",))
        space = harvest(scenario.world, scenario.tests)  # the examples: the scenario's resources, patterns filled in
        results += pattern_results(
            wire.ActionNames,
            wire.ResourcePatterns,
            lambda action, resource: evaluator.evaluate(
                actor, action, governed(action, resource, where), extra, vpce_at
            ),
            actor.principal,
            wire.ResourceArns or [],
            renderer,
            doc.locate,
            space,
        )
    return page(results, wire.MaxItems, wire.Marker, doc.locate(("Marker",)))


def simulate_principal_policy(scenario: Scenario, data: Mapping[str, Any]) -> dict[str, Any]:
    """The offline `aws iam simulate-principal-policy` against a scenario: AWS's input keys, AWS's output shape.

    `PolicySourceArn` names a user or role of the scenario; the scenario's clock gives `aws:CurrentTime`.
    Raises `policysim.errors.PolicysimError` subclasses (located) for invalid input.
    """
    return simulate_principal_document(scenario, Document.from_data(data, "<input>"))
