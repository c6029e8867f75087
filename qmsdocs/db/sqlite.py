"""The embedded engine: the register as one SQLite file in the workspace folder."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qmsdocs.db.base import BUSY, Register, Row, busy_timeout
from qmsdocs.errors import RegisterError, WorkspaceBusy

def _busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class SQLiteRegister(Register):
    """A register in one SQLite file; a write transaction is ``BEGIN IMMEDIATE`` (one writer at a time)."""

    engine = "sqlite"

    def __init__(self, path: Path | str, *, readonly: bool = False, memory_copy: bool = False) -> None:
        self.where = str(path)
        try:
            if memory_copy:
                # A private copy, for reading a register of an older schema without touching it.
                source = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=busy_timeout())
                self.conn = sqlite3.connect(":memory:", isolation_level=None)
                source.backup(self.conn)
                source.close()
            elif readonly:
                self.conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True,
                                            timeout=busy_timeout(), isolation_level=None)
            else:
                self.conn = sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            if _busy(exc):
                raise WorkspaceBusy(BUSY) from None
            raise RegisterError(f"{path}: not a qmsdocs register ({exc})") from None
        self.conn.row_factory = _dict_row
        self._depth = 0

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._run(lambda: self.conn.execute(sql, tuple(params)).fetchall())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self._run(lambda: self.conn.execute(sql, tuple(params)).rowcount))

    def _run(self, call: Any) -> Any:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise WorkspaceBusy(BUSY) from None
            raise RegisterError(f"{self.where}: {_cause(exc)}") from None
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.where}: {_cause(exc)}") from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            if _busy(exc):
                raise WorkspaceBusy(BUSY) from None
            raise RegisterError(f"{self.where}: {_cause(exc)}") from None
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the error being raised says more than a failed rollback (e.g. disk full)
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise RegisterError(f"{self.where}: could not commit ({_cause(exc)})") from None

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def columns(self, table: str) -> list[str]:
        return [r["name"] for r in self.query(f"PRAGMA table_info({table})")]

    def tables(self) -> list[str]:
        return [r["name"] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def schema_version(self) -> int:
        return int(self.scalar("PRAGMA user_version") or 0)

    def set_schema_version(self, version: int) -> None:
        self.conn.execute(f"PRAGMA user_version = {int(version)}")

    def run_script(self, ddl: str) -> None:
        for statement in ddl.replace("{id}", "INTEGER PRIMARY KEY").replace("{blob}", "BLOB").split(";"):
            if statement.strip():
                self.execute(statement)

    def backup_to(self, path: Path) -> None:
        """Write a consistent copy of the register to ``path`` (SQLite's online backup)."""
        target = sqlite3.connect(path)
        try:
            self.conn.backup(target)
        finally:
            target.close()

    def close(self) -> None:
        self.conn.close()


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {d[0]: v for d, v in zip(cursor.description, row)}


def _cause(exc: sqlite3.Error) -> str:
    """Return SQLite's message, with a full disk named as the operating system names it."""
    if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_FULL:
        return f"{exc}: no space left on the device (ENOSPC)"
    return str(exc)
