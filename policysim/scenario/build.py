"""Scenario wire model -> World: every reference resolved and every policy compiled, errors located."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.enums import PolicyKind
from policysim.errors import PathPart, SchemaError, UnresolvedReferenceError
from policysim.identifiers import is_account_id, is_iam_name, unique_id
from policysim.ir.arn import PARTITIONS, parse_arn
from policysim.limits import check_inline_aggregate, check_managed_size
from policysim.load import Document
from policysim.model.records import Account, Ref, ScenarioFile, UnknownRef
from policysim.scenario.organization import org_levels
from policysim.scenario.policies import PolicyCompiler, parse_managed_arn, unknown_ref_policy
from policysim.world.world import AccountInfo, EndpointInfo, ResourceInfo, RoleInfo, UserInfo, World

ENDPOINT_ID = re.compile(r"^vpce-[0-9a-f]{8,17}$")
# "The default endpoint policy grants full access to the endpoint." (Amazon VPC, Control access to VPC endpoints
# using endpoint policies), and "If you don't attach an endpoint policy, we attach the default endpoint policy."
DEFAULT_ENDPOINT_POLICY = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def build_world(wire: ScenarioFile, compiler: PolicyCompiler) -> World:
    """Compile a validated scenario into a World."""
    doc = compiler.doc
    for account_id in wire.accounts:
        _check_account_id(account_id, doc, ("accounts", account_id))
    org_info = org_levels(wire.organization, wire.accounts, compiler) if wire.organization else {}
    accounts: dict[str, AccountInfo] = {}
    users: dict[str, UserInfo] = {}
    roles: dict[str, RoleInfo] = {}
    buckets: dict[str, ResourceInfo] = {}
    resources: dict[str, ResourceInfo] = {}
    names: dict[str, list[str]] = {}
    endpoints: dict[str, EndpointInfo] = {}
    for account_id, account in wire.accounts.items():
        where: tuple[PathPart, ...] = ("accounts", account_id)
        if account.partition not in PARTITIONS:
            raise SchemaError(
                f"unknown partition `{account.partition}`",
                doc.locate((*where, "partition")),
                "partitions: " + ", ".join(sorted(PARTITIONS)),
            )
        if account_id not in org_info and (account.scps is not None or account.rcps):
            raise SchemaError(
                f"account `{account_id}` has SCPs or RCPs but is not in the organization",
                doc.locate(where),
                "list the account under `organization.root.accounts` or a unit's `accounts`",
            )
        accounts[account_id] = org_info.get(account_id) or AccountInfo(account_id, account.name, account.partition)
        if account_id in org_info:
            accounts[account_id] = _named(org_info[account_id], account)
        _build_identities(account_id, account, where, compiler, users, roles, names)
        _build_resources(account_id, account, where, compiler, doc, buckets, resources)
        _build_endpoints(account_id, account, where, compiler, endpoints)
    for account_id, info in org_info.items():
        accounts.setdefault(account_id, info)
    org = wire.organization
    return World(
        accounts=accounts,
        users=users,
        roles=roles,
        buckets=buckets,
        resources=resources,
        org_id=org.id if org else None,
        management_account=org.management_account if org else None,
        names={k: tuple(v) for k, v in names.items()},
        vpc_endpoints=endpoints,
    )


def _named(info: AccountInfo, account: Account) -> AccountInfo:
    """An organization member's AccountInfo with the name and partition its `accounts` entry gives."""
    return replace(info, name=account.name, partition=account.partition)


def _check_account_id(account_id: str, doc: Document, where: tuple[PathPart, ...]) -> None:
    if not is_account_id(account_id):
        raise SchemaError(f"account id `{account_id}` must be 12 digits", doc.locate(where))


def _attached(
    refs: Sequence[Ref],
    account_id: str,
    account: Account,
    partition: str,
    where: tuple[PathPart, ...],
    compiler: PolicyCompiler,
    kind: PolicyKind = PolicyKind.IDENTITY,
) -> list[CompiledPolicy]:
    """Resolve managed-policy references: a name in the account's `policies`, or a policy ARN."""
    out = []
    for index, ref in enumerate(refs):
        out.append(_policy_ref(ref, account_id, account, partition, (*where, index), compiler, kind))
    return out


def _policy_ref(
    ref: Ref,
    account_id: str,
    account: Account,
    partition: str,
    where: tuple[PathPart, ...],
    compiler: PolicyCompiler,
    kind: PolicyKind,
) -> CompiledPolicy:
    if isinstance(ref, UnknownRef):
        return unknown_ref_policy(ref, kind, where)
    parsed = parse_managed_arn(ref)
    if parsed is None:
        if ref not in account.policies:
            known = ", ".join(f"`{n}`" for n in account.policies) or "none"
            raise UnresolvedReferenceError(
                f"unknown policy `{ref}` in account `{account_id}`",
                compiler.doc.locate(where),
                f"policies defined in this account: {known}; AWS managed policies are given by ARN",
            )
        policy_arn = f"arn:{partition}:iam::{account_id}:policy/{ref}"
        return _customer_managed(("accounts", account_id, "policies", ref), policy_arn, kind, compiler)
    if parsed["account"] == "aws":
        return compiler.managed(ref, kind, where)
    if parsed["account"] != account_id or parsed["name"] not in account.policies:
        raise UnresolvedReferenceError(
            f"customer managed policy `{ref}` is not defined in account `{account_id}`",
            compiler.doc.locate(where),
            "a policy can be attached only in its own account; define it under that account's `policies`",
        )
    return _customer_managed(("accounts", account_id, "policies", parsed["name"]), ref, kind, compiler)


def _customer_managed(
    path: tuple[PathPart, ...], policy_arn: str, kind: PolicyKind, compiler: PolicyCompiler
) -> CompiledPolicy:
    """A customer managed policy of the scenario, attached: compiled, and held to IAM's 6,144-character quota."""
    policy = compiler.inline(path, policy_arn, kind)
    if policy.unknown is None:
        check_managed_size(compiler.document(path).data, compiler.doc.locate(path))
    return policy


def _own_policies(
    managed: Sequence[Ref],
    inline: Mapping[str, object],
    arn: str,
    where: tuple[PathPart, ...],
    account_id: str,
    account: Account,
    compiler: PolicyCompiler,
) -> list[CompiledPolicy]:
    """A user's, group's or role's managed policies, then its inline ones (ids `ARN#NAME`)."""
    policies = _attached(managed, account_id, account, account.partition, (*where, "managed_policies"), compiler)
    for name in inline:
        policies.append(compiler.inline((*where, "inline_policies", name), f"{arn}#{name}", PolicyKind.IDENTITY))
    known = [name for name in inline if not compiler.is_unknown((*where, "inline_policies", name))]
    if known:  # IAM's quota on the sum of one user's, group's or role's inline policies
        entity = {"users": "user", "groups": "group", "roles": "role"}[str(where[-2])]
        documents = [compiler.document((*where, "inline_policies", name)).data for name in known]
        check_inline_aggregate(entity, documents, compiler.doc.locate((*where, "inline_policies")))
    return policies


def _boundary(
    ref: Ref | None, where: tuple[PathPart, ...], account_id: str, account: Account, compiler: PolicyCompiler
) -> CompiledPolicy | None:
    """The permissions boundary a user or role names, if any."""
    if ref is None:
        return None
    where = (*where, "permissions_boundary")
    return _policy_ref(ref, account_id, account, account.partition, where, compiler, PolicyKind.BOUNDARY)


def _build_identities(
    account_id: str,
    account: Account,
    where: tuple[PathPart, ...],
    compiler: PolicyCompiler,
    users: dict[str, UserInfo],
    roles: dict[str, RoleInfo],
    names: dict[str, list[str]],
) -> None:
    partition = account.partition
    doc = compiler.doc
    for kind, named in (("users", account.users), ("groups", account.groups), ("roles", account.roles)):
        for name in named:
            if not is_iam_name(name):
                raise SchemaError(
                    f"`{name}` is not a name IAM stores for {kind}",
                    doc.locate((*where, kind, name)),
                    "IAM names are ASCII letters, digits and `+=,.@_-` (UG:reference_iam-quotas)",
                )
    group_policies: dict[str, list[CompiledPolicy]] = {}
    group_arns: dict[str, str] = {}
    for group_name, group in account.groups.items():
        gwhere = (*where, "groups", group_name)
        group_arn = group_arns[group_name] = f"arn:{partition}:iam::{account_id}:group{group.path}{group_name}"
        group_policies[group_name] = _own_policies(
            group.managed_policies, group.inline_policies, group_arn, gwhere, account_id, account, compiler
        )
    for user_name, user in account.users.items():
        uwhere = (*where, "users", user_name)
        arn = f"arn:{partition}:iam::{account_id}:user{user.path}{user_name}"
        policies = _own_policies(
            user.managed_policies, user.inline_policies, arn, uwhere, account_id, account, compiler
        )
        for index, group_name in enumerate(user.groups):
            if group_name not in group_policies:
                raise UnresolvedReferenceError(
                    f"unknown group `{group_name}` in account `{account_id}`",
                    doc.locate((*uwhere, "groups", index)),
                    "groups: " + (", ".join(f"`{g}`" for g in group_policies) or "none defined"),
                )
            policies.extend(group_policies[group_name])
        boundary = _boundary(user.permissions_boundary, uwhere, account_id, account, compiler)
        users[arn] = UserInfo(
            account_id,
            user_name,
            arn,
            user.user_id or unique_id("AIDA", arn),
            tuple(dict.fromkeys(policies)),
            boundary,
            user.tags,
            doc.locate(uwhere),
            tuple(dict.fromkeys(group_arns[g] for g in user.groups)),
        )
        names.setdefault(user_name, []).append(arn)
    for role_name, role in account.roles.items():
        rwhere = (*where, "roles", role_name)
        arn = f"arn:{partition}:iam::{account_id}:role{role.path}{role_name}"
        policies = _own_policies(
            role.managed_policies, role.inline_policies, arn, rwhere, account_id, account, compiler
        )
        trust = None
        if role.trust_policy is not None:
            trust = compiler.inline((*rwhere, "trust_policy"), f"{arn}#trust", PolicyKind.TRUST)
        boundary = _boundary(role.permissions_boundary, rwhere, account_id, account, compiler)
        roles[arn] = RoleInfo(
            account_id,
            role_name,
            arn,
            role.path,
            role.role_id or unique_id("AROA", arn),
            trust,
            tuple(dict.fromkeys(policies)),
            boundary,
            role.tags,
            role.max_session_duration,
            doc.locate(rwhere),
        )
        names.setdefault(role_name, []).append(arn)


def _build_resources(
    account_id: str,
    account: Account,
    where: tuple[PathPart, ...],
    compiler: PolicyCompiler,
    doc: Document,
    buckets: dict[str, ResourceInfo],
    resources: dict[str, ResourceInfo],
) -> None:
    partition = account.partition
    for bucket_name, bucket in account.buckets.items():
        bwhere = (*where, "buckets", bucket_name)
        if bucket_name in buckets:
            raise SchemaError(f"bucket `{bucket_name}` is declared twice (bucket names are global)", doc.locate(bwhere))
        arn = f"arn:{partition}:s3:::{bucket_name}"
        policy = None
        if bucket.policy is not None:
            policy = compiler.inline((*bwhere, "policy"), f"{arn}#policy", PolicyKind.RESOURCE)
        buckets[bucket_name] = ResourceInfo(arn, account_id, partition, policy, bucket.tags)
    for index, resource in enumerate(account.resources):
        rwhere = (*where, "resources", index)
        parsed = parse_arn(resource.arn, location=doc.locate((*rwhere, "arn")))
        if parsed.account and parsed.account != account_id:
            raise SchemaError(
                f"resource `{resource.arn}` names account `{parsed.account}` but is declared in `{account_id}`",
                doc.locate((*rwhere, "arn")),
            )
        if parsed.partition != partition:
            raise SchemaError(
                f"resource `{resource.arn}` is not in partition `{partition}`", doc.locate((*rwhere, "arn"))
            )
        if resource.arn in resources:
            raise SchemaError(f"resource `{resource.arn}` is declared twice", doc.locate(rwhere))
        policy = None
        if resource.policy is not None and parsed.service == "iam":
            # "The IAM service supports only one type of resource-based policy called a role trust policy, which is
            # attached to an IAM role." (UG:access_policies): a policy on a user, role, group or policy is no policy
            raise SchemaError(
                f"IAM resource `{resource.arn}` cannot have a resource policy (IAM has none but a role's trust policy)",
                doc.locate((*rwhere, "policy")),
                "write who may assume a role as its `trust_policy` under `roles:`; grant IAM actions by identities",
            )
        if resource.policy is not None:
            policy = compiler.inline((*rwhere, "policy"), f"{resource.arn}#policy", PolicyKind.RESOURCE)
        resources[resource.arn] = ResourceInfo(resource.arn, account_id, partition, policy, resource.tags)


def _build_endpoints(
    account_id: str,
    account: Account,
    where: tuple[PathPart, ...],
    compiler: PolicyCompiler,
    endpoints: dict[str, EndpointInfo],
) -> None:
    """The account's VPC endpoints, each with its policy compiled (AWS's default one when none is given)."""
    doc = compiler.doc
    for endpoint_id, endpoint in account.vpc_endpoints.items():
        ewhere = (*where, "vpc_endpoints", endpoint_id)
        if not ENDPOINT_ID.match(endpoint_id):
            raise SchemaError(
                f"`{endpoint_id}` is not a VPC endpoint id", doc.locate(ewhere), "write `vpce-` and 8-17 hex digits"
            )
        if endpoint_id in endpoints:
            raise SchemaError(
                f"VPC endpoint `{endpoint_id}` is declared twice (in `{endpoints[endpoint_id].account}` too)",
                doc.locate(ewhere),
            )
        if endpoint.policy is not None:
            policy = compiler.inline((*ewhere, "policy"), f"{endpoint_id}#policy", PolicyKind.VPC_ENDPOINT)
        else:
            policy_id = f"{endpoint_id}#default-policy"
            default = Document.from_data(DEFAULT_ENDPOINT_POLICY, policy_id)
            policy = compile_policy(default, policy_id, PolicyKind.VPC_ENDPOINT)
        location = doc.locate(ewhere)
        endpoints[endpoint_id] = EndpointInfo(endpoint_id, account_id, policy, endpoint.vpc, endpoint.service, location)
