"""The AWS input of `SimulateCustomPolicy` / `SimulatePrincipalPolicy` as a strict wire model.

Field names are AWS's own (botocore `iam/2010-05-08/service-2.json`), so a `--cli-input-json` file written for the
AWS CLI validates unchanged. The policysim extensions (`SessionPolicyInputList`, `ServiceControlPolicyInputList`,
`ResourceControlPolicyInputList`, `ResourceAccount`) follow the same style. Unknown keys are errors.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policysim.conditions.dates import parse_date
from policysim.conditions.numeric import parse_number
from policysim.errors import RequestError
from policysim.model.validation import Locator

KeyType = Literal[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ContextEntry(_Strict):
    """One `ContextEntries` item."""

    ContextKeyName: str = Field(min_length=1, max_length=256)
    ContextKeyValues: list[str] = Field(default_factory=list)
    ContextKeyType: KeyType | None = None


class OrganizationLevel(_Strict):
    """One `OrderedOrganizationPolicyInputList` item: the SCPs at one level of the organization."""

    ServiceControlPolicyInputList: list[str] = Field(default_factory=list)


class _Common(_Strict):
    PolicyInputList: list[str] | None = None
    PermissionsBoundaryPolicyInputList: list[str] | None = None
    ActionNames: list[str] = Field(min_length=1)
    ResourceArns: list[str] | None = None
    ResourcePolicy: str | None = None
    ResourceOwner: str | None = None
    CallerArn: str | None = None
    ContextEntries: list[ContextEntry] | None = None
    ResourceHandlingOption: str | None = None
    MaxItems: int | None = Field(default=None, ge=1, le=1000)
    Marker: str | None = None


class CustomPolicyInput(_Common):
    """`SimulateCustomPolicy`'s request, plus the policysim extensions."""

    PolicyInputList: list[str]  # required here
    OrderedOrganizationPolicyInputList: list[OrganizationLevel] | None = None
    SessionPolicyInputList: list[str] | None = None
    ServiceControlPolicyInputList: list[list[str]] | None = None
    ResourceControlPolicyInputList: list[list[str]] | None = None
    ResourceAccount: str | None = None


class PrincipalPolicyInput(_Common):
    """`SimulatePrincipalPolicy`'s request."""

    PolicySourceArn: str
    PolicyExclusionList: list[dict[str, Any]] | None = None


# ---------------------------------------------------------------- ContextEntries, typed and checked

_LIST_OF = {"stringList": "string", "numericList": "numeric", "booleanList": "boolean", "ipList": "ip"}
_LIST_OF |= {"binaryList": "binary", "dateList": "date"}
_KEY_NAME = re.compile(r"^[A-Za-z0-9_.-]+:[^\s]+$")


def _check_value(kind: str, value: str) -> str | None:
    """The value as the engine should see it, or None when it does not parse as `kind`."""
    if kind == "string":
        return value
    if kind == "numeric":
        return value if parse_number(value) is not None else None
    if kind == "boolean":
        lowered = value.lower()
        return lowered if lowered in ("true", "false") else None
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return None
        return value
    if kind == "date":
        return value if parse_date(value) is not None else None
    try:  # binary: base64
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return value


_EXPECTED = {
    "numeric": "number",
    "boolean": "boolean (`true` or `false`)",
    "ip": "IP address",
    "date": "date (ISO 8601 or epoch seconds)",
    "binary": "base64 value",
}


def context_values(entries: Sequence[ContextEntry], locate: Locator) -> dict[str, tuple[str, ...]]:
    """`ContextEntries` as lowercased request keys; a value that does not parse as its type is an error."""
    out: dict[str, tuple[str, ...]] = {}
    for index, entry in enumerate(entries):
        where = ("ContextEntries", index)
        name = entry.ContextKeyName
        if not _KEY_NAME.match(name):
            raise RequestError(
                f"context key `{name}` must be written `prefix:name`, e.g. `aws:SourceIp`",
                locate((*where, "ContextKeyName")),
            )
        if name.lower() in out:
            raise RequestError(f"context key `{name}` is given twice", locate((*where, "ContextKeyName")))
        values = entry.ContextKeyValues
        kind = entry.ContextKeyType or ("string" if len(values) == 1 else "stringList")
        scalar = _LIST_OF.get(kind, kind)
        if kind == scalar and len(values) != 1:
            raise RequestError(
                f"context key `{name}` of type `{kind}` takes exactly one value, got {len(values)}",
                locate((*where, "ContextKeyValues")),
                f"use `{kind}List` for several values",
            )
        typed: list[str] = []
        for number, value in enumerate(values):
            checked = _check_value(scalar, value)
            if checked is None:
                raise RequestError(
                    f"context key `{name}`: `{value}` is not a valid {_EXPECTED[scalar]}",
                    locate((*where, "ContextKeyValues", number)),
                    f"`ContextKeyType` is `{kind}`",
                )
            typed.append(checked)
        out[name.lower()] = tuple(typed)
    return out
