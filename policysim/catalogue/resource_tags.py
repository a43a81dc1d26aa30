"""Which service-prefixed resource-tag keys AWS puts in a request, by the action's service and the resource's type.

Besides `aws:ResourceTag/*`, services set their own keys for the resources they own: "Control access to user or
role resources based on their tags. To do this, use the iam:ResourceTag/key-name condition key"
(access_iam-tags.md); EC2, Secrets Manager and others likewise. The Service Authorization Reference lists them per
resource type; `data/resource_tags.txt` keeps those lists (see `refresh_tags.py` and data/NOTICE). A key is derived
only where the reference lists it: a key AWS does not send must not be in the request either, or an Allow
conditioned on it would match here and not in AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from policysim.catalogue.arn_format import ArnFormat
from policysim.errors import InputError, Location

DATA = Path(__file__).with_name("data") / "resource_tags.txt"
_MEMO_LIMIT = 4096


@dataclass(frozen=True)
class ResourceTagKeys:
    """The tag-key prefixes (`iam:resourcetag/`) per action service, each with the ARN formats that carry them."""

    by_service: Mapping[str, tuple[tuple[ArnFormat, tuple[str, ...]], ...]]
    _memo: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def prefixes(self, service: str, arn: str) -> tuple[str, ...]:
        """The lowercased key prefixes a request of `service` (`iam`, `sts`) on `arn` carries."""
        key = (service, arn)
        found = self._memo.get(key)
        if found is None:
            found = tuple(p for fmt, prefixes in self.by_service.get(service, ()) if fmt.matches(arn) for p in prefixes)
            found = tuple(dict.fromkeys(found))
            if len(self._memo) < _MEMO_LIMIT:
                self._memo[key] = found
        return found

    @classmethod
    def parse(cls, text: str, source: str) -> ResourceTagKeys:
        """Read `SERVICE<TAB>ARN-FORMAT<TAB>PREFIX ...` lines; a malformed line is an error naming its place."""
        rows: dict[str, list[tuple[ArnFormat, tuple[str, ...]]]] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            prefixes = tuple(fields[2].split()) if len(fields) == 3 else ()
            if not fields[1:2] or not fields[1].startswith("arn:") or not prefixes:
                raise InputError("a line is `SERVICE ARN-FORMAT PREFIX...`", Location(source, number, 1))
            rows.setdefault(fields[0], []).append((ArnFormat.compile(fields[0], "", fields[1]), prefixes))
        return cls({service: tuple(entries) for service, entries in rows.items()})


@cache
def builtin_resource_tag_keys() -> ResourceTagKeys:
    """The table shipped with policysim (read on first use)."""
    return ResourceTagKeys.parse(DATA.read_text(encoding="utf-8"), str(DATA))
