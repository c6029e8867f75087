"""The register interface every engine implements, in the manner of a database backend."""
from __future__ import annotations

import abc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: A writer that waited longer than :func:`busy_timeout` for the workspace lock.
BUSY = "workspace busy: another qms command kept it locked too long; try again (QMS_BUSY_TIMEOUT sets the wait)"


def busy_timeout() -> float:
    """Return how many seconds a command waits for another one holding the workspace (0.1 to 3600)."""
    try:
        value = float(os.environ.get("QMS_BUSY_TIMEOUT", "60"))
    except ValueError:
        return 60.0
    return min(3600.0, max(0.1, value)) if value == value else 60.0


#: One row of the register: column name → value (str, int or None).
Row = dict[str, Any]


class Register(abc.ABC):
    """A connection to one register: portable SQL in, plain dict rows out.

    SQL uses ``?`` placeholders and the subset of SQL both engines speak (``INSERT … RETURNING``,
    ``ON CONFLICT``); an engine translates what it must. Writes happen only inside
    :meth:`transaction`, which holds the register's write lock until it commits or rolls back.
    """

    #: The engine's name, as ``qms.toml`` and messages give it.
    engine: str = ""
    #: Where the register lives, for messages (a file path or ``host/database``).
    where: str = ""

    @abc.abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Return every row the statement gives."""

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Return the first row the statement gives, or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Return the first column of the first row, or None."""
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()))

    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement that changes rows; return how many it changed."""

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert one row and return its id."""
        columns = ", ".join(values)
        marks = ", ".join("?" * len(values))
        row = self.query(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", list(values.values()))
        return int(row[0]["id"])

    def batch(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """Run the statements in order and return each one's rows.

        For reads a command needs together: an engine may send them at once (PostgreSQL: one
        round trip to the server instead of one per statement).
        """
        return [self.query(sql, params) for sql, params in statements]

    def defer(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a statement whose result nobody reads, at the latest when the transaction commits.

        An engine may hold it back and send it with the next statement or the commit (PostgreSQL:
        no round trip of its own); its error, if any, is raised there. Outside a transaction it
        runs at once.
        """
        self.execute(sql, params)

    @abc.abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the write lock for the block; commit at its end, roll back on any exception."""

    @property
    @abc.abstractmethod
    def in_transaction(self) -> bool:
        """Whether a write transaction is open."""

    @abc.abstractmethod
    def columns(self, table: str) -> list[str]:
        """Return the column names of ``table`` in their defined order."""

    @abc.abstractmethod
    def schema_version(self) -> int:
        """Return how many schema steps the register has (0: empty)."""

    @abc.abstractmethod
    def set_schema_version(self, version: int) -> None:
        """Record the schema step reached (inside a transaction)."""

    @abc.abstractmethod
    def run_script(self, ddl: str) -> None:
        """Run schema statements (inside a transaction); ``{id}`` becomes the engine's id column type."""

    def next_value(self, counter: str) -> int:
        """Return the next value of a named counter, locked with the transaction (gapless on rollback)."""
        row = self.one("UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value", (counter,))
        if row is not None:
            return int(row["value"])
        self.execute("INSERT INTO counters (name, value) VALUES (?, 1)", (counter,))
        return 1

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection."""
