"""The register's tables, shared by every engine, and the schema version this qmsdocs writes.

Version 3 was the register of qmsdocs 0.1 (SQLite only); :mod:`qmsdocs.upgrade` turns it into
version 4. A later change adds a step to :data:`STEPS` and its upgrade.
"""
from __future__ import annotations

#: The schema version of a register this qmsdocs creates.
CURRENT = 4

#: The tables whose rows carry state; each change of them is written to the audit trail as a full
#: row image, and ``qms log --verify`` compares every row with its latest image.
TRACKED = ("documents", "revisions", "signatures", "renders", "copies", "people", "reviews", "settings")

#: Columns whose value the trail keeps only as a digest (a credential is never copied into the trail).
DIGESTED = {"people": ("pw_hash", "enrol_hash")}

SCHEMA = """
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE documents (
    id {id},
    doc_no TEXT NOT NULL UNIQUE,
    doc_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    created_on TEXT NOT NULL,
    obsolete_on TEXT,
    obsolete_by TEXT,
    obsolete_reason TEXT
);
CREATE TABLE revisions (
    id {id},
    document_id INTEGER NOT NULL REFERENCES documents(id),
    major INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    change_no TEXT,
    change_key TEXT,
    changed_by TEXT,
    summary TEXT NOT NULL,
    pages TEXT,
    created_on TEXT NOT NULL,
    approved_on TEXT,
    release_date TEXT,
    effective_date TEXT,
    withdrawn_on TEXT,
    input_name TEXT,
    input_sha256 TEXT,
    bundle_sha256 TEXT NOT NULL,
    taken_over INTEGER NOT NULL DEFAULT 0,
    UNIQUE (document_id, major, minor)
);
CREATE TABLE signatures (
    id {id},
    revision_id INTEGER NOT NULL REFERENCES revisions(id),
    role TEXT NOT NULL,
    person_id INTEGER,
    account TEXT,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    mode TEXT NOT NULL,
    recorded_by TEXT,
    void_reason TEXT
);
CREATE TABLE renders (
    id {id},
    revision_id INTEGER NOT NULL REFERENCES revisions(id),
    what TEXT NOT NULL,
    state TEXT NOT NULL,
    copy_no TEXT,
    sha256 TEXT NOT NULL,
    rendered_on TEXT NOT NULL
);
CREATE TABLE copies (
    id {id},
    copy_no TEXT NOT NULL UNIQUE,
    revision_id INTEGER NOT NULL REFERENCES revisions(id),
    seq INTEGER NOT NULL,
    holder TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    recalled_on TEXT,
    recalled_by TEXT,
    sha256 TEXT NOT NULL
);
CREATE TABLE people (
    id {id},
    account TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    roles TEXT NOT NULL,
    active INTEGER NOT NULL,
    locked INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    pw_hash TEXT,
    enrol_hash TEXT,
    enrol_expires TEXT,
    created_on TEXT NOT NULL
);
CREATE TABLE reviews (
    id {id},
    document_id INTEGER NOT NULL REFERENCES documents(id),
    revision_id INTEGER NOT NULL REFERENCES revisions(id),
    result TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_on TEXT NOT NULL
);
CREATE TABLE settings (
    id {id},
    name TEXT NOT NULL UNIQUE,
    value TEXT NOT NULL
);
CREATE TABLE objects (
    sha256 TEXT PRIMARY KEY,
    data {blob} NOT NULL
);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    format INTEGER NOT NULL,
    at TEXT NOT NULL,
    today TEXT NOT NULL,
    actor TEXT NOT NULL,
    account TEXT,
    os_user TEXT NOT NULL,
    action TEXT NOT NULL,
    doc_no TEXT,
    version TEXT,
    changes TEXT NOT NULL,
    reason TEXT,
    rows TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX revisions_document ON revisions (document_id);
CREATE INDEX signatures_revision ON signatures (revision_id);
CREATE INDEX renders_sha ON renders (sha256);
CREATE INDEX renders_revision ON renders (revision_id)
"""
