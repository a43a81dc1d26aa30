"""The law of the graph: an edge exists only if every request it stands for is allowed, asked again one by one as
`Scenario.evaluate` asks it (or `answer`, for the stand-ins of outside principals, whom `evaluate` cannot name), on
every scenario of scenarios/, the edge-kind model, and generated models (tests/bench/bench_queries_graph.py)."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

import policysim
from policysim.enums import Decision
from policysim.load import load_file
from policysim.queries.graph import Edge, EdgeRequest, Graph, _Explorer
from policysim.space.callers import CallerKind

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
MODEL = ROOT / "tests" / "queries" / "golden" / "graph_model.yaml"

sys.path.insert(0, str(ROOT / "tests" / "bench"))
from bench_queries_graph import graph_model  # noqa: E402


def ask_again(
    scenario: policysim.Scenario, result: Graph, request: EdgeRequest, given: dict[str, Any] | None = None
) -> Decision:
    """The request asked again, as `evaluate` asks it (the caller by its name in the model), with `given` context."""
    caller = next((node for node in result.nodes if node.key == request.principal), None)
    context: dict[str, Any] = {key: list(values) for key, values in request.context} | (given or {})
    if caller is not None and caller.kind in (CallerKind.EXTERNAL, CallerKind.ANONYMOUS):
        actor = caller.actor(scenario.world)
        assert actor is not None
        extra = {key.lower(): tuple(values) for key, values in context.items()}
        return scenario.answer(actor, request.action, request.resource, extra).decision
    outcome = scenario.evaluate(request.principal, request.action, request.resource, context)
    return outcome.decision


def check_law(scenario: policysim.Scenario, data: dict[str, Any] | None = None) -> int:
    """Every request of every edge is allowed when asked again; the number of requests checked."""
    result = scenario.graph()
    checked = 0
    for edge in result.edges:
        assert edge.certain or edge.conditional  # these models hold no unknown values
        for request in edge.requests:
            if request.hypothetical:
                decision = _under_the_written_trust(data, edge)
            elif request.conditional:
                # refused as asked; allowed with the context its conditions name (an ExternalId trust, ...)
                assert ask_again(scenario, result, request) is not Decision.ALLOWED
                discovery = request.outcome.discovery
                assert discovery is not None and discovery.alternatives
                decision = ask_again(scenario, result, request, discovery.alternatives[0].context)
            else:
                decision = ask_again(scenario, result, request)
            assert decision is Decision.ALLOWED, (edge.source, edge.target, edge.kind.name, request.action)
            checked += 1
    return checked


def _under_the_written_trust(data: dict[str, Any] | None, edge: Edge) -> Decision:
    """The AssumeRole of update-assume-role-policy, asked of the model with the trust policy the source wrote."""
    assert data is not None, "a hypothetical request on a model given as a file"
    changed = copy.deepcopy(data)
    account, name = edge.target.split(":")[4], edge.target.rsplit("/", 1)[-1]
    source = edge.source
    changed["accounts"][account]["roles"][name]["trust_policy"] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": source}, "Action": "sts:AssumeRole"}],
    }
    changed["tests"] = []
    written = policysim.Scenario.from_dict(changed)
    return written.evaluate(source, "sts:AssumeRole", edge.target).decision


@pytest.mark.parametrize("path", [*SCENARIOS, MODEL], ids=lambda p: p.name)
def test_every_edge_of_a_scenario_stands_for_allowed_requests(path: Path) -> None:
    data = load_file(path).data
    assert isinstance(data, dict)
    check_law(policysim.load_scenario(path), data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_edge_of_a_generated_model_stands_for_allowed_requests(seed: int) -> None:
    data = graph_model(principals=24, policies=60, seed=seed)
    assert check_law(policysim.Scenario.from_dict(data), data) > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_the_prefilters_drop_no_edge(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every (caller, kind, target) asked, the graph is the same: the prefilters skip only refused requests."""
    scenario = policysim.Scenario.from_dict(graph_model(principals=24, policies=60, seed=seed))
    filtered = scenario.graph()
    monkeypatch.setattr(_Explorer, "_may", lambda self, actor, step: True)
    monkeypatch.setattr(_Explorer, "_reachable", lambda self, actor, resource: True)
    everything = scenario.graph()
    assert filtered.edges == everything.edges and len(filtered.edges) > 10
    assert filtered.requests < everything.requests
