"""All-or-nothing file writes that follow the register's transaction.

A command stages each file under a hidden temporary name (written and synced), then records a
commit token in the register inside its transaction and a pending manifest beside the files.
After the register commits, the staged files are renamed into place. If the process dies at any
point, :func:`recover` (run when a workspace is opened) finishes the job: the token in the register
says whether the command committed, so its files are either put in place or removed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from pathlib import Path

from qmsdocs.faults import crashpoint

PENDING_GLOB = ".qms-pending-*.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and wait until it is on disk."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and one rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    write_synced(tmp, data)
    crashpoint("write-atomic")
    os.replace(tmp, path)


class FileBatch:
    """The files of one command: staged, then put in place once the register has committed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: final path -> temporary name, in the order staged (a path staged again moves to the end).
        self._staged: dict[Path, Path] = {}
        self._manifest: Path | None = None

    def stage(self, path: Path, data: bytes) -> None:
        """Write ``data`` for ``path`` under a hidden temporary name."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp_name(path)
        write_synced(tmp, data)
        self._staged.pop(path, None)
        self._staged[path] = tmp

    def reserve(self, path: Path) -> Path:
        """Return the hidden temporary name for ``path``, staged as if written: the caller writes it.

        For files written by another process (split documents rendered by workers). The caller
        must have written and synced the file by the time the command commits; until then an undo
        removes whatever is there.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp_name(path)
        self._staged.pop(path, None)
        self._staged[path] = tmp
        return tmp

    def prepare(self, conn: sqlite3.Connection) -> None:
        """Record the commit token (inside the open transaction) and the pending manifest."""
        if not self._staged:
            return
        token = uuid.uuid4().hex
        conn.execute("INSERT INTO commits (token) VALUES (?)", (token,))
        manifest = {"pid": os.getpid(), "token": token,
                    "files": [[str(t.resolve()), str(p.resolve())] for p, t in self._staged.items()]}
        self._manifest = self.root / f".qms-pending-{token}.json"
        write_synced(self._manifest, json.dumps(manifest).encode("utf-8"))

    def place(self) -> None:
        """Rename every staged file into place (after the commit) and drop the manifest."""
        for path, tmp in self._staged.items():
            crashpoint("place")
            os.replace(tmp, path)
        if self._manifest is not None:
            self._manifest.unlink(missing_ok=True)
        self._staged, self._manifest = {}, None

    def undo(self) -> None:
        """Remove the staged files and the manifest (the register rolled back)."""
        for tmp in self._staged.values():
            tmp.unlink(missing_ok=True)
        if self._manifest is not None:
            self._manifest.unlink(missing_ok=True)
        self._staged, self._manifest = {}, None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(root: Path, conn: sqlite3.Connection) -> list[str]:
    """Finish or undo the file work of commands that died; return what was done, one line each."""
    done = []
    for manifest in sorted(root.glob(PENDING_GLOB)):
        try:
            info = json.loads(manifest.read_text(encoding="utf-8"))
            pid, token, files = int(info["pid"]), str(info["token"]), info["files"]
        except (OSError, ValueError, KeyError, TypeError):
            manifest.unlink(missing_ok=True)  # written half when the process died: nothing was committed
            continue
        if _alive(pid):
            continue
        committed = conn.execute("SELECT 1 FROM commits WHERE token = ?", (token,)).fetchone() is not None
        for tmp_name, final_name in files:
            tmp, final = Path(tmp_name), Path(final_name)
            if committed and tmp.exists():
                os.replace(tmp, final)
                done.append(f"completed {final_name}")
            elif not committed:
                tmp.unlink(missing_ok=True)
        manifest.unlink(missing_ok=True)
    for folder in ("documents", "inputs", "copies"):
        for tmp in (root / folder).rglob(".*.tmp") if (root / folder).is_dir() else ():
            pid = tmp.name.rsplit(".", 2)[-2]
            if pid.isdigit() and not _alive(int(pid)):
                tmp.unlink(missing_ok=True)
    return done
