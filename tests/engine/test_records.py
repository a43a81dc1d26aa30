"""The hot path's record makers make exactly the records the dataclasses' own init and `replace` make."""

from __future__ import annotations

import inspect
import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace

import pytest

from policysim import Scenario
from policysim.context import DeferredContext, RequestContext
from policysim.engine.outcome import Outcome, Reason
from policysim.enums import Decision, Gate, ReasonCode
from policysim.records import FAST_INIT, fast_init, slot_copier, slot_maker
from policysim.request import Principal, PrincipalKind, Request
from policysim.scenario.api import _make_spec
from policysim.scenario.spec import RequestSpec
from policysim.world.assemble import build_request
from policysim.world.resolve import request_target, resolve_actor

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


@dataclass(frozen=True, slots=True)
class Sample:
    first: str
    second: tuple[int, ...] = ()
    third: object = None


def test_fast_init_makes_what_the_frozen_init_makes() -> None:
    shared = object()
    expected = [Sample("a"), Sample("a", (1,)), Sample("a", third=shared), Sample(first="b", second=(2,), third=3)]
    @fast_init
    @dataclass(frozen=True, slots=True)
    class Fast:
        first: str
        second: tuple[int, ...] = ()
        third: object = None

    def shape(cls: type) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert shape(Fast) == shape(Sample)
    made = [Fast("a"), Fast("a", (1,)), Fast("a", third=shared), Fast(first="b", second=(2,), third=3)]
    assert [(m.first, m.second, m.third) for m in made] == [(e.first, e.second, e.third) for e in expected]
    assert made[2].third is shared
    with pytest.raises(FrozenInstanceError):
        made[0].first = "c"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Fast()  # type: ignore[call-arg]  # the required field is required
    with pytest.raises(TypeError):
        Fast("a", (), None, "extra")  # type: ignore[call-arg]
    loaded = pickle.loads(pickle.dumps(Outcome(Decision.ALLOWED, (), (), missing_keys=("k",))))
    assert loaded == Outcome(Decision.ALLOWED, (), (), None, ("k",))


def test_the_hot_records_take_their_fields_as_their_dataclass_declares() -> None:
    reason = Reason(Gate.IDENTITY, Decision.ALLOWED, ReasonCode.IDENTITY_ALLOWS)
    assert (reason.statement, reason.hop, reason.facts) == (None, None, ())
    assert replace(reason, hop=2).hop == 2 and reason.hop is None
    outcome = Outcome(Decision.ALLOWED, (Gate.IDENTITY,), (reason,))
    assert [getattr(outcome, f.name) for f in fields(Outcome)][3:] == [f.default for f in fields(Outcome)][3:]
    assert Outcome.__init__.__code__.co_filename.startswith(FAST_INIT)


def test_fast_init_refuses_a_record_whose_init_does_more() -> None:
    @dataclass(frozen=True, slots=True)
    class Later:
        value: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True)
    class Listed:
        values: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class Keyword:
        value: int = field(kw_only=True)

    for cls in (Later, Listed, Keyword):
        with pytest.raises(TypeError):
            fast_init(cls)


def test_a_request_built_from_keys_in_any_case_reads_them_case_insensitively() -> None:
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    users = {"alice": {"inline_policies": {"p": everything}}}
    scenario = Scenario.from_dict({"scenario": "b", "accounts": {"111111111111": {"users": users}}})
    actor = resolve_actor(scenario.world, "alice", None)
    target = request_target(scenario.world, "s3:GetObject", "arn:aws:s3:::data/k", None, actor, None)
    now = ("2024-01-01T00:00:00Z", "1704067200")
    for extra in (
        {"aws:PrincipalArn": None, "AWS:UserName": ("bob",)},
        {"aws:principalarn": None, "aws:username": ("alice",), "AWS:USERNAME": ("bob",)},  # the later spelling wins
    ):
        request = build_request(scenario.world, actor, "s3:GetObject", target, extra, now)
        context = dict(request.context)
        assert "aws:principalarn" not in context and context["aws:username"] == ("bob",)
        assert all(name == name.lower() for name in context)
        assert request.action_lower == "s3:getobject"
