"""Atomic file writes for the generated outputs."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..errors import TrackerError


def output_dir(path: str | os.PathLike) -> Path:
    """The directory ``path``, created (with its parents) if it does not exist.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    Path

    Raises
    ------
    TrackerError
        It cannot be created, or exists and is not a directory.
    """
    target = Path(path)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrackerError(f"cannot create output directory {target}: {exc.strerror or exc}") from exc
    return target


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file renamed over it.

    A reader (a web server, a feed reader) sees the old file or the new one,
    never half of one. When the file already holds exactly ``data`` it is left
    alone, so its modification time (and HTTP ``Last-Modified``/``ETag`` of a
    web server serving it) changes only when the content does.

    Parameters
    ----------
    path : Path
        The target file; its directory must exist.
    data : bytes
        The whole new content.

    Returns
    -------
    bool
        True if the file was written, False if it already held ``data``.

    Raises
    ------
    TrackerError
        The file cannot be written (permissions, disk full, ...).
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass  # absent or unreadable: write it
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a web server must be able to read it
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise TrackerError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return True
