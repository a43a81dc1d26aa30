"""AWS Organizations: the OU tree, and the SCP and RCP levels (root -> OUs -> account) of each member account.

"FullAWSAccess" is attached by default to the root, every OU and every account unless `scps` says otherwise;
"RCPFullAWSAccess" is attached at every level and cannot be detached. SCPs never restrict the management account,
and RCPs do not apply to its resources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policysim.compiled import CompiledPolicy
from policysim.digest import sha256
from policysim.enums import PolicyKind
from policysim.errors import PathPart, SchemaError, UnresolvedReferenceError
from policysim.load import Document
from policysim.model.records import Account, Organization, Ref, UnknownRef
from policysim.scenario.policies import PolicyCompiler, unknown_ref_policy
from policysim.world.world import AccountInfo, Levels

ROOT = "root"


def _short(text: str, n: int) -> str:
    return sha256(text.encode()).hexdigest()[:n]


def org_levels(org: Organization, accounts: Mapping[str, Account], compiler: PolicyCompiler) -> dict[str, AccountInfo]:
    """AccountInfo for every member account, with its SCP and RCP levels and org path."""
    doc = compiler.doc
    units = org.units
    for name, unit in units.items():
        if unit.parent != ROOT and unit.parent not in units:
            raise UnresolvedReferenceError(
                f"unknown parent unit `{unit.parent}` of `{name}`",
                doc.locate(("organization", "units", name, "parent")),
                "a unit's parent is `root` or another unit's name",
            )
    _check_attachments(org, compiler)
    root_id = "r-" + _short(org.id, 4)
    placed: dict[str, tuple[PathPart, ...]] = {}
    chains: dict[str, list[str]] = {}
    placements: list[tuple[str, Sequence[str]]] = [(ROOT, org.root.accounts)]
    placements += [(name, unit.accounts) for name, unit in units.items()]
    for unit_name, members in placements:
        for index, account_id in enumerate(members):
            where: tuple[PathPart, ...] = (
                ("organization", "root", "accounts", index)
                if unit_name == ROOT
                else ("organization", "units", unit_name, "accounts", index)
            )
            if account_id in placed:
                raise SchemaError(f"account `{account_id}` is placed in the organization twice", doc.locate(where))
            placed[account_id] = where
            chains[account_id] = [] if unit_name == ROOT else _ancestry(unit_name, org, doc)
    info: dict[str, AccountInfo] = {}
    for account_id, chain in chains.items():
        management = account_id == org.management_account
        account = accounts.get(account_id)
        scp_levels: list[tuple[str, tuple[CompiledPolicy, ...]]] = []
        rcp_levels: list[tuple[str, tuple[CompiledPolicy, ...]]] = []
        path = f"{org.id}/{root_id}/"
        levels: list[tuple[str, Sequence[Ref] | None, Sequence[Ref], tuple[PathPart, ...]]] = [
            ("the organization root", org.root.scps, org.root.rcps, ("organization", "root"))
        ]
        for unit_name in chain:
            unit = units[unit_name]
            path += f"ou-{root_id[2:]}-{_short(org.id + unit_name, 8)}/"
            levels.append((f"unit `{unit_name}`", unit.scps, unit.rcps, ("organization", "units", unit_name)))
        levels.append(
            (
                f"account `{account_id}`",
                account.scps if account else None,
                account.rcps if account else [],
                ("accounts", account_id),
            )
        )
        for label, scps, rcps, where in levels:
            scp_refs: list[Ref] = ["FullAWSAccess"] if scps is None else list(scps)
            scp_levels.append((label, _org_policies(scp_refs, PolicyKind.SCP, (*where, "scps"), org, compiler)))
            rcp_refs: list[Ref] = ["RCPFullAWSAccess", *rcps]
            rcp_levels.append((label, _org_policies(rcp_refs, PolicyKind.RCP, (*where, "rcps"), org, compiler, 1)))
        partition = account.partition if account else "aws"
        display = account.name if account else None
        scp: Levels = () if management else tuple(scp_levels)
        rcp: Levels = () if management else tuple(rcp_levels)
        info[account_id] = AccountInfo(
            id=account_id,
            name=display,
            partition=partition,
            in_organization=True,
            management=management,
            scp_levels=scp,
            rcp_levels=rcp,
            org_path=path,
            org_id=org.id,
        )
    if org.management_account is not None and org.management_account not in info:
        raise UnresolvedReferenceError(
            f"management account `{org.management_account}` is not placed in the organization",
            doc.locate(("organization", "management_account")),
            "list it under `organization.root.accounts` or a unit's `accounts`",
        )
    return info


def _check_attachments(org: Organization, compiler: PolicyCompiler) -> None:
    """Resolve the policies attached to the root and every unit, accounts or not, so a bad name is always reported."""
    attached: list[tuple[tuple[PathPart, ...], Sequence[Ref] | None, Sequence[Ref]]] = [
        (("organization", "root"), org.root.scps, org.root.rcps)
    ]
    attached += [(("organization", "units", name), unit.scps, unit.rcps) for name, unit in org.units.items()]
    for where, scps, rcps in attached:
        _org_policies(list(scps or []), PolicyKind.SCP, (*where, "scps"), org, compiler)
        _org_policies(list(rcps), PolicyKind.RCP, (*where, "rcps"), org, compiler)
    for name in org.units:
        _ancestry(name, org, compiler.doc)


def _ancestry(unit_name: str, org: Organization, doc: Document) -> list[str]:
    """Unit names from the top of the tree down to `unit_name`; a cycle is an error at the `parent` that closes it."""
    chain = [unit_name]
    while (parent := org.units[chain[-1]].parent) != ROOT:
        if parent in chain:
            cycle = " -> ".join(f"`{name}`" for name in [*chain[chain.index(parent) :], parent])
            raise SchemaError(
                f"organization units form a cycle through `{parent}`: {cycle}",
                doc.locate(("organization", "units", chain[-1], "parent"), value=True),
                "every unit's chain of parents must end at `root`",
            )
        chain.append(parent)
    return list(reversed(chain))


def _org_policies(
    refs: Sequence[Ref],
    kind: PolicyKind,
    where: tuple[PathPart, ...],
    org: Organization,
    compiler: PolicyCompiler,
    offset: int = 0,
) -> tuple[CompiledPolicy, ...]:
    out = []
    for index, ref in enumerate(refs):
        if isinstance(ref, UnknownRef):
            out.append(unknown_ref_policy(ref, kind, (*where, index - offset)))
            continue
        builtin = compiler.org_builtin(ref, kind)
        if builtin is not None:
            out.append(builtin)
        elif ref in org.policies:
            out.append(compiler.inline(("organization", "policies", ref), ref, kind))
        else:
            known = ", ".join(f"`{n}`" for n in org.policies) or "none"
            raise UnresolvedReferenceError(
                f"unknown {kind.value.upper()} `{ref}`",
                compiler.doc.locate((*where, index - offset)),
                f"organization policies: {known}; built in: `FullAWSAccess`, `RCPFullAWSAccess`",
            )
    return tuple(dict.fromkeys(out))
