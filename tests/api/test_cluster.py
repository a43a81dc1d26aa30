"""`evaluate_many(..., cluster=ADDRESS)` (contracts.md section 8, the extra `policysim[cluster]`): on a real local
Dask cluster of two worker processes, started once for the module, the outcomes and errors are `evaluate`'s."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from distributed import Client

import policysim
from policysim.errors import ConfigError, RequestError
from policysim.scenario.cluster import evaluate_on_cluster, local_cluster, local_size, map_on_cluster

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "cross-account-delegation.yaml"
ROLE = "arn:aws:iam::999999999999:role/UpdateData"
OBJECT = "arn:aws:s3:::amzn-s3-demo-bucket-shared-container/shared/data.json"
READ_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
REQUESTS: list[dict[str, Any]] = [
    {"principal": "David", "action": "sts:AssumeRole", "resource": ROLE},
    {"principal": "Jane", "action": "sts:AssumeRole", "resource": ROLE},
    {"principal": "David", "action": "s3:PutObject", "resource": OBJECT, "assume": ["UpdateData"]},
    {"principal": "David", "action": "s3:PutObject", "resource": OBJECT},
    {"principal": "David", "action": "s3:GetObject", "resource": OBJECT, "context": {"aws:SourceIp": "10.0.0.1"}},
    {"principal": "David", "action": "s3:PutObject", "resource": OBJECT, "assume": [ROLE], "session_policy": READ_ONLY},
    {"principal": "David", "action": "s3:GetObject", "resource": OBJECT, "assume": [ROLE], "session_name": "nightly"},
] * 4
INVALID = {"principal": "David", "action": "s3:GetObjekt", "resource": OBJECT}


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with local_cluster(2) as cluster:
        yield str(cluster.scheduler_address)


@pytest.fixture(scope="module")
def scenario() -> policysim.Scenario:
    # a fixed clock: aws:CurrentTime is in every request, and a second that ticks between two runs would tell them apart
    moment = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    return policysim.load_scenario(SCENARIO, clock=lambda: moment)


def test_the_outcomes_are_evaluates_in_order(scenario: policysim.Scenario, address: str) -> None:
    expected = [scenario.evaluate(**request) for request in REQUESTS]
    assert scenario.evaluate_many(REQUESTS, cluster=address) == expected
    assert evaluate_on_cluster(scenario, iter(REQUESTS), address, batch=3) == expected  # many batches, lazily read
    decisions = [o.decision.value for o in expected[:7]]
    assert decisions == [
        "allowed",
        "explicitDeny",
        "allowed",
        "implicitDeny",
        "implicitDeny",
        "implicitDeny",
        "allowed",
    ]
    assert str(expected[2].explain()) == str(scenario.evaluate_many(REQUESTS[2:3], cluster=address)[0].explain())


def test_no_requests_no_outcomes(scenario: policysim.Scenario, address: str) -> None:
    assert scenario.evaluate_many([], cluster=address) == []
    with pytest.raises(ValueError, match="batch must be 1 or more"):
        evaluate_on_cluster(scenario, REQUESTS, address, batch=0)


def test_the_fixed_clock_goes_with_the_scenario(scenario: policysim.Scenario, address: str) -> None:
    request = {**REQUESTS[0], "context": {}}
    (outcome,) = scenario.evaluate_many([request], cluster=address)
    assert outcome.request is not None
    assert outcome.request.context.get("aws:currenttime") == ("2026-12-02T12:00:00Z",)


def test_what_to_keep_is_computed_on_the_workers(scenario: policysim.Scenario, address: str) -> None:
    kept = list(map_on_cluster(scenario, REQUESTS, address, lambda outcome: outcome.allowed, batch=5))
    assert kept == [scenario.evaluate(**request).allowed for request in REQUESTS]


def test_an_invalid_request_raises_as_evaluate_does(scenario: policysim.Scenario, address: str) -> None:
    with pytest.raises(RequestError) as here:
        scenario.evaluate(**INVALID)
    bad = [*REQUESTS[:9], INVALID, *REQUESTS[:9], {**INVALID, "action": "s3:PutObjekt"}]
    with pytest.raises(RequestError, match="did you mean `s3:GetObject`") as there:
        evaluate_on_cluster(scenario, bad, address, batch=2)
    assert (there.value.message, there.value.location, there.value.hint) == (
        here.value.message,
        here.value.location,
        here.value.hint,
    )


def _plugins(address: str) -> list[str]:
    with Client(address) as client:
        found: dict[str, list[str]] = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    return [name for names in found.values() for name in names if name.startswith("policysim")]


def test_the_workers_drop_the_scenario_after_the_call(scenario: policysim.Scenario, address: str) -> None:
    scenario.evaluate_many(REQUESTS[:3], cluster=address)
    with pytest.raises(RequestError):
        scenario.evaluate_many([INVALID], cluster=address)
    assert _plugins(address) == []


def test_a_local_cluster_is_started_for_the_call(scenario: policysim.Scenario) -> None:
    assert scenario.evaluate_many(REQUESTS[:7], cluster="local:1") == [scenario.evaluate(**r) for r in REQUESTS[:7]]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_address_where_no_scheduler_listens_is_refused(scenario: policysim.Scenario) -> None:
    where = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(ConfigError, match=r"cannot reach the cluster scheduler at `tcp://127\.0\.0\.1:") as refused:
        scenario.evaluate_many(REQUESTS, cluster=where)
    assert refused.value.hint is not None and "dask scheduler" in refused.value.hint


@pytest.mark.parametrize("bad", ["local:0", "local:two", "somewhere:8786", ""])
def test_a_malformed_address_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="invalid cluster address"):
        local_size(bad)


def test_local_sizes() -> None:
    assert local_size("local:3") == 3 and (local_size("local") or 0) >= 1 and local_size("tcp://h:1") is None


def test_workers_and_a_cluster_are_not_given_together(scenario: policysim.Scenario) -> None:
    with pytest.raises(policysim.ConfigError, match="not both"):
        scenario.evaluate_many(REQUESTS, workers=2, cluster="local:2")


def test_without_the_extra_the_error_names_it(scenario: policysim.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now raises ImportError
    with pytest.raises(ConfigError, match="needs Dask's distributed scheduler") as missing:
        scenario.evaluate_many(REQUESTS, cluster="local:2")
    assert missing.value.hint == "pip install 'policysim[cluster]'"


_IMPORTED = """
import sys
import policysim
policysim.load_scenario(sys.argv[1]).evaluate_many([], workers=2)
from policysim.cli import main
try:
    main(["check", sys.argv[1]])
except SystemExit:
    pass
print("IMPORTED:", *sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed", "ray", "tornado")))
"""


def test_neither_the_api_nor_check_imports_dask() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED, str(SCENARIO)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "IMPORTED:", done.stdout
