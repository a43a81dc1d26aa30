"""The hot path's record makers make exactly the records the dataclasses' own init and `replace` make."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, fields, replace

import pytest

from policysim.context import DeferredContext, RequestContext
from policysim.engine.outcome import Outcome, Reason
from policysim.enums import Decision, Gate, ReasonCode
from policysim.records import slot_copier, slot_maker
from policysim.request import Principal, PrincipalKind, Request
from policysim.scenario.api import _make_spec
from policysim.scenario.spec import RequestSpec

USER = Principal(PrincipalKind.USER, "arn:aws:iam::111111111111:user/alice", "111111111111", name="alice")


def test_slot_maker_makes_what_the_init_makes() -> None:
    context = RequestContext({"aws:username": ("alice",)})
    made = slot_maker(Request)(
        principal=USER,
        action="s3:GetObject",
        resource="arn:aws:s3:::b/k",
        resource_account=None,
        context=context,
        resource_partition="aws",
        action_lower="s3:getobject",
    )
    assert made == Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", None, context)
    with pytest.raises(FrozenInstanceError):
        made.action = "s3:PutObject"  # type: ignore[misc]


def test_slot_maker_takes_every_field_by_keyword_only() -> None:
    with pytest.raises(TypeError):
        slot_maker(Request)(USER, "s3:GetObject")  # positional: a reordered field can never shift silently


def test_the_spec_maker_makes_the_spec_the_keywords_make() -> None:
    values = {f.name: f.default for f in fields(RequestSpec) if f.name not in ("principal", "action", "resource")}
    values.update(context={}, session_tags={})
    made = _make_spec(principal="alice", action="s3:GetObject", resource="*", **values)
    assert made == RequestSpec("alice", "s3:GetObject", "*")


def test_slot_copier_is_replace() -> None:
    reason = Reason(Gate.IDENTITY, Decision.IMPLICIT_DENY, ReasonCode.IDENTITY_NO_ALLOW)
    outcome = Outcome(Decision.IMPLICIT_DENY, (Gate.IDENTITY,), (reason,), None, ("aws:sourceip",), hop=1)
    request = Request(USER, "s3:GetObject", "*", None, RequestContext())
    copied = slot_copier(Outcome, "request")(outcome, request)
    assert copied == replace(outcome, request=request)
    assert copied.request is request and outcome.request is None
    assert outcome.for_request(request) == copied


def test_a_deferred_context_is_assembled_once_when_read_and_pickles_as_its_values() -> None:
    calls: list[int] = []

    def make() -> dict[str, tuple[str, ...]]:
        calls.append(1)
        return {"aws:sourceip": ("10.0.0.1",)}

    context = DeferredContext(make)
    assert calls == []
    assert context.get("aws:sourceip") == ("10.0.0.1",)
    assert dict(context) == {"aws:sourceip": ("10.0.0.1",)} and context.single("aws:sourceip") == "10.0.0.1"
    assert calls == [1]
    loaded = pickle.loads(pickle.dumps(context))
    assert type(loaded) is RequestContext and dict(loaded) == dict(context)
