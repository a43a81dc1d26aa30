"""Many requests beyond one machine (contracts.md section 8): `evaluate_many`'s work on a Dask cluster, the extra
`policysim[cluster]` (docs/performance.md, "Beyond one machine", says why Dask's distributed scheduler, not Ray).

A cluster is named by its scheduler's address (`tcp://HOST:PORT`), or `local` / `local:N` for a cluster of N worker
processes on this machine, started for the call and stopped after it. The compiled scenario is shipped once per
call: pickled once here and carried to every worker by a worker plugin (`cluster_worker`), unpickled once per worker
thread, dropped when the call ends. Its clock goes with it: a fixed clock stays fixed, the default clock reads each
worker's wall clock. The requests go in batches of pickled keyword dictionaries, and each batch's results come back
as one pickled list (Dask serializing a list of outcomes element by element was measured 3.5 times slower), fetched
by Dask's thread while this one unpickles the last. Results are yielded in request order, and the first invalid
request's error is raised as `evaluate` raises it.

Dask is imported only here and in `cluster_worker`, and only when a cluster is used: `import policysim` and
`policysim check` never load it (nor what only a cluster call needs).
"""

from __future__ import annotations

import importlib
import os
import pickle
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager, suppress
from itertools import count, islice
from typing import TYPE_CHECKING, Any, TypeVar

from policysim.engine.outcome import Outcome
from policysim.errors import ConfigError

if TYPE_CHECKING:
    from policysim.scenario.cluster_worker import Shipped

# Dask's handles are typed `Any` here: much of `distributed`'s API is untyped, and mypy then checks this module alike
# with the extra installed or not
Client = Any
Future = Any

INSTALL = "pip install 'policysim[cluster]'"
BATCH = 1_000  # requests per task at most: ~0.1 s of work, in which the scheduler's ~1 ms per task is lost
AHEAD = 4  # batches submitted per worker thread ahead of the one being gathered
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler, and to wait for its first worker
DASK_PORT = 8786  # a scheduler's default port, as `dask scheduler` opens it

Kept = TypeVar("Kept")


def _outcome(outcome: Outcome) -> Outcome:
    return outcome


def evaluate_on_cluster(
    scenario: Shipped, requests: Iterable[Mapping[str, Any]], address: str, *, batch: int | None = None
) -> list[Outcome]:
    """The outcomes of `requests` (each a dict of `evaluate`'s keywords), in order, evaluated on the cluster at
    `address` (`tcp://HOST:PORT`, `local`, `local:N`); errors as `evaluate` raises them."""
    return list(map_on_cluster(scenario, requests, address, _outcome, batch=batch))


def map_on_cluster(
    scenario: Shipped,
    requests: Iterable[Mapping[str, Any]],
    address: str,
    keep: Callable[[Outcome], Kept],
    *,
    batch: int | None = None,
) -> Iterator[Kept]:
    """`keep(outcome)` of each request, in order, with `keep` run on the workers: for matrices whose outcomes are too
    many to bring back whole (`keep=lambda o: o.decision`). The requests are read as the workers take them (at most
    `AHEAD` batches per worker thread are in flight), so a lazy iterable of any length is fine.

    Nothing happens until the first result is asked for; an error (the cluster's, or a request's) is raised then or
    later, in request order; stopping early stops the work."""
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be 1 or more, got {batch}")
    with _connect(address) as client, _shipped(client, scenario, keep) as name:
        from policysim.scenario.cluster_worker import run_batch

        slots = sum(client.nthreads().values())
        size = batch or _batch_size(requests, slots)
        batches = _packed(requests, size)
        numbers: dict[Future, int] = {}  # each batch in flight, by the future of its results
        arrived: dict[int, tuple[Future, Any]] = {}  # results fetched ahead of their turn
        finished = _distributed().as_completed(with_results=True, raise_errors=False)  # fetched by Dask's thread
        sequence = count()  # the number of each batch, in request order
        emitted = 0  # how many batches were yielded

        def submit_more() -> None:
            """Keep `AHEAD` batches per worker thread submitted and not yet emitted."""
            while len(numbers) + len(arrived) < slots * AHEAD and (packed := next(batches, None)) is not None:
                future = client.submit(run_batch, name, packed, pure=False)
                numbers[future] = next(sequence)
                finished.add(future)

        submit_more()
        for future, result in finished:
            arrived[numbers.pop(future)] = (future, result)
            while emitted in arrived:
                done, result = arrived.pop(emitted)
                emitted += 1
                if done.status != "finished":
                    done.result()  # raises the batch's error, the first in request order
                yield from pickle.loads(result)
            submit_more()


@contextmanager
def _shipped(client: Client, scenario: Shipped, keep: Callable[[Outcome], Any]) -> Iterator[str]:
    """The scenario and `keep` on every worker, for as long as the call lasts: pickled once here, carried by a worker
    plugin (`cluster_worker.JobPlugin`); the plugin's name."""
    from policysim.scenario.cluster_worker import Job, JobPlugin

    # Dask's own pickling: pickle, or cloudpickle where pickle fails or names `__main__` (a lambda clock, a `keep`)
    dumps = importlib.import_module("distributed.protocol.pickle").dumps
    name = f"policysim-job-{uuid.uuid4().hex}"
    client.register_plugin(JobPlugin(name, dumps(Job(scenario, keep))), name=name)
    try:
        yield name
    finally:
        # a scheduler that is gone took the job with it: the error that ended the call is the one to see
        with suppress(OSError):
            client.unregister_worker_plugin(name)


def _packed(requests: Iterable[Mapping[str, Any]], size: int) -> Iterator[bytes]:
    """The requests in batches of `size`, each pickled as a list of keyword dictionaries, read as needed."""
    items = iter(requests)
    while chunk := [dict(request) for request in islice(items, size)]:
        yield pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)


def _batch_size(requests: Iterable[Mapping[str, Any]], slots: int) -> int:
    """`BATCH`, or fewer when the requests are few, so that every worker thread gets about `AHEAD` batches."""
    if not isinstance(requests, Sized):
        return BATCH
    return max(1, min(BATCH, -(-len(requests) // (slots * AHEAD))))


def local_size(address: str) -> int | None:
    """The worker count `local` / `local:N` asks for (None for a scheduler's address); refuses other forms."""
    if address == "local":
        return os.cpu_count() or 1
    if address.startswith("local:"):
        given = address.removeprefix("local:")
        if given.isascii() and given.isdigit() and int(given) >= 1:
            return int(given)
        raise ConfigError(f"invalid cluster address `{address}`", hint="`local:N` names N worker processes, N >= 1")
    if "://" not in address:
        raise ConfigError(
            f"invalid cluster address `{address}`",
            hint="give a scheduler's address (`tcp://HOST:PORT`), or `local` / `local:N` for N processes here",
        )
    return None


def local_cluster(processes: int) -> Any:
    """A Dask cluster of `processes` worker processes of one thread each on this machine (a context manager; its
    `scheduler_address` is an address for `map_on_cluster`), its scheduler and HTTP server on the loopback
    interface, the server on a free port (Dask's default 8787 may be taken)."""
    options = {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}
    return _distributed().LocalCluster(n_workers=processes, threads_per_worker=1, processes=True, **options)


@contextmanager
def _connect(address: str) -> Iterator[Client]:
    """A client of the cluster at `address`, with at least one worker that runs this policysim; closed after."""
    processes = local_size(address)
    distributed = _distributed()
    if processes is not None:
        with local_cluster(processes) as cluster, distributed.Client(cluster) as client:
            yield client
        return
    _reachable(address)
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except OSError as error:
        raise ConfigError(f"cannot connect to the cluster scheduler at `{address}`: {error}") from error
    with client:
        _check_workers(client, address)
        yield client


def _distributed() -> Any:
    """Dask's `distributed`, imported now; a clear error naming the extra where it is not installed."""
    try:
        return importlib.import_module("distributed")
    except ImportError as error:
        raise ConfigError(
            "running on a cluster needs Dask's distributed scheduler, which is not installed", hint=INSTALL
        ) from error


def _reachable(address: str) -> None:
    """A TCP scheduler's port answers (so that a wrong address fails now, not after Dask's connect timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme not in ("tcp", "tls"):
        return  # other transports (ucx, inproc) are Dask's to reach
    try:
        port = parts.port or DASK_PORT
    except ValueError as error:
        raise ConfigError(f"invalid cluster address `{address}`: {error}") from None
    host = parts.hostname or "127.0.0.1"
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as error:
        raise ConfigError(
            f"cannot reach the cluster scheduler at `{address}`: {error.strerror or error}",
            hint="start one (`dask scheduler`, then `dask worker ADDRESS` on each machine), or use `local:N`",
        ) from None


def _check_workers(client: Client, address: str) -> None:
    """The cluster has a worker, and every worker runs the policysim this process runs (else its answers could
    differ, or its workers fail to load the scenario)."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        raise ConfigError(
            f"the cluster at `{address}` has no workers", hint="start some with `dask worker ADDRESS`"
        ) from None
    from policysim.scenario.cluster_worker import policysim_version

    ours = policysim_version()
    try:
        theirs: dict[str, str] = client.run(policysim_version)
    except Exception as error:  # a worker without policysim cannot unpickle the function
        raise ConfigError(
            f"a worker of the cluster at `{address}` cannot run policysim: {error}",
            hint=f"install policysim {ours} with the extra on every worker machine: {INSTALL}",
        ) from error
    for worker, version in sorted(theirs.items()):
        if version != ours:
            raise ConfigError(
                f"worker `{worker}` of the cluster at `{address}` runs policysim {version}, this process {ours}",
                hint="install the same policysim on every machine",
            )
