"""`aws iam get-account-authorization-details` (GAAD) exports into a scenario model (docs/imports.md, GAAD).

`import_gaad` reads one file or several, each a page (an object) or a list of pages; with the resource-policy exports
(`resource_policies.py`) and an AWS Organizations export (`organizations.py`) it gives one `Imported`:

- `data["accounts"]`: per account (from the ARNs, or `account:`), `policies` (customer managed, default version),
  `users`, `groups` and `roles`, and the buckets and resources of the resource-policy exports;
- `data["organization"]`: from the Organizations export;
- `data["managed_overrides"]`: `{policy ARN: {"document", "version_id", "date"}}`, the default versions of the AWS
  managed policies the export lists; they override policysim's shipped library for this model, and add the ones it
  does not ship (`ManagedPolicyLibrary.with_overrides` takes them as `(document, version_id, date)`);
- `data["user_ids"]`: `{user ARN: UserId}`, the users' real unique ids (the scenario format has no key for them).

A document the export does not hold (a boundary or managed policy missing from `Policies` and not in the shipped
library, a group a user names that `GroupDetailList` lacks) is an unknown marker, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policysim.errors import Location, SchemaError
from policysim.managed import ManagedPolicyLibrary

from .aws_exports import ExportFile, IamArn, JsonPath, ModelBuilder, check_account, document_sources, marker
from .aws_exports import parse_iam_arn as _parse_iam_arn
from .gaad_parts import Version, default_version, file_owner
from .model import Imported, Path_
from .organizations import read_organization
from .resource_policies import read_resource_policies

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
_KINDS = {"UserDetailList": "user", "GroupDetailList": "group", "RoleDetailList": "role", "Policies": "policy"}
_INLINE = {"user": "UserPolicyList", "group": "GroupPolicyList", "role": "RolePolicyList"}
_NAME_KEY = {"user": "UserName", "group": "GroupName", "role": "RoleName", "policy": "PolicyName"}
_ID_PREFIX = {"user": ("UserId", "AIDA"), "role": ("RoleId", "AROA")}
DEFAULT_SESSION, MAX_SESSION = 3600, 43200  # seconds: IAM's default and largest role MaxSessionDuration


def import_gaad(
    paths: Sequence[Path],
    *,
    account: str | None = None,
    resource_policies: Sequence[Path] = (),
    organization: Path | None = None,
) -> Imported:
    """The model in GAAD exports, resource-policy exports and an Organizations export (docs/imports.md)."""
    check_account(account, "`account:`")
    builder = ModelBuilder()
    reader = _Gaad(builder, account)
    files = [reader.read(Path(path)) for path in paths]
    for gaad in files:
        reader.policies(gaad)
    for gaad in files:
        reader.group_names(gaad)
    for gaad in files:
        reader.identities(gaad)
    reader.note_absent(files)
    accounts = {gaad.account: gaad.partition for gaad in files if gaad.account is not None}
    if account is not None:
        accounts.setdefault(account, next(iter(accounts.values()), "aws"))
    read_resource_policies([Path(p) for p in resource_policies], builder, accounts)
    if organization is not None:
        read_organization(Path(organization), builder, accounts)
    else:
        builder.absent("SCPs and RCPs: no organization export given")
    builder.absent("S3 Block Public Access settings and KMS grants: not in these exports")
    return builder.imported


@dataclass
class _File:
    """One GAAD file: its pages, and the account and partition its ARNs name."""

    file: ExportFile
    pages: list[JsonPath]
    account: str | None = None
    partition: str = "aws"
    where: Location = field(default_factory=Location)


class _Gaad:
    def __init__(self, builder: ModelBuilder, account: str | None) -> None:
        self.builder = builder
        self.account = account
        self.library = ManagedPolicyLibrary.builtin()
        self.refs: dict[str, str | dict[str, Any]] = {}  # raw policy ARN in the export -> reference or marker
        self.groups: set[tuple[str, str]] = set()
        self.placeholders: set[tuple[str, str]] = set()
        self.ids: dict[str, tuple[str, Location]] = {}  # unique id -> the entity's ARN, where first read
        self.no_session = False

    # ------------------------------------------------------------------ files, pages, accounts

    def read(self, path: Path) -> _File:
        file = ExportFile.load(path)
        data = file.doc.data
        if isinstance(data, dict):
            pages: list[JsonPath] = [()]
        elif isinstance(data, list) and data and all(isinstance(page, dict) for page in data):
            pages = [(index,) for index in range(len(data))]
        else:
            raise SchemaError(
                "expected the output of `aws iam get-account-authorization-details`: an object, or a list of pages",
                file.loc(()),
            )
        for page in pages:
            if not any(key in file.at(page) for key in LISTS):
                raise SchemaError(
                    "not a page of `aws iam get-account-authorization-details`: no "
                    + ", ".join(f"`{key}`" for key in LISTS),
                    file.loc(page),
                )
        last = pages[-1]
        if file.field(last, "IsTruncated", bool) or file.field(last, "NextToken", str):
            raise SchemaError(
                "the export is truncated (`IsTruncated: true`): pages are missing",
                file.loc((*last, "IsTruncated") if "IsTruncated" in file.at(last) else (*last, "NextToken")),
                hint="save every page (the AWS CLI fetches them all unless given --max-items), as a JSON list of the "
                "pages in one file",
            )
        gaad = _File(file, pages)
        self._owner(gaad)
        return gaad

    def _arns(self, gaad: _File) -> list[tuple[IamArn, Location]]:
        out = []
        for page in gaad.pages:
            for key in LISTS:
                for item in gaad.file.items(page, key):
                    arn = self._arn(gaad.file, item, _KINDS[key], quiet=True)
                    out.append((arn, gaad.file.loc((*item, "Arn"))))
        return out

    def _owner(self, gaad: _File) -> None:
        """The account and partition of a file: `account:`, else the account most of its ARNs name."""
        gaad.account, gaad.partition, said = file_owner(self._arns(gaad), self.account, self.builder)
        if gaad.account is None:
            return
        gaad.where = said or Location(gaad.file.name)
        self.builder.source(("accounts", gaad.account), gaad.where)
        if gaad.partition != "aws":
            self.builder.put(
                ("accounts", gaad.account, "partition"), gaad.partition, gaad.where, f"account `{gaad.account}`"
            )

    def _arn(self, file: ExportFile, item: JsonPath, kind: str, *, quiet: bool = False) -> IamArn:
        """The entity's ARN; its name and path fields, when they disagree with it, are a warning (the ARN wins)."""
        text = file.text(item, "Arn")
        arn = _parse_iam_arn(text)
        if arn is None or arn.type != kind:
            raise SchemaError(f"`{text}` is not the ARN of an IAM {kind}", file.loc((*item, "Arn")))
        if quiet:
            return arn
        name = file.field(item, _NAME_KEY[kind], str)
        path = file.field(item, "Path", str)
        for key, value, from_arn in ((_NAME_KEY[kind], name, arn.name), ("Path", path, arn.path)):
            if value is not None and value != from_arn:
                self.builder.warn(
                    f"`{key}` `{value}` disagrees with the ARN `{text}` (at {file.loc((*item, 'Arn'))}): the ARN's "
                    f"`{from_arn}` is used",
                    file.loc((*item, key)),
                )
        return arn

    # ------------------------------------------------------------------ managed policies

    def policies(self, gaad: _File) -> None:
        file = gaad.file
        for page in gaad.pages:
            for item in file.items(page, "Policies"):
                arn = self._arn(file, item, "policy")
                raw = file.text(item, "Arn")
                version = default_version(file, item, raw, self.builder)
                inner = _under(("document",), document_sources(file, version.path, version.document)) if version else {}
                if arn.account == "aws":
                    if version is not None:
                        self._override(file, raw, version, inner)
                    continue
                assert gaad.account is not None
                ref = arn.with_account(gaad.partition, gaad.account)
                path: Path_ = ("accounts", gaad.account, "policies", arn.name)
                value = (
                    version.document
                    if version
                    else marker(f"the export does not tell the default version of `{raw}`", file, item)
                )
                inner = {sub[1:]: where for sub, where in inner.items()}
                self.builder.put(path, value, file.loc(version.path if version else item), f"policy `{ref}`", inner)
                self.refs[raw] = ref

    def _override(self, file: ExportFile, arn: str, version: Version, inner: dict[Path_, Location]) -> None:
        """The account's version of an AWS managed policy: it wins over the shipped one (a drift is a warning)."""
        value = {"document": version.document, "version_id": version.version_id, "date": version.date}
        where = file.loc(version.path)
        if self.builder.put(("managed_overrides", arn), value, where, f"`{arn}`", {("document",): where, **inner}):
            self.refs[arn] = arn
        shipped = self.library.shipped(arn)
        if shipped is not None and dict(shipped.document) != version.document:
            self.builder.warn(
                f"the account's version `{version.version_id}` of `{arn}` differs from the one policysim ships "
                f"(`{shipped.version_id}`, {shipped.updated}): the account's is used",
                where,
            )

    def _ref(self, file: ExportFile, path: JsonPath, key: str, role: str) -> str | dict[str, Any]:
        """A managed policy or boundary reference: from `Policies`, else the shipped library, else unknown."""
        raw = file.text(path, key)
        known = self.refs.get(raw)
        if known is not None:
            return known
        arn = _parse_iam_arn(raw)
        if arn is None or arn.type != "policy":
            raise SchemaError(f"`{raw}` is not a managed policy ARN", file.loc((*path, key)))
        if arn.account == "aws" and self.library.lookup_arn(raw) is not None:
            return raw
        kind = "AWS managed policy" if arn.account == "aws" else "customer managed policy"
        where = "in the export's `Policies`" + (" nor in policysim's library" if arn.account == "aws" else "")
        also = " (exports filtered by AttachmentCount leave out boundary-only policies)" if role == "boundary" else ""
        return marker(f"the {role} {kind} `{raw}` is not {where}: its document is unknown{also}", file, (*path, key))

    # ------------------------------------------------------------------ users, groups, roles

    def group_names(self, gaad: _File) -> None:
        for page in gaad.pages:
            for item in gaad.file.items(page, "GroupDetailList"):
                assert gaad.account is not None
                self.groups.add((gaad.account, self._arn(gaad.file, item, "group").name))

    def identities(self, gaad: _File) -> None:
        for page in gaad.pages:
            for key in ("GroupDetailList", "UserDetailList", "RoleDetailList"):
                for item in gaad.file.items(page, key):
                    self._identity(gaad, item, _KINDS[key])

    def _identity(self, gaad: _File, item: JsonPath, kind: str) -> None:
        file, account = gaad.file, gaad.account
        assert account is not None
        arn = self._arn(file, item, kind)
        entity: dict[str, Any] = {}
        inner: dict[Path_, Location] = {}
        if kind == "role":
            trust = None
            if "AssumeRolePolicyDocument" in file.at(item):
                trust = file.document((*item, "AssumeRolePolicyDocument"), "the trust policy")
            entity["trust_policy"] = (
                trust if trust is not None else marker("the export does not give the role's trust policy", file, item)
            )
            inner[("trust_policy",)] = file.loc((*item, "AssumeRolePolicyDocument"))
            inner.update(_under(("trust_policy",), document_sources(file, (*item, "AssumeRolePolicyDocument"), trust)))
        if kind == "user":
            groups = file.field(item, "GroupList", list) or []
            for index, group in enumerate(groups):
                where = file.loc((*item, "GroupList", index))
                if not isinstance(group, str):
                    raise SchemaError("`GroupList` items must be group names (strings)", where)
                self._placeholder(file, (*item, "GroupList", index), account, group, arn.name)
                inner[("groups", index)] = where
            if groups:
                entity["groups"] = list(groups)
        managed = []
        for index, attached in enumerate(file.items(item, "AttachedManagedPolicies")):
            managed.append(self._ref(file, attached, "PolicyArn", "attached"))
            inner[("managed_policies", index)] = file.loc(attached)
        if managed:
            entity["managed_policies"] = managed
        inline = self._inline(file, item, kind, inner)
        if inline:
            entity["inline_policies"] = inline
        if kind != "group" and file.field(item, "PermissionsBoundary", dict) is not None:
            entity["permissions_boundary"] = self._ref(
                file, (*item, "PermissionsBoundary"), "PermissionsBoundaryArn", "boundary"
            )
            inner[("permissions_boundary",)] = file.loc((*item, "PermissionsBoundary"))
        if kind != "group":
            tags = self._tags(file, item)
            if tags:
                entity["tags"] = tags
                inner[("tags",)] = file.loc((*item, "Tags"))
        if arn.path != "/":
            entity["path"] = arn.path
        full = arn.with_account(gaad.partition, account)
        self._unique_id(file, item, kind, full, entity)
        if kind == "role":
            duration = file.field(item, "MaxSessionDuration", int)
            if duration is not None and DEFAULT_SESSION <= duration <= MAX_SESSION:
                entity["max_session_duration"] = duration
            else:
                self.no_session = True
                if duration is not None:
                    self.builder.warn(
                        f"`MaxSessionDuration` {duration} is outside {DEFAULT_SESSION}-{MAX_SESSION}: left out",
                        file.loc((*item, "MaxSessionDuration")),
                    )
        self.builder.put(("accounts", account, f"{kind}s", arn.name), entity, file.loc(item), f"{kind} `{full}`", inner)

    def _placeholder(self, file: ExportFile, path: JsonPath, account: str, group: str, user: str) -> None:
        """A group a user names that the export lacks: its policies are unknown."""
        if (account, group) in self.groups or (account, group) in self.placeholders:
            return
        self.placeholders.add((account, group))
        reason = f"user `{user}` is in group `{group}`, which is not in the export's `GroupDetailList`"
        entity = {"managed_policies": [marker(f"{reason}: its policies are unknown", file, path)]}
        self.builder.put(("accounts", account, "groups", group), entity, file.loc(path), f"group `{group}`")

    def _inline(self, file: ExportFile, item: JsonPath, kind: str, inner: dict[Path_, Location]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for policy in file.items(item, _INLINE[kind]):
            name = file.text(policy, "PolicyName")
            where = (*policy, "PolicyDocument")
            if name in out:
                self.builder.warn(f"inline policy `{name}` is given twice: the first is kept", file.loc(policy))
                continue
            document = file.document(where, f"inline policy `{name}`") if "PolicyDocument" in file.at(policy) else None
            out[name] = (
                document
                if document is not None
                else marker(f"the export does not give the document of inline policy `{name}`", file, policy)
            )
            inner[("inline_policies", name)] = file.loc(where if document is not None else policy)
            inner.update(_under(("inline_policies", name), document_sources(file, where, document)))
        return out

    def _tags(self, file: ExportFile, item: JsonPath) -> dict[str, str]:
        tags: dict[str, str] = {}
        for tag in file.items(item, "Tags"):
            key, value = file.text(tag, "Key"), file.field(tag, "Value", str) or ""
            if key in tags:
                self.builder.warn(f"tag `{key}` is given twice: the first is kept", file.loc(tag))
                continue
            tags[key] = value
        return tags

    def _unique_id(self, file: ExportFile, item: JsonPath, kind: str, arn: str, entity: dict[str, Any]) -> None:
        if kind not in _ID_PREFIX:
            return
        key, prefix = _ID_PREFIX[kind]
        value = file.field(item, key, str)
        if value is None:
            return
        where = file.loc((*item, key))
        if not value.startswith(prefix):
            self.builder.warn(f"`{key}` `{value}` does not start with `{prefix}` as AWS's do; it is kept", where)
        owner, first = self.ids.setdefault(value, (arn, where))
        if owner != arn:
            self.builder.warn(f"`{key}` `{value}` is also the id of `{owner}`, at {first}", where)
        if kind == "role":
            entity["role_id"] = value
        else:
            self.builder.put(("user_ids", arn), value, where, f"the id of `{arn}`")

    def note_absent(self, files: list[_File]) -> None:
        for key, what in (
            ("UserDetailList", "users"),
            ("GroupDetailList", "groups"),
            ("RoleDetailList", "roles"),
            ("Policies", "managed policy documents"),
        ):
            if not any(key in gaad.file.at(page) for gaad in files for page in gaad.pages):
                self.builder.absent(f"{what}: the export has no `{key}` (was it made with --filter?)")
        if self.no_session:
            self.builder.absent(
                "MaxSessionDuration: `get-account-authorization-details` does not give it; roles keep the default "
                f"{DEFAULT_SESSION} seconds"
            )


def _under(prefix: Path_, inner: dict[Path_, Location]) -> dict[Path_, Location]:
    return {(*prefix, *path): where for path, where in inner.items()}
