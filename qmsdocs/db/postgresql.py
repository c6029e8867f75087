"""The shared engine: the register in one PostgreSQL database, for every desk of a department.

Every desk's folder names the same database in ``qms.toml`` (``[register] url``); the register
and every stored file (the ``objects`` table) live there, and each folder is that desk's working
copy. A write transaction starts by taking one advisory lock, so writers follow each other as
they do on the SQLite engine's ``BEGIN IMMEDIATE``: one trail, never forked, counters gapless.
Passwords never come from ``qms.toml``: libpq reads ``PGPASSWORD``, ``~/.pgpass`` or ``PGSERVICE``.
"""
from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from qmsdocs.db.base import Register, Row
from qmsdocs.errors import RegisterError, UsageError, WorkspaceBusy


def import_driver() -> ModuleType:
    """Return the psycopg module, imported with the cyclic garbage collector paused.

    psycopg loads some 150 modules (a fifth of a command's time on PostgreSQL); the objects they
    make would set off several full collections of everything the command has loaded by then,
    each finding nothing to free. The collector is as it was afterwards.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        import psycopg
        import psycopg.rows  # noqa: F401 (psycopg itself loads it: named for the reader)
    finally:
        if running:
            gc.enable()
    return psycopg


psycopg = import_driver()
#: A psycopg cursor giving dict rows (the module is imported at run time, so typed loosely).
Cursor = Any
pg_errors = psycopg.errors
dict_row = psycopg.rows.dict_row

#: The advisory lock every write transaction takes first (a fixed key: "qmsdocs" in ASCII).
WRITE_LOCK = 0x716D73646F6373
#: The table holding the schema version (SQLite keeps it in ``PRAGMA user_version``).
VERSION_TABLE = "qms_schema"
#: How long a connection attempt may take when the URL does not say (seconds).
CONNECT_TIMEOUT = 10

#: A statement that only reads (remembered within a write transaction) and one that may do more.
_PLAIN_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
#: A statement that writes one table, and which.
_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)\s", re.IGNORECASE)
_SIDE_EFFECT = re.compile(r"\b(setval|nextval|currval|pg_\w+|FOR\s+UPDATE|FOR\s+SHARE)\b", re.IGNORECASE)

BUSY = ("register busy: another desk kept the register locked too long; try again "
        "(QMS_BUSY_TIMEOUT sets the wait)")


def parts(url: str) -> dict[str, str]:
    """Return the connection parameters of ``url`` (host, dbname, user …), refused if malformed."""
    try:
        return {k: str(v) for k, v in psycopg.conninfo.conninfo_to_dict(url).items()}
    except psycopg.ProgrammingError as exc:
        raise UsageError(f"{describe(url)}: not a PostgreSQL URL ({_first_line(exc)})") from None


def describe(url: str) -> str:
    """Return ``host/database`` of ``url`` for messages (never a password)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return re.sub(r"//[^@/]*@", "//", url)
    host = str(info.get("host") or "localhost")
    if info.get("port"):
        host += f":{info['port']}"
    return f"{host}/{info.get('dbname') or info.get('user') or ''}"


def has_password(url: str) -> bool:
    """Whether ``url`` carries a password (which must never be written into qms.toml)."""
    return bool(parts(url).get("password"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # libpq prefixes: "connection failed: connection to server at …, port … failed: FATAL:  the cause"
    text = text.rsplit(" failed: ", 1)[-1]
    return re.sub(r"^(FATAL|ERROR):\s+", "", text).strip()


def _connect_cause(exc: BaseException) -> str:
    cause = _first_line(exc)
    lowered = cause.lower()
    if "no such file or directory" in lowered or "connection refused" in lowered:
        return f"no server is listening there ({cause})"
    if "timeout" in lowered:
        return f"the server did not answer ({cause})"
    if "password" in lowered and ("supplied" in lowered or "authentication failed" in lowered):
        return f"login refused ({cause}; give the password in ~/.pgpass, PGPASSWORD or PGSERVICE)"
    if "no pg_hba.conf entry" in lowered or "authentication" in lowered or "role" in lowered:
        return f"login refused ({cause})"
    if "does not exist" in lowered:
        return f"no such database there ({cause})"
    return cause


def _portable(sql: str) -> str:
    """Return ``sql`` with ``?`` placeholders as ``%s`` and a literal ``%`` doubled, quoted text kept."""
    out, quoted = [], False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
            out.append(ch)
        elif ch == "%":
            out.append("%%")
        elif ch == "?" and not quoted:
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


def _param(value: Any) -> Any:
    # The register keeps what SQLite keeps: flags as integers, dates as ISO text.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _value(value: Any) -> Any:
    # bytea comes back as bytes already; a memoryview (other loaders) is turned into bytes too.
    return bytes(value) if isinstance(value, memoryview) else value


def _rows(cur: Cursor) -> list[Row]:
    if cur.description is None:
        return []
    return [{k: _value(v) for k, v in row.items()} for row in cur.fetchall()]


class PostgresRegister(Register):
    """A register in one PostgreSQL database; a write transaction holds :data:`WRITE_LOCK`."""

    engine = "postgresql"

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.url = url
        self.where = describe(url)
        info = parts(url)
        extra: dict[str, Any] = {"application_name": "qmsdocs"}
        if "connect_timeout" not in info:
            extra["connect_timeout"] = CONNECT_TIMEOUT
        if readonly:
            # A reading command cannot change the register even by mistake (set as it connects:
            # no statement of its own).
            extra["options"] = (info.get("options", "") + " -c default_transaction_read_only=on").strip()
        try:
            self.conn = psycopg.connect(url, autocommit=True, row_factory=dict_row, **extra)
        except psycopg.Error as exc:
            raise UsageError(f"cannot connect to the register at {self.where}: {_connect_cause(exc)}") from None
        self.readonly = readonly
        #: Statements held back (:meth:`defer`, the start of a transaction), sent with the next one.
        self._held: list[tuple[str, Sequence[Any]]] = []
        self._open = False
        #: Reads of the open write transaction, by statement and parameters (see :meth:`_read_key`).
        self._reads: dict[tuple[str, tuple[Any, ...]], list[Row]] = {}

    # -- statements ----------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        key = self._read_key(sql, params)
        if key is not None and key in self._reads:
            return [dict(row) for row in self._reads[key]]
        if key is None:
            self._forget(sql)
        if self._held:
            rows = self._send([(sql, params)])[0][0]
        else:
            def call(cur: Cursor) -> list[Row]:
                self._execute(cur, sql, params)
                return _rows(cur)

            rows = self._run(call)
        if key is not None:
            self._reads[key] = [dict(row) for row in rows]
        return rows  # type: ignore[no-any-return]

    def _read_key(self, sql: str, params: Sequence[Any]) -> tuple[str, tuple[Any, ...]] | None:
        """Return the key under which a read in a write transaction is remembered, None for any other
        statement.

        Inside a write transaction nobody else writes (every writer holds :data:`WRITE_LOCK`), so a
        plain SELECT asked again before this connection writes gives the same rows: they are
        answered from memory, without a round trip (rendering asks for a document's revisions and
        signatures several times). A write forgets those it may change (:meth:`_forget`).
        """
        if not self._open or not _PLAIN_READ.match(sql) or _SIDE_EFFECT.search(sql):
            return None
        try:
            return sql, tuple(params)
        except TypeError:
            return None

    def _forget(self, sql: str) -> None:
        """Forget the remembered reads that statement ``sql`` may change: those naming the table it
        writes (a write changes no other table of the register: no triggers, no cascades), or all
        of them for any other statement."""
        written = _WRITE.match(sql)
        if written is None:
            self._reads.clear()
            return
        table = re.compile(rf"\b{re.escape(written.group(1))}\b", re.IGNORECASE)
        for key in [k for k in self._reads if table.search(k[0])]:
            del self._reads[key]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._forget(sql)
        if self._held:
            return self._send([(sql, params)])[0][1]

        def call(cur: Cursor) -> int:
            self._execute(cur, sql, params)
            return cur.rowcount

        return int(self._run(call))

    def batch(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        for sql, _ in statements:
            if not _PLAIN_READ.match(sql) or _SIDE_EFFECT.search(sql):
                self._forget(sql)
        return [rows for rows, _ in self._send(statements)]

    def defer(self, sql: str, params: Sequence[Any] = ()) -> None:
        if not self._open:
            self.execute(sql, params)
            return
        self._forget(sql)
        self._held.append((sql, params))

    def _send(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[tuple[list[Row], int]]:
        """Send the held statements and ``statements`` in one round trip (libpq's pipeline mode);
        return the rows and row count of each of ``statements``. The first error stops the rest."""
        todo = self._held + list(statements)
        self._held = []

        def call(cur: Cursor) -> list[tuple[list[Row], int]]:
            if len(todo) == 1:  # nothing to send along: no pipeline needed
                self._execute(cur, *todo[0])
                return [(_rows(cur), cur.rowcount)]
            cursors = []
            with self.conn.pipeline():
                for sql, params in todo:
                    cur = self.conn.cursor()
                    self._execute(cur, sql, params)
                    cursors.append(cur)
            out = [(_rows(cur), cur.rowcount) for cur in cursors[len(todo) - len(statements):]]
            for cur in cursors:
                cur.close()
            return out

        return self._run(call)  # type: ignore[no-any-return]

    @staticmethod
    def _execute(cur: Cursor, sql: str, params: Sequence[Any]) -> None:
        if params:
            cur.execute(_portable(sql), [_param(p) for p in params])  # type: ignore[arg-type]
        else:
            cur.execute(sql.encode("utf-8"))  # no parameters: nothing to translate, `%` stays as it is

    def _run(self, call: Any) -> Any:
        try:
            with self.conn.cursor() as cur:
                return call(cur)
        except pg_errors.LockNotAvailable:
            raise WorkspaceBusy(BUSY) from None
        except pg_errors.InsufficientPrivilege as exc:
            raise RegisterError(f"{self.where}: the server refused it: {_first_line(exc)}") from None
        except psycopg.OperationalError as exc:
            if self.conn.closed or self.conn.broken:
                raise RegisterError(f"{self.where}: the connection to the register was lost "
                                    f"({_first_line(exc)}); nothing of this command was recorded — try again") from None
            raise RegisterError(f"{self.where}: {_first_line(exc)}") from None
        except psycopg.Error as exc:
            raise RegisterError(f"{self.where}: {_first_line(exc)}") from None

    # -- transactions --------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        from qmsdocs.db.base import busy_timeout

        if self.readonly:
            raise RegisterError(f"{self.where}: opened for reading only")
        wait_ms = int(busy_timeout() * 1000)
        # One writer at a time, for the whole transaction: the trail never forks. The lock is
        # asked for with the transaction's first statement, in the same round trip.
        self._reads.clear()
        self._held = [("BEGIN", ()), (f"SET LOCAL lock_timeout = {wait_ms}", ()),
                      (f"SELECT pg_advisory_xact_lock({WRITE_LOCK})", ()), ("SET LOCAL lock_timeout = 0", ())]
        self._open = True
        try:
            yield
        except BaseException:
            self._held, self._open = [], False
            self._reads.clear()
            self._rollback()
            raise
        # Statements still held go with the COMMIT, in one round trip; an error of theirs is
        # reported as theirs, not as the commit's.
        started = self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        deferred = len(self._held) > (0 if started else 4)
        try:
            self._send([("COMMIT", ())])
        except WorkspaceBusy:
            self._rollback()
            raise
        except RegisterError as exc:
            self._rollback()
            if deferred:
                raise
            raise RegisterError(f"could not commit: {exc}") from None
        finally:
            self._held, self._open = [], False
            self._reads.clear()

    def _rollback(self) -> None:
        if self.conn.closed or self.conn.broken:
            return  # the server rolls back a transaction whose connection is gone
        if self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            return  # nothing was sent yet
        try:
            with self.conn.cursor() as cur:
                cur.execute("ROLLBACK")
        except psycopg.Error:
            pass  # the error being raised says more than a failed rollback

    @property
    def in_transaction(self) -> bool:
        return self._open or self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    # -- schema --------------------------------------------------------------------------------
    def tables(self) -> list[str]:
        """Return the tables of the register's schema (the connection's current schema)."""
        return [r["table_name"] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]

    def columns(self, table: str) -> list[str]:
        return [r["column_name"] for r in self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", (table,))]

    def schema_version(self) -> int:
        """Return the schema version; 0 for an empty database; UsageError for another program's tables."""
        if not self.in_transaction:
            # The usual case in one statement; a database without the table says so by an error.
            try:
                with self.conn.cursor() as cur:
                    cur.execute(f"SELECT version FROM {VERSION_TABLE}".encode())
                    row = cur.fetchone()
                return int(row["version"] or 0) if row else 0
            except pg_errors.UndefinedTable:
                pass
            except psycopg.Error:
                pass  # reported below, by the statements that name the cause
        names = self.tables()
        if VERSION_TABLE in names:
            return int(self.scalar(f"SELECT version FROM {VERSION_TABLE}") or 0)
        if not names:
            return 0
        shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        raise UsageError(f"{self.where}: the database holds tables of another program ({shown}), not a qmsdocs "
                         "register; give qmsdocs an empty database of its own")

    def set_schema_version(self, version: int) -> None:
        if self.execute(f"UPDATE {VERSION_TABLE} SET version = ?", (int(version),)) == 0:
            self.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES (?)", (int(version),))

    def run_script(self, ddl: str) -> None:
        if VERSION_TABLE not in self.tables():
            self.execute(f"CREATE TABLE {VERSION_TABLE} (version INTEGER NOT NULL)")
        # Text compares byte by byte, as in SQLite, whatever locale the database was made with.
        ddl = re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', ddl)
        ddl = ddl.replace("{id}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY").replace("{blob}", "BYTEA")
        for statement in ddl.split(";"):
            if statement.strip():
                self.execute(statement)

    def reset_ids(self, table: str) -> None:
        """Continue ``table``'s ids after its largest one (after rows were copied in with their ids)."""
        self.query(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")

    def close(self) -> None:
        try:
            self.conn.close()
        except psycopg.Error:
            pass
