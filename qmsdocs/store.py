"""The content-addressed store: every file the register controls, as an immutable object named by its sha256.

Objects are written (and synced, with their folder) before the transaction that references them
commits; the register's rows are the references. A crash leaves at worst an unreferenced object,
collected later under the workspace lock. Nothing here trusts a path it did not make itself:
folders inside the workspace are walked component by component and a symbolic link is refused.

Two engines hold objects: :class:`FileStore` (files under ``store/objects/`` in the workspace
folder; the SQLite register's choice, see docs/performance.md) and :class:`RegisterStore` (rows of
the register's ``objects`` table; the choice of a shared PostgreSQL register, so every desk sees
every file).
"""
from __future__ import annotations

import abc
import errno
import hashlib
import os
import stat
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from qmsdocs.errors import IntegrityError, RuleError
from qmsdocs.i18n import _

if TYPE_CHECKING:
    from qmsdocs.db import Register

#: The largest object the store reads back (a 2,000-person score sheet is far below this).
MAX_OBJECT = 512 * 1024 * 1024
#: Unreferenced objects and temporaries younger than this survive a collection: a concurrent
#: writer may be about to commit a row that references them.
GRACE_SECONDS = 3600
STORE_DIR = "store"


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def is_sha(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def safe_dir(root: Path, relative: str, create: bool = True) -> Path:
    """Return ``root/relative`` after checking that no component below ``root`` is a link or a file.

    Folders are made one by one when ``create`` is set. A symbolic link planted inside the
    workspace (say ``documents`` → ``/etc``) is refused, so nothing is ever written through it.
    """
    path = root
    for part in Path(relative).parts:
        if part in ("", ".", "..") or os.sep in part:
            raise RuleError(_("{path}: not a folder name qmsdocs makes").format(path=root / relative))
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            if not create:
                return root / relative
            try:
                os.mkdir(path)
            except FileExistsError:
                pass
            info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            raise RuleError(_("{path}: is a symbolic link inside the workspace; qmsdocs does not follow it "
                              "(remove the link)").format(path=path))
        if not stat.S_ISDIR(info.st_mode):
            raise RuleError(_("{path}: should be a folder but is a file").format(path=path))
    return path


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (where the platform can)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_own_file(path: Path, cap: int = MAX_OBJECT) -> bytes | None:
    """Return the bytes of a regular file qmsdocs wrote, or None if it is absent.

    A link, a FIFO, a device or a folder in its place is not read (RuleError), nor a file
    larger than ``cap``: whatever was planted there, reading it can neither hang nor flood memory.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise RuleError(_("{path}: is not a regular file (a link, folder or device was put in its place)").format(
            path=path))
    if info.st_size > cap:
        raise RuleError(_("{path}: is {size} bytes, more than the {cap} a qmsdocs file can be").format(
            path=path, size=info.st_size, cap=cap))
    with open(path, "rb") as f:
        return f.read(cap + 1)


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and wait until it is on disk."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_new_file(folder: Path, name: str, data: bytes, *, durable: bool = True,
                   sync_folder: bool = True) -> Path:
    """Write ``data`` as ``folder/name`` through a uniquely named temporary and one rename.

    The temporary ``.NAME.qms-tmp-<random>`` is made with O_EXCL, so a planted file or link of
    that name is never written through; on any failure it is removed. ``sync_folder=False`` leaves
    the rename to be made durable by the caller (one folder sync after several files);
    ``durable=False``: not waited for on disk at all (for a file whose loss costs only work redone).
    """
    tmp = folder / f".{name}.qms-tmp-{uuid.uuid4().hex}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable and sync_folder:
        fsync_dir(folder)
    return folder / name


class ObjectStore(abc.ABC):
    """Immutable objects by sha256: put, get, exists, materialize."""

    #: Objects a running command has made but not yet written (see :meth:`stage`, :meth:`flush`).
    staged: dict[str, bytes]

    def stage(self, data: bytes) -> str:
        """Hold ``data`` for the running command and return its sha256; :meth:`flush` writes it.

        A command that is refused never writes its objects: the store stays byte-identical.
        """
        sha = sha256_bytes(data)
        self.staged[sha] = data
        return sha

    def flush(self) -> None:
        """Write every staged object durably (just before the command's transaction commits)."""
        for data in self.staged.values():
            self.put(data)
        self.staged.clear()

    @abc.abstractmethod
    def put(self, data: bytes) -> str:
        """Store ``data`` durably (before the referencing transaction commits); return its sha256."""

    @abc.abstractmethod
    def load(self, sha: str) -> bytes | None:
        """Return the stored bytes of ``sha`` unchecked, or None if absent."""

    @abc.abstractmethod
    def exists(self, sha: str) -> bool:
        """Whether an object named ``sha`` is held."""

    def get(self, sha: str, what: str = "") -> bytes:
        """Return the bytes of object ``sha``, checked against its name.

        A missing object or one whose bytes no longer hash to its name stops the command
        (IntegrityError, exit 1): nothing is rendered or copied from altered evidence.
        """
        data = self.staged.get(sha)
        if data is None:
            data = self.load(sha)
        label = (_("{what} (object {sha}…)").format(what=_(what), sha=sha[:12]) if what
                 else _("object {sha}…").format(sha=sha[:12]))
        if data is None:
            raise IntegrityError(_("the store has lost {label}; restore the workspace from a backup").format(label=label))
        if sha256_bytes(data) != sha:
            raise IntegrityError(_("the stored {label} was altered: its bytes no longer match its sha256").format(
                label=label))
        return data

    def materialize(self, sha: str, folder: Path, name: str) -> Path:
        """Write object ``sha`` as ``folder/name`` (a view file) and return its path."""
        return write_new_file(folder, name, self.get(sha))

    @abc.abstractmethod
    def names(self) -> Iterable[str]:
        """Return the sha256 of every object held."""

    @abc.abstractmethod
    def collect(self, referenced: set[str]) -> int:
        """Remove objects not in ``referenced`` and older than the grace period; return how many."""


class FileStore(ObjectStore):
    """Objects as files ``store/objects/ab/abcdef…`` under the workspace folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staged = {}

    def _folder(self, sha: str, create: bool) -> Path:
        return safe_dir(self.root, f"{STORE_DIR}/objects/{sha[:2]}", create)

    def put(self, data: bytes) -> str:
        sha, folder = self._write(data)
        if folder is not None:
            fsync_dir(folder)
            fsync_dir(folder.parent)
        return sha

    def flush(self) -> None:
        """Write every staged object, then make their folders durable once each (not once per object)."""
        folders: set[Path] = set()
        for data in self.staged.values():
            folder = self._write(data)[1]
            if folder is not None:
                folders.add(folder)
        for folder in sorted(folders):
            fsync_dir(folder)
        if folders:
            fsync_dir(next(iter(folders)).parent)
        self.staged.clear()

    def _write(self, data: bytes) -> tuple[str, Path | None]:
        """Write ``data`` (synced) unless held already; return its sha256 and the folder written to, if any.

        The folder itself is not synced here: the caller syncs each folder once after all its writes.
        """
        sha = sha256_bytes(data)
        folder = self._folder(sha, create=True)
        existing = read_own_file(folder / sha)
        if existing is not None and sha256_bytes(existing) == sha:
            return sha, None
        write_new_file(folder, sha, data, sync_folder=False)
        return sha, folder

    def load(self, sha: str) -> bytes | None:
        if not is_sha(sha):
            return None
        return read_own_file(self._folder(sha, create=False) / sha)

    def exists(self, sha: str) -> bool:
        return is_sha(sha) and (self._folder(sha, create=False) / sha).is_file()

    def names(self) -> Iterable[str]:
        objects = self.root / STORE_DIR / "objects"
        if not objects.is_dir() or objects.is_symlink():
            return []
        return [p.name for d in objects.iterdir() if d.is_dir() and not d.is_symlink()
                for p in d.iterdir() if is_sha(p.name)]

    def collect(self, referenced: set[str]) -> int:
        removed = 0
        cutoff = time.time() - GRACE_SECONDS
        objects = self.root / STORE_DIR / "objects"
        if not objects.is_dir() or objects.is_symlink():
            return 0
        for folder in objects.iterdir():
            if folder.is_symlink() or not folder.is_dir():
                continue
            for path in folder.iterdir():
                try:
                    info = os.lstat(path)
                except FileNotFoundError:
                    continue
                # Our own temporaries of a writer that died, and unreferenced objects, once old enough.
                stale = info.st_mtime < cutoff
                if stale and ((is_sha(path.name) and path.name not in referenced)
                              or path.name.startswith(".") and ".qms-tmp-" in path.name):
                    if stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                        path.unlink(missing_ok=True)
                        removed += 1
        return removed


class RegisterStore(ObjectStore):
    """Objects as rows of the register's ``objects`` table (a shared register: every desk sees them)."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.staged = {}

    def put(self, data: bytes) -> str:
        sha = sha256_bytes(data)
        self.register.execute("INSERT INTO objects (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
                              (sha, data))
        return sha

    def flush(self) -> None:
        # In the command's own transaction: held back and sent with its commit, no round trip each.
        for sha, data in self.staged.items():
            self.register.defer("INSERT INTO objects (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
                                (sha, data))
        self.staged.clear()

    def load(self, sha: str) -> bytes | None:
        row = self.register.one("SELECT data FROM objects WHERE sha256 = ?", (sha,))
        return None if row is None else bytes(row["data"])

    def exists(self, sha: str) -> bool:
        return self.register.one("SELECT 1 AS x FROM objects WHERE sha256 = ?", (sha,)) is not None

    def names(self) -> Iterable[str]:
        return [r["sha256"] for r in self.register.query("SELECT sha256 FROM objects")]

    def collect(self, referenced: set[str]) -> int:
        # Rows are written in the referencing transaction itself: an unreferenced row is garbage at once.
        gone = [s for s in self.names() if s not in referenced]
        for sha in gone:
            self.register.execute("DELETE FROM objects WHERE sha256 = ?", (sha,))
        return len(gone)


def describe_os_error(exc: OSError) -> str:
    """Return ``path: cause`` for an OSError, naming disk-full and read-only plainly."""
    cause = {errno.ENOSPC: _("no space left on the device"), errno.EROFS: _("the file system is read-only"),
             errno.EACCES: _("permission denied"), errno.EPERM: _("permission denied")}.get(exc.errno or 0)
    return f"{exc.filename or ''}: {cause or exc.strerror or exc}".lstrip(": ")
