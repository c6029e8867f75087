"""Fewer round trips to a server register: batches, writes held back for the commit, reads remembered
within a write transaction, and a reading connection that cannot write."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pgserver import Server
from qmsdocs.db import Register
from qmsdocs.db.schema import CURRENT, SCHEMA
from qmsdocs.errors import RegisterError


def _made(register: Register) -> Register:
    with register.transaction():
        register.run_script(SCHEMA)
        register.set_schema_version(CURRENT)
        register.execute("INSERT INTO counters (name, value) VALUES ('a', 1), ('b', 2)")
    return register


@pytest.fixture
def pg(pg_url: str) -> Iterator[Register]:
    from qmsdocs.db.postgresql import PostgresRegister

    register = _made(PostgresRegister(pg_url))
    yield register
    register.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def register(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Register]:
    if request.param == "sqlite":
        from qmsdocs.db.sqlite import SQLiteRegister

        made = _made(SQLiteRegister(tmp_path / "register.sqlite"))
        yield made
        made.close()
    else:
        yield request.getfixturevalue("pg")


def _value(url: str, name: str) -> int | None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT value FROM counters WHERE name = %s", (name,)).fetchone()
    return None if row is None else row[0]


def test_a_batch_answers_each_statement_in_order(register: Register) -> None:
    with register.transaction():
        got = register.batch([("SELECT value FROM counters WHERE name = ?", ("b",)),
                              ("SELECT name FROM counters ORDER BY name", ()),
                              ("SELECT value FROM counters WHERE name = ?", ("none",))])
    assert got == [[{"value": 2}], [{"name": "a"}, {"name": "b"}], []]
    assert register.batch([("SELECT value FROM counters WHERE name = ?", ("a",))]) == [[{"value": 1}]]


def test_a_held_back_write_commits_with_the_transaction(register: Register) -> None:
    with register.transaction():
        register.defer("INSERT INTO counters (name, value) VALUES (?, ?)", ("c", 3))
        register.defer("UPDATE counters SET value = value + 10 WHERE name = ?", ("a",))
    assert register.query("SELECT name, value FROM counters ORDER BY name") == [
        {"name": "a", "value": 11}, {"name": "b", "value": 2}, {"name": "c", "value": 3}]
    register.defer("UPDATE counters SET value = 0 WHERE name = ?", ("b",))  # outside a transaction: at once
    assert register.scalar("SELECT value FROM counters WHERE name = 'b'") == 0


def test_a_held_back_write_is_sent_with_the_next_statement(pg: Register, pg_url: str) -> None:
    with pytest.raises(RegisterError) as info:
        with pg.transaction():
            pg.defer("INSERT INTO counters (name, value) VALUES (?, ?)", ("c", None))
            pg.defer("UPDATE counters SET value = 99 WHERE name = ?", ("a",))
            assert _value(pg_url, "c") is None  # nothing of it reached the server yet
            pg.query("SELECT 1 AS x")  # goes with them, and the first error stops the rest
    assert str(info.value) == (f"{pg.where}: null value in column \"value\" of relation \"counters\" violates "
                               "not-null constraint")
    assert (_value(pg_url, "a"), _value(pg_url, "c"), pg.in_transaction) == (1, None, False)


def test_an_error_of_a_held_back_write_is_its_own_at_the_commit(pg: Register, pg_url: str) -> None:
    with pytest.raises(RegisterError) as info:
        with pg.transaction():
            pg.execute("UPDATE counters SET value = 5 WHERE name = ?", ("b",))
            pg.defer("INSERT INTO counters (name, value) VALUES (?, ?)", ("a", 7))
    assert str(info.value) == (f"{pg.where}: duplicate key value violates unique constraint \"counters_pkey\"")
    assert (_value(pg_url, "a"), _value(pg_url, "b"), pg.in_transaction) == (1, 2, False)
    with pg.transaction():  # the connection goes on
        pg.execute("UPDATE counters SET value = 6 WHERE name = ?", ("b",))
    assert _value(pg_url, "b") == 6


def test_reads_in_a_write_transaction_follow_its_own_writes(register: Register) -> None:
    read = ("SELECT name, value FROM counters WHERE name = ?", ("a",))
    with register.transaction():
        first = register.query(*read)
        first[0]["value"] = 1000  # what a caller does with its rows never changes the next answer
        assert register.query(*read) == [{"name": "a", "value": 1}]
        register.execute("UPDATE counters SET value = 2 WHERE name = ?", ("a",))
        assert register.query(*read) == [{"name": "a", "value": 2}]
        register.next_value("a")
        assert register.one(*read) == {"name": "a", "value": 3}
        register.defer("UPDATE counters SET value = 4 WHERE name = ?", ("a",))
        assert register.one(*read) == {"name": "a", "value": 4}
    assert register.one(*read) == {"name": "a", "value": 4}


def test_a_read_asked_again_in_a_write_transaction_is_answered_from_memory(pg: Register, pg_url: str,
                                                                           pg_server: Server) -> None:
    import psycopg

    read = ("SELECT value FROM counters WHERE name = ?", ("b",))
    with pg.transaction():
        assert pg.scalar(*read) == 2
        # A change committed meanwhile by a connection that does not take the write lock (no qmsdocs
        # writer does that) is not asked for again until this transaction ends.
        with psycopg.connect(pg_url, autocommit=True) as other:
            other.execute("UPDATE counters SET value = 20 WHERE name = 'b'")
        assert pg.scalar(*read) == 2
        assert pg.scalar("SELECT value + 0 AS value FROM counters WHERE name = ?", ("b",)) == 20
        pg.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'x')")  # another table: still remembered
        assert pg.scalar(*read) == 2
        pg.execute("UPDATE counters SET value = value WHERE name = 'a'")  # this table: asked again
        assert pg.scalar(*read) == 20
    assert pg.scalar(*read) == 20


def test_a_reading_connection_cannot_write(pg_url: str, pg: Register) -> None:
    from qmsdocs.db.postgresql import PostgresRegister

    reader = PostgresRegister(pg_url + "&options=-c%20statement_timeout%3D5000", readonly=True)
    try:
        assert reader.scalar("SHOW statement_timeout") == "5s"  # options of the URL are kept
        assert reader.schema_version() == CURRENT
        with pytest.raises(RegisterError) as info:
            reader.execute("UPDATE counters SET value = 0")
        assert str(info.value) == f"{reader.where}: cannot execute UPDATE in a read-only transaction"
    finally:
        reader.close()
    assert _value(pg_url, "a") == 1


def test_an_empty_database_and_a_register_give_their_schema_versions(pg_url: str, pg_server: Server) -> None:
    from qmsdocs.db.postgresql import PostgresRegister

    empty = PostgresRegister(pg_server.url(pg_server.create_database()))
    try:
        assert empty.schema_version() == 0
    finally:
        empty.close()
    made = _made(PostgresRegister(pg_url))
    try:
        assert made.schema_version() == CURRENT
        with made.transaction():
            assert made.schema_version() == CURRENT  # inside a transaction too
    finally:
        made.close()


@pytest.mark.parametrize("before", ["enabled", "disabled"])
def test_the_driver_is_imported_without_collecting_garbage(before: str) -> None:
    import subprocess
    import sys

    code = f"""
import gc, sys
seen = []
gc.callbacks.append(lambda phase, info: phase == "start" and seen.append(
    sum(1 for m in list(sys.modules) if m.startswith("psycopg"))))
gc.set_threshold(100)  # collections all along the import, unless paused
if {before == "disabled"}:
    gc.disable()
import qmsdocs.db.postgresql
loaded = sum(1 for m in sys.modules if m.startswith("psycopg"))
print(gc.isenabled(), loaded > 50, sorted(set(seen) - {{0, loaded}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # No collection ran while psycopg's modules were loading, and the collector is as it was.
    assert done.stdout == f"{before == 'enabled'} True []\n"
