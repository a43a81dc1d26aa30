"""Benchmark: how long `policysim` takes to start. Prints figures; asserts nothing.

Run: python tests/bench/bench_startup.py [--runs 15] [--scenario scenarios/cross-account-delegation.yaml]

Each command runs in a fresh interpreter, `--runs` times, the commands taking turns; the best wall-clock time is
printed beside its ratio to a bare `python -c pass` (issue 14: `policysim check` on a small file within 10x of
that), and so are the best CPU time (user + system), which other work on the machine disturbs less, and the load
average. `python` is the
interpreter running this script and `policysim` the console script beside it (its environment's), else
`python -c` calling `policysim.cli.main`.

Python caches compiled modules (`__pycache__`): an installed package has them, a checkout run with
PYTHONDONTWRITEBYTECODE=1 has none for its own modules. By default the runs use a private cache under the system
temporary folder (PYTHONPYCACHEPREFIX), warmed by one untimed run, so they measure what an installed policysim
costs; `--no-bytecode-cache` sets PYTHONDONTWRITEBYTECODE=1 and no prefix instead, so policysim's modules are
compiled at every start (installed packages keep their caches).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def commands(scenario: str) -> list[tuple[str, list[str]]]:
    """The label and argument list of each timed command."""
    python = sys.executable
    script = Path(python).parent / "policysim"
    policysim = [str(script)] if script.is_file() else [python, "-c", "from policysim.cli import main; main()"]
    return [
        ("python -c pass", [python, "-c", "pass"]),
        ("python -c 'import policysim.cli'", [python, "-c", "import policysim.cli"]),
        ("policysim --help", [*policysim, "--help"]),
        (f"policysim check {scenario}", [*policysim, "check", scenario]),
    ]


def best_times(argvs: list[list[str]], runs: int, env: dict[str, str]) -> list[tuple[float, float, int]]:
    """For each argv, the best wall-clock and CPU (user + system) times of `runs` runs, and its exit code (the first
    that is not 0, if any). The commands take turns, run by run, so that a machine whose speed drifts (a shared
    virtual machine's does) slows every command alike."""
    best = [[float("inf"), float("inf"), 0] for _ in argvs]
    for _ in range(runs):
        for argv, kept in zip(argvs, best, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            kept[0], kept[1] = min(kept[0], seconds), min(kept[1], cpu)
            kept[2] = kept[2] or done.returncode
    return [(wall, cpu, int(code)) for wall, cpu, code in best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command; the best is kept")
    parser.add_argument("--scenario", default="scenarios/cross-account-delegation.yaml")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="compile every module at every start (no __pycache__)"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    if args.no_bytecode_cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "policysim-bench-pycache")

    table = commands(args.scenario)
    for _, argv in table:  # warm the bytecode cache and the file system
        subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    cache = "policysim compiled at every start" if args.no_bytecode_cache else "warm bytecode cache"
    print(f"python {sys.version.split()[0]} ({sys.executable}); best of {args.runs} runs; {cache}")
    print(f"{'command':<60} {'wall (s)':>9} {'x bare':>7} {'cpu (s)':>8} {'x bare':>7} {'exit':>5}")
    bare = bare_cpu = 0.0
    for (label, _), (seconds, cpu, code) in zip(
        table, best_times([argv for _, argv in table], args.runs, env), strict=True
    ):
        bare, bare_cpu = bare or seconds, bare_cpu or cpu or 0.001
        print(f"{label:<60} {seconds:>9.4f} {seconds / bare:>7.1f} {cpu:>8.3f} {cpu / bare_cpu:>7.1f} {code:>5}")
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (wall-clock figures are unreliable under load)"
    )


if __name__ == "__main__":
    main()
