"""The register: one SQLite database per workspace, its schema and its migrations.

Every command that changes something runs in one ``BEGIN IMMEDIATE`` transaction, so two
``qms`` processes never interleave: the second waits (up to the busy timeout) and then sees
the first one's numbers and signatures.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qmsdocs.errors import UsageError, WorkspaceBusy

REGISTER_NAME = "register.sqlite"

#: Schema migrations, applied in order; ``PRAGMA user_version`` counts those applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        doc_no TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        code TEXT NOT NULL,
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        created_on TEXT NOT NULL,
        obsolete_on TEXT,
        obsolete_by TEXT,
        obsolete_reason TEXT,
        UNIQUE (code, year, seq)
    );
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        major INTEGER NOT NULL,
        minor INTEGER NOT NULL,
        version TEXT NOT NULL,
        title TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'effective', 'superseded', 'obsolete')),
        change_no TEXT UNIQUE,
        changed_by TEXT,
        summary TEXT NOT NULL,
        pages TEXT,
        created_on TEXT NOT NULL,
        release_date TEXT,
        effective_date TEXT,
        input_name TEXT,
        input_sha256 TEXT,
        content_sha256 TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        UNIQUE (document_id, major, minor)
    );
    CREATE TABLE signatures (
        id INTEGER PRIMARY KEY,
        revision_id INTEGER NOT NULL REFERENCES revisions(id),
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        date TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        signed_at TEXT NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        os_user TEXT NOT NULL,
        action TEXT NOT NULL,
        doc_no TEXT,
        version TEXT,
        changes TEXT NOT NULL,
        reason TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX revisions_document ON revisions (document_id);
    CREATE INDEX signatures_revision ON signatures (revision_id);
    """,
    # 2: every file ever rendered for a revision (draft renderings, released file, controlled copies),
    # so `qms verify` can say what an old file is; numbered controlled copies and their recall.
    """
    CREATE TABLE copies (
        id INTEGER PRIMARY KEY,
        copy_no TEXT NOT NULL UNIQUE,
        revision_id INTEGER NOT NULL REFERENCES revisions(id),
        seq INTEGER NOT NULL,
        holder TEXT NOT NULL,
        issued_on TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        recalled_on TEXT,
        recalled_by TEXT,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL
    );
    CREATE TABLE renders (
        id INTEGER PRIMARY KEY,
        revision_id INTEGER NOT NULL REFERENCES revisions(id),
        status TEXT NOT NULL,
        copy_no TEXT,
        sha256 TEXT NOT NULL,
        rendered_on TEXT NOT NULL
    );
    CREATE INDEX renders_sha ON renders (sha256);
    CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        count INTEGER NOT NULL,
        hash TEXT NOT NULL
    );
    INSERT INTO renders (revision_id, status, sha256, rendered_on)
        SELECT id, status, sha256, created_on FROM revisions;
    INSERT INTO audit_head (id, count, hash)
        SELECT 1, COUNT(*), COALESCE((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '') FROM audit;
    """,
    # 3: commit tokens, so a command that died after committing can have its files put in place.
    """
    CREATE TABLE commits (token TEXT PRIMARY KEY);
    """,
)


def busy_timeout() -> float:
    """Return how many seconds a command waits for another one holding the workspace."""
    try:
        return max(0.1, float(os.environ.get("QMS_BUSY_TIMEOUT", "60")))
    except ValueError:
        return 60.0


def connect(path: Path) -> sqlite3.Connection:
    """Return a connection to the register at ``path``, migrated to the current schema."""
    conn = sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise UsageError(f"{path}: register schema {version} is newer than this qmsdocs knows; upgrade qmsdocs")
        if version < len(MIGRATIONS):
            with transaction(conn):
                # Re-read under the write lock: another process may have migrated meanwhile.
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                for number in range(version, len(MIGRATIONS)):
                    for statement in MIGRATIONS[number].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {number + 1}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise WorkspaceBusy(_BUSY) from None
        raise UsageError(f"{path}: not a qmsdocs register ({exc})") from None
    return conn


_BUSY = "workspace busy: another qms command kept it locked too long; try again (QMS_BUSY_TIMEOUT sets the wait)"


def valid_signatures(conn: sqlite3.Connection, revision: sqlite3.Row) -> list[sqlite3.Row]:
    """Return a revision's signatures given on its current content, in signing order.

    A signature vouches for the content hash it was given on; one given before the content
    changed no longer counts, so every reader of signatures goes through here.
    """
    return conn.execute("SELECT * FROM signatures WHERE revision_id = ? AND content_sha256 = ? ORDER BY id",
                        (revision["id"], revision["content_sha256"])).fetchall()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one immediate (write-locked) transaction; roll back on any exception."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise WorkspaceBusy(_BUSY) from None
        raise
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
