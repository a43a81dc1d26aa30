"""The diff fixture model, and helpers to change one thing in it and to explore."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from policysim.catalogue import builtin_catalogue
from policysim.diff.compare import Exploration, explore
from policysim.scenario.api import Scenario

BASE_MODEL = Path(__file__).with_name("base_model.yaml")
Model = dict[str, Any]


def base_model() -> Model:
    """A fresh copy of the fixture model as data."""
    data: Model = yaml.safe_load(BASE_MODEL.read_text(encoding="utf-8"))
    return data


def changed(mutate: Callable[[Model], None]) -> Model:
    """The fixture model with one change applied."""
    model = copy.deepcopy(base_model())
    mutate(model)
    return model


def explore_models(base: Model | None, new: Model | None) -> Exploration:
    """Explore two models given as data, with the built-in catalogue."""
    left = Scenario.from_dict(base) if base is not None else None
    right = Scenario.from_dict(new) if new is not None else None
    return explore(left, right, builtin_catalogue())


def rows(exploration: Exploration) -> set[tuple[str, str, str, str, tuple[tuple[str, str], ...]]]:
    """The changes as (kind, caller, action, resource, context) tuples."""
    return {
        (c.kind.value, c.probe.caller.key, c.probe.action.name, c.probe.resource, c.probe.context)
        for c in exploration.changes
    }


def user_policy(model: Model, user: str, policy: str) -> list[dict[str, Any]]:
    """The statements of a user's inline policy in account 111111111111."""
    statements: list[dict[str, Any]] = model["accounts"]["111111111111"]["users"][user]["inline_policies"][policy][
        "Statement"
    ]
    return statements


def write_model(path: Path, model: Model) -> Path:
    """Write a model as a YAML scenario file."""
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    return path
