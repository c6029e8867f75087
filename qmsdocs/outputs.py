"""Where qmsdocs writes the files a user asks for, and how: never into the workspace, never half a file.

A workspace's own files (``qms.toml``, ``register.sqlite``, ``documents/`` …) change only through
the register's transaction. A file the user names with an option (``-o``, ``--xlsx``, ``--split``)
is therefore refused when it resolves into the workspace, except into its ``exports/`` folder.
Outputs are written to a hidden temporary beside the target, synced, then renamed over it, so a
crash, a full disk or a signal leaves the old file or the new one and no stray temporary.
"""
from __future__ import annotations

import collections
import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from qmsdocs.errors import QmsError, UsageError
from qmsdocs.faults import crashpoint
from qmsdocs.text import one_line

try:  # a lock that the kernel drops when its holder dies tells a live temporary from a stale one
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

#: The folder of a workspace that outputs may be written into.
EXPORTS = "exports"
TMP_MARK = ".qms-tmp-"
SPLIT_MARK = ".qms-split-"
#: Staging folders of ``--split`` left by a killed run are removed after this many seconds.
STALE_SPLIT_SECONDS = 3600
_TOKEN = re.compile(r"[0-9a-f]{16}")
_CAUSES = {
    errno.ENOSPC: "no space left on the device (ENOSPC)",
    errno.EROFS: "read-only file system (EROFS)",
    errno.EACCES: "permission denied (EACCES)",
    errno.EPERM: "operation not permitted (EPERM)",
    errno.EDQUOT: "disk quota exceeded (EDQUOT)",
    errno.ENAMETOOLONG: "file name too long (ENAMETOOLONG)",
    errno.EIO: "input/output error (EIO)",
    errno.EFBIG: "file too large for the file system (EFBIG)",
}


class OutputError(QmsError):
    """An output file could not be written (disk full, read-only, no permission): exit 2.

    Exit 2, not 1: the path is one the user gave, and another path may work.
    """


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived while :func:`on_signals` was active.

    A KeyboardInterrupt, so code that cleans up after Ctrl-C cleans up after a signal too, and
    ``except Exception`` never swallows it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


def os_cause(exc: OSError) -> str:
    """Return the cause of an OSError in a few words, with its errno name (``… (ENOSPC)``)."""
    if exc.errno in _CAUSES:
        return _CAUSES[exc.errno]
    name = errno.errorcode.get(exc.errno or 0)
    text = exc.strerror or str(exc) or type(exc).__name__
    return f"{text[:1].lower()}{text[1:]} ({name})" if name else text


def _shown(path: object) -> str:
    # A path in an error line: controls escaped, and never longer than a line.
    return one_line(str(path), 160)


def _refuse(option: str, shown: object, message: str) -> UsageError:
    return UsageError(f"{option} {_shown(shown)}: {message}")


def _os_failure(option: str, shown: object, exc: OSError) -> OutputError:
    return OutputError(f"{option} {_shown(shown)}: cannot write: {os_cause(exc)}")


@contextlib.contextmanager
def on_signals() -> Iterator[None]:
    """Within the block, SIGTERM (and SIGHUP where present) raise :class:`Terminated` in the main thread.

    So ``finally`` blocks run and temporaries are removed when a process is told to stop. The
    previous handlers are restored on leaving. Outside the main thread (where Python cannot set
    handlers) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {}
    try:
        for signum in wanted:
            previous[signum] = signal.signal(signum, stop)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def is_case_insensitive(folder: Path) -> bool:
    """Return whether names in the existing ``folder`` are matched case-insensitively.

    Tested, not assumed from the platform: a case-swapped spelling of an existing entry (or of
    the folder itself) that names the same file means the file system ignores case.
    """
    candidates = [folder] + [folder / name for name in _some_entries(folder)]
    for path in candidates:
        name = path.name
        swapped = name.swapcase()
        if swapped == name:
            continue
        try:
            return os.path.samefile(path, path.with_name(swapped))
        except OSError:
            return False
    return False


def _some_entries(folder: Path, limit: int = 50) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return [e.name for _, e in zip(range(limit), entries)]
    except OSError:
        return []


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _inside(target: Path, root: Path) -> bool:
    """Return whether ``target`` (resolved) is ``root`` or below it, and not below ``root/exports``.

    Compared by name (case-folded where the workspace's file system ignores case) and by the
    identity (device, inode) of each existing folder on the way up, so a bind mount, a hard
    link or a differently spelled alias of the workspace is caught too.
    """
    root_id = _identity(root)
    exports_id = _identity(root / EXPORTS)
    fold = is_case_insensitive(root)

    def key(p: Path) -> str:
        return os.path.normcase(str(p)).casefold() if fold else str(p)

    # By name.
    name, home, exports = key(target), key(root), key(root / EXPORTS)
    if name == home:
        return True
    if name.startswith(home.rstrip(os.sep) + os.sep):
        return not name.startswith(exports + os.sep)
    parents = list(target.parents)
    # By identity.
    chain = [target] + parents
    for i, folder in enumerate(chain):
        ident = _identity(folder)
        if ident is None:
            continue
        if exports_id is not None and ident == exports_id and i > 0:
            return False
        if root_id is not None and ident == root_id:
            return True
    return False


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def check_output(path: Path, workspace_root: Path | None, *, force: bool, option: str) -> Path:
    """Return the resolved path the user's output ``path`` may be written to, or raise UsageError.

    Refused, one line each naming ``option`` and ``path``: a path inside the workspace (other than
    its ``exports/`` folder), an existing file unless ``force``, a folder, a path below a file, a
    missing parent folder, a name too long for the file system.
    """
    shown = path
    try:
        target = Path(os.path.abspath(path.expanduser())).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise _refuse(option, shown, f"cannot be resolved ({exc})") from None
    if workspace_root is not None:
        root = Path(os.path.abspath(workspace_root)).resolve()
        if _inside(target, root):
            via = "" if str(target) == os.path.abspath(path) else f" (it resolves to {target})"
            raise _refuse(option, shown, f"is inside the workspace {root}{via}; write outputs outside it "
                                         f"or into its {EXPORTS}/ folder")
    parent = target.parent
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise _refuse(option, shown, f"{_first_file(parent)} is a file, not a folder") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise _refuse(option, shown, f"the name is too long for the file system "
                                         f"(at most {_name_max(parent)} bytes)") from None
        raise _refuse(option, shown, f"cannot be checked: {os_cause(exc)}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise _refuse(option, shown, "is a folder; give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(option, shown, "exists and is not a regular file (a pipe, device or socket)")
        if not force:
            raise _refuse(option, shown, "exists; give --force to replace it")
    elif not parent.is_dir():
        if parent.exists() or _first_file(parent) is not None:
            raise _refuse(option, shown, f"{_first_file(parent) or parent} is a file, not a folder")
        raise _refuse(option, shown, f"the folder {parent} does not exist")
    limit = _name_max(parent)
    # The temporary beside the target is longer than its name: that must fit too.
    if len(target.name.encode("utf-8", "surrogateescape")) > limit:
        raise _refuse(option, shown, f"the name is too long for the file system (at most {limit} bytes)")
    probe_folder(parent, option, shown)
    return target


def probe_folder(folder: Path, option: str, shown: object) -> None:
    """Raise OutputError unless a file can be created in ``folder`` (tried with an empty temporary).

    Asking the file system itself is the one answer that holds for read-only mounts, ACLs and
    pseudo file systems alike, and it comes before any work, so a refused output costs nothing.
    """
    probe = folder / f".qms-probe{TMP_MARK}{secrets.token_hex(8)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        os.close(os.open(probe, flags, 0o600))
    except OSError as exc:
        raise _os_failure(option, shown, exc) from None
    try:
        os.unlink(probe)
    except OSError:
        pass


def _first_file(folder: Path) -> Path | None:
    """Return the nearest ancestor of ``folder`` (or itself) that exists and is not a folder."""
    for candidate in [folder] + list(folder.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def _tmp_prefix(target: Path) -> str:
    """Return ``.NAME.qms-tmp-``, NAME cut short where the whole would not fit the file system."""
    room = _name_max(target.parent) - len(TMP_MARK) - 2 - 16
    raw = target.name.encode("utf-8", "surrogateescape")
    name = raw[:room].decode("utf-8", "ignore") if len(raw) > room else target.name
    return f".{name}{TMP_MARK}"


def _lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; return whether it was taken."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the ``.NAME.qms-tmp-*`` temporaries of ``target`` that no live process holds; return them.

    A writer holds a lock on its temporary while it writes; the kernel drops the lock when the
    writer dies (even by SIGKILL), so an unlocked temporary is a leftover.
    """
    prefix = _tmp_prefix(target)
    removed = []
    for name in _names_starting(target.parent, prefix):
        if not _TOKEN.fullmatch(name[len(prefix):]):
            continue
        tmp = target.parent / name
        try:
            fd = os.open(tmp, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode) and _lock(fd):
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _names_starting(folder: Path, prefix: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries if e.name.startswith(prefix))
    except OSError:
        return []


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder is synced; not every file system allows it.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_output(path: Path, data: bytes, *, workspace_root: Path | None, force: bool, option: str) -> Path:
    """Write ``data`` to the user's output ``path`` all at once; return the resolved path written.

    Checked first by :func:`check_output`. The bytes go to ``.NAME.qms-tmp-<random>`` beside the
    target, are synced, and the temporary is renamed over the target (without ``force``, linked
    into place so a file that appeared meanwhile is still not replaced). On any failure, Ctrl-C,
    SIGTERM or SIGHUP the temporary is removed. Leftover temporaries of the same target from a
    killed process are removed before writing. A write that fails raises :class:`OutputError`
    naming the option, the path and the cause (``no space left on the device (ENOSPC)``).
    """
    target = check_output(path, workspace_root, force=force, option=option)
    with on_signals():
        remove_stale_temporaries(target)
        tmp = target.with_name(_tmp_prefix(target) + secrets.token_hex(8))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(tmp, flags, 0o666)
        except OSError as exc:
            raise _os_failure(option, path, exc) from None
        try:
            try:
                _lock(fd)
                _write_all(fd, data)
                os.fsync(fd)
                crashpoint("output")
                _place(tmp, target, force)
            finally:
                os.close(fd)
        except FileExistsError:
            tmp.unlink(missing_ok=True)
            raise _refuse(option, path, "exists; give --force to replace it") from None
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _os_failure(option, path, exc) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_folder(target.parent)
    return target


def _place(tmp: Path, target: Path, force: bool) -> None:
    """Move ``tmp`` to ``target``: over it with ``force``; otherwise refuse (FileExistsError) if it exists."""
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links: a check and a rename, the best it allows.
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def write_unsynced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, leaving it to be synced (:meth:`SyncedFiles.sync`) by whoever asked for it."""
    with open(path, "wb") as f:
        f.write(data)


def _sync(path: Path) -> None:
    # fsync acts on the file, whichever process wrote it and through whichever descriptor.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SyncedFiles:
    """Files written and synced to disk (one ``fsync`` each) by a thread of their own.

    ``write(path, data)`` hands a file over and returns at once, so the caller renders the next
    document while this one goes to disk: ``fsync`` waits for the device but lets go of the
    interpreter, and waiting for it file after file was most of what writing a series cost.
    ``sync(path)`` does the same for a file another process wrote. Files wait their turn until
    ``max_bytes`` of them are held, then ``write`` waits too (memory stays bounded). :meth:`wait`
    returns once every file handed over is written and synced, raising the first failure. Use
    it as a context manager: leaving the block waits like :meth:`wait`; leaving it on an error
    (or Ctrl-C, SIGTERM) waits for the file being written and drops the others, so no file is
    being written once the block is left, whatever the caller undoes next.
    """

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._pool: Any = None
        self._pending: collections.deque[tuple[Any, int]] = collections.deque()
        self._held = 0

    def _submit(self, size: int, func: Any, *args: Any) -> None:
        from concurrent.futures import ThreadPoolExecutor

        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qms-sync")
        while self._pending and (self._held + size > self.max_bytes or self._pending[0][0].done()):
            self._done_one()
        self._pending.append((self._pool.submit(func, *args), size))
        self._held += size

    def _done_one(self) -> None:
        future, size = self._pending.popleft()
        self._held -= size
        future.result()

    def write(self, path: Path, data: bytes) -> None:
        """Have ``data`` written to ``path`` and synced; raise an earlier file's failure, if any."""
        from qmsdocs.store import write_synced

        self._submit(len(data), write_synced, path, data)

    def sync(self, path: Path) -> None:
        """Have the file at ``path``, written by another process, synced; raise an earlier failure."""
        self._submit(0, _sync, path)

    def wait(self) -> None:
        """Return once every file handed over is on disk; raise the first failure."""
        while self._pending:
            self._done_one()

    def __enter__(self) -> SyncedFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
            self._pending.clear()
            self._held = 0


class SplitStaging:
    """Stage the files of ``--split DIR`` beside DIR; move them into DIR only when all are written.

    Use as a context manager: write each file into :attr:`folder` (this process or workers),
    and on leaving the block without an error every file there is moved into DIR. Nothing else
    in DIR is touched; a file of the same name is refused unless ``force`` (checked for all the
    files before any is moved). On an error, Ctrl-C or SIGTERM the staging folder is removed.
    Staging folders of the same DIR left over an hour ago by a killed run are removed on entry.
    """

    def __init__(self, folder: Path, workspace_root: Path | None, *, force: bool, option: str = "--split") -> None:
        self.option = option
        self.shown = folder
        self.force = force
        self.workspace_root = workspace_root
        self.target = self._check(folder)
        #: The staging folder to write the files into (set on entering the block).
        self.folder: Path = self.target.with_name(f".{self.target.name}{SPLIT_MARK}")
        self._lock_fd: int | None = None
        self._signals: contextlib.ExitStack | None = None
        #: The files moved into DIR, once the block has succeeded.
        self.placed: list[Path] = []

    def _check(self, folder: Path) -> Path:
        option, shown = self.option, folder
        try:
            target = Path(os.path.abspath(folder.expanduser())).resolve()
        except (OSError, RuntimeError) as exc:
            raise _refuse(option, shown, f"cannot be resolved ({exc})") from None
        if self.workspace_root is not None:
            root = Path(os.path.abspath(self.workspace_root)).resolve()
            if _inside(target, root) or _inside(target / "x", root):
                raise _refuse(option, shown, f"is inside the workspace {root}; write outputs outside it "
                                             f"or into its {EXPORTS}/ folder")
        if target.exists() and not target.is_dir():
            raise _refuse(option, shown, "is a file, not a folder")
        if not target.parent.is_dir():
            first = _first_file(target.parent)
            raise _refuse(option, shown, f"{first} is a file, not a folder" if first
                          else f"the folder {target.parent} does not exist")
        limit = _name_max(target.parent)
        if len(target.name.encode("utf-8", "surrogateescape")) + len(SPLIT_MARK) + 17 > limit:
            raise _refuse(option, shown, f"the name is too long for the file system (at most "
                                         f"{limit - len(SPLIT_MARK) - 17} bytes for a --split folder)")
        probe_folder(target.parent, option, shown)  # the staging folder is made beside DIR
        return target

    def refuse_existing(self, names: Iterable[str]) -> None:
        """Raise UsageError if any of ``names`` exists in DIR and ``force`` was not given.

        Call it before the work, when the names are known, to fail before rendering anything.
        """
        if self.force or not self.target.is_dir():
            return
        clash = sorted(n for n in names if os.path.lexists(self.target / n))
        if clash:
            more = f" and {len(clash) - 3} more" if len(clash) > 3 else ""
            raise _refuse(self.option, self.shown, f"already holds {', '.join(clash[:3])}{more}; "
                                                   "give --force to replace them")

    def remove_stale(self) -> list[Path]:
        """Remove staging folders of the same DIR older than an hour that no live run holds; return them."""
        prefix = f".{self.target.name}{SPLIT_MARK}"
        removed = []
        now = time.time()
        for name in _names_starting(self.target.parent, prefix):
            if not _TOKEN.fullmatch(name[len(prefix):]):
                continue
            path = self.target.parent / name
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISDIR(st.st_mode) or now - st.st_mtime < STALE_SPLIT_SECONDS:
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                if _lock(fd):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
            finally:
                os.close(fd)
        return removed

    def __enter__(self) -> SplitStaging:
        stack = contextlib.ExitStack()
        stack.enter_context(on_signals())
        try:
            self.remove_stale()
            self.folder = self.target.with_name(f".{self.target.name}{SPLIT_MARK}{secrets.token_hex(8)}")
            try:
                self.folder.mkdir()
                self._lock_fd = os.open(self.folder, os.O_RDONLY)
            except OSError as exc:
                raise _os_failure(self.option, self.shown, exc) from None
            _lock(self._lock_fd)
        except BaseException:
            stack.close()
            raise
        self._signals = stack
        return self

    def path(self, name: str) -> Path:
        """Return where to write the staged file ``name`` (a bare file name)."""
        if not name or name != Path(name).name or name in (".", ".."):
            raise UsageError(f"{name!r} is not a bare file name")
        return self.folder / name

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if kind is None:
                try:
                    self._commit()
                except BaseException:
                    self._discard()
                    raise
            else:
                self._discard()
        finally:
            if self._signals is not None:
                self._signals.close()
                self._signals = None

    def _discard(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def _commit(self) -> None:
        names = sorted(_names_starting(self.folder, ""))
        self.refuse_existing(names)
        try:
            self.target.mkdir(exist_ok=True)
            for name in names:
                source = self.folder / name
                _place(source, self.target / name, self.force)
                self.placed.append(self.target / name)
                crashpoint("split")
        except FileExistsError as exc:
            raise _refuse(self.option, self.shown, f"already holds {Path(exc.filename or '').name}; "
                                                   "give --force to replace it") from None
        except OSError as exc:
            raise _os_failure(self.option, self.shown, exc) from None
        _fsync_folder(self.target)
        self._discard()



def append_values(sheet: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet with every string as a text cell, never a formula.

    openpyxl stores a string beginning with ``=`` as a formula; a name or title from a workbook
    or the register (``=HYPERLINK(…)``) must come out as the text it is, whatever it begins
    with. Numbers stay numbers; the only formulas in a qmsdocs workbook are those its code builds.
    """
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
