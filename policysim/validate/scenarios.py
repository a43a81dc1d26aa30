"""Every policy of a scenario file, each with its kind from its place (contracts.md section 2):

| place | kind | held as |
|---|---|---|
| `accounts.ID.{users,groups,roles}.NAME.inline_policies.P` | identity | inline (IAM's quota is on their sum) |
| `accounts.ID.policies.P` | identity; boundary when a user or role names it as `permissions_boundary` | managed |
| `accounts.ID.roles.NAME.trust_policy` | trust | |
| `accounts.ID.buckets.B.policy`, `accounts.ID.resources[i].policy` | resource | |
| `organization.policies.P` | scp or rcp, as `scps` / `rcps` name it (not attached: rcp if it names a Principal) | |
| `tests[i].session_policy` | session | |

A scenario's `import:` entries are read as `check` reads them, and the policies of the imported models are validated
at their places too. `{file: PATH}` documents are read relative to the scenario, as the scenario loader reads them
(and a policy file a scenario names this way is validated as that place's kind, not as a policy file of `--kind`). AWS
managed policies (named by ARN) are AWS's and are not validated. The scenario itself must be valid (its schema;
references between its parts are not checked here, `policysim check` does that).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policysim.catalogue.fit import accepted_names
from policysim.enums import PolicyKind
from policysim.errors import PathPart, PolicysimError, format_path
from policysim.imports.merge import apply_imports
from policysim.load import Document
from policysim.managed import ManagedPolicyLibrary
from policysim.model.records import Account, Group, Organization, OrgRoot, OrgUnit, Role, ScenarioFile, User
from policysim.model.wire import read
from policysim.scenario.policies import PolicyCompiler, parse_managed_arn

from .policy import Attachment, InlineGroup, PolicySource

_ENTITIES = (("users", "user"), ("groups", "group"), ("roles", "role"))


@dataclass
class ScenarioPolicies:
    """What a scenario holds to validate, and the policies that could not be read (their located errors)."""

    sources: list[PolicySource] = field(default_factory=list)
    groups: list[InlineGroup] = field(default_factory=list)
    errors: list[PolicysimError] = field(default_factory=list)
    referenced: set[Path] = field(default_factory=set)  # the `{file: ...}` documents, resolved


def scenario_policies(doc: Document, file: Path) -> ScenarioPolicies:
    """The policies of a loaded scenario file, its imported models included (their policies located in the files
    they came from); a scenario that breaks its schema raises the located SchemaError."""
    doc = apply_imports(doc, file.parent).doc
    wire = read(ScenarioFile, doc.data, doc.locate, "scenario")
    walk = _Walk(doc, PolicyCompiler(doc, file.parent, ManagedPolicyLibrary()), accepted_names(wire.newer_actions))
    if wire.organization is not None:
        walk.organization(wire.organization, wire.accounts)
    for account_id, account in wire.accounts.items():
        walk.account(account_id, account)
    for index, test in enumerate(wire.tests):
        if test.session_policy is not None:
            walk.add(("tests", index, "session_policy"), PolicyKind.SESSION, Attachment.OWN)
    return walk.found


class _Walk:
    def __init__(self, doc: Document, compiler: PolicyCompiler, accepted: frozenset[str]) -> None:
        self.doc, self.compiler, self.accepted = doc, compiler, accepted
        self.found = ScenarioPolicies()

    def add(self, where: tuple[PathPart, ...], kind: PolicyKind, attachment: Attachment) -> Document | None:
        """Add the document at `where`; a `{file: ...}` that cannot be read is an error, and None."""
        written = self.doc.sub(where).data
        if isinstance(written, dict) and set(written) == {"unknown"}:
            return None  # a document an import could not tell (contracts.md section 6): there is nothing to check
        if isinstance(written, dict) and isinstance(written.get("file"), str) and self.compiler.base_dir is not None:
            self.found.referenced.add((self.compiler.base_dir / written["file"]).resolve())
        try:
            policy_doc = self.compiler.document(where)
        except PolicysimError as error:
            self.found.errors.append(error)
            return None
        self.found.sources.append(PolicySource(policy_doc, format_path(where), kind, attachment, self.accepted))
        return policy_doc

    def organization(self, org: Organization, accounts: dict[str, Account]) -> None:
        levels: list[OrgRoot | OrgUnit | Account] = [org.root, *org.units.values(), *accounts.values()]
        scps = {name for level in levels for name in (level.scps or ())}
        rcps = {name for level in levels for name in level.rcps}
        for name in org.policies:
            where: tuple[PathPart, ...] = ("organization", "policies", name)
            kinds = [kind for kind, refs in ((PolicyKind.SCP, scps), (PolicyKind.RCP, rcps)) if name in refs]
            for kind in kinds or [self._unattached_kind(where)]:
                self.add(where, kind, Attachment.OWN)

    def _unattached_kind(self, where: tuple[PathPart, ...]) -> PolicyKind:
        """An organization policy no level attaches: an RCP when a statement names a Principal (RCPs must)."""
        data = self.doc.sub(where).data
        statements = data.get("Statement") if isinstance(data, dict) else None
        items = statements if isinstance(statements, list) else [statements]
        named = any(isinstance(item, dict) and "Principal" in item for item in items)
        return PolicyKind.RCP if named else PolicyKind.SCP

    def account(self, account_id: str, account: Account) -> None:
        base: tuple[PathPart, ...] = ("accounts", account_id)
        managed, boundaries = self._references(account_id, account)
        for name in account.policies:
            uses = ((PolicyKind.IDENTITY, managed), (PolicyKind.BOUNDARY, boundaries))
            kinds = [kind for kind, refs in uses if name in refs]
            for kind in kinds or [PolicyKind.IDENTITY]:
                self.add((*base, "policies", name), kind, Attachment.MANAGED)
        for key, entity in _ENTITIES:
            for name, holder in getattr(account, key).items():
                self._inline((*base, key, name), entity, holder.inline_policies)
        for name, role in account.roles.items():
            if role.trust_policy is not None:
                self.add((*base, "roles", name, "trust_policy"), PolicyKind.TRUST, Attachment.OWN)
        for name, bucket in account.buckets.items():
            if bucket.policy is not None:
                self.add((*base, "buckets", name, "policy"), PolicyKind.RESOURCE, Attachment.OWN)
        for index, resource in enumerate(account.resources):
            if resource.policy is not None:
                self.add((*base, "resources", index, "policy"), PolicyKind.RESOURCE, Attachment.OWN)
        for name, endpoint in account.vpc_endpoints.items():
            if endpoint.policy is not None:
                self.add((*base, "vpc_endpoints", name, "policy"), PolicyKind.VPC_ENDPOINT, Attachment.OWN)

    def _inline(self, where: tuple[PathPart, ...], entity: str, policies: dict[str, object]) -> None:
        documents = []
        for name in policies:
            policy_doc = self.add((*where, "inline_policies", name), PolicyKind.IDENTITY, Attachment.INLINE)
            if policy_doc is not None:
                documents.append(policy_doc.data)
        if documents:
            at = (*where, "inline_policies")
            self.found.groups.append(InlineGroup(entity, format_path(at), self.doc.locate(at), tuple(documents)))

    def _references(self, account_id: str, account: Account) -> tuple[set[str], set[str]]:
        """The names of the account's own policies that are attached as permissions, and as boundaries."""
        holders: list[User | Group | Role] = [
            *account.users.values(),
            *account.groups.values(),
            *account.roles.values(),
        ]
        managed = {_own(ref, account_id) for h in holders for ref in h.managed_policies}
        bounded: list[User | Role] = [*account.users.values(), *account.roles.values()]
        boundaries = {_own(h.permissions_boundary, account_id) for h in bounded}
        return _names(managed), _names(boundaries)


def _own(ref: object, account_id: str) -> str | None:
    """The name of the account's own policy a reference names (a name, or its customer managed policy ARN); None for
    anything else (no reference, another account's policy, a reference an import could not tell)."""
    if not isinstance(ref, str):
        return None
    parsed = parse_managed_arn(ref)
    if parsed is None:
        return ref
    return str(parsed["name"]) if parsed["account"] == account_id else None


def _names(refs: Iterable[str | None]) -> set[str]:
    return {ref for ref in refs if ref is not None}
