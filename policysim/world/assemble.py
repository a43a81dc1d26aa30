"""The request and the policies that govern it: what the evaluator reads, assembled from an actor and a target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from policysim.catalogue.resource_tags import builtin_resource_tag_keys
from policysim.catalogue.services import builtin_services
from policysim.compiled import CompiledPolicy, Unknown
from policysim.context import SOURCE_VPC, SOURCE_VPCE, RequestContext
from policysim.engine.policies import PolicySet
from policysim.enums import PolicyKind
from policysim.errors import Location, RequestError, UnresolvedReferenceError
from policysim.ir.arn import parse_arn
from policysim.records import slot_maker
from policysim.request import Principal, Request
from policysim.world.actor import Actor
from policysim.world.resolve import Target
from policysim.world.world import EndpointInfo, World

# RCPs "do not impact the kms:RetireGrant permission" (orgs_manage_policies_rcps.md).
RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})
EXISTING_OBJECT_TAG = "s3:existingobjecttag/"


def rcps_apply(principal: Principal, action_lower: str) -> bool:
    """Whether the resource account's RCPs govern this caller and action.

    "RCPs do not apply to calls made by service-linked roles" (orgs_manage_policies_rcps.md); they do apply to
    AWS service principals. RCPs are applied to every service: AWS lists the services RCPs cover, and skipping an
    RCP Deny on a service wrongly thought uncovered would allow too much, while applying one too widely only denies.
    """
    return not principal.service_linked and action_lower not in RCP_EXEMPT_ACTIONS


make_request = slot_maker(Request)  # every field given: no `__post_init__` to fill `action_lower`


def build_request(
    world: World,
    actor: Actor,
    action: str,
    target: Target,
    extra: Mapping[str, tuple[str, ...] | None],
    now: tuple[str, str],
    derived: Mapping[str, tuple[str, ...]] | None = None,
    endpoint: EndpointInfo | None = None,
) -> Request:
    """The request with its full context (`request_keys`)."""
    context = RequestContext.owning(request_keys(world, actor, action, target, extra, now, derived, endpoint))
    return make_request(
        principal=actor.principal,
        action=action,
        resource=target.arn,
        resource_account=target.account,
        context=context,
        resource_partition=target.partition,
        action_lower=action.lower(),
    )


def request_keys(
    world: World,
    actor: Actor,
    action: str,
    target: Target,
    extra: Mapping[str, tuple[str, ...] | None],
    now: tuple[str, str],
    derived: Mapping[str, tuple[str, ...]] | None = None,
    endpoint: EndpointInfo | None = None,
) -> dict[str, tuple[str, ...]]:
    """A request's full context: the caller's keys, the clock's, the keys the resource and action give (`derived`,
    when an evaluation plan holds them already), `aws:SourceVpc` from the VPC `endpoint` the request travels
    through, then the flow's and the caller's keys on top (`extra`, by name in any case, a later spelling of a
    name winning; a `None` value removes the key)."""
    keys: dict[str, tuple[str, ...] | None] = dict(actor.principal_keys)
    keys["aws:currenttime"] = (now[0],)
    keys["aws:epochtime"] = (now[1],)
    keys.update(resource_keys(world, action, target) if derived is None else derived)
    if endpoint is not None and endpoint.vpc is not None:
        keys[SOURCE_VPC] = (endpoint.vpc,)
    names = "".join(extra)
    if names != names.lower():  # a caller's own spelling (the evaluator's names are lowercased already)
        extra = {key.lower(): raw for key, raw in extra.items()}
    keys.update(extra)
    if None in extra.values():
        for key, raw in extra.items():
            if raw is None:
                del keys[key]
    return cast("dict[str, tuple[str, ...]]", keys)  # every None deleted


def resource_keys(world: World, action: str, target: Target) -> dict[str, tuple[str, ...]]:
    """The keys a request for `action` on `target` carries whoever makes it: the resource's account and
    organization, its tags, the Region its ARN names, the declared object's tags."""
    keys: dict[str, tuple[str, ...]] = {}
    if target.account:
        keys["aws:resourceaccount"] = (target.account,)
        owner = world.account(target.account)
        if owner is not None and owner.org_id:
            keys["aws:resourceorgid"] = (owner.org_id,)
            if owner.org_path:
                keys["aws:resourceorgpaths"] = (owner.org_path,)
    if target.tags:
        # aws:ResourceTag/* always; the service's own keys (iam:ResourceTag/*, ...) where the reference lists them
        service = action.split(":", 1)[0].lower()
        prefixes = ("aws:resourcetag/", *builtin_resource_tag_keys().prefixes(service, target.arn))
        for tag, value in target.tags.items():
            for prefix in prefixes:
                keys[prefix + tag.lower()] = (value,)
    if target.arn != "*" and called_in_resource_region(action):
        region = parse_arn(target.arn).region
        if region:
            # "aws:RequestedRegion ... the AWS Region that was called in the request" (reference_policies_condition-
            # keys.md): a request on a regional resource is sent to that resource's Region. Context overrides it.
            keys["aws:requestedregion"] = (region,)
    if target.arn in world.resources:
        keys.update(existing_object_tags(world, action, target.arn))
    return keys


def called_in_resource_region(action: str) -> bool:
    """Is a request for `action` sent to the Region of its resource? Not for the actions that copy or replicate a
    resource from another Region (`ec2:CopySnapshot`, `ec2:CopyImage`, `rds:CopyDBSnapshot`, ...): they are called in
    the destination Region while the source's ARN names the source Region (EC2 and RDS API references), so for them
    `aws:RequestedRegion` is not derived from the resource (a Region-lock Deny then applies unless context says)."""
    name = action.partition(":")[2].lower()
    return not (name.startswith("copy") or "replicat" in name or "crossregion" in name)


def existing_object_tags(world: World, action: str, arn: str) -> dict[str, tuple[str, ...]]:
    """`s3:ExistingObjectTag/KEY` for an S3 object the model declares under `resources:` with tags, when the
    Service Authorization Reference lists `s3:ExistingObjectTag/${key}` for the action (s3:GetObject, ...)."""
    declared = world.resources.get(arn)
    if declared is None or not declared.tags or not action.lower().startswith("s3:"):
        return {}
    found = builtin_services().action(action)
    if found is None or not any(k.lower().startswith(EXISTING_OBJECT_TAG) for k in found.keys):
        return {}
    return {EXISTING_OBJECT_TAG + tag.lower(): (value,) for tag, value in declared.tags.items()}


def policy_set(world: World, actor: Actor, action_lower: str, target: Target) -> PolicySet:
    """Every policy that governs `actor` doing the (lowercased) action on `target`: the caller's, the
    organization's and the resource's."""
    principal = actor.principal
    scps: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...] = ()
    if actor.account is not None and principal.is_aws_account_identity and not principal.service_linked:
        scps = actor.account.scp_levels
    rcps: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...] = ()
    owner = world.account(target.account) if target.account else None
    if owner is not None and rcps_apply(principal, action_lower):
        rcps = owner.rcp_levels
    return PolicySet(
        identity=actor.identity,
        boundary=actor.boundary,
        session=actor.session,
        scp_levels=scps,
        rcp_levels=rcps,
        resource=target.policy,
        resource_must_allow=target.must_allow,
        root=actor.root,
        resource_gate=target.gate,
        absent_resource_policy=target.absent,
    )


def request_endpoint(
    world: World, extra: Mapping[str, tuple[str, ...] | None], where: Location | None = None
) -> EndpointInfo | None:
    """The VPC endpoint a request travels through: the one its `aws:SourceVpce` names, or None.

    Fail closed: an endpoint the model does not declare is never passed over as if it had no policy. In a model built
    from imports its policy is unknown (the decisions it could change are `undetermined`); in a hand-written model it
    is an error naming the endpoint. A world that evaluates no endpoint policies (the simulate-custom-policy twin
    without `VpcEndpointPolicyInputList`, as AWS's simulator) reads `aws:SourceVpce` as a plain context key.
    """
    values = extra.get(SOURCE_VPCE) if extra else None
    if values is None or not world.endpoint_policies:  # `[]` is not "no endpoint": refused below
        return None
    if len(values) != 1:
        raise RequestError(
            f"`aws:SourceVpce` has {len(values)} values; a request travels through one VPC endpoint",
            where,
            "give one endpoint id, e.g. `aws:SourceVpce: vpce-1a2b3c4d`",
        )
    endpoint_id = values[0]
    found = world.vpc_endpoints.get(endpoint_id)
    if found is not None:
        _check_source_vpc(found, extra, where)
        return found
    if world.imported:
        unknown = Unknown(f"the policy of VPC endpoint `{endpoint_id}`, which the inputs do not hold", "aws:SourceVpce")
        policy = CompiledPolicy(f"<policy of {endpoint_id}>", PolicyKind.VPC_ENDPOINT, (), None, unknown=unknown)
        return EndpointInfo(endpoint_id, None, policy)
    declared = ", ".join(f"`{e}`" for e in list(world.vpc_endpoints)[:8]) or "none"
    raise UnresolvedReferenceError(
        f"`aws:SourceVpce` names VPC endpoint `{endpoint_id}`, which the scenario does not declare",
        where,
        f"declare it under an account's `vpc_endpoints` (with its `policy`, or none for AWS's default full-access "
        f"policy), so its policy is evaluated; declared: {declared}",
    )


def _check_source_vpc(
    endpoint: EndpointInfo, extra: Mapping[str, tuple[str, ...] | None], where: Location | None
) -> None:
    """A request through a declared endpoint comes from the endpoint's VPC: an `aws:SourceVpc` that says otherwise
    (another VPC, or `null`) describes a request AWS never receives, and could match a policy keyed on that VPC."""
    if endpoint.vpc is None or SOURCE_VPC not in extra:
        return
    given = extra[SOURCE_VPC]
    if given == (endpoint.vpc,):
        return
    shown = "absent (null)" if given is None else ", ".join(f"`{v}`" for v in given) or "empty"
    raise RequestError(
        f"`aws:SourceVpc` is {shown}, but VPC endpoint `{endpoint.id}` is in `{endpoint.vpc}`: a request through the "
        "endpoint comes from its VPC",
        where,
        "leave `aws:SourceVpc` out (it is derived from the endpoint), or name the endpoint of that VPC",
    )


def with_endpoint(policies: PolicySet, endpoint: EndpointInfo | None, action_lower: str) -> PolicySet:
    """`policies` with the policy of the VPC endpoint the request travels through, when it carries the action.

    "Only the parts of the policy that relate to the specified service will work" (Amazon VPC User Guide, Using VPC
    endpoint policies): an endpoint carries only its own service's requests.
    """
    if endpoint is None or not endpoint.carries(action_lower):
        return policies
    return replace(policies, endpoint=endpoint.policy, endpoint_label=endpoint.label)
