"""Compiled templates kept between runs, in the user's own cache folder.

Loading a template means docxtpl's tag clean-up and Jinja's compilation: about a third of what
``qms new plan`` does beyond importing its libraries, the same work on the same bytes each run.
The result (the patched Jinja source and the compiled code of each part) is kept under
``$QMS_CACHE_DIR``, else ``$XDG_CACHE_HOME/qmsdocs``, else ``~/.cache/qmsdocs``, named by the
template's sha256 and by everything that shapes the result (Python, Jinja2, docxtpl, qmsdocs' renderer).

Compiled code is code: a cache entry is used only from a folder and file that are the user's
own and writable by nobody else (as Python trusts its ``__pycache__``), and anything odd about
it (a link, another owner, a damaged file) means compiling afresh. The cache is an optimisation
only: no error of its own ever reaches the user.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from pathlib import Path
from typing import Any

#: Bumped when the layout of an entry changes.
FORMAT = 1
#: An entry larger than this is not read (the shipped templates need about 200 kB).
MAX_ENTRY = 16 * 1024 * 1024


def folder() -> Path | None:
    """Return the cache folder, or None where there is no home to put it in."""
    given = os.environ.get("QMS_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "qmsdocs"
    try:
        return Path.home() / ".cache" / "qmsdocs"
    except RuntimeError:  # no home directory
        return None


def _file_stamp(module: str) -> str:
    """Return a stamp of an installed top-level module's file (path, size, mtime) without importing it."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
        origin = spec.origin if spec is not None else None
        info = os.stat(origin) if origin else None
    except (ImportError, OSError, ValueError):
        return f"{module}:?"
    return f"{origin}:{info.st_size}:{info.st_mtime_ns}" if info else f"{module}:?"


def key(template_sha: str) -> str:
    """Return the entry name for a template: its sha256 and the versions of all that compiles it."""
    import qmsdocs

    renderer = Path(__file__).with_name("render.py")
    try:
        renderer_sha = hashlib.sha256(renderer.read_bytes()).hexdigest()
    except OSError:
        renderer_sha = "?"
    parts = [str(FORMAT), sys.version, qmsdocs.__version__, renderer_sha, _file_stamp("jinja2"),
             _file_stamp("docxtpl"), template_sha]
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _own(info: os.stat_result, kind: int) -> bool:
    """Whether a cache path is of ``kind``, the user's own and writable by nobody else."""
    if stat.S_IFMT(info.st_mode) != kind or info.st_mode & 0o022:
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def load(name: str) -> tuple[dict[str, str], dict[str, Any]] | None:
    """Return the (sources, code objects) kept under ``name``, or None if there is no usable entry."""
    where = folder()
    if where is None:
        return None
    path = where / name
    try:
        if not _own(os.lstat(where), stat.S_IFDIR):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not _own(info, stat.S_IFREG) or info.st_size > MAX_ENTRY:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_ENTRY + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        entry = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == FORMAT):
        return None
    sources, codes = entry[1], entry[2]
    if not (isinstance(sources, dict) and isinstance(codes, dict) and sources.keys() == codes.keys()):
        return None
    return sources, codes


def save(name: str, sources: dict[str, str], codes: dict[str, Any]) -> None:
    """Keep ``sources`` and their compiled ``codes`` under ``name`` (silently skipped if it cannot be)."""
    import secrets

    where = folder()
    if where is None:
        return
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _own(os.lstat(where), stat.S_IFDIR):
            return
        data = marshal.dumps((FORMAT, sources, codes))
        tmp = where / f".{name}.{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, where / name)  # whole or not at all, also with other processes writing
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        return
