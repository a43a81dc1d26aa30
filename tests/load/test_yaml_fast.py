"""The YAML fast path (policysim/load/yaml_fast.py) reads what PyYAML reads, or leaves the text to PyYAML.

Each text is loaded twice, by the fast path and by PyYAML alone (libyaml's parser and the pure-Python one), and
the outcomes must be the same: the same data (with the same types), spans and key spans, or the same error. The
texts: every YAML file of the repository, documents generated in the subset's styles, and those documents with
characters changed at random (an adversary of the subset's edges).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policysim.load.yaml_loader as yaml_loader
from policysim.errors import PolicysimError
from policysim.load.yaml_fast import events

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY_YAML = sorted(
    path for pattern in ("*.yaml", "*.yml") for path in ROOT.rglob(pattern) if ".git" not in path.parts
)
PYYAML = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@contextmanager
def pyyaml_only(loader: Any) -> Iterator[None]:
    with mock.patch.object(yaml_loader, "events", lambda text: None), mock.patch.object(yaml_loader, "_LOADER", loader):
        yield


def outcome(text: str | bytes) -> tuple[Any, ...]:
    """What loading `text` gives: the document (its data by `repr`, so that `True` is not `1`) or the error."""
    try:
        doc = yaml_loader.load_yaml(text, "f.yaml")
    except PolicysimError as error:
        return ("error", type(error).__name__, error.message, error.location, error.hint)
    return ("document", repr(doc.data), doc.spans, doc.key_spans)


def assert_same(text: str | bytes) -> bool:
    """When the fast path reads the text, its outcome is libyaml's (PyYAML's default parser, which it falls back to),
    and its document the pure-Python parser's too; whether the fast path read the text."""
    decoded = text.decode("utf-8", "replace").removeprefix("\ufeff") if isinstance(text, bytes) else text
    if events(decoded) is None:
        return False
    mine = outcome(text)
    for loader in PYYAML:
        with pyyaml_only(loader):
            theirs = outcome(text)
        # libyaml's outcome exactly; the pure-Python parser's where both give a document (the two differ on some
        # texts the subset leaves out)
        if loader is PYYAML[-1] or mine[0] == theirs[0] == "document":
            assert mine == theirs, (loader.__name__, text)
    return True


@pytest.mark.parametrize("path", REPOSITORY_YAML, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_loads_the_same(path: Path) -> None:
    assert_same(path.read_bytes())


def test_the_line_separators_are_left_to_pyyaml() -> None:
    """libyaml ends a line at U+2028 and U+2029 (the loader refuses them raw before it asks either reader)."""
    assert events("a: b\u2028c\n") is None and events("a: b\u2029c\n") is None


def test_the_shipped_scenarios_take_the_fast_path() -> None:
    """What the start-up figures rest on (docs/performance.md): the examples are read without PyYAML."""
    scenarios = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert scenarios
    assert [path.name for path in scenarios if events(path.read_text(encoding="utf-8")) is None] == []


@pytest.mark.parametrize(
    "text",
    [
        "q: 'it''s'\n",
        'q: "tab\\tescape"\n',
        "a: b\n  c\n",
        "a: b: c\n",
        "a: [x,]\n",
        "a: |\n  x\n# c\nb: 1\n",
        "a: |\n  x",
        "a:  \nb: 1\n",
        "a: # c\n  b: 1\n",
        "? a\n: b\n",
        "--- \na: 1\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: 1\na: 2\n",
        "a: yes\n",
        "a: 0x1f\n",
        '"111111111111": x\n',
        "111111111111: x\n",
        "a: 1\n- b\n",
        "a:\n  - b\n  c: d\n",
        "x: {}\n",
        "- - a\n",
        "a: 'b' c\n",
        'a: "b"#c\n',
        "aws:SourceIp: 1.2.3.4/32\n",
        "r: arn:aws:s3:::b/${aws:username}/*\n",
        "a: b # c\n  # d\ne: f\n",
        "s: >\n    deep\n  shallow\n",
        "s: |\n  a  \n",
        "",
        "# only a comment\n",
        "a: 1\n\n\n",
        # found by an adversarial review: libyaml refuses keys longer than 1,024 characters and `:?` in flow
        "k" * 1024 + ": v\n",
        "k" * 1025 + ": v\n",
        "x: 1\n" + "k" * 1025 + ": v\n",
        '"' + "k" * 1023 + '": v\n',
        "- a: 1\n  " + "k" * 1025 + ": v\n",
        "a: {" + "k" * 1025 + ": v}\n",
        "a: [a:?]\n",
        "a: {a:?: b}\n",
        "a: {k: a:?b}\n",
        "a: [a?b]\n",
    ],
)
def test_edges_of_the_subset_load_the_same(text: str) -> None:
    """Texts at or beyond the subset's edges: the fast path reads them as libyaml does, or leaves them to it."""
    assert_same(text)


READ_FAST = [
    "a: 1\n",
    "a:\n",
    "a:\n  b: c\n",
    "a:\n- x\n- y\nb: 2\n",
    "- a\n- b: c\n  d: e\n-\n  f: g\n",
    "k: [a, 'b', \"c d\" , x y]\nl: []\n",
    "d: >\n  one\n  two\n\n  three\n\ne: |-\n  x\n  y\nf: z\n",
    "a: {x: 1, 'y': [b, {}], z: {q: r}}\n",
    "a: # c\n  b: 1\n",
    "aws:SourceIp: 1.2.3.4/32\n",
    "r: arn:aws:s3:::b/${aws:username}/*\n",
    "c: é — 😀 x\nd: [é]\n",
    '"111111111111": x\n',
    "a: yes\n",  # read fast; the loader's scalar rules refuse it, as for PyYAML's events
    "a: 1\na: 2\n",
    "k" * 1024 + ": v\n",
]


@pytest.mark.parametrize("text", READ_FAST)
def test_the_subset_is_read_fast_and_the_same(text: str) -> None:
    assert events(text) is not None
    assert assert_same(text)


# --- generated documents ---------------------------------------------------------------------------------------

KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.:/-]{0,8}", fullmatch=True) | st.sampled_from(
    ["true", "null", "1", "1.5", "yes", "<<", "a b", "aws:SourceIp", "Effect", "x:"]
)
SAFE_WORDS = st.text(alphabet="abXY019 :/*._${}é—😀", min_size=1, max_size=12)
WORDS = SAFE_WORDS | SAFE_WORDS | SAFE_WORDS | st.text(alphabet="abXY019 :/*.-_${}#'\",[]!&|>?@%`é", max_size=12)
TREES = st.recursive(
    WORDS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=14,
)


class Render:
    """A tree as block YAML, each stylistic choice drawn (`draw`) so that every branch of the subset is tried."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.step = draw(st.integers(1, 4))
        self.lines: list[str] = []

    def choose(self, *options: str) -> str:
        chosen: str = self.draw(st.sampled_from(options))
        return chosen

    def extra(self, indent: int) -> None:
        kind = self.choose("none", "none", "none", "blank", "comment")
        if kind == "blank":
            self.lines.append("")
        elif kind == "comment":
            self.lines.append(" " * self.draw(st.integers(0, indent + 2)) + "# note")

    def scalar(self, text: str) -> str:
        style = self.choose("plain", "plain", "double", "single")
        if style == "double":
            return '"' + text + '"'
        if style == "single":
            return "'" + text.replace("'", "''") + "'"
        return text

    def key(self, key: str) -> str:
        return self.scalar(key) + ":"

    def value(self, head: str, node: Any, indent: int) -> None:
        """`head` (an indented `key:` or `-`), then `node` on its line or the lines after."""
        if isinstance(node, str):
            style = self.choose("inline", "inline", "inline", "block")
            if style == "block" and node.strip():
                indicator = self.choose("|", ">", "|-", ">-")
                self.lines.append(f"{head} {indicator}")
                for word in node.split(" ") or [node]:
                    self.lines.append(" " * (indent + self.step) + word if word else "")
                return
            comment = self.choose("", "", " # c")
            self.lines.append(f"{head} {self.scalar(node)}{comment}")
        elif not node or (
            isinstance(node, list) and all(isinstance(item, str) for item in node) and self.draw(st.booleans())
        ):
            items = ", ".join(self.scalar(item) for item in node) if isinstance(node, list) else ""
            brackets = "[]" if isinstance(node, list) else "{}"
            self.lines.append(f"{head} {brackets[0]}{items}{brackets[1]}")
        else:
            self.lines.append(head + self.choose("", "", " # c"))
            nested = indent + self.step
            if isinstance(node, list) and head.strip() != "-" and self.draw(st.booleans()):
                nested = indent  # a sequence at its key's own indentation
            self.node(node, nested)

    def node(self, node: Any, indent: int) -> None:
        pad = " " * indent
        if isinstance(node, dict):
            for key, child in node.items():
                self.extra(indent)
                self.value(pad + self.key(key), child, indent)
        else:
            for child in node:
                self.extra(indent)
                if isinstance(child, dict) and child and self.draw(st.booleans()):
                    first, *rest = child.items()  # a compact mapping on the entry's line
                    self.value(f"{pad}- {self.key(first[0])}", first[1], indent + 2)
                    for key, value in rest:
                        self.value(" " * (indent + 2) + self.key(key), value, indent + 2)
                else:
                    self.value(pad + "-", child, indent)


@st.composite
def documents(draw: Any) -> str:
    tree = draw(st.dictionaries(KEYS, TREES, min_size=1, max_size=4) | st.lists(TREES, min_size=1, max_size=4))
    render = Render(draw)
    render.node(tree, 0)
    return "\n".join(render.lines) + draw(st.sampled_from(["\n", "\n", ""]))


MORE = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-more"  # the README's option for the larger laws
FAST = settings(max_examples=4000 if MORE else 300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(documents())
def test_generated_documents_load_the_same(text: str) -> None:
    assert_same(text)


@FAST
@given(
    documents(),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(list(" :-#'\"[],|>\nab1{}&")), st.integers(0, 2)),
        min_size=1,
        max_size=4,
    ),
)
def test_changed_documents_load_the_same(text: str, changes: list[tuple[int, str, int]]) -> None:
    for at, char, how in changes:
        at %= len(text) + 1
        text = text[:at] + char + text[at + (how == 1) :] if how < 2 else text[:at] + text[at + 1 :]
    assert_same(text)


def test_generated_documents_mostly_take_the_fast_path() -> None:
    """The generator writes the subset's styles: most of what it writes is read fast (else the tests above would
    compare PyYAML with itself)."""
    fast = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(documents())
    def count(text: str) -> None:
        nonlocal fast
        fast += assert_same(text)

    count()
    assert fast >= 40
