"""What a Dask worker runs for `cluster_map`: the plugin that holds one call's job, and the batch task.

This module imports Dask's `distributed` (a plugin must subclass its `WorkerPlugin`), so only `client` imports it,
and only once the extra is known to be installed.

The job travels once per worker, as bytes pickled on the client (by Dask's pickling: cloudpickle where pickle fails,
so a scenario's clock that is a lambda goes with it). The plugin carries them, the scheduler hands them to every
worker (and to a worker that joins later), and each worker thread unpickles them once, when its first batch needs
them, and runs `prepare` on the payload once. The payload is never pickled again on a worker: a live scenario's
caches change while it answers, and copying it between workers (as `scatter(..., broadcast=True)` does) was measured
to fail with "dictionary changed size during iteration". Each thread has its own copy, so a worker of several threads
never shares one scenario's caches.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from distributed import WorkerPlugin, get_worker


@dataclass(frozen=True)
class Job:
    """What the workers hold for one call: the payload, what each thread makes of it once, and the work."""

    payload: Any
    prepare: Callable[[Any], Any] | None
    work: Callable[[Any, Any], Any]

    def prepared(self) -> Prepared:
        """The work with its state: `prepare(payload)`, or the payload itself."""
        state = self.prepare(self.payload) if self.prepare is not None else self.payload
        return Prepared(state, self.work)


@dataclass(frozen=True)
class Prepared:
    """One worker thread's state for a call, and the work run on it."""

    state: Any
    work: Callable[[Any, Any], Any]


class JobPlugin(WorkerPlugin):
    """One call's job on a worker: its pickled bytes, unpickled and prepared once per worker thread."""

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

    def prepared(self) -> Prepared:
        """This thread's copy of the job, prepared."""
        threads = self._threads
        if threads is None:
            raise RuntimeError(f"the worker plugin `{self.name}` is not set up")
        prepared = getattr(threads, "prepared", None)
        if prepared is None:
            prepared = cast(Job, pickle.loads(self.pickled)).prepared()
            threads.prepared = prepared
        return cast(Prepared, prepared)


def run_batch(name: str, packed: bytes) -> bytes:
    """The results of one batch of items (a pickled list), pickled as one list; an item's error is raised."""
    plugin = cast(JobPlugin, get_worker().plugins[name])
    prepared = plugin.prepared()
    items: list[Any] = pickle.loads(packed)
    results = [prepared.work(prepared.state, item) for item in items]
    return pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)


def policysim_version() -> str:
    """The policysim this worker runs (a worker without policysim cannot unpickle this function)."""
    from importlib import metadata

    return metadata.version("policysim")
