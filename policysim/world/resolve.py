"""From names and ARNs in a test (or an API call) to actors, resources, requests and the policies that apply."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from policysim.compiled import CompiledPolicy, Unknown
from policysim.enums import Gate, PolicyKind
from policysim.errors import Location, RequestError, UnresolvedReferenceError, UnsupportedError
from policysim.identifiers import is_service_principal
from policysim.ir.arn import Arn, parse_arn
from policysim.ir.principal import principal_of_arn
from policysim.request import ANONYMOUS, Principal, PrincipalKind
from policysim.services import kms
from policysim.services.sts import TRUST_ACTIONS
from policysim.world.actor import Actor
from policysim.world.world import AccountInfo, RoleInfo, World

ROLE_ARN = re.compile(r"arn:[a-z0-9-]+:iam::[^:]*:role/")
DEFAULT_SESSION_NAME = "policysim"


@dataclass(frozen=True)
class Target:
    """The resource of a request: owner account, partition, tags and resource-based policy.

    `must_allow`: the resource policy must allow (a role's trust policy, a KMS key policy); `absent` says why none
    can when the input did not give it.
    """

    arn: str
    account: str | None
    partition: str
    policy: CompiledPolicy | None = None
    must_allow: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    gate: Gate = Gate.RESOURCE
    absent: str | None = None


def account_info(world: World, account_id: str | None, partition: str = "aws") -> AccountInfo | None:
    """The declared account, or a bare one for an account the model does not declare."""
    if account_id is None:
        return None
    return world.account(account_id) or AccountInfo(account_id, None, partition)


def role_actor(world: World, role: RoleInfo, session_name: str, **state: object) -> Actor:
    """An actor for a session of `role` (session policies, MFA, tags etc. passed as Actor fields)."""
    account = account_info(world, role.account)
    partition = account.partition if account else "aws"
    tags = state.pop("tags", None)
    principal = Principal(
        kind=PrincipalKind.ROLE_SESSION,
        arn=f"arn:{partition}:sts::{role.account}:assumed-role/{role.name}/{session_name}",
        account=role.account,
        partition=partition,
        name=role.name,
        role_arn=role.arn,
        session_name=session_name,
        user_id=f"{role.role_id}:{session_name}",
        tags=tags if isinstance(tags, Mapping) else dict(role.tags),
        service_linked=role.service_linked,
    )
    return Actor(principal, role.identity, role.boundary, account=account, **state)  # type: ignore[arg-type]


def find_role(world: World, ref: str, where: Location | None) -> RoleInfo:
    """A role by name (unique in the scenario) or by ARN."""
    if ref.startswith("arn:"):
        role = world.roles.get(ref)
        if role is None:
            raise UnresolvedReferenceError(f"unknown role `{ref}`", where, _known(world.roles))
        return role
    arns = [a for a in world.names.get(ref, ()) if a in world.roles]
    if not arns:
        raise UnresolvedReferenceError(f"unknown role `{ref}`", where, _known(world.roles))
    if len(arns) > 1:
        raise UnresolvedReferenceError(f"role name `{ref}` is ambiguous", where, "use the role ARN: " + ", ".join(arns))
    return world.roles[arns[0]]


def _known(table: Mapping[str, object]) -> str:
    return "known: " + (", ".join(f"`{k}`" for k in list(table)[:8]) or "none")


def resolve_actor(world: World, ref: str, where: Location | None, session_name: str | None = None) -> Actor:
    """The actor a test's `principal` names: a user or role (name or ARN), a root, a service, or anonymous."""
    if ref == "anonymous":
        return Actor(ANONYMOUS)
    if is_service_principal(ref):
        return Actor(Principal(PrincipalKind.SERVICE, ref))
    if not ref.startswith("arn:"):
        arns = world.names.get(ref, ())
        if not arns:
            raise UnresolvedReferenceError(
                f"unknown principal `{ref}`",
                where,
                "name a user or role of the scenario, give a principal ARN, a service principal or `anonymous`",
            )
        if len(arns) > 1:
            raise UnresolvedReferenceError(
                f"principal name `{ref}` is ambiguous", where, "use the ARN: " + ", ".join(arns)
            )
        ref = arns[0]
    arn = parse_arn(ref, location=where)
    return _actor_for_arn(world, ref, arn, where, session_name)


def outside_actor(world: World, bare: Principal) -> Actor | None:
    """In a model built from imports, a principal of an account the model does not hold: its own policies and its
    account's SCPs are unknown, so a request they could decide is `undetermined` (contracts.md section 5). None for
    a hand-written model, where an account outside it is one the file says nothing of (no SCPs)."""
    if not world.imported or bare.account is None or bare.account in world.accounts:
        return None
    source = "outside the imported model"
    own = Unknown(f"the policies of `{bare.arn}`, whose account `{bare.account}` the inputs do not hold", source)
    scps = Unknown(f"the SCPs of account `{bare.account}`, which the inputs do not hold", source)
    identity = (
        () if bare.kind is PrincipalKind.ROOT else (_unknown(f"<policies of {bare.arn}>", PolicyKind.IDENTITY, own),)
    )
    levels = ((f"account `{bare.account}`", (_unknown(f"<SCPs of {bare.account}>", PolicyKind.SCP, scps),)),)
    account = AccountInfo(bare.account, None, bare.partition, scp_levels=levels)
    return Actor(bare, identity, root=bare.kind is PrincipalKind.ROOT, account=account)


def _unknown(policy_id: str, kind: PolicyKind, unknown: Unknown) -> CompiledPolicy:
    return CompiledPolicy(policy_id, kind, (), None, unknown=unknown)


def _actor_for_arn(world: World, ref: str, arn: Arn, where: Location | None, session_name: str | None) -> Actor:
    bare = principal_of_arn(arn, ref, session_name or DEFAULT_SESSION_NAME)
    outside = outside_actor(world, bare) if bare is not None else None
    if outside is not None:
        return outside
    if bare is not None and bare.kind is PrincipalKind.ROOT:
        return Actor(bare, root=True, account=account_info(world, arn.account, arn.partition))
    if bare is not None and bare.kind is PrincipalKind.USER:
        user = world.users.get(ref)
        if user is None:
            raise UnresolvedReferenceError(f"unknown user `{ref}`", where, _known(world.users))
        account = account_info(world, user.account, arn.partition)
        principal = replace(bare, name=user.name, user_id=user.user_id, tags=user.tags)
        return Actor(principal, user.identity, user.boundary, account=account)
    if arn.service == "iam" and arn.resource.startswith("role/"):
        return role_actor(world, find_role(world, ref, where), session_name or DEFAULT_SESSION_NAME)
    if arn.service == "sts" and arn.resource.startswith("assumed-role/"):
        parts = arn.resource.split("/")
        if len(parts) != 3:
            raise RequestError(
                f"invalid role session ARN `{ref}`", where, "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"
            )
        roles = [r for r in world.roles.values() if r.account == arn.account and r.name == parts[1]]
        if not roles:
            raise UnresolvedReferenceError(
                f"unknown role `{parts[1]}` in account `{arn.account}`", where, _known(world.roles)
            )
        return role_actor(world, roles[0], parts[2])
    if arn.service == "sts" and arn.resource.startswith("federated-user/"):
        raise UnsupportedError(
            f"federated user principals are not modelled in scenarios: `{ref}`",
            where,
            "use simulate-custom-policy with the federated user's session policy",
        )
    raise RequestError(
        f"`{ref}` is not a principal ARN",
        where,
        "principals are users, roles, role sessions, account roots, services or `anonymous`",
    )


def resolve_target(
    world: World, resource: str, resource_account: str | None, actor: Actor, where: Location | None
) -> Target:
    """The resource of a request with its owner; undeclared resources belong to the ARN's account, or the caller's."""
    default_account = actor.principal.account
    default_partition = actor.principal.partition
    if resource == "*":
        return Target("*", resource_account or default_account, default_partition)
    arn = parse_arn(resource, location=where)
    declared = None
    if arn.service == "s3":
        declared = world.buckets.get(arn.resource.split("/", 1)[0])
        if declared is not None and declared.partition != arn.partition:
            declared = None
    else:
        declared = world.resources.get(resource)
    if declared is not None:
        if resource_account is not None and resource_account != declared.account:
            raise RequestError(
                f"`resource_account` `{resource_account}` disagrees with the model: `{resource}` belongs to "
                f"`{declared.account}`",
                where,
            )
        tags = declared.tags if declared.arn == resource else {}
        return key_target(
            Target(
                resource,
                declared.account,
                declared.partition,
                policy=declared.policy,
                tags=tags,
            )
        )
    role = world.roles.get(resource)
    if role is not None:
        return Target(resource, role.account, arn.partition, tags=role.tags)
    user = world.users.get(resource)
    if user is not None:
        return Target(resource, user.account, arn.partition, tags=user.tags)
    account = arn.account if arn.account and arn.account != "aws" else None
    if resource_account is not None and account is not None and resource_account != account:
        raise RequestError(f"`resource_account` `{resource_account}` disagrees with the ARN `{resource}`", where)
    return key_target(Target(resource, resource_account or account or default_account, arn.partition))


def key_target(target: Target) -> Target:
    """A KMS key's key policy must allow; a key whose policy the input does not give allows nobody (services.kms)."""
    if not kms.is_key(target.arn):
        return target
    absent = kms.missing_key_policy(target.arn) if target.policy is None else None
    return replace(target, must_allow=True, absent=absent)


def trust_target(role: RoleInfo) -> Target:
    """A role as the resource of a trust action: its trust policy is the resource policy, and it must allow.

    A role without one allows nobody, but an explicit Deny still decides first (the request is evaluated).
    """
    absent = f"role `{role.arn}` has no trust policy and cannot be assumed" if role.trust is None else None
    partition = role.arn.split(":")[1]
    return Target(
        role.arn,
        role.account,
        partition,
        policy=role.trust,
        must_allow=True,
        tags=role.tags,
        gate=Gate.TRUST,
        absent=absent,
    )


def unknown_trust_target(target: Target) -> Target:
    """A role the input does not declare, as the resource of a trust action: its trust policy is unknown."""
    absent = f"the trust policy of `{target.arn}` was not given: every role has one, and it must allow the caller"
    return replace(target, policy=None, must_allow=True, gate=Gate.TRUST, absent=absent)


def request_target(
    world: World, action: str, resource: str, resource_account: str | None, actor: Actor, where: Location | None
) -> Target:
    """The target of `action` on `resource`; for the trust actions a role is governed by its trust policy."""
    if action.lower() not in TRUST_ACTIONS or not is_role_arn(resource):
        return resolve_target(world, resource, resource_account, actor, where)
    role = world.roles.get(resource)
    if role is not None:
        return trust_target(role)
    return unknown_trust_target(resolve_target(world, resource, resource_account, actor, where))


def is_role_arn(resource: str) -> bool:
    """Is `resource` an IAM role ARN?"""
    return ROLE_ARN.match(resource) is not None
