"""The client side of a cluster call: connect, ship the payload once per worker, send the items in batches and
yield the results in item order (docs/performance.md, "Beyond one machine", says why Dask's distributed scheduler).

A cluster is named by its scheduler's address (`tcp://HOST:PORT`), or `local` / `local:N` for a cluster of N worker
processes on this machine, started for the call and stopped after it. The payload (a scenario, both models of a
diff, a question) is pickled once here and carried to every worker by a worker plugin (`worker.JobPlugin`),
unpickled once per worker thread, where `prepare` (when given) rebuilds what the work needs from it, and dropped
when the call ends. The items go in batches, each pickled as one list, and each batch's results come back as one
pickled list (Dask serializing a list of outcomes element by element was measured 3.5 times slower), fetched by
Dask's thread while this one unpickles the last. Results are yielded in item order, and the first item's error is
raised as the work raised it.
"""

from __future__ import annotations

import importlib
import os
import pickle
import uuid
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager, suppress
from itertools import count, islice
from typing import Any, TypeVar, overload

from policysim.errors import ConfigError

# Dask's handles are typed `Any` here: much of `distributed`'s API is untyped, and mypy then checks this module alike
# with the extra installed or not
Client = Any
Future = Any

INSTALL = "pip install 'policysim[cluster]'"
BATCH = 1_000  # items per task at most: ~0.1 s of requests, in which the scheduler's ~1 ms per task is lost
AHEAD = 4  # batches submitted per worker thread ahead of the one being gathered
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler, and to wait for its first worker
DASK_PORT = 8786  # a scheduler's default port, as `dask scheduler` opens it

Payload = TypeVar("Payload")
State = TypeVar("State")
Item = TypeVar("Item")
Result = TypeVar("Result")


@overload
def cluster_map(
    payload: Payload,
    work: Callable[[Payload, Item], Result],
    items: Iterable[Item],
    address: str,
    *,
    prepare: None = None,
    batch: int | None = None,
) -> Iterator[Result]: ...


@overload
def cluster_map(
    payload: Payload,
    work: Callable[[State, Item], Result],
    items: Iterable[Item],
    address: str,
    *,
    prepare: Callable[[Payload], State],
    batch: int | None = None,
) -> Iterator[Result]: ...


def cluster_map(
    payload: Any,
    work: Callable[[Any, Any], Any],
    items: Iterable[Any],
    address: str,
    *,
    prepare: Callable[[Any], Any] | None = None,
    batch: int | None = None,
) -> Iterator[Any]:
    """`work(state, item)` of each item, in order, on the workers of the cluster at `address`, where `state` is
    `prepare(payload)` (made once per worker thread), or the payload itself. `work` and `prepare` must pickle by
    reference (module-level functions or classes); the payload, the items and the results must pickle. The items
    are read as the workers take them (at most `AHEAD` batches per worker thread are in flight), so a lazy iterable
    of any length is fine; `batch` items per task (default: `BATCH`, fewer when the items are few).

    Nothing happens until the first result is asked for; an error (the cluster's, or an item's) is raised then or
    later, in item order; stopping early stops the work."""
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be 1 or more, got {batch}")
    with _connect(address) as client, _shipped(client, payload, prepare, work) as name:
        from policysim.cluster.worker import run_batch

        slots = sum(client.nthreads().values())
        size = batch or _batch_size(items, slots)
        batches = _packed(items, size)
        numbers: dict[Future, int] = {}  # each batch in flight, by the future of its results
        arrived: dict[int, tuple[Future, Any]] = {}  # results fetched ahead of their turn
        finished = _distributed().as_completed(with_results=True, raise_errors=False)  # fetched by Dask's thread
        sequence = count()  # the number of each batch, in item order
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
                    done.result()  # raises the batch's error, the first in item order
                yield from pickle.loads(result)
            submit_more()


def check_spread(workers: int | None, cluster: str | None) -> None:
    """Refuse `workers` (processes here) given with `cluster` (a cluster's size is its own), and a malformed
    address, before any work is done."""
    if cluster is None:
        return
    if workers is not None:
        raise ConfigError(
            f"give workers (processes on this machine, `--workers`) or a cluster (a Dask cluster's address, "
            f"`--cluster`), not both: "
            f"got workers {workers} and cluster `{cluster}`",
            hint="a local cluster of N processes is the address `local:N`",
        )
    local_size(cluster)


@contextmanager
def _shipped(
    client: Client, payload: Any, prepare: Callable[[Any], Any] | None, work: Callable[[Any, Any], Any]
) -> Iterator[str]:
    """The payload, `prepare` and `work` on every worker, for as long as the call lasts: pickled once here, carried
    by a worker plugin (`worker.JobPlugin`); the plugin's name."""
    from policysim.cluster.worker import Job, JobPlugin

    # Dask's own pickling: pickle, or cloudpickle where pickle fails or names `__main__` (a lambda clock, a `keep`)
    dumps = importlib.import_module("distributed.protocol.pickle").dumps
    name = f"policysim-job-{uuid.uuid4().hex}"
    client.register_plugin(JobPlugin(name, dumps(Job(payload, prepare, work))), name=name)
    try:
        yield name
    finally:
        # a scheduler that is gone took the job with it: the error that ended the call is the one to see
        with suppress(OSError):
            client.unregister_worker_plugin(name)


def _packed(items: Iterable[Any], size: int) -> Iterator[bytes]:
    """The items in batches of `size`, each pickled as one list, read as needed."""
    source = iter(items)
    while chunk := list(islice(source, size)):
        yield pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)


def _batch_size(items: Iterable[Any], slots: int) -> int:
    """`BATCH`, or fewer when the items are few, so that every worker thread gets about `AHEAD` batches."""
    if not isinstance(items, Sized):
        return BATCH
    return max(1, min(BATCH, -(-len(items) // (slots * AHEAD))))


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
    `scheduler_address` is an address for `cluster_map`), its scheduler and HTTP server on the loopback interface,
    the server on a free port (Dask's default 8787 may be taken)."""
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
    differ, or its workers fail to load the payload)."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        raise ConfigError(
            f"the cluster at `{address}` has no workers", hint="start some with `dask worker ADDRESS`"
        ) from None
    from policysim.cluster.worker import policysim_version

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
