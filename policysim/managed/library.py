"""AWS managed policies: a dated library shipped with policysim, plus those found in an account's files.

The shipped documents live in ``data/*.json``, one policy per file, each recording where it was taken
from and which default version (and date) it is. An account's own
``aws iam get-account-authorization-details`` output can be layered on top with
:meth:`ManagedPolicyLibrary.with_file`, so a simulation uses exactly the versions that account sees.
"""

from __future__ import annotations

import functools
import json
import pathlib
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from typing import Any

from policysim.errors import Location, ParseError, SchemaError
from policysim.load import decode_input, read_limited

MAX_FILE_BYTES = 256 * 1024 * 1024

_PARTITION = r"aws(?:-[a-z]+)*"
_IAM_ARN = re.compile(rf"arn:({_PARTITION}):iam::(aws|[0-9]{{12}}):policy(/(?:[^/]+/)*)([^/]+)")
_ORG_ARN = re.compile(
    rf"arn:({_PARTITION}):organizations::aws:policy/(service_control_policy|resource_control_policy)/(p-\w+)"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RECORD_KEYS = ("name", "arn", "path", "version_id", "updated", "kind", "source", "document")


class ManagedKind(str, Enum):  # noqa: UP042 - same form as policysim.enums; str() stays `ManagedKind.IAM`
    """Which kind of policy: an IAM managed policy, or an AWS Organizations SCP or RCP."""

    IAM = "iam"
    SCP = "scp"
    RCP = "rcp"


_ORG_SEGMENT = {ManagedKind.SCP: "service_control_policy", ManagedKind.RCP: "resource_control_policy"}


@dataclass(frozen=True)
class ManagedPolicy:
    """One managed policy at one version; ``document`` is plain JSON data, to be treated as read-only."""

    name: str
    path: str
    version_id: str  # "" for AWS Organizations policies, which are unversioned
    updated: str  # ISO date of that version
    kind: ManagedKind
    source: str
    document: Mapping[str, Any]
    document_text: str
    policy_id: str = ""  # the Organizations id (`p-FullAWSAccess`); "" for IAM policies
    account: str = "aws"  # `aws` for AWS managed policies, else the owning account id

    @property
    def aws_managed(self) -> bool:
        return self.account == "aws"

    def arn(self, partition: str = "aws") -> str:
        if self.kind is ManagedKind.IAM:
            return f"arn:{partition}:iam::{self.account}:policy{self.path}{self.name}"
        return f"arn:{partition}:organizations::aws:policy/{_ORG_SEGMENT[self.kind]}/{self.policy_id}"


def _make(record: Mapping[str, Any], document: Mapping[str, Any], **fields: Any) -> ManagedPolicy:
    return ManagedPolicy(document=document, document_text=json.dumps(document, indent=2), **{**record, **fields})


class ManagedPolicyLibrary:
    """A set of managed policies, looked up by ARN (any partition) or by name."""

    def __init__(self, policies: Iterable[ManagedPolicy] = ()) -> None:
        self._iam: dict[tuple[str, str], ManagedPolicy] = {}
        self._org: dict[str, ManagedPolicy] = {}
        for policy in policies:
            if policy.kind is ManagedKind.IAM:
                self._iam[(policy.path, policy.name)] = policy
            else:
                self._org[policy.name] = policy

    @classmethod
    def builtin(cls) -> ManagedPolicyLibrary:
        """The policies shipped in ``policysim/managed/data`` (loaded once)."""
        return _builtin()

    def __iter__(self) -> Iterator[ManagedPolicy]:
        yield from self._iam.values()
        yield from self._org.values()

    def __len__(self) -> int:
        return len(self._iam) + len(self._org)

    def names(self) -> list[str]:
        return sorted(policy.name for policy in self)

    def lookup_arn(self, arn: str) -> ManagedPolicy | None:
        """The AWS managed policy with this ARN in any partition; None when unknown."""
        if m := _IAM_ARN.fullmatch(arn):
            policy = self._iam.get((m[3], m[4]))
            return policy if policy is not None and policy.account == m[2] else None
        if m := _ORG_ARN.fullmatch(arn):
            org = next((p for p in self._org.values() if p.policy_id == m[3]), None)
            return org if org is not None and _ORG_SEGMENT[org.kind] == m[2] else None
        return None

    def lookup_name(self, name: str) -> ManagedPolicy | None:
        """The IAM managed policy with this name, whatever its path; None when unknown."""
        return next((p for (_, n), p in self._iam.items() if n == name), None)

    def org_policy(self, name: str) -> ManagedPolicy | None:
        """An AWS Organizations managed policy by name: `FullAWSAccess`, `RCPFullAWSAccess`."""
        return self._org.get(name)

    def with_file(self, path: pathlib.Path) -> ManagedPolicyLibrary:
        """A new library: this one plus (overridden by) the AWS managed policies in ``path``."""
        found = [p for p in _load_file(path) if p.aws_managed]
        return ManagedPolicyLibrary([*self, *found])

    @staticmethod
    def customer_policies_in(path: pathlib.Path) -> list[ManagedPolicy]:
        """The customer managed policies (ARN account is not `aws`) in ``path``."""
        return [p for p in _load_file(path) if not p.aws_managed]


@functools.cache
def _builtin() -> ManagedPolicyLibrary:
    data = resources.files("policysim.managed") / "data"
    policies = []
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            label = f"policysim/managed/data/{entry.name}"
            policies.append(_record(_parse(entry.read_bytes(), label), Location(label)))
    return ManagedPolicyLibrary(policies)


# --- reading files -------------------------------------------------------------------------------


def _type_name(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _json(text: str, loc: Location, embedded: bool = False) -> Any:
    """Parse JSON text: a whole file (errors carry its line and column) or a document embedded in one."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        if embedded:
            where = f"line {exc.lineno} column {exc.colno}"
            raise ParseError(f"document is not valid JSON: {exc.msg.lower()} at {where}", loc) from None
        raise ParseError(f"invalid JSON: {exc.msg.lower()}", Location(loc.file, exc.lineno, exc.colno)) from None
    except _Duplicate as dup:
        raise SchemaError(f"duplicate key `{dup.key}`", loc) from None
    except RecursionError:
        raise ParseError("document is nested too deeply", loc) from None


def _parse(raw: bytes, label: str) -> Any:
    return _json(decode_input(raw, label, MAX_FILE_BYTES), Location(label))


def _load_file(path: pathlib.Path) -> list[ManagedPolicy]:
    label = str(path)
    data, loc = _parse(read_limited(path, label, MAX_FILE_BYTES), label), Location(label)
    if not isinstance(data, dict):
        raise SchemaError(f"expected a JSON object at the top level, got {_type_name(data)}", loc)
    if "Policies" in data:
        entries = _get(data, "Policies", list, loc)
        return [_auth_detail(e, loc.child("Policies", i)) for i, e in enumerate(entries)]
    if "policies" in data:
        entries = _get(data, "policies", list, loc)
        return [_record(e, loc.child("policies", i)) for i, e in enumerate(entries)]
    raise SchemaError("expected `Policies` (output of `aws iam get-account-authorization-details`) or `policies`", loc)


def _get(obj: Any, key: str, kind: type, loc: Location, optional: bool = False) -> Any:
    if not isinstance(obj, dict):
        raise SchemaError(f"expected an object, got {_type_name(obj)}", loc)
    if key not in obj:
        if optional:
            return None
        raise SchemaError(f"missing key `{key}`", loc)
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SchemaError(f"`{key}` must be {_type_article(kind)}, got {_type_name(value)}", loc.child(key))
    return value


def _type_article(kind: type) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(kind, "a value")


def _split_iam_arn(arn: str, loc: Location) -> tuple[str, str, str]:
    m = _IAM_ARN.fullmatch(arn)
    if m is None:
        raise SchemaError(f"`{arn}` is not an IAM managed policy ARN", loc)
    return m[2], m[3], m[4]


def _date(value: str, key: str, loc: Location) -> str:
    if not _DATE.match(value):
        raise SchemaError(f"`{value}` is not an ISO date", loc.child(key))
    return value[:10]


def _document(value: Any, loc: Location) -> dict[str, Any]:
    if isinstance(value, str):  # the IAM API returns documents URL-encoded; the CLI decodes them
        text = value if value.lstrip().startswith("{") else urllib.parse.unquote(value)
        value = _json(text, loc, embedded=True)
    if not isinstance(value, dict):
        raise SchemaError(f"document must be a JSON object, got {_type_name(value)}", loc)
    return value


def _auth_detail(entry: Any, loc: Location) -> ManagedPolicy:
    name = _get(entry, "PolicyName", str, loc)
    arn = _get(entry, "Arn", str, loc)
    default = _get(entry, "DefaultVersionId", str, loc)
    versions = _get(entry, "PolicyVersionList", list, loc)
    account, arn_path, arn_name = _split_iam_arn(arn, loc.child("Arn"))
    path = _get(entry, "Path", str, loc, optional=True) or arn_path
    if (path, name) != (arn_path, arn_name):
        raise SchemaError(f"`Arn` `{arn}` does not match path `{path}` and name `{name}`", loc.child("Arn"))
    for i, version in enumerate(versions):
        vloc = loc.child("PolicyVersionList", i)
        if _get(version, "VersionId", str, vloc) != default:
            continue
        created = _get(version, "CreateDate", str, vloc, optional=True)
        updated = _date(created, "CreateDate", vloc) if created else None
        if updated is None:
            updated = _date(_get(entry, "UpdateDate", str, loc), "UpdateDate", loc)
        if "Document" not in version:
            raise SchemaError("missing key `Document`", vloc)
        document = _document(version["Document"], vloc.child("Document"))
        fields = {"name": name, "path": path, "version_id": default, "updated": updated}
        source = f"{loc.file} (get-account-authorization-details)"
        return _make(fields, document, kind=ManagedKind.IAM, source=source, account=account)
    raise SchemaError(
        f"default version `{default}` of `{name}` is not in `PolicyVersionList`",
        loc.child("PolicyVersionList"),
    )


def _record(entry: Any, loc: Location) -> ManagedPolicy:
    """One policy in policysim's own format (the shape of ``data/*.json``)."""
    if not isinstance(entry, dict):
        raise SchemaError(f"expected an object, got {_type_name(entry)}", loc)
    for key in entry:
        if key not in (*_RECORD_KEYS, "id"):
            raise SchemaError(f"unknown key `{key}`", loc.child(key))
    fields = {key: _get(entry, key, str, loc) for key in _RECORD_KEYS if key != "document"}
    document = _document(_get(entry, "document", dict, loc), loc.child("document"))
    if fields["kind"] not in {k.value for k in ManagedKind}:
        raise SchemaError(f"`kind` must be `iam`, `scp` or `rcp`, got `{fields['kind']}`", loc.child("kind"))
    kind = ManagedKind(fields.pop("kind"))
    arn = fields.pop("arn")
    fields["updated"] = _date(fields["updated"], "updated", loc)
    if kind is ManagedKind.IAM:
        account, path, name = _split_iam_arn(arn, loc.child("arn"))
        extra: dict[str, Any] = {"account": account}
        if "id" in entry:
            raise SchemaError("`id` is only for Organizations policies (`scp`, `rcp`)", loc.child("id"))
    else:
        m = _ORG_ARN.fullmatch(arn)
        policy_id = _get(entry, "id", str, loc)
        if m is None or m[2] != _ORG_SEGMENT[kind] or m[3] != policy_id:
            raise SchemaError(f"`{arn}` is not the ARN of {kind.value} `{policy_id}`", loc.child("arn"))
        path, name, extra = "/", fields["name"], {"policy_id": policy_id}
    if (path, name) != (fields["path"], fields["name"]):
        raise SchemaError(
            f"`arn` `{arn}` does not match path `{fields['path']}` and name `{fields['name']}`",
            loc.child("arn"),
        )
    return _make(fields, document, kind=kind, **extra)
