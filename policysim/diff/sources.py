"""Where the two models come from: two paths, or paths at a git revision and in the working tree (or a second one)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from policysim.errors import InputError
from policysim.load import scan_directory


@dataclass(frozen=True)
class FilePair:
    """One scenario file on each side (None where it does not exist); `label_*` are the names shown."""

    base: Path | None
    new: Path | None
    label_base: str | None
    label_new: str | None


def scenario_files_under(root: Path) -> dict[str, Path]:
    """Scenario files by path relative to `root` (a file is its own `.`); nothing when `root` does not exist.

    Under a directory the files are those `policysim check DIR` runs (`policysim.load.scan_directory`): YAML
    without a top-level `scenario` key is not a model; a YAML path that cannot be read is an error, never skipped.
    """
    if root.is_file() or (root.is_symlink() and not root.exists()):
        return {".": root}
    if not root.is_dir():
        return {}
    scan = scan_directory(root)
    if scan.unreadable:
        raise scan.unreadable[0][1]
    return {p.relative_to(root).as_posix(): p for p in scan.scenarios}


def pair_files(base: Path, new: Path, base_label: str, new_label: str) -> list[FilePair]:
    """Files of BASE and NEW paired by relative path; a file on one side only is paired with nothing."""
    left, right = scenario_files_under(base), scenario_files_under(new)
    if not left and not right:
        raise InputError(f"no scenario files under `{base_label}` or `{new_label}`")
    return [
        FilePair(
            left.get(rel),
            right.get(rel),
            _label(base_label, rel) if rel in left else None,
            _label(new_label, rel) if rel in right else None,
        )
        for rel in sorted(left.keys() | right.keys())
    ]


def pair_paths(base: Path, new: Path) -> list[FilePair]:
    """BASE and NEW given as paths: both must exist and hold scenario files (a typo must not pass the gate)."""
    for path, side in ((base, "BASE"), (new, "NEW")):
        if not path.exists():
            raise InputError(f"{side} `{path}`: no such file or directory")
        if not scenario_files_under(path):
            raise InputError(f"{side} `{path}` holds no scenario files (*.yaml, *.yml with a top-level `scenario` key)")
    return pair_files(base, new, str(base), str(new))


def _label(root: str, rel: str) -> str:
    return root if rel == "." else f"{root.rstrip('/')}/{rel}"


def _git(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, env={**os.environ, **(env or {})}
        )
    except OSError as error:
        raise InputError(f"cannot run git: {error}", hint="install git, or give BASE and NEW as paths") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {' '.join(args[:2])} failed: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def repository_root(path: Path) -> Path:
    """The top of the git work tree holding `path`."""
    start = path if path.is_dir() else path.parent
    while not start.exists() and start != start.parent:
        start = start.parent
    return Path(_git(["rev-parse", "--show-toplevel"], start).strip()).resolve()


def export_revision(repo: Path, ref: str, into: Path) -> None:
    """Write every file of revision `ref` under `into`, as git stores it (export-ignore attributes do not apply)."""
    if ref.startswith("-"):
        raise InputError(f"invalid git revision `{ref}`")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo)
    except InputError:
        raise InputError(
            f"unknown git revision `{ref}` in `{repo}`",
            hint="fetch it first (for a pull request: `git fetch origin BASE-BRANCH`), or check the name",
        ) from None
    into.mkdir(parents=True, exist_ok=True)
    index = {"GIT_INDEX_FILE": str(into.parent / f"{into.name}.index")}
    _git(["read-tree", f"{ref}^{{tree}}"], repo, index)
    _git(["checkout-index", "--all", "--force", f"--prefix={into}{os.sep}"], repo, index)


@dataclass
class RevisionTrees:
    """Revisions exported under `workdir`, once each; `locate` maps a working-tree path into one."""

    workdir: Path
    _exported: dict[tuple[Path, str], Path] = field(default_factory=dict)

    def in_repository(self, path: Path) -> bool:
        """Is `path` inside a git work tree?"""
        try:
            repository_root(path)
        except InputError:
            return False
        return True

    def locate(self, path: Path, ref: str) -> tuple[Path, str]:
        """`path` as it is at `ref` (it may not exist there), and the label `ref:relative/path`."""
        repo = repository_root(path)
        try:
            rel = path.resolve().relative_to(repo)
        except ValueError:
            raise InputError(f"`{path}` is not inside the git repository at `{repo}`") from None
        key = (repo, ref)
        if key not in self._exported:
            self._exported[key] = self.workdir / f"tree{len(self._exported)}"
            export_revision(repo, ref, self._exported[key])
        return self._exported[key] / rel, f"{ref}:{rel.as_posix()}"
