"""The AWS input of `SimulateCustomPolicy` / `SimulatePrincipalPolicy` as a strict wire model.

Field names are AWS's own (botocore `iam/2010-05-08/service-2.json`), so a `--cli-input-json` file written for the
AWS CLI validates unchanged. The policysim extensions (`SessionPolicyInputList`, `ServiceControlPolicyInputList`,
`ResourceControlPolicyInputList`, `ResourceAccount`, `VpcEndpointPolicyInputList`) follow the same style. Unknown
keys are errors.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from policysim import limits
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


# ---------------------------------------------------------------- the API's member limits (policysim.limits)


def _length_error(value: str, bound: limits.Bound, item: str = "") -> PydanticCustomError | None:
    """The error for a string outside its botocore shape's length range (None when within it)."""
    if bound.min <= len(value) <= bound.max:
        return None
    side = f"at most {bound.max}" if len(value) > bound.max else f"at least {bound.min}"
    return PydanticCustomError(
        "aws_length",
        "{item}is {length} characters long; the simulate API allows {side} (botocore {shape})",
        {"item": item, "length": len(value), "side": side, "shape": bound.shape},
    )


def _length(bound: limits.Bound) -> AfterValidator:
    """A string member within its shape's length range."""

    def check(value: str) -> str:
        if (error := _length_error(value, bound)) is not None:
            raise error
        return value

    return AfterValidator(check)


def _items(bound: limits.Bound) -> AfterValidator:
    """Every string of a list member (or of a list of levels) within the shape's length range."""

    def check(values: list[Any]) -> list[Any]:
        for i, value in enumerate(values):
            rows = [(f"[{i}][{j}]", v) for j, v in enumerate(value)] if isinstance(value, list) else [(f"[{i}]", value)]
            for index, text in rows:
                if (error := _length_error(text, bound, f"item {index} ")) is not None:
                    raise error
        return values

    return AfterValidator(check)


def _at_most(limit: int, what: str) -> BeforeValidator:
    """A list of at most `limit` items, checked before its items are validated (policysim's bound)."""

    def check(values: Any) -> Any:
        if isinstance(values, list) and len(values) > limit:
            raise PydanticCustomError(
                "too_many",
                "has {count} {what}, the limit is {limit}",
                {"count": len(values), "what": what, "limit": limit},
            )
        return values

    return BeforeValidator(check)


Policies = Annotated[list[str], _items(limits.POLICY_DOCUMENT)]
Levels = Annotated[list[list[str]], _items(limits.POLICY_DOCUMENT)]
Policy = Annotated[str, _length(limits.POLICY_DOCUMENT)]
ResourceName = Annotated[str, _length(limits.RESOURCE_NAME)]


class ContextEntry(_Strict):
    """One `ContextEntries` item."""

    ContextKeyName: Annotated[str, _length(limits.CONTEXT_KEY_NAME)]
    ContextKeyValues: Annotated[list[str], _at_most(limits.MAX_CONTEXT_VALUES, "values")] = Field(default_factory=list)
    ContextKeyType: KeyType | None = None


class OrganizationLevel(_Strict):
    """One `OrderedOrganizationPolicyInputList` item: the SCPs at one level of the organization."""

    ServiceControlPolicyInputList: Policies = Field(default_factory=list)


class _Common(_Strict):
    PolicyInputList: Policies | None = None
    PermissionsBoundaryPolicyInputList: Policies | None = None
    ActionNames: Annotated[list[str], _items(limits.ACTION_NAME)] = Field(min_length=1)
    ResourceArns: Annotated[list[str], _items(limits.RESOURCE_NAME)] | None = None
    ResourcePolicy: Policy | None = None
    ResourceOwner: ResourceName | None = None
    CallerArn: ResourceName | None = None
    ContextEntries: Annotated[list[ContextEntry], _at_most(limits.MAX_CONTEXT_ENTRIES, "entries")] | None = None
    ResourceHandlingOption: Annotated[str, _length(limits.RESOURCE_HANDLING_OPTION)] | None = None
    MaxItems: int | None = Field(default=None, ge=1, le=1000)
    Marker: Annotated[str, _length(limits.MARKER)] | None = None
    # extension: `Discovery` adds to each result not allowed the conditions on missing keys that would allow it
    SimulationMode: Literal["Standard", "Discovery"] = "Standard"
    VpcEndpointPolicyInputList: Policies | None = None  # extension: the policy of the endpoint `aws:SourceVpce` names
    # extension: resource patterns, each answered "is some matching resource allowed?" (twins/patterns.py)
    ResourcePatterns: Annotated[list[str], _items(limits.RESOURCE_NAME)] | None = None


class CustomPolicyInput(_Common):
    """`SimulateCustomPolicy`'s request, plus the policysim extensions."""

    PolicyInputList: Policies  # required here
    OrderedOrganizationPolicyInputList: list[OrganizationLevel] | None = None
    SessionPolicyInputList: Policies | None = None
    ServiceControlPolicyInputList: Levels | None = None
    ResourceControlPolicyInputList: Levels | None = None
    ResourceAccount: ResourceName | None = None


class PrincipalPolicyInput(_Common):
    """`SimulatePrincipalPolicy`'s request."""

    PolicySourceArn: Annotated[str, _length(limits.ARN)]
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
