"""`--cluster ADDRESS` on the commands that explore many requests (contracts.md section 8): who-can, what-can, graph
and diff on a real local Dask cluster of two worker processes (started once for the module) answer exactly as one
process does, through the API and the command line; both `--workers` and `--cluster`, a malformed address and a
missing extra are refused with exit 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")  # the extra `policysim[cluster]` (in the test extra: CI runs these)

import policysim
from policysim.catalogue import builtin_catalogue
from policysim.cli import main
from policysim.cluster.client import check_spread, cluster_map, local_cluster
from policysim.diff import diff_scenarios
from policysim.diff.compare import explore
from policysim.errors import ConfigError, RequestError
from policysim.queries.graph import ADMIN

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "scenarios" / "cross-account-delegation.yaml"
ESTATE = ROOT / "tests" / "queries" / "models" / "estate.yaml"
NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)

sys.path.insert(0, str(ROOT / "tests" / "bench"))
from bench_diff_models import changed, scenario_model  # noqa: E402


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with local_cluster(2) as cluster:
        yield str(cluster.scheduler_address)


@pytest.fixture(scope="module")
def estate() -> policysim.Scenario:
    return policysim.load_scenario(ESTATE, clock=lambda: NOON)


@pytest.fixture(scope="module")
def tutorial() -> policysim.Scenario:
    return policysim.load_scenario(TUTORIAL, clock=lambda: NOON)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def _add(payload: int, item: int) -> int:
    return payload + item


def _square(state: int, item: int) -> int:
    return state * item


def _tenfold(payload: int) -> int:
    return payload * 10


def test_the_generic_map_keeps_the_order_and_prepares_once_per_thread(address: str) -> None:
    assert list(cluster_map(1, _add, range(50), address, batch=3)) == [1 + i for i in range(50)]
    lazily = cluster_map(2, _square, iter(range(20)), address, prepare=_tenfold)
    assert list(lazily) == [20 * i for i in range(20)]


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", "arn:aws:s3:::data-bucket/*"),
        ("s3:GetObject", "arn:aws:s3:::data-bucket/shared/x"),
        ("s3:List*", "arn:aws:s3:::data-*"),
    ],
)
def test_who_can_on_a_cluster_is_one_process_answer(
    estate: policysim.Scenario, address: str, action: str, resource: str
) -> None:
    one = estate.who_can(action, resource)
    assert one.allowed, "the question must have answers"
    assert estate.who_can(action, resource, cluster=address) == one


def test_who_can_on_the_tutorial(tutorial: policysim.Scenario, address: str) -> None:
    shared = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"
    answer = tutorial.who_can("s3:PutObject", shared, cluster=address)
    assert answer == tutorial.who_can("s3:PutObject", shared)
    assert [a.caller.key for a in answer.allowed if a.roles] == ["arn:aws:iam::111111111111:user/David"]


def test_what_can_on_a_cluster_is_one_process_answer(
    estate: policysim.Scenario, tutorial: policysim.Scenario, address: str
) -> None:
    one = estate.what_can("alice", include_chains=True)
    assert one.allowed and len(one.sessions) > 1
    assert estate.what_can("alice", include_chains=True, cluster=address) == one
    assert estate.what_can("carol", service="s3", cluster=address) == estate.what_can("carol", service="s3")
    assert tutorial.what_can("David", include_chains=True, cluster=address) == tutorial.what_can(
        "David", include_chains=True
    )


def test_a_question_refused_here_is_refused_before_the_cluster(estate: policysim.Scenario, address: str) -> None:
    with pytest.raises(RequestError, match="unknown service"):
        estate.what_can("alice", service="nosuchservice", cluster=address)


def test_graph_on_a_cluster_is_one_process_graph(
    estate: policysim.Scenario, tutorial: policysim.Scenario, address: str
) -> None:
    one = tutorial.graph(to=ADMIN)
    assert tutorial.graph(to=ADMIN, cluster=address) == one
    to_role = tutorial.graph(to="UpdateData", cluster=address)
    assert to_role == tutorial.graph(to="UpdateData") and to_role.routes
    assert estate.graph(cluster=address) == estate.graph()


def test_diff_on_a_cluster_is_one_process_diff(address: str) -> None:
    model = scenario_model(40, seed=5)
    base = policysim.Scenario.from_dict(model, clock=lambda: NOON)
    new = policysim.Scenario.from_dict(changed(model), clock=lambda: NOON)
    catalogue = builtin_catalogue()
    one = explore(base, new, catalogue)
    assert one.changes, "the changed model must change some access"
    assert explore(base, new, catalogue, cluster=address) == one
    assert diff_scenarios(base, new, catalogue=None, cluster=address) == diff_scenarios(base, new, catalogue=None)
    added = diff_scenarios(None, new, catalogue=None, cluster=address)  # a model added: every request is new
    assert added == diff_scenarios(None, new, catalogue=None) and added.changes


def test_the_commands_give_the_same_output_on_a_cluster(
    address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tutorial, estate = str(TUTORIAL), str(ESTATE)
    shared = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"
    lines = [
        ["who-can", tutorial, "--action", "s3:PutObject", "--resource", shared, "-f", "json"],
        ["what-can", estate, "--principal", "alice", "--include-chains", "-f", "json"],
        ["graph", tutorial, "--to", "admin", "--format", "json"],
    ]
    for line in lines:
        here = run(line, capsys)
        there = run([*line, "--cluster", address], capsys)
        assert here[0] == there[0] == 0 and here[1] == there[1] and json.loads(there[1]), line
    model = scenario_model(30, seed=5)
    base, new = tmp_path / "base.json", tmp_path / "new.json"
    base.write_text(json.dumps(model))
    new.write_text(json.dumps(changed(model)))
    here = run(["diff", str(base), str(new), "-f", "json"], capsys)
    there = run(["diff", str(base), str(new), "-f", "json", "--cluster", address], capsys)
    assert here[0] == there[0] == 1, here[2]  # new access: the gate fails
    assert json.loads(here[1])["changes"] and here[1] == there[1]


@pytest.mark.parametrize(
    "line",
    [
        ["who-can", str(TUTORIAL), "--action", "s3:GetObject", "--resource", "*"],
        ["what-can", str(TUTORIAL), "--principal", "David"],
        ["graph", str(TUTORIAL)],
        ["diff", str(TUTORIAL), str(TUTORIAL)],
    ],
)
def test_the_commands_refuse_workers_with_a_cluster_and_a_bad_address(
    line: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run([*line, "--workers", "2", "--cluster", "local:2"], capsys)
    assert code == 2 and "not both" in err and "Traceback" not in err
    code, _, err = run([*line, "--cluster", "somewhere:8786"], capsys)
    assert code == 2 and "invalid cluster address `somewhere:8786`" in err and "tcp://HOST:PORT" in err
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now raises ImportError
    code, _, err = run([*line, "--cluster", "local:2"], capsys)
    assert code == 2 and "needs Dask's distributed scheduler" in err and "policysim[cluster]" in err


def test_the_api_refuses_workers_with_a_cluster(estate: policysim.Scenario) -> None:
    asks: list[Any] = [
        lambda: estate.who_can("s3:GetObject", "*", workers=2, cluster="local:2"),
        lambda: estate.what_can("alice", workers=2, cluster="local:2"),
        lambda: estate.graph(workers=2, cluster="local:2"),
        lambda: diff_scenarios(estate, estate, workers=2, cluster="local:2"),
    ]
    for ask in asks:
        with pytest.raises(ConfigError, match="not both"):
            ask()
    with pytest.raises(ConfigError, match="invalid cluster address"):
        check_spread(None, "local:0")
    check_spread(2, None)
    check_spread(None, "tcp://127.0.0.1:8786")
