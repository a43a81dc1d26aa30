"""Policy variables: parsing, errors, rendering, escapes, and the 2008-10-17 literal behaviour."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import policysim.grammars as grammars
from policysim.context import RequestContext
from policysim.errors import Location, PolicyError
from policysim.grammars import grammar_path, load_grammar
from policysim.ir.template import Escape, Template, TemplatePart, Variable, parse_template


def test_plain_text_is_one_part() -> None:
    template = parse_template("arn:aws:s3:::bucket/*", variables_enabled=True)
    assert template == Template(("arn:aws:s3:::bucket/*",), "arn:aws:s3:::bucket/*")
    assert not template.has_variables
    assert parse_template("", variables_enabled=True).parts == ()


def test_well_formed_text_does_not_call_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path reads every well-formed text; the grammar is reached only for what it declines."""

    def refuse(name: str) -> None:
        raise AssertionError("lark was called")

    monkeypatch.setattr(grammars, "load_grammar", refuse)
    assert parse_template("a$b{c}", variables_enabled=True).parts == ("a$b{c}",)
    assert parse_template("${aws:username}", variables_enabled=False).parts == ("${aws:username}",)
    assert parse_template("home/${aws:username}/${*}", variables_enabled=True).has_variables
    with pytest.raises(AssertionError, match="lark was called"):
        parse_template("home/${aws:username", variables_enabled=True)


def test_variables_and_defaults() -> None:
    template = parse_template("home/${aws:username}/${aws:PrincipalTag/Team, 'none'}/x", variables_enabled=True)
    assert template.parts == (
        "home/",
        Variable("aws:username", None, "${aws:username}"),
        "/",
        Variable("aws:principaltag/team", "none", "${aws:PrincipalTag/Team, 'none'}"),
        "/x",
    )
    assert template.has_variables
    assert [v.key for v in template.variables] == ["aws:username", "aws:principaltag/team"]


def test_default_may_be_empty_and_keep_spaces() -> None:
    template = parse_template("${aws:userid, ''}${aws:x,'a b'}", variables_enabled=True)
    assert template.parts == (
        Variable("aws:userid", "", "${aws:userid, ''}"),
        Variable("aws:x", "a b", "${aws:x,'a b'}"),
    )


def test_escapes_and_dollars() -> None:
    template = parse_template("a${*}b${?}c${$}d$e$${aws:username}", variables_enabled=True)
    assert template.parts == (
        "a",
        Escape("*"),
        "b",
        Escape("?"),
        "c",
        Escape("$"),
        "d$e$",
        Variable("aws:username", None, "${aws:username}"),
    )


def test_render() -> None:
    template = parse_template("x-${aws:username}-${aws:PrincipalTag/team, 'none'}-${*}*", variables_enabled=True)
    ctx = RequestContext({"aws:username": ("alice",)})
    assert template.render(ctx) == "x-alice-none-**"
    assert template.render(RequestContext()) is None
    assert template.render(RequestContext({"aws:username": ("a", "b")})) is None
    tagged = RequestContext({"aws:username": ("bob",), "aws:principaltag/team": ("red",)})
    assert template.render(tagged) == "x-bob-red-**"


def test_2008_version_is_literal() -> None:
    template = parse_template("${aws:username", variables_enabled=False)
    assert template.parts == ("${aws:username",)
    assert template.render(RequestContext()) == "${aws:username"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("arn:aws:s3:::b/${aws:username", "missing brace in variable `${aws:username`"),
        ("${aws:x/${aws:y}", "missing brace in variable `${aws:x/`"),
        ("${aws:x, 'a'", "missing brace in variable `${aws:x, 'a'`"),
        ("a${}b", "empty variable `${}`"),
        ("${aws:x, none}", "invalid default in variable `${aws:x, none}`"),
        ("${aws:x, 'a'b'}", "invalid default in variable `${aws:x, 'a'b'}`"),
        ("${username}", "invalid variable `${username}`"),
        ("${ aws:username}", "invalid variable `${ aws:username}`"),
        ("${**}", "invalid variable `${**}`"),
    ],
)
def test_malformed_variables(text: str, message: str) -> None:
    where = Location("policy.json", 3, 7, ("Statement", 0, "Resource"))
    with pytest.raises(PolicyError) as caught:
        parse_template(text, variables_enabled=True, location=where)
    assert caught.value.message == message
    assert caught.value.location == where
    assert caught.value.hint


def test_grammars_are_found_and_cached() -> None:
    assert grammar_path("arn").name == "arn.lark"
    assert load_grammar("policy_variable") is load_grammar("policy_variable")
    with pytest.raises(ValueError, match=r"invalid grammar name `\.\./x`"):
        grammar_path("../x")
    with pytest.raises(FileNotFoundError, match="grammar `nope` not found"):
        grammar_path("nope")


texts = st.text(alphabet="ab$*?:/{}' ", max_size=6).filter(lambda t: "${" not in t)
variables = st.builds(
    lambda key, default: Variable(
        key.lower(),
        default,
        "${" + key + ("" if default is None else f", '{default}'") + "}",
    ),
    st.from_regex(r"(aws|s3):[A-Za-z0-9/_.-]{1,8}", fullmatch=True),
    st.none() | st.text(alphabet="ab c*?$", max_size=4),
)
parts_of = st.lists(st.one_of(texts, variables, st.sampled_from([Escape("*"), Escape("?"), Escape("$")])))


def text_of(part: TemplatePart) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, Escape):
        return "${" + part.char + "}"
    return part.text


def normalised(parts: list[TemplatePart]) -> tuple[TemplatePart, ...]:
    out: list[TemplatePart] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return tuple(out)


@settings(max_examples=200, deadline=None)
@given(parts=parts_of)
def test_round_trip(parts: list[TemplatePart]) -> None:
    assume(not any(isinstance(p, str) and "${" in p for p in normalised(parts)))
    text = "".join(text_of(p) for p in parts)
    template = parse_template(text, variables_enabled=True)
    assert template.text == text
    assert template.parts == normalised(parts)
    assert "".join(text_of(p) for p in template.parts) == text
    literal = parse_template(text, variables_enabled=False)
    assert literal.parts == ((text,) if text else ())
