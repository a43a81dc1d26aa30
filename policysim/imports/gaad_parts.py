"""Parts of a GAAD export read on their own: a managed policy's default version, and the account of a file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from policysim.errors import Location, SchemaError
from policysim.identifiers import is_account_id
from policysim.ir.arn import PARTITIONS

from .aws_exports import ExportFile, IamArn, JsonPath, ModelBuilder

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Version:
    """The default version of a managed policy: its document (where it is written), id and date (`""` if none)."""

    document: dict[str, Any]
    path: JsonPath
    version_id: str
    date: str


def default_version(file: ExportFile, item: JsonPath, arn: str, builder: ModelBuilder) -> Version | None:
    """The version `IsDefaultVersion` marks (`DefaultVersionId` breaks a tie); None when the file cannot tell.

    Not `[0]`, and not `DefaultVersionId` alone: AWS managed entries list several versions. A contradiction between
    the two fields is a warning naming both places.
    """
    versions = list(file.items(item, "PolicyVersionList"))
    default_id = file.field(item, "DefaultVersionId", str)
    marked = [v for v in versions if file.field(v, "IsDefaultVersion", bool)]
    by_id = [v for v in (marked or versions) if file.field(v, "VersionId", str) == default_id]
    chosen: JsonPath | None = None
    if len(marked) == 1:
        chosen = marked[0]
        if default_id is not None and by_id != marked:
            builder.warn(
                f"`IsDefaultVersion` marks `{file.field(chosen, 'VersionId', str)}` of `{arn}`, but `DefaultVersionId` "
                f"is `{default_id}` (at {file.loc((*item, 'DefaultVersionId'))}): the marked version is used",
                file.loc((*chosen, "IsDefaultVersion")),
            )
    elif marked:
        places = " and ".join(str(file.loc((*v, "IsDefaultVersion"))) for v in marked)
        chosen = by_id[0] if len(by_id) == 1 else None
        outcome = f"`DefaultVersionId` `{default_id}` is used" if chosen else "its document is unknown"
        builder.warn(f"several versions of `{arn}` are marked default, at {places}: {outcome}", file.loc(item))
    elif len(by_id) == 1:
        chosen = by_id[0]
        if any("IsDefaultVersion" in file.at(v) for v in versions):
            builder.warn(
                f"no version of `{arn}` is marked `IsDefaultVersion`: `DefaultVersionId` `{default_id}` is used",
                file.loc(chosen),
            )
    if chosen is None or file.at(chosen).get("Document") is None:
        return None
    version_id = file.field(chosen, "VersionId", str) or default_id or ""
    document = file.document((*chosen, "Document"), f"the document of `{arn}` version `{version_id}`")
    if document is None:
        return None
    created = file.field(chosen, "CreateDate", str) or ""
    date = created[:10] if _DATE.match(created) else ""
    return Version(document, (*chosen, "Document"), version_id, date)


def _firsts(items: Iterable[tuple[str, Location]]) -> dict[str, tuple[Location, int]]:
    """Each value's first place and how often it occurs, in order of first occurrence."""
    out: dict[str, tuple[Location, int]] = {}
    for value, where in items:
        first, count = out.get(value, (where, 0))
        out[value] = (first, count + 1)
    return out


def file_owner(
    arns: list[tuple[IamArn, Location]], account: str | None, builder: ModelBuilder
) -> tuple[str | None, str, Location | None]:
    """The account, partition and the place that says so, of a file whose entities have `arns`.

    The account is `account` (the import's `account:`) when given, else the one most ARNs name; the partition is the
    one most ARNs name. Every ARN that says otherwise is a warning naming both places (one per other value). None
    for the account when the file names none (only AWS managed policies); a file whose ARNs name only invalid
    accounts needs `account:`.
    """
    partitions = _firsts((arn.partition, where) for arn, where in arns)
    partition = "aws"
    if partitions:
        partition = max(partitions, key=lambda p: (p in PARTITIONS, partitions[p][1]))
        for other, (where, count) in partitions.items():
            if other != partition:
                builder.warn(
                    f"{count} ARN(s) of partition `{other}` in an export of partition `{partition}` (as at "
                    f"{partitions[partition][0]}): imported into `{partition}`",
                    where,
                )
    accounts = _firsts((arn.account, where) for arn, where in arns if arn.type != "policy" or arn.account != "aws")
    valid = {a: v for a, v in accounts.items() if is_account_id(a)}
    said: Location | None = None
    if account is not None:
        chosen = account
        chosen_where = f"the import's `account:` is `{chosen}`"
    elif valid:
        chosen = max(valid, key=lambda a: valid[a][1])
        said = valid[chosen][0]
        chosen_where = f"the export's other ARNs name `{chosen}` (as at {said})"
    elif accounts:
        first, (place, _) = next(iter(accounts.items()))
        raise SchemaError(
            f"the export names no valid account: `{first}` is not a 12-digit account id",
            place,
            hint='give the account: `account: "111111111111"`',
        )
    else:
        return account, partition, None
    for other, (where, count) in accounts.items():
        if other != chosen:
            more = f" ({count - 1} more ARNs name it)" if count > 1 else ""
            builder.warn(
                f"this ARN names account `{other}`, but {chosen_where}: imported into `{chosen}`{more}",
                where,
            )
    return chosen, partition, said
