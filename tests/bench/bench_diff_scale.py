"""How `policysim diff` grows with the size of the models (prints figures, asserts nothing).

    python tests/bench/bench_diff_scale.py                      # N = 100, 400, 800, 1,600, 3,200, 10,000
    python tests/bench/bench_diff_scale.py --sizes 100,800 --timeout 120
    python tests/bench/bench_diff_scale.py --profile 800        # cProfile of one exploration, the top functions
    python tests/bench/bench_diff_scale.py --cli --sizes 10000  # `policysim diff` itself, JSON to a file
    python tests/bench/bench_diff_scale.py --change guardrail   # an SCP change that reaches every request
    python tests/bench/bench_diff_scale.py --exhaustive         # every request of the space put, as before

For each N, a child process builds a seeded model of about N statements (bench_diff_models.py: four accounts in an
organization, users, groups, roles, managed and inline policies, wildcards, conditions, bucket and queue policies)
and a copy with four statements widened or narrowed (`--change statements`, the default; `--change guardrail`: the
region guardrail SCP allows one more region), then times `plan` (the request space) and `explore` (the
requests put to both models; it plans again), and reports the requests evaluated (put to both models, context
variants included), those left unreached (no difference between the models reaches them), the changes found and
the peak resident memory of the child (getrusage maxrss: loading the models included). A size whose child runs longer than
`--timeout` seconds is reported as such, and larger sizes are skipped. With `--cli`, the child writes both models as
YAML files and runs `policysim diff BASE NEW --format json --output FILE` (the rows go through the bounded row store
and are written one at a time): its wall time, exit code, report size and peak memory.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
SIZES = (100, 400, 800, 1_600, 3_200, 10_000)


def measure(n: int, change: str = "statements", exhaustive: bool = False) -> dict[str, float | int]:
    """Explore one size in this process and return its figures."""
    sys.path.insert(0, str(HERE))
    from bench_diff_models import CHANGES, scenario_model, statement_count

    from policysim.catalogue import builtin_catalogue
    from policysim.diff.compare import explore, plan
    from policysim.scenario.api import Scenario

    catalogue = builtin_catalogue()
    model = scenario_model(n)
    started = time.perf_counter()
    base, new = Scenario.from_dict(model), Scenario.from_dict(CHANGES[change](model))
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    space = plan(base, new, catalogue)
    planned = time.perf_counter() - started
    started = time.perf_counter()
    exploration = explore(base, new, catalogue, exhaustive=exhaustive)
    explored = time.perf_counter() - started
    return {
        "n": n,
        "statements": statement_count(model),
        "callers": len(space.callers),
        "classes": len(space.classes),
        "resources": len(space.resources.resources),
        "load_s": loaded,
        "plan_s": planned,
        "explore_s": explored,
        "requests": exploration.evaluated,
        "unreached": exploration.unreached,
        "changes": len(exploration.changes),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_cli(n: int, change: str = "statements") -> dict[str, float | int]:
    """Run `policysim diff` on one size's models, written as files, in this process."""
    import tempfile

    import yaml

    sys.path.insert(0, str(HERE))
    from bench_diff_models import CHANGES, scenario_model, statement_count

    from policysim.cli import main as cli

    model = scenario_model(n)
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        base, new, report = Path(tmp, "base.yaml"), Path(tmp, "new.yaml"), Path(tmp, "report.json")
        base.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
        new.write_text(yaml.safe_dump(CHANGES[change](model), sort_keys=False), encoding="utf-8")
        started = time.perf_counter()
        try:
            cli(["diff", str(base), str(new), "--format", "json", "--output", str(report)])
            code = 0
        except SystemExit as stop:
            code = int(stop.code or 0)
        seconds = time.perf_counter() - started
        with report.open(encoding="utf-8") as written:  # the counts at its head: the report may not fit in memory
            head = written.read(4096)
        counts = re.findall(r'"(?:new_access|removed_access|deny_changed|undetermined)": (\d+)', head)
        return {
            "n": n,
            "statements": statement_count(model),
            "seconds": seconds,
            "exit": code,
            "changes": sum(map(int, counts)),
            "report_mib": report.stat().st_size / 2**20,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }


def child(n: int, timeout: float, options: list[str]) -> dict[str, float | int] | None:
    """`measure(n)` in a fresh process, so each size's peak memory is its own; None when it timed out."""
    command = [sys.executable, __file__, *options, str(n)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"size {n} failed:\n{error.stderr}") from None
    figures: dict[str, float | int] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def profile(n: int, top: int) -> None:
    """cProfile one exploration of size n and print the functions with the most cumulative and own time."""
    sys.path.insert(0, str(HERE))
    from bench_diff_models import changed, scenario_model

    from policysim.catalogue import builtin_catalogue
    from policysim.diff.compare import explore
    from policysim.scenario.api import Scenario

    catalogue = builtin_catalogue()
    model = scenario_model(n)
    base, new = Scenario.from_dict(model), Scenario.from_dict(changed(model))
    profiler = cProfile.Profile()
    profiler.enable()
    exploration = explore(base, new, catalogue)
    profiler.disable()
    print(f"N={n}: {exploration.evaluated:,} requests evaluated, {len(exploration.changes):,} changes")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated statement counts")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per size before giving up")
    parser.add_argument("--profile", type=int, help="profile one size instead")
    parser.add_argument("--top", type=int, default=25, help="functions shown by --profile")
    parser.add_argument("--cli", action="store_true", help="run `policysim diff` on model files instead")
    parser.add_argument("--change", choices=["statements", "guardrail"], default="statements", help="what changes")
    parser.add_argument("--exhaustive", action="store_true", help="put every request of the space (as before)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cli-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.change, args.exhaustive)))
        return
    if args.cli_child is not None:
        print(json.dumps(measure_cli(args.cli_child, args.change)))
        return
    if args.profile is not None:
        profile(args.profile, args.top)
        return
    if args.cli:
        print(f"{'N':>6} {'stmts':>6} {'seconds':>8} {'exit':>4} {'changes':>8} {'report MiB':>10} {'peak MiB':>8}")
        for n in (int(s) for s in args.sizes.split(",")):
            figures = child(n, args.timeout, ["--change", args.change, "--cli-child"])
            if figures is None:
                print(f"{n:>6} timed out; larger sizes skipped")
                break
            print(
                f"{n:>6} {figures['statements']:>6} {figures['seconds']:>8.1f} {figures['exit']:>4} "
                f"{figures['changes']:>8,} {figures['report_mib']:>10.1f} {figures['peak_mib']:>8.0f}",
                flush=True,
            )
        return
    header = (
        f"{'N':>6} {'stmts':>6} {'callers':>7} {'classes':>7} {'resources':>9} {'load s':>7} {'plan s':>7} "
        f"{'explore s':>9} {'evaluated':>11} {'unreached':>11} {'changes':>7} {'peak MiB':>8}"
    )
    print(header)
    for n in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        options = ["--change", args.change, *(["--exhaustive"] if args.exhaustive else []), "--child"]
        figures = child(n, args.timeout, options)
        if figures is None:
            print(f"{n:>6} timed out after {time.perf_counter() - started:.0f} s; larger sizes skipped")
            break
        print(
            f"{n:>6} {figures['statements']:>6} {figures['callers']:>7} {figures['classes']:>7} "
            f"{figures['resources']:>9} {figures['load_s']:>7.2f} {figures['plan_s']:>7.2f} "
            f"{figures['explore_s']:>9.2f} {figures['requests']:>11,} {figures['unreached']:>11,} "
            f"{figures['changes']:>7,} "
            f"{figures['peak_mib']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
