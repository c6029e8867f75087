"""All-or-nothing file writes: stage under temporary names, rename into place, undo on failure."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and one rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class FileBatch:
    """Files a command writes, put in place together and taken back together.

    ``stage`` writes each file under a hidden temporary name; ``place`` renames them into place,
    keeping any file it replaces as a hidden backup; ``undo`` restores the backups and removes
    new files; ``finish`` drops the backups. Used around the register transaction so that a
    failed command leaves the workspace as it was.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []
        self._placed: list[tuple[Path, Path | None]] = []

    def stage(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        self._staged.append((tmp, path))

    def place(self) -> None:
        for tmp, path in self._staged:
            backup = None
            if path.exists():
                backup = path.with_name(f".{path.name}.{os.getpid()}.bak")
                os.replace(path, backup)
            self._placed.append((path, backup))
            os.replace(tmp, path)
        self._staged = []

    def undo(self) -> None:
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        for path, backup in reversed(self._placed):
            if backup is not None:
                os.replace(backup, path)
            else:
                path.unlink(missing_ok=True)
        self._staged, self._placed = [], []

    def finish(self) -> None:
        for _, backup in self._placed:
            if backup is not None:
                backup.unlink(missing_ok=True)
        self._placed = []
