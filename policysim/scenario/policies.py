"""Resolving and compiling the policy documents a scenario names: inline, from files, by name, by ARN.

Every policy is compiled once, however many identities attach it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy, Unknown
from policysim.enums import PolicyKind
from policysim.errors import PathPart, SchemaError, UnresolvedReferenceError, format_path
from policysim.load import Document, load_file, load_json
from policysim.managed import ManagedKind, ManagedPolicyLibrary
from policysim.model.records import UnknownRef, UnknownValue
from policysim.model.wire import parse

MANAGED_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):iam::(?P<account>aws|[0-9]{12}):policy/(?P<path>(?:[^/]+/)*)(?P<name>[^/]+)$"
)


class PolicyCompiler:
    """Compiles scenario policy documents, with a cache keyed by policy id."""

    def __init__(self, doc: Document, base_dir: Path | None, library: ManagedPolicyLibrary) -> None:
        self.doc = doc
        self.base_dir = base_dir
        self.library = library
        self._cache: dict[tuple[str, PolicyKind], CompiledPolicy] = {}

    def document(self, path: Sequence[PathPart]) -> Document:
        """The policy document at `path` in the scenario: inline, or `{file: ...}` loaded from disk."""
        sub = self.doc.sub(path)
        data = sub.data
        if isinstance(data, dict) and "file" in data:
            if set(data) != {"file"} or not isinstance(data["file"], str):
                raise SchemaError(
                    "a policy given by file must be exactly `{file: relative/path.json}`",
                    self.doc.locate(path),
                )
            if self.base_dir is None:
                raise SchemaError("`file:` policies need a scenario loaded from a file", self.doc.locate(path))
            target = (self.base_dir / data["file"]).resolve()
            if not (target.exists() or target.is_symlink()):  # anything else: refused by load_file
                raise UnresolvedReferenceError(
                    f"policy file `{data['file']}` not found", self.doc.locate((*path, "file"))
                )
            return load_file(target, display=str(Path(self.doc.file).parent / data["file"]))
        return sub

    def inline(self, path: Sequence[PathPart], policy_id: str, kind: PolicyKind) -> CompiledPolicy:
        """Compile the document at `path` under a given id and kind (an unknown marker: an unknown policy)."""
        key = (policy_id, kind)
        if key not in self._cache:
            document = self.document(path)
            marked = unknown_of(document.data)
            if marked is not None:
                self._cache[key] = unknown_policy(marked, policy_id, kind)
            else:
                self._cache[key] = compile_policy(document, policy_id, kind)
        return self._cache[key]

    def is_unknown(self, path: Sequence[PathPart]) -> bool:
        """Is the document at `path` an unknown marker (imports.md)?"""
        return unknown_of(self.doc.sub(path).data) is not None

    def managed(self, arn: str, kind: PolicyKind, where: Sequence[PathPart]) -> CompiledPolicy:
        """An AWS managed policy (any partition) from the library; unknown ones are errors."""
        key = (arn, kind)
        if key not in self._cache:
            policy = self.library.lookup_arn(arn)
            if policy is None or policy.kind is not ManagedKind.IAM:
                raise UnresolvedReferenceError(
                    f"unknown AWS managed policy `{arn}`",
                    self.doc.locate(where),
                    self.library.unknown_hint(arn),
                )
            self._cache[key] = self._compile_data(policy.document_text, arn, kind)
        return self._cache[key]

    def org_builtin(self, name: str, kind: PolicyKind) -> CompiledPolicy | None:
        """FullAWSAccess / RCPFullAWSAccess, or None for other names."""
        policy = self.library.org_policy(name)
        if policy is None:
            return None
        wanted = ManagedKind.SCP if kind is PolicyKind.SCP else ManagedKind.RCP
        if policy.kind is not wanted:
            return None
        key = (name, kind)
        if key not in self._cache:
            self._cache[key] = self._compile_data(policy.document_text, name, kind)
        return self._cache[key]

    def _compile_data(self, text: str, policy_id: str, kind: PolicyKind) -> CompiledPolicy:
        return compile_policy(load_json(text, policy_id), policy_id, kind, source_text=text)


def unknown_of(data: object) -> UnknownValue | None:
    """The unknown a policy document marks (`{unknown: {reason, source}}`, imports.md), or None."""
    marker = parse(UnknownRef, data)
    return marker.unknown if marker is not None else None


def unknown_policy(marked: UnknownValue, policy_id: str, kind: PolicyKind) -> CompiledPolicy:
    """A policy whose document the input could not tell: no statements, and the unknown (world/unknowns.py)."""
    return CompiledPolicy(policy_id, kind, (), None, unknown=Unknown(marked.reason, marked.source))


def unknown_ref_policy(ref: UnknownRef, kind: PolicyKind, where: Sequence[PathPart]) -> CompiledPolicy:
    """The policy an unknown reference stands for, named after the place of the reference."""
    return unknown_policy(ref.unknown, f"<unknown {kind.value} at {format_path(tuple(where))}>", kind)


def parse_managed_arn(ref: str) -> dict[str, Any] | None:
    """`{partition, account, path, name}` of a managed policy ARN, or None when `ref` is not one."""
    found = MANAGED_ARN.match(ref)
    return found.groupdict() if found else None
