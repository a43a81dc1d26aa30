"""The context a caller gives, as request keys: names lowercased, values as AWS's texts, `None` to remove a key."""

from __future__ import annotations

from policysim.context import context_value_text
from policysim.scenario.spec import ContextArg

Keys = dict[str, tuple[str, ...] | None]
_BOOLS = {True: ("true",), False: ("false",)}
KEPT_CHARS = 512  # the longest name or text kept
KEPT_NAMES = 4_096  # names kept at most (then forgotten all at once)
KEPT_TEXTS = 16_384  # one-text value tuples kept at most


class ContextKeys:
    """Converts given contexts for one scenario, keeping the lowercased names and one-text value tuples it made
    (bounded, short strings only): a request asked again is made of the very objects of the first, so the
    evaluator's memory compares its keys by identity."""

    __slots__ = ("names", "texts")

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.texts: dict[str, tuple[str]] = {}

    def __call__(self, context: ContextArg | None) -> Keys:
        """`context` as request keys; `None` removes a derived key."""
        out: Keys = {}
        if not context:
            return out
        names = self.names
        texts = self.texts
        for key, value in context.items():
            # only a plain str is kept: a subclass may lower itself otherwise, and any other key is refused by `lower`
            name = (names.get(key) or self._lowered(key)) if type(key) is str else key.lower()
            if type(value) is str:  # the common case first
                out[name] = texts.get(value) or self._text(value)
            elif value is None:
                out[name] = None
            elif isinstance(value, bool):  # no subclass of bool can be made
                out[name] = _BOOLS[value]
            elif isinstance(value, list | tuple):
                out[name] = tuple(map(context_value_text, value))
            else:
                out[name] = (context_value_text(value),)
        return out

    def _lowered(self, key: str) -> str:
        """`key` lowercased, kept for the next request unless it is long."""
        if len(key) > KEPT_CHARS:
            return key.lower()
        if len(self.names) >= KEPT_NAMES:
            self.names.clear()
        name = self.names[key] = key.lower()
        return name

    def _text(self, value: str) -> tuple[str]:
        """The one-text tuple of `value`, kept for the next request unless it is long."""
        if len(value) > KEPT_CHARS:
            return (value,)
        if len(self.texts) >= KEPT_TEXTS:
            self.texts.clear()
        one = self.texts[value] = (value,)
        return one


def context_keys(context: ContextArg | None) -> Keys:
    """`context` as request keys, keeping nothing (a scenario converts through its own `ContextKeys`)."""
    return ContextKeys()(context)
