"""Reading user-named files and standard input with a size limit: regular files only, never more than the limit."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from policysim.errors import Location, ParseError

from .document import MAX_INPUT_BYTES

_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _too_large(size: int, name: str, limit: int) -> ParseError:
    return ParseError(f"input is too large: {size} bytes, the limit is {limit} bytes", Location(name, 1, 1))


def _not_regular(mode: int, name: str) -> ParseError:
    what = next((f" ({word})" for test, word in _NOT_REGULAR if test(mode)), "")
    return ParseError(f"not a regular file{what}", Location(name), hint="give a regular file")


def _os_error(exc: OSError, path: Path, name: str) -> ParseError:
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        target = os.readlink(path)
        return ParseError(f"broken symbolic link to `{target}`", Location(name), hint="fix or remove the link")
    reason = (exc.strerror or type(exc).__name__).lower()
    hint = "make the file readable" if isinstance(exc, PermissionError) else None
    return ParseError(f"cannot read file: {reason}", Location(name), hint=hint)


def read_limited(path: Path | str, display: str | None = None, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a user-named file: a regular file of at most `limit` bytes, or a located `ParseError`.

    The file is opened without blocking (a FIFO swapped in after the check cannot hang the read), checked to be a
    regular file on the open descriptor, its size checked before reading, and at most `limit + 1` bytes are read
    (a file that grows while it is read is still refused).
    """
    name = display if display is not None else str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        mode = os.stat(path).st_mode  # refuse FIFOs and devices before opening them at all
        if not stat.S_ISREG(mode):
            raise _not_regular(mode, name)
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(exc, Path(path), name) from None
    try:
        with os.fdopen(fd, "rb", buffering=0) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _not_regular(info.st_mode, name)
            if info.st_size > limit:
                raise _too_large(info.st_size, name, limit)
            return _read_at_most(handle, name, limit)
    except OSError as exc:
        raise _os_error(exc, Path(path), name) from None


def read_stream_limited(
    stream: BinaryIO | TextIO | None = None, name: str = "<stdin>", limit: int = MAX_INPUT_BYTES
) -> bytes:
    """The bytes of a stream (standard input by default), reading at most `limit + 1` bytes.

    A text stream without a binary buffer (a test's `StringIO`) is read as text and encoded as UTF-8.
    """
    source: BinaryIO | TextIO = stream if stream is not None else sys.stdin
    binary = getattr(source, "buffer", None) if isinstance(source, io.TextIOBase) else source
    try:
        return _read_at_most(binary if binary is not None else source, name, limit)
    except OSError as exc:
        raise ParseError(f"cannot read: {(exc.strerror or type(exc).__name__).lower()}", Location(name)) from None


def _read_at_most(handle: BinaryIO | TextIO, name: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = handle.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        data = chunk.encode("utf-8", "surrogateescape") if isinstance(chunk, str) else chunk
        chunks.append(data)
        total += len(data)
    if total > limit:
        raise ParseError(f"input is too large: the limit is {limit} bytes", Location(name, 1, 1))
    return b"".join(chunks)
