"""The parse tables shipped beside each grammar (`grammars/NAME.lalr`) are those a fresh build of its `.lark` makes.

A start-up loads them instead of building the grammar (policysim/grammars.py). Should a `.lark` file change, or
lark be upgraded, without `python -m policysim.grammars` being run, these tests fail (and policysim builds the
grammar at every start, correct but slow).

lark numbers the LALR states and tokens differently from one build to the next (it iterates sets), so the tables
are compared in a canonical form: tokens by name, states numbered in breadth-first order from the start states,
transitions taken in token-name order, rules and terminals written out in full.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import lark
import pytest
from lark.grammar import Rule
from lark.lexer import TerminalDef

from policysim import grammars

GRAMMARS = sorted(path.stem for path in grammars.grammar_folder().glob("*.lark"))
REGENERATE = "stale grammar tables: run `python -m policysim.grammars` and commit grammars/*.lalr"

SAMPLES = {
    "arn": ["arn:aws:s3:::bucket/key", "arn:aws:iam::123456789012:role/a:b", "arn:aws-cn:ec2:cn-north-1:aws:x"],
    "policy_variable": ["plain", "home/${aws:username}/*", "${aws:PrincipalTag/team, 'none'}", "${*}${?}${$}$x"],
}


def _resolve(value: Any, memo: dict[int, Any]) -> Any:
    """`value` with every memo reference (`{'@': n}`) replaced by what it names."""
    if isinstance(value, dict):
        if set(value) == {"@"}:
            return _resolve(memo[value["@"]], memo)
        return {key: _resolve(item, memo) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(item, memo) for item in value]
    return value


def canonical(parser: lark.Lark) -> dict[str, Any]:
    """The parser's serialised form, independent of how lark happened to number its states and tokens."""
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    table = data["parser"]["parser"]
    states, names = table["states"], table["tokens"]
    order: dict[int, int] = {}
    pending = deque(table["start_states"][start] for start in sorted(table["start_states"]))
    while pending:
        state = pending.popleft()
        if state in order:
            continue
        order[state] = len(order)
        for _, (action, argument) in sorted(states[state].items(), key=lambda item: names[item[0]]):
            if action == 0:  # shift: argument is the next state
                pending.append(argument)
    assert len(order) == len(states), "a state the start states do not reach"
    rows = [None] * len(states)
    for state, index in order.items():
        rows[index] = [
            (names[token], action, order[argument] if action == 0 else _resolve(argument, memo))
            for token, (action, argument) in sorted(states[state].items(), key=lambda item: names[item[0]])
        ]
    rest = {**data, "parser": {**data["parser"], "parser": None}}
    return {
        "states": rows,
        "start_states": {start: order[state] for start, state in table["start_states"].items()},
        "end_states": {start: order[state] for start, state in table["end_states"].items()},
        "rest": _resolve(rest, memo),
    }


def _shipped(name: str) -> lark.Lark:
    path = grammars.grammar_path(name)
    parser = grammars.load_tables(grammars.tables_path(path), path.read_text(encoding="utf-8"))
    assert parser is not None, REGENERATE
    return parser


def test_every_grammar_is_checked() -> None:
    assert GRAMMARS == ["arn", "policy_variable"]
    assert sorted(SAMPLES) == GRAMMARS


@pytest.mark.parametrize("name", GRAMMARS)
def test_the_shipped_tables_are_a_fresh_build(name: str) -> None:
    fresh = grammars.build_grammar(grammars.grammar_path(name).read_text(encoding="utf-8"))
    assert canonical(_shipped(name)) == canonical(fresh), REGENERATE


def test_the_canonical_form_ignores_how_lark_numbers_states() -> None:
    text = grammars.grammar_path("policy_variable").read_text(encoding="utf-8")
    builds = [canonical(grammars.build_grammar(text)) for _ in range(4)]
    assert all(build == builds[0] for build in builds)
    other = canonical(grammars.build_grammar(text.replace('ESCAPED: "*" | "?" | "$"', 'ESCAPED: "*" | "?"')))
    assert other != builds[0]


@pytest.mark.parametrize("name", GRAMMARS)
def test_load_grammar_uses_the_tables_and_parses_as_a_fresh_build(name: str) -> None:
    fresh = grammars.build_grammar(grammars.grammar_path(name).read_text(encoding="utf-8"))
    loaded = grammars.load_grammar(name)
    assert loaded.source_path == "<deserialized>"  # read from the tables, not built
    for text in SAMPLES[name]:
        assert loaded.parse(text) == fresh.parse(text)


def test_tables_of_another_text_are_not_used(tmp_path: Path) -> None:
    path = grammars.grammar_path("arn")
    tables = grammars.tables_path(path)
    text = path.read_text(encoding="utf-8")
    assert grammars.load_tables(tables, text) is not None
    assert grammars.load_tables(tables, text + "\n") is None
    assert grammars.load_tables(tmp_path / "missing.lalr", text) is None


def test_the_generator_writes_what_load_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = grammars.grammar_path("arn")
    copy = tmp_path / "arn.lark"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert grammars.main([str(tmp_path)]) == 0
    assert f"wrote {tmp_path / 'arn.lalr'}" in capsys.readouterr().out
    written = grammars.load_tables(tmp_path / "arn.lalr", copy.read_text(encoding="utf-8"))
    assert written is not None
    assert canonical(written) == canonical(_shipped("arn"))
    assert grammars.main([str(tmp_path / "empty")]) == 2
