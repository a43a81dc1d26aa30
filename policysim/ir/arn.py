"""ARNs: strict parsing of concrete ARNs, validation of Resource patterns, and the ArnLike matcher.

An ARN is `arn:partition:service:region:account:resource` (reference_identifiers.md); the resource part is
everything after the fifth colon and may itself contain `:` and `/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policysim.context import RequestContext
from policysim.errors import Location, ParseError, PolicyError
from policysim.ir.pattern import Glob, PatternMatcher, compile_pattern
from policysim.ir.template import Escape, Template, TemplatePart

if TYPE_CHECKING:
    from lark.exceptions import UnexpectedInput

PARTITIONS: frozenset[str] = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
ARN_PARTS = ("prefix", "partition", "service", "region", "account", "resource")
# S3 resource types that carry an account (and often a region); buckets and objects carry neither.
S3_ACCOUNT_RESOURCES = (
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "access-grants/",
    "async-request/",
)

_ARN_HINT = "an ARN is `arn:partition:service:region:account:resource`"
_HINTS = {
    "partition": "known partitions: " + ", ".join(sorted(PARTITIONS)),
    "service": "a service is lowercase letters, digits and `-`, such as `s3` or `iam`",
    "region": "a region is lowercase letters, digits and `-`, such as `us-east-1`, or empty",
    "account": "an account id is 12 digits, `aws` for AWS-owned resources, or empty",
    "resource": "the resource part may not be empty",
}
_PATTERN_PART = {
    "service": re.compile(r"[a-z0-9*?-]+"),
    "region": re.compile(r"[a-z0-9*?-]*"),
    "account": re.compile(r"[0-9*?]*|aws"),
}


@dataclass(frozen=True, slots=True)
class Arn:
    """A concrete ARN."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str, *, location: Location | None = None) -> Arn:
    """Parse a concrete ARN (no wildcards, no variables); errors name the part at fault.

    Valid ARNs are memoised: requests name the same resources again and again.
    """
    known = _PARSED.get(text)
    if known is not None:
        return known
    arn = _parse_arn(text, location)
    if len(_PARSED) < _PARSED_MAX:
        _PARSED[text] = arn
    return arn


_PARSED: dict[str, Arn] = {}
_PARSED_MAX = 65536


# The shape `grammars/arn.lark` accepts, as one regular expression: the fast path of `parse_arn`. The grammar stays
# the specification and gives the error messages; tests/properties/test_fast_parsers.py holds the two equal.
_ARN_SHAPE = re.compile(
    r"arn:([a-z][a-z0-9-]*):([a-z0-9][a-z0-9-]*):([a-z0-9][a-z0-9-]*)?:([0-9]{12}(?![0-9])|aws)?:([^\x00-\x1f\x7f]+)"
)


def arn_parts(text: str) -> tuple[str, str, str, str, str] | None:
    """The five parts of an ARN of the grammar's shape (partition, service, region, account, resource), else None."""
    shaped = _ARN_SHAPE.fullmatch(text)
    if shaped is None:
        return None
    partition, service, region, account, resource = shaped.groups()
    return partition, service, region or "", account or "", resource


def grammar_arn_parts(text: str) -> tuple[str, str, str, str, str]:
    """The five parts as the lark grammar reads them; raises lark's `UnexpectedInput` when it refuses `text`."""
    from lark import Token

    from policysim.grammars import load_grammar

    tree = load_grammar("arn").parse(text)
    partition, service, region, account, resource = (str(c) if isinstance(c, Token) else "" for c in tree.children)
    return partition, service, region, account, resource


def _parse_arn(text: str, location: Location | None) -> Arn:
    parts = arn_parts(text)
    if parts is None:
        from lark.exceptions import UnexpectedInput

        try:
            parts = grammar_arn_parts(text)
        except UnexpectedInput as error:
            raise _arn_error(text, error, location) from None
    partition, service, region, account, resource = parts
    if partition not in PARTITIONS:
        raise ParseError(f"invalid partition `{partition}` in ARN `{text}`", location, _HINTS["partition"])
    problem = _service_rule(text, service, region, account, resource)
    if problem:
        raise ParseError(problem[0], location, problem[1])
    return Arn(partition, service, region, account, resource)


def _arn_error(text: str, error: UnexpectedInput, location: Location | None) -> ParseError:
    parts = text.split(":", 5)
    if parts[0] != "arn" or len(parts) < 6:
        return ParseError(f"malformed ARN `{text}`", location, _ARN_HINT)
    if not parts[5]:
        return ParseError(f"empty resource part in ARN `{text}`", location, _HINTS["resource"])
    pos = error.pos_in_stream if error.pos_in_stream is not None and error.pos_in_stream >= 0 else len(text)
    from lark.exceptions import UnexpectedToken

    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        pos = len(text)
    index = max(1, min(text.count(":", 0, pos), 5))
    name = ARN_PARTS[index]
    return ParseError(f"invalid {name} `{parts[index]}` in ARN `{text}`", location, _HINTS[name])


def _service_rule(text: str, service: str, region: str, account: str, resource: str) -> tuple[str, str] | None:
    """Per-service shape rules; (message, hint) when broken."""
    if service == "iam" and region:
        # moto: "IAM resource {resource} cannot contain region information"
        return (
            f"IAM resource `{text}` cannot contain region information",
            "IAM is global: write `arn:aws:iam::...`",
        )
    if service == "s3" and not resource.startswith(S3_ACCOUNT_RESOURCES):
        hint = "bucket and object ARNs are `arn:aws:s3:::bucket/key`; the owner comes from the model"
        if region:
            return f"S3 resource `{text}` cannot contain region information", hint
        if account:
            return f"S3 resource `{text}` cannot contain an account id", hint
    return None


def check_resource_pattern(text: str, *, location: Location | None = None, variables_enabled: bool = True) -> None:
    """Validate a Resource/NotResource entry: `*`, or an ARN with `*`/`?` wildcards in any part but `arn`.

    "You can use wildcard characters (* and ?) within any ARN segment" and a variable may be used "only in the
    resource portion of the ARN. This portion of the ARN appears after the fifth colon" (UG, 2023).
    """
    if text == "*":
        return
    parts = text.split(":", 5)
    if parts[0] != "arn" or len(parts) < 6:
        raise PolicyError(f"resource `{text}` must be in ARN format or `*`", location, _ARN_HINT)
    if variables_enabled and any("${" in part for part in parts[:5]):
        raise PolicyError(
            f"policy variable outside the resource part of ARN `{text}`",
            location,
            "variables may appear only in the resource part, after the fifth colon",
        )
    _, partition, service, region, account, resource = parts
    if not (partition in PARTITIONS or (_wild(partition) and re.fullmatch(r"[a-z0-9*?-]+", partition))):
        raise PolicyError(f"invalid partition `{partition}` in resource `{text}`", location, _HINTS["partition"])
    for name, value in (("service", service), ("region", region), ("account", account)):
        if not _PATTERN_PART[name].fullmatch(value):
            raise PolicyError(f"invalid {name} `{value}` in resource `{text}`", location, _HINTS[name])
    if account not in ("", "aws") and not _wild(account) and len(account) != 12:  # could never name an account
        raise PolicyError(f"invalid account `{account}` in resource `{text}`", location, _HINTS["account"])
    if not resource:
        raise PolicyError(f"empty resource part in resource `{text}`", location, _HINTS["resource"])
    typed = resource.split("/", 1)[0]
    if not _wild(service + region + account + typed):
        problem = _service_rule(text, service, region, account, resource)
        if problem:
            raise PolicyError(problem[0], location, problem[1])


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


@dataclass(frozen=True, slots=True)
class ArnGlob:
    """`ArnLike`/`ArnEquals`: "Each of the six colon-delimited components of the ARN is checked separately
    and each can include multi-character match wildcards (*) or single-character match wildcards (?)"
    (reference_policies_elements_condition_operators.md). Case-sensitive; the resource component is everything
    after the fifth colon, in the policy value and in the request value.

    The guide does not say what a policy value with fewer than six components does. policysim's decision: it
    matches nothing (`well_formed` is False so the compiler can warn), as does a request value that is not
    six components. A variable's value stays inside the component it is written in.
    """

    text: str
    components: tuple[PatternMatcher, ...]
    has_variables: bool
    # (component index, matcher) for the components that are not just `*`; empty when not well formed.
    _checks: tuple[tuple[int, PatternMatcher], ...] = field(repr=False, compare=False)

    @property
    def well_formed(self) -> bool:
        """True when the policy value has six components."""
        return len(self.components) == 6

    @classmethod
    def from_template(cls, template: Template) -> ArnGlob:
        """Split the template at its first five (raw-text) colons and compile each component."""
        components: list[list[TemplatePart]] = [[]]
        for part in template.parts:
            if isinstance(part, str) and len(components) < 6:
                pieces = part.split(":", 6 - len(components))
                components[-1].append(pieces[0])
                components.extend([piece] for piece in pieces[1:])
            else:
                components[-1].append(part)
        matchers = tuple(
            compile_pattern(Template(tuple(p for p in parts if p != ""), _text(parts))) for parts in components
        )
        checks = tuple(
            (index, matcher)
            for index, matcher in enumerate(matchers)
            if not (isinstance(matcher, Glob) and matcher.matches_everything)
        )
        return cls(template.text, matchers, template.has_variables, checks)

    def matches_in(self, value: str, ctx: RequestContext) -> bool:
        """Whether every component of `value` matches; a value that is not six components never matches."""
        if len(self.components) != 6:
            return False
        pieces = value.split(":", 5)
        if len(pieces) != 6:
            return False
        for index, matcher in self._checks:  # noqa: SIM110 - a loop is faster than all() here
            if not matcher.matches_in(pieces[index], ctx):
                return False
        return True


def _text(parts: list[TemplatePart]) -> str:
    return "".join(p if isinstance(p, str) else "${" + p.char + "}" if isinstance(p, Escape) else p.text for p in parts)
