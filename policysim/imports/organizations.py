"""An AWS Organizations export into `organization:` and the accounts' `scps`/`rcps` (docs/imports.md).

The export is one JSON object holding the outputs of the Organizations calls, each under the key the CLI prints:

    {"Organization": {...},                 describe-organization
     "Roots": [...],                        list-roots
     "OrganizationalUnits": [{..., "ParentId": "r-.."}],   list-organizational-units-for-parent, with the parent
     "Accounts": [{..., "ParentId": "ou-.."}],             list-accounts-for-parent, with the parent
     "Policies": [{"PolicySummary": {...}, "Content": "<json>", "Targets": [...]}]}
                                            describe-policy's `Policy`, with list-targets-for-policy's `Targets`

Every part is optional; what is missing is unknown, never "no policy": a level (root, OU, account) with SCPs enabled
and no SCP attached in the export (AWS keeps one attached), an account or OU whose place in the tree is not given,
a policy without `Targets` or without `Content`, a policy type the export does not show enabled or disabled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policysim.errors import Location, SchemaError
from policysim.identifiers import is_account_id

from .aws_exports import ExportFile, JsonPath, ModelBuilder, document_sources, marker, split_arn
from .model import Path_, unknown

SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
_KEYS = {SCP: "scps", RCP: "rcps"}
_WORDS = {SCP: "SCP", RCP: "RCP"}
_BUILTIN = {"p-FullAWSAccess": "FullAWSAccess", "p-RCPFullAWSAccess": "RCPFullAWSAccess"}
_POLICY_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,128}")
_ORG_ID = re.compile(r"o-[a-z0-9]{10,32}")


@dataclass
class _Level:
    """The root, an OU or an account: its policies of each type (names and unknown markers), and where it was read."""

    label: str
    where: Location
    attached: dict[str, list[Any]] = field(default_factory=lambda: {SCP: [], RCP: []})

    def unknown(self, kind: str, reason: str) -> None:
        self.attached[kind].append(unknown(reason, str(self.where)))


def read_organization(path: Path, builder: ModelBuilder, accounts: Mapping[str, str]) -> None:
    """Read the export into `builder` (`accounts`: the IAM export's accounts, placed when the export lists none)."""
    _Org(ExportFile.load(path), builder, accounts).read()


class _Org:
    def __init__(self, file: ExportFile, builder: ModelBuilder, accounts: Mapping[str, str]) -> None:
        if not isinstance(file.doc.data, dict):
            raise SchemaError("expected an AWS Organizations export: an object", file.loc(()))
        self.file, self.builder, self.gaad_accounts = file, builder, accounts
        self.org: dict[str, Any] = {}
        self.sources: dict[Path_, Location] = {(): file.loc(())}
        self.root_id: str | None = None
        self.root = _Level("the organization root", file.loc(()))
        self.units: dict[str, tuple[str, _Level, JsonPath]] = {}  # OU id -> (key in `units`, level, entry)
        self.members: dict[str, _Level] = {}
        self.placed: dict[str, Location] = {}
        self.root_accounts: list[str] = []
        self.unit_accounts: dict[str, list[str]] = {}
        self.names: dict[str, tuple[str | None, str | None]] = {}

    def read(self) -> None:
        self._organization()
        enabled = self._enabled()
        self._units()
        policies = self._policies()
        self._accounts()
        for kind in (SCP, RCP):
            self._attach(kind, enabled[kind], policies[kind])
        self._write()

    # ------------------------------------------------------------------ the parts of the export

    def _organization(self) -> None:
        file = self.file
        has_org = file.field((), "Organization", dict) is not None
        org_id = file.field(("Organization",), "Id", str) if has_org else None
        management = file.field(("Organization",), "MasterAccountId", str) if has_org else None
        for arn in _org_arns(file.doc.data):  # arn:aws:organizations::MANAGEMENT:TYPE/o-ID/...
            parts = split_arn(arn)
            if parts is None or parts[1] != "organizations" or not is_account_id(parts[3]):
                continue
            segments = parts[4].split("/")
            if org_id is None and len(segments) > 1:
                org_id = segments[1]
            management = management or parts[3]
        if org_id is None or not _ORG_ID.fullmatch(org_id):
            raise SchemaError(
                f"the Organizations export names no organization id (`o-...`){f', got `{org_id}`' if org_id else ''}",
                file.loc(("Organization", "Id") if has_org else ()),
                hint="include the output of `aws organizations describe-organization`",
            )
        self.org["id"] = org_id
        if management is not None:
            if not is_account_id(management):
                raise SchemaError(
                    f"management account `{management}` must be 12 digits",
                    file.loc(("Organization", "MasterAccountId")),
                )
            self.org["management_account"] = management
            self.sources[("management_account",)] = file.loc(("Organization", "MasterAccountId") if has_org else ())

    def _enabled(self) -> dict[str, bool | None]:
        """Is each policy type enabled at the root (list-roots)? None when the export does not say."""
        file = self.file
        roots = list(file.items((), "Roots"))
        out: dict[str, bool | None] = {SCP: None, RCP: None}
        if not roots:
            return out
        if len(roots) > 1:
            self.builder.warn("an organization has one root; the first is used", file.loc(roots[1]))
        self.root_id = file.text(roots[0], "Id")
        self.root.where = file.loc(roots[0])
        if file.field(roots[0], "PolicyTypes", list) is None:
            return out
        for kind in (SCP, RCP):
            out[kind] = False
            for entry in file.items(roots[0], "PolicyTypes"):
                if file.field(entry, "Type", str) == kind:  # PENDING_ENABLE / PENDING_DISABLE: cannot tell
                    out[kind] = True if file.field(entry, "Status", str) == "ENABLED" else None
        return out

    def _units(self) -> None:
        """OUs are keyed by name, or `NAME (ou-...)` when the name is not unique (or is `root`)."""
        file = self.file
        entries = list(file.items((), "OrganizationalUnits"))
        names = [file.text(entry, "Name") for entry in entries]
        for entry, name in zip(entries, names, strict=True):
            unit_id = file.text(entry, "Id")
            key = name if names.count(name) == 1 and name != "root" else f"{name} ({unit_id})"
            if unit_id in self.units:
                self.builder.warn(f"OU `{unit_id}` is listed twice: the first is kept", file.loc(entry))
                continue
            self.units[unit_id] = (key, _Level(f"OU `{key}`", file.loc(entry)), entry)

    def _policies(self) -> dict[str, list[str]]:
        """The SCPs and RCPs into `policies`, their targets onto the levels; the names of each type's policies."""
        file = self.file
        entries = []
        for entry in file.items((), "Policies"):
            body = (*entry, "Policy") if file.field(entry, "Policy", dict) is not None else entry
            summary = (*body, "PolicySummary") if file.field(body, "PolicySummary", dict) is not None else body
            kind = file.field(summary, "Type", str)
            if kind in (SCP, RCP):  # tag, backup, AI opt-out and declarative policies do not decide access
                entries.append((entry, body, summary, kind))
        names = [file.field(summary, "Name", str) for _, _, summary, _ in entries]
        read: dict[str, list[str]] = {SCP: [], RCP: []}
        for (entry, body, summary, kind), name in zip(entries, names, strict=True):
            policy_id = file.text(summary, "Id")
            key = _BUILTIN.get(policy_id) or self._policy(body, kind, policy_id, name, names)
            read[kind].append(key)
            if file.field(entry, "Targets", list) is None:
                self.root.unknown(kind, f"where {_WORDS[kind]} `{key}` is attached is not in the export (no `Targets`)")
                continue
            for target in file.items(entry, "Targets"):
                self._target(target, kind, key)
        return read

    def _policy(self, body: JsonPath, kind: str, policy_id: str, name: str | None, names: list[str | None]) -> str:
        file = self.file
        fits = name is not None and _POLICY_NAME.fullmatch(name) is not None and names.count(name) == 1
        key = name if name is not None and fits and name not in _BUILTIN.values() else policy_id
        content = (*body, "Content")
        document = file.document(content, f"the content of `{key}`") if "Content" in file.at(body) else None
        value = (
            document
            if document is not None
            else marker(f"the export does not give the content of {_WORDS[kind]} `{key}`", file, body)
        )
        self.org.setdefault("policies", {})[key] = value
        self.sources[("policies", key)] = file.loc(content if document is not None else body)
        for sub, place in document_sources(file, content, document).items():
            self.sources[("policies", key, *sub)] = place
        return key

    def _target(self, target: JsonPath, kind: str, key: str) -> None:
        file = self.file
        target_id, target_type = file.text(target, "TargetId"), file.field(target, "Type", str)
        if target_type == "ROOT" or target_id == self.root_id:
            level = self.root
        elif target_id in self.units:
            level = self.units[target_id][1]
        else:
            level = self.members.setdefault(target_id, _Level(f"account `{target_id}`", file.loc(target)))
        if key not in level.attached[kind] and key != "RCPFullAWSAccess":  # always attached: the model adds it
            level.attached[kind].append(key)

    def _accounts(self) -> None:
        file = self.file
        for entry in file.items((), "Accounts"):
            account = file.text(entry, "Id")
            if not is_account_id(account):
                raise SchemaError(f"account id `{account}` must be 12 digits", file.loc((*entry, "Id")))
            if account in self.placed:
                first = self.placed[account]
                self.builder.warn(
                    f"account `{account}` is listed twice (first at {first}): the first is kept", file.loc(entry)
                )
                continue
            self.placed[account] = file.loc(entry)
            level = self.members.setdefault(account, _Level(f"account `{account}`", file.loc(entry)))
            level.where = file.loc(entry)
            parent = self._parent(entry, f"account `{account}`", level)
            (self.root_accounts if parent == "root" else self.unit_accounts.setdefault(parent, [])).append(account)
            arn = file.field(entry, "Arn", str)
            parts = split_arn(arn) if arn else None
            self.names[account] = (file.field(entry, "Name", str), parts[0] if parts else None)
        if file.field((), "Accounts", list) is not None:
            for account in self.gaad_accounts:
                if account not in self.placed:
                    self.builder.warn(
                        f"account `{account}` of the IAM export is not among the organization's accounts: it is "
                        "modelled outside the organization (no SCPs or RCPs)",
                        file.loc(("Accounts",)),
                    )
        else:  # a member's view: the tree is unknown
            for account in [*self.gaad_accounts, *self.members]:
                if account in self.placed or account == self.org.get("management_account"):
                    continue
                self.builder.absent(f"where account `{account}` sits in the organization: the export lists no accounts")
                level = self.members.setdefault(account, _Level(f"account `{account}`", file.loc(())))
                for kind in (SCP, RCP):
                    level.unknown(
                        kind, f"the export lists no accounts: the {_WORDS[kind]}s above `{account}` are unknown"
                    )
                self.placed[account] = level.where
                self.root_accounts.append(account)
        management = self.org.get("management_account")
        if management is not None and management not in self.placed:
            self.root_accounts.append(management)
            self.placed[management] = self.sources[("management_account",)]
        for key, level, entry in self.units.values():
            self.org.setdefault("units", {})[key] = {"parent": self._parent(entry, f"OU `{key}`", level)}
            self.sources[("units", key)] = level.where

    def _parent(self, entry: JsonPath, what: str, level: _Level) -> str:
        """The key of the entry's parent: `root` or an OU's. A parent the export does not give is the root, and what
        lies between is unknown: a marker on the entry's own level."""
        parent = self.file.field(entry, "ParentId", str)
        if parent is not None and (parent == self.root_id or (self.root_id is None and parent.startswith("r-"))):
            return "root"
        if parent is not None and parent in self.units:
            return self.units[parent][0]
        why = (
            f"the parent `{parent}` of {what} is not in the export"
            if parent
            else f"the export gives no parent of {what}"
        )
        for kind in (SCP, RCP):
            level.unknown(kind, f"{why}: the {_WORDS[kind]}s above it are unknown")
        return "root"

    # ------------------------------------------------------------------ the model

    def _attach(self, kind: str, enabled: bool | None, policies: list[str]) -> None:
        """Each level's policies of `kind`: as attached, or unknown where the export cannot tell."""
        word = _WORDS[kind]
        if enabled is None and policies:
            enabled = True  # policies are attached only while their type is enabled
        if enabled is False:
            return
        listed = bool(policies)
        if not listed:  # the root's marker stands for every level below it
            state = "enabled" if enabled else "enabled or disabled"
            self.root.attached[kind] = []
            self.root.unknown(kind, f"the export does not list the {word}s, and shows them {state}")
        management = self.org.get("management_account")
        levels: list[tuple[_Level, tuple[str, ...]]] = [(self.root, ("root",))]
        levels += [(level, ("units", key)) for key, level, _ in self.units.values()]
        levels += [
            (level, ("accounts", account))
            for account, level in self.members.items()
            if account in self.placed and account != management
        ]
        for level, where in levels:
            if listed and kind == SCP and not level.attached[kind]:
                level.unknown(kind, f"no SCP attached to {level.label} is in the export (AWS keeps one attached)")
            self._set(level, where, kind)

    def _set(self, level: _Level, where: tuple[str, ...], kind: str) -> None:
        refs = level.attached[kind]
        if not refs:  # RCPs: RCPFullAWSAccess only; SCPs: the policies are not listed, and the root says so
            return
        if where[0] == "accounts":
            self.builder.put(
                ("accounts", where[1], _KEYS[kind]), refs, level.where, f"the {_WORDS[kind]}s of {level.label}"
            )
            return
        node = self.org.setdefault("root", {}) if where == ("root",) else self.org["units"][where[1]]
        node[_KEYS[kind]] = refs
        self.sources.setdefault(where, level.where)

    def _write(self) -> None:
        root = self.org.setdefault("root", {})
        if self.root_accounts:
            root["accounts"] = self.root_accounts
        for key, members in self.unit_accounts.items():
            self.org["units"][key]["accounts"] = members
        for account, (name, partition) in self.names.items():
            where = self.placed[account]
            if name:
                self.builder.put(("accounts", account, "name"), name, where, f"the name of account `{account}`")
            known = self.gaad_accounts.get(account)
            if partition and known and partition != known:
                other = self.builder.imported.sources.get(("accounts", account), Location(None))
                self.builder.warn(
                    f"account `{account}` is in partition `{partition}` here but in `{known}` in the IAM export (at "
                    f"{other}): the IAM export's is kept",
                    where,
                )
            elif partition and partition != "aws" and not known:
                self.builder.put(("accounts", account, "partition"), partition, where, f"account `{account}`")
        others = [a for a in self.placed if a not in self.gaad_accounts]
        if others:
            listed = ", ".join(f"`{a}`" for a in others)
            self.builder.absent(
                f"IAM (users, groups, roles) of accounts {listed}: only their organization data was given"
            )
        inner = {path: where for path, where in self.sources.items() if path}
        self.builder.put(("organization",), self.org, self.sources[()], "the organization", inner)


def _org_arns(data: Any) -> list[str]:
    """Every `Arn` of the export's roots, OUs and accounts."""
    out = []
    for key in ("Roots", "OrganizationalUnits", "Accounts"):
        items = data.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("Arn"), str):
                out.append(item["Arn"])
    return out
