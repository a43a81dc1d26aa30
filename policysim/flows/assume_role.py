"""sts:AssumeRole as a flow: validate the request as STS does, authorize it (trust policy and the caller's side),
then mint the session that acts from then on with the role's permissions and none of the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from policysim.compiled import CompiledPolicy
from policysim.engine.outcome import Outcome
from policysim.enums import ReasonCode
from policysim.identifiers import is_external_id, is_session_name
from policysim.request import PrincipalKind
from policysim.services.sts import caller_refusal, refused
from policysim.world.actor import Actor
from policysim.world.evaluator import Evaluator
from policysim.world.resolve import DEFAULT_SESSION_NAME, role_actor
from policysim.world.world import RoleInfo

MAX_SESSION_POLICY_CHARS = 2048
MAX_SESSION_POLICY_ARNS = 10
CHAINED_MAX_SECONDS = 3600


class Via(StrEnum):
    """How the role is assumed; the console's Switch Role passes no ExternalId and gives 1-hour sessions."""

    API = "api"
    CLI = "cli"
    CONSOLE = "console"


@dataclass(frozen=True)
class AssumeParams:
    """The parameters of one AssumeRole request."""

    session_name: str | None = None
    external_id: str | None = None
    duration_seconds: int | None = None
    session_policy: CompiledPolicy | None = None
    session_policy_chars: int = 0
    session_policy_arns: tuple[CompiledPolicy, ...] = ()
    session_tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    via: Via = Via.API
    context: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)


def hop_key(params: AssumeParams) -> tuple[object, ...]:
    """Every parameter of an AssumeRole request, hashable (policies by address: keep `params` alive with it)."""
    return (
        params.session_name,
        params.external_id,
        params.duration_seconds,
        id(params.session_policy),
        params.session_policy_chars,
        tuple(map(id, params.session_policy_arns)),
        tuple(params.session_tags.items()),
        params.transitive_tag_keys,
        params.source_identity,
        params.via,
        tuple(params.context.items()),
    )


@dataclass(frozen=True)
class HopResult:
    """The outcome of one AssumeRole request and, when allowed, the session it minted."""

    outcome: Outcome
    session: Actor | None


def validate(actor: Actor, role: RoleInfo, params: AssumeParams) -> Outcome | None:
    """The refusal STS would give before any policy is read, or None."""
    refusal = caller_refusal(actor.principal, "sts:assumerole")
    if refusal is not None:
        return refusal
    kind = actor.principal.kind
    if kind is not PrincipalKind.SERVICE and role.arn.split(":")[1] != actor.principal.partition:
        return refused(ReasonCode.ASSUME_ACROSS_PARTITIONS)
    name = params.session_name
    if name is not None and not is_session_name(name):
        return refused(ReasonCode.INVALID_SESSION_NAME, name=name)
    if params.external_id is not None and not is_external_id(params.external_id):
        return refused(ReasonCode.INVALID_EXTERNAL_ID)
    source = params.source_identity
    if source is not None and (not is_session_name(source) or source.lower().startswith("aws:")):
        return refused(ReasonCode.INVALID_SOURCE_IDENTITY)
    return _validate_limits(actor, role, params)


def _validate_limits(actor: Actor, role: RoleInfo, params: AssumeParams) -> Outcome | None:
    duration = params.duration_seconds
    if duration is not None:
        if not 900 <= duration <= 43200:
            return refused(ReasonCode.DURATION_OUT_OF_RANGE, duration=duration)
        if duration > role.max_session_duration:
            return refused(
                ReasonCode.DURATION_OVER_MAX_SESSION,
                duration=duration,
                maximum=role.max_session_duration,
                role=role.arn,
            )
        if actor.is_session and duration > CHAINED_MAX_SECONDS:
            return refused(ReasonCode.DURATION_OVER_CHAINING_LIMIT, duration=duration)
    if params.session_policy_chars > MAX_SESSION_POLICY_CHARS:
        return refused(
            ReasonCode.SESSION_POLICY_TOO_LARGE, chars=params.session_policy_chars, limit=MAX_SESSION_POLICY_CHARS
        )
    if len(params.session_policy_arns) > MAX_SESSION_POLICY_ARNS:
        return refused(ReasonCode.TOO_MANY_SESSION_POLICY_ARNS, limit=MAX_SESSION_POLICY_ARNS)
    if len(params.session_tags) > 50:
        return refused(ReasonCode.TOO_MANY_SESSION_TAGS, limit=50)
    for key, value in params.session_tags.items():
        if not 1 <= len(key) <= 128 or len(value) > 256:
            return refused(ReasonCode.SESSION_TAG_TOO_LONG, key=key)
    for key in params.transitive_tag_keys:
        if key.lower() not in {k.lower() for k in params.session_tags}:
            return refused(ReasonCode.TRANSITIVE_KEY_NOT_A_TAG, key=key)
    return None


def hop_context(actor: Actor, params: AssumeParams) -> dict[str, tuple[str, ...] | None]:
    """The request keys of an AssumeRole call (sts:*, aws:RequestTag/*), with the test's context on top."""
    keys: dict[str, tuple[str, ...] | None] = {}
    if params.external_id is not None:
        keys["sts:externalid"] = (params.external_id,)
    keys["sts:rolesessionname"] = (session_name_for(actor, params),)
    if params.source_identity is not None:
        keys["sts:sourceidentity"] = (params.source_identity,)
    if params.duration_seconds is not None:
        keys["sts:durationseconds"] = (str(params.duration_seconds),)
    for key, value in params.session_tags.items():
        keys[f"aws:requesttag/{key.lower()}"] = (value,)
    if params.session_tags:
        keys["aws:tagkeys"] = tuple(params.session_tags)
    if params.transitive_tag_keys:
        keys["sts:transitivetagkeys"] = params.transitive_tag_keys
    keys.update({k.lower(): v for k, v in params.context.items()})
    return keys


def session_name_for(actor: Actor, params: AssumeParams) -> str:
    """The session name: as given, else the user's name (as the console does), else policysim's default."""
    if params.session_name:
        return params.session_name
    name = actor.principal.name
    if actor.principal.kind is PrincipalKind.USER and name and is_session_name(name):
        return name
    return DEFAULT_SESSION_NAME


def assume_role(
    evaluator: Evaluator, actor: Actor, role: RoleInfo, params: AssumeParams, *, mint: bool = True
) -> HopResult:
    """Authorize one AssumeRole request and, when allowed and `mint`, mint the session (a last hop whose session
    nobody uses is not minted: its `session` is None whatever the outcome)."""
    invalid = validate(actor, role, params)
    if invalid is not None:
        return HopResult(invalid, None)
    target = evaluator.trust_target(role)
    extra = hop_context(actor, params)
    outcome = evaluator.evaluate(actor, "sts:AssumeRole", target, extra)
    for action, needed in (
        ("sts:TagSession", bool(params.session_tags)),
        ("sts:SetSourceIdentity", params.source_identity is not None),
    ):
        if outcome.allowed and needed:
            outcome = evaluator.evaluate(actor, action, target, extra)
    if not outcome.allowed or not mint:
        return HopResult(outcome, None)
    return HopResult(outcome, mint_session(evaluator, actor, role, params))


def mint_session(evaluator: Evaluator, actor: Actor, role: RoleInfo, params: AssumeParams) -> Actor:
    """The role session: role tags overridden by session tags (keys case-insensitive), transitive tags carried."""
    tags = {k: v for k, v in role.tags.items()}
    carried = dict(actor.transitive_tags) if actor.is_session else {}
    for source in (carried, dict(params.session_tags)):
        for key, value in source.items():
            for existing in [k for k in tags if k.lower() == key.lower()]:
                del tags[existing]
            tags[key] = value
    transitive = dict(carried)
    wanted = {k.lower() for k in params.transitive_tag_keys}
    transitive.update({k: v for k, v in params.session_tags.items() if k.lower() in wanted})
    session_policies: tuple[CompiledPolicy, ...] | None = None
    if params.session_policy is not None or params.session_policy_arns:
        inline = (params.session_policy,) if params.session_policy is not None else ()
        session_policies = inline + params.session_policy_arns
    session = role_actor(
        evaluator.world,
        role,
        session_name_for(actor, params),
        tags=tags,
        session=session_policies,
        mfa=bool(actor.mfa),
        source_identity=params.source_identity or actor.source_identity,
        transitive_tags=transitive,
        issued_at=evaluator.now()[0],
    )
    return session
