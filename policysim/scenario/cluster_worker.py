"""What a Dask worker runs for `scenario.cluster`: the plugin that holds one call's scenario, and the batch task.

This module imports Dask's `distributed` (a plugin must subclass its `WorkerPlugin`), so only `scenario.cluster`
imports it, and only once the extra is known to be installed.

The scenario travels once per worker, as bytes pickled on the client (by Dask's pickling: cloudpickle where pickle
fails, so a clock that is a lambda goes with it). The plugin carries them, the scheduler hands them to every worker
(and to a worker that joins later), and each worker thread unpickles them once, when its first batch needs them. The
scenario is never pickled again on a worker: a live scenario's caches change while it answers, and copying it between
workers (as `scatter(..., broadcast=True)` does) was measured to fail with "dictionary changed size during
iteration". Each thread has its own copy, so a worker of several threads never shares one scenario's caches.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from distributed import WorkerPlugin, get_worker

from policysim.engine.outcome import Outcome

Kept = TypeVar("Kept")


class Shipped(Protocol):
    """What a cluster's workers need of a scenario: `Scenario.evaluate`, and that it pickles."""

    def evaluate(self, principal: str, action: str, resource: str, *args: Any, **kwargs: Any) -> Outcome: ...


@dataclass(frozen=True)
class Job(Generic[Kept]):
    """What the workers hold for one call: the scenario, and what to keep of each outcome."""

    scenario: Shipped
    keep: Callable[[Outcome], Kept]


class JobPlugin(WorkerPlugin):
    """One call's job on a worker: its pickled bytes, unpickled once per worker thread."""

    def __init__(self, name: str, pickled: bytes) -> None:
        self.name = name
        self.pickled = pickled
        self._threads: threading.local | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "pickled": self.pickled}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.name, self.pickled, self._threads = state["name"], state["pickled"], None

    def setup(self, worker: Any) -> None:
        self._threads = threading.local()

    def teardown(self, worker: Any) -> None:
        self._threads = None

    def job(self) -> Job[Any]:
        """This thread's copy of the job."""
        threads = self._threads
        if threads is None:
            raise RuntimeError(f"the worker plugin `{self.name}` is not set up")
        job = getattr(threads, "job", None)
        if job is None:
            job = cast(Job[Any], pickle.loads(self.pickled))
            threads.job = job
        return job


def run_batch(name: str, packed: bytes) -> bytes:
    """The kept results of one batch of requests (a pickled list of keyword dictionaries), pickled as one list; an
    invalid request raises as `evaluate` raises."""
    plugin = cast(JobPlugin, get_worker().plugins[name])
    job = plugin.job()
    requests: list[dict[str, Any]] = pickle.loads(packed)
    kept = [job.keep(job.scenario.evaluate(**request)) for request in requests]
    return pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)


def policysim_version() -> str:
    """The policysim this worker runs (a worker without policysim cannot unpickle this function)."""
    from importlib import metadata

    return metadata.version("policysim")
