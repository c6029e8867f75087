"""The life of a controlled document: new → (update | reject)* → sign… → release → revise → … → obsolete.

Each public function is one writing command (:func:`qmsdocs.command.run`): one transaction, one
trail entry, its renders stored as objects before the commit, its views written after. Every
refusal is a RuleError (exit 1) that changes nothing, except that a wrong password is recorded.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path
from typing import Any

from qmsdocs import clock, kinds, numbering, people
from qmsdocs.bundle import Bundle, settings_of
from qmsdocs.command import Command, run
from qmsdocs.db import Register, Row
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.i18n import N_, _
from qmsdocs.labels import labels
from qmsdocs.names import ROLES, name_key, role_of
from qmsdocs.rendering import render_revision, revisions_of, valid_signatures
from qmsdocs.status import derive, in_force, open_draft, pending_approval
from qmsdocs.store import sha256_bytes
from qmsdocs.text import check_option
from qmsdocs.workspace import Workspace


def required_text(name: str, value: str | None) -> str:
    check_option(name, value)
    if value is None or not value.strip():
        raise UsageError(_("option {name} must not be empty").format(name=name))
    return value.strip()


# -- look-ups --------------------------------------------------------------------------------
def document_row(register: Register, doc_no: str) -> Row:
    """Return the document numbered ``doc_no`` (case and surrounding space ignored).

    An unknown number is refused with the nearest numbers the register holds.
    """
    row = register.one("SELECT * FROM documents WHERE doc_key = ?", (name_key(doc_no or ""),))
    if row is None:
        known = [r["doc_no"] for r in register.query("SELECT doc_no FROM documents ORDER BY doc_no")]
        near = difflib.get_close_matches((doc_no or "").strip().upper(), known, n=3, cutoff=0.6)
        hint = _("; did you mean {numbers}?").format(numbers=_(" or ").join(near)) if near else _("; see: qms list")
        raise UsageError(_("unknown document {doc_no}{hint}").format(doc_no=(doc_no or "").strip(), hint=hint))
    return row


def recorded_control(register: Register) -> dict[str, Any]:
    """Return the control settings recorded in the register (``qms config apply``)."""
    return {r["name"]: json.loads(r["value"]) for r in register.query("SELECT name, value FROM settings")}


def check_control(ws: Workspace) -> dict[str, Any]:
    """Return the recorded control settings; RuleError while qms.toml says otherwise."""
    recorded = recorded_control(ws.register)
    wanted = ws.config.control()
    differ = [k for k, v in wanted.items() if recorded.get(k) != v]
    if differ:
        raise RuleError(_("qms.toml changes control settings that are not recorded yet ({settings}); an administrator "
                          "records them with: qms config apply --by ADMIN").format(settings=", ".join(differ)))
    return recorded


def _actor(ws: Workspace, by: str | None, password: people.Password, purpose: str) -> Row | None:
    """Return the rostered person ``by`` (authenticated in electronic mode), or None when not given."""
    if by is None:
        return None
    check_option("--by", by)
    if ws.config.signature_mode == "electronic":
        return people.authenticate(ws, by, password, purpose)
    person = people.find(ws, by)
    if not person["active"]:
        raise RuleError(_("{person} is disabled").format(person=people.Person.of(person).label()))
    return person


def _who(person: Row | None, fallback: str | None = None) -> tuple[str | None, str | None]:
    if person is None:
        return fallback, None
    return person["name"], person["account"]


def settle(cmd: Command, document_id: int) -> None:
    """Write the derived statuses of a document's revisions to the register (an approved one that took effect)."""
    revisions = revisions_of(cmd.ws.register, document_id)
    for rev in revisions:
        now = derive(revisions, clock.today())[rev["id"]]
        if now != rev["status"]:
            cmd.update("revisions", int(rev["id"]), {"status": now})


def _store_render(cmd: Command, rev: Row, state: str, as_of: dt.date, copy_no: str = "") -> str:
    data = render_revision(cmd.ws, rev, state, cmd.start, as_of, copy_no)
    sha = cmd.put(data)
    cmd.insert("renders", {"revision_id": rev["id"], "what": "copy" if copy_no else "revision", "state": state,
                           "copy_no": copy_no or None, "sha256": sha, "rendered_on": clock.today().isoformat()})
    return sha


def _store_log(cmd: Command, document_id: int, as_of: dt.date) -> str | None:
    from qmsdocs.revlog import render_log

    revisions = [r for r in revisions_of(cmd.ws.register, document_id) if r["status"] != "withdrawn"]
    if not revisions:
        return None
    latest = revisions[-1]
    state = derive(revisions, as_of)[latest["id"]]
    data = render_log(cmd.ws, document_id, as_of, cmd.start)
    sha = cmd.put(data)
    cmd.insert("renders", {"revision_id": latest["id"], "what": "revlog", "state": state, "copy_no": None,
                           "sha256": sha, "rendered_on": clock.today().isoformat()})
    return sha


def _revision(register: Register, rev_id: int) -> Row:
    row = register.one("SELECT * FROM revisions WHERE id = ?", (rev_id,))
    assert row is not None
    return row


def revision_dict(ws: Workspace, doc: Row, rev: Row) -> dict[str, Any]:
    """Return the JSON shape of a revision that a command created or changed."""
    statuses = derive(revisions_of(ws.register, doc["id"]), clock.today())
    return {
        "doc_no": doc["doc_no"], "type": doc["kind"], "title": rev["title"], "version": rev["version"],
        "status": statuses.get(rev["id"], rev["status"]), "change_no": rev["change_no"],
        "effective_date": rev["effective_date"], "content_sha256": rev["bundle_sha256"],
        "path": str(ws.path(ws.document_view(doc["doc_no"], rev["version"])).resolve()),
        "sha256": _view_sha(ws, rev, statuses.get(rev["id"], rev["status"])),
    }


def _view_sha(ws: Workspace, rev: Row, state: str | None) -> str | None:
    rows = ws.register.query("SELECT sha256, state FROM renders WHERE revision_id = ? AND what = 'revision' "
                             "ORDER BY id", (rev["id"],))
    match = [r for r in rows if r["state"] == state] or rows
    return match[-1]["sha256"] if match else None


# -- freezing --------------------------------------------------------------------------------
def _read_input(ws: Workspace, kind: kinds.Kind, given: str | Path, **options: Any) -> kinds.Input:
    """Return the input of ``kind`` read from the file the user gave (``--data`` or ``--body``)."""
    return kind.read(Path(given), str(given), **options)


def _input_of(kind: kinds.Kind, data: str | Path | None, body: str | Path | None) -> str | Path | None:
    """Return the input file given for ``kind``; UsageError if the other option was used for it."""
    if kind.input_option == "--data":
        if body is not None:
            raise UsageError(_("{kind} documents are made from a workbook: give --data FILE.xlsx, not --body").format(
                kind=kind.name))
        return data
    if data is not None:
        raise UsageError(_("{kind} documents are Word documents: give --body FILE.docx, not --data").format(
            kind=kind.name))
    return body


def _template_bytes(ws: Workspace, kind: str) -> bytes:
    path = ws.template_for(kind)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(_("{path}: the {kind} template cannot be read ({cause})").format(
            path=path, kind=kind, cause=exc.strerror or exc)) from None


def _settings(ws: Workspace, kind: kinds.Kind) -> dict[str, Any]:
    """Return the frozen settings of a new bundle of ``kind`` (a body kind's cover label with them)."""
    settings = settings_of(ws.config)
    if not kind.uses_template:
        settings["kind_label"] = [kind.label("zh"), kind.label("en")]
    return settings


def _freeze(cmd: Command, kind: str, title: str, summary: str, pages: str, input_name: str, blob: bytes | None,
            base: Bundle | None, *, given: kinds.Input | None = None, cover: str | None = None,
            history: tuple[tuple[str, ...], ...] | None = None,
            source: tuple[str, str] | None = None) -> tuple[str, Bundle]:
    """Store the input, templates and bundle of a revision; return the bundle's sha256 and the bundle.

    ``base`` is the bundle whose templates and settings are kept (``revise``); without it today's
    are frozen. A body's cover choice and taken-over history carry over from ``base`` unless given.
    """
    ws = cmd.ws
    kind_obj = kinds.get(kind, ws.config) if base is None else kinds.of_bundle(base)
    input_sha = cmd.put(blob) if blob is not None else (base.input_sha256 if base else "")
    if given is not None and given.source is not None:
        source = (given.source_name, cmd.put(given.source))
    elif source is None:
        source = (base.source_name, base.source_sha256) if base is not None and blob is None else ("", "")
    source_name, source_sha = source
    if base is not None and (base.template_sha256 or not kind_obj.uses_template):
        template_sha, revlog_sha, settings = base.template_sha256, base.revlog_template_sha256, base.settings
    else:
        template_sha = ""
        if kind_obj.uses_template:
            template_sha = cmd.put(_template_bytes(ws, kind))
            # Messages about a template name the file it was frozen from.
            ws.template_names[template_sha] = str(ws.template_for(kind))
        revlog_sha = cmd.put(_template_bytes(ws, "revlog"))
        ws.template_names[revlog_sha] = str(ws.template_for("revlog"))
        settings = _settings(ws, kind_obj)
    bundle = Bundle(kind=kind, title=title, summary=summary, pages=pages or "", input_name=input_name,
                    input_sha256=input_sha, template_sha256=template_sha, revlog_template_sha256=revlog_sha,
                    settings=settings, cover=cover or (base.cover if base else "standard"),
                    source_name=source_name, source_sha256=source_sha,
                    history=history if history is not None else (base.history if base else ()))
    return cmd.put(bundle.encode()), bundle


def _workbook_used(register: Register, input_sha: str) -> str | None:
    row = register.one("SELECT d.doc_no FROM revisions r JOIN documents d ON d.id = r.document_id "
                       "WHERE r.input_sha256 = ? ORDER BY r.id LIMIT 1", (input_sha,))
    return None if row is None else row["doc_no"]


# -- commands --------------------------------------------------------------------------------
def new(ws: Workspace, doc_type: str, data: str | Path | None = None, title: str | None = None, *,
        body: str | Path | None = None, cover: str | None = None, accept_changes: bool = False,
        drop_comments: bool = False, doc_no: str | None = None, version: str | None = None,
        effective: str | None = None, history: str | Path | None = None, by: str | None = None,
        password: people.Password = None) -> dict[str, Any]:
    """Create a document of ``doc_type``: next number, revision 1.0 (A/0) as draft.

    A workbook kind reads ``data``; a Word-body kind frames ``body``. With ``doc_no``, ``version``
    and ``effective`` an existing controlled document is registered at its number and version as
    the effective revision (``history``: its earlier revision record, taken over).
    """
    check_option("--title", title)
    if title is not None and not title.strip():
        raise UsageError(_("option {name} must not be empty").format(name="--title"))
    kind = kinds.get(doc_type, ws.config)
    given_file = _input_of(kind, data, body)
    body_options = {"--cover": cover, "--accept-changes": accept_changes or None,
                    "--drop-comments": drop_comments or None, "--doc-no": doc_no, "--version": version,
                    "--effective": effective, "--history": history}
    for option, value in body_options.items():
        if value is not None and option.lstrip("-").replace("-", "_") not in kind.options:
            raise UsageError(_("option {option} is not for {kind} documents").format(option=option, kind=doc_type))
    if given_file is None:
        raise UsageError((_("missing option {option}: the workbook a {kind} document is made from")
                          if kind.input_option == "--data" else
                          _("missing option {option}: the Word document a {kind} document is made from")).format(
            option=kind.input_option, kind=doc_type))
    if cover is not None and cover not in ("standard", "none"):
        raise UsageError(_("option --cover: {cover!r} is not one of: standard, none").format(cover=cover))
    existing = None
    if doc_no is not None or version is not None or effective is not None or history is not None:
        existing = _existing(ws, doc_no, version, effective, history)
    check_control(ws)
    given = _read_input(ws, kind, given_file, accept_changes=accept_changes, drop_comments=drop_comments)
    parsed, blob, warnings = given.parsed, given.frozen, given.warnings
    actor = _actor(ws, by, password, "creating a document")
    language = ws.config.language
    title = title or kind.title_of(parsed) or kind.default_title(language)
    if not title:
        raise UsageError(_("option --title is required for a {kind} document (the title its cover shows)").format(
            kind=doc_type))
    title = title.strip()
    today = clock.today()
    used = _workbook_used(ws.register, sha256_bytes(blob))
    if used:
        what = _("workbook") if kind.input_option == "--data" else _("Word document")
        warnings.append(_("{file}: this {what} was already used for {used}; this makes a second document from "
                          "it").format(file=Path(given_file).name, what=what, used=used))
    with run(ws) as cmd:
        if existing is None:
            doc_no, code, seq = numbering.next_number(ws.register, ws.config, doc_type, today.year)
            year, (major, minor) = today.year, (1, 0)
            rows: tuple[tuple[str, ...], ...] = ()
        else:
            doc_no, (major, minor), effective_day, rows = existing
            _check_number_free(ws.register, doc_no)
            code, seq, year = ws.config.codes[doc_type], 0, effective_day.year
        doc_id = cmd.insert("documents", {"doc_no": doc_no, "doc_key": name_key(doc_no), "kind": doc_type,
                                          "code": code, "year": year, "seq": seq,
                                          "created_on": today.isoformat()})
        version = numbering.version_label(ws.config.scheme, major, minor)
        L = labels(language)
        summary = L["initial_issue"] if existing is None else (TAKEN_OVER_SUMMARY[language])
        bundle_sha, bundle = _freeze(cmd, doc_type, title, summary, "", given.name, blob, None, given=given,
                                     cover=cover, history=rows)
        ws.parsed[bundle.input_sha256] = parsed
        row = {"document_id": doc_id, "major": major, "minor": minor, "version": version, "title": title,
               "status": "draft", "summary": summary, "created_on": today.isoformat(), "input_name": given.name,
               "input_sha256": bundle.input_sha256, "bundle_sha256": bundle_sha}
        if existing is not None:
            day = existing[2].isoformat()
            row |= {"status": "effective" if existing[2] <= today else "approved", "approved_on": day,
                    "release_date": today.isoformat(), "effective_date": day, "taken_over": 1,
                    "created_on": min(day, today.isoformat())}
        rev_id = cmd.insert("revisions", row)
        rev = _revision(ws.register, rev_id)
        if existing is None:
            _store_render(cmd, rev, "draft", today)
        else:
            if existing[2] > today:
                _store_render(cmd, rev, "approved", today)
            _store_render(cmd, rev, "effective", max(existing[2], today))
        _store_log(cmd, doc_id, today)
        name, account = _who(actor)
        if actor is not None:
            people.clear_failures(cmd, actor)
        changes: dict[str, Any] = {"status": [None, row["status"]], "title": title, "content_sha256": bundle_sha}
        if existing is not None:
            changes |= {"taken_over": True, "effective_date": row["effective_date"], "history_rows": len(rows)}
        cmd.record("new", changes, actor=name, account=account, doc_no=doc_no, version=version)
        cmd.touch(doc_id)
    doc = document_row(ws.register, doc_no)
    return revision_dict(ws, doc, rev) | {"warnings": warnings + cmd.warnings}


#: The summary of a revision registered at its existing number and version.
TAKEN_OVER_SUMMARY = {"zh": "原受控文件纳入管理", "en": "Existing controlled document taken over"}


def _existing(ws: Workspace, doc_no: str | None, version: str | None, effective: str | None,
              history: str | Path | None) -> tuple[str, tuple[int, int], dt.date, tuple[tuple[str, ...], ...]]:
    """Return (number, (major, minor), effective date, history rows) of a document registered as it exists."""
    missing = [o for o, v in (("--doc-no", doc_no), ("--version", version), ("--effective", effective)) if not v]
    if missing:
        raise UsageError(_("registering an existing document needs --doc-no, --version and --effective; "
                           "missing: {missing}").format(missing=", ".join(missing)))
    assert doc_no is not None and version is not None and effective is not None
    # Normalized first: a full-width slash (U+FF0F) becomes the "/" a file name cannot hold.
    doc_no = _plain_number(required_text("--doc-no", doc_no))
    if len(doc_no) > 64 or any(c in doc_no for c in '\\/:*?"<>|') or any(c.isspace() for c in doc_no):
        raise UsageError(_("option --doc-no: {doc_no!r} must be at most 64 characters, without spaces or "
                           "characters a file name cannot hold").format(doc_no=doc_no))
    number = numbering.parse_version(ws.config.scheme, version.strip(), "--version")
    day = clock.parse_date(effective, "--effective")
    rows: tuple[tuple[str, ...], ...] = ()
    if history is not None:
        from qmsdocs.kinds.history import read_history

        rows = read_history(Path(history), str(history), ws.config.scheme, number)
    _check_number_free(ws.register, doc_no)
    return doc_no, number, day, rows


#: Dashes that look like the hyphen-minus of a document number (NFKC keeps them apart from it).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58"


def _plain_number(doc_no: str) -> str:
    """Return an existing document number as it is registered: full-width forms as ASCII (NFKC).

    Refuse (UsageError) invisible characters and dashes that only look like a hyphen: the same
    number typed with them would register a second document under a look-alike number.
    """
    import unicodedata

    for index, c in enumerate(doc_no):
        if unicodedata.category(c) in ("Cf", "Cc"):
            raise UsageError(f"option --doc-no: {doc_no!r} holds the invisible character U+{ord(c):04X} at "
                             f"position {index + 1}; type the number as printed")
        if c in _DASHES:
            raise UsageError(f"option --doc-no: {doc_no!r} holds the dash U+{ord(c):04X} "
                             f"({unicodedata.name(c).lower()}) at position {index + 1}; type the hyphen-minus (-)")
    return unicodedata.normalize("NFKC", doc_no)


def _check_number_free(register: Register, doc_no: str) -> None:
    """Refuse a document number the register holds already, however it is typed."""
    row = register.one("SELECT doc_no, kind FROM documents WHERE doc_key = ?", (name_key(doc_no),))
    if row is not None:
        raise RuleError(_("document number {doc_no} is already registered ({registered}, a {kind} document); "
                          "see: qms show {registered}").format(doc_no=doc_no, registered=row["doc_no"],
                                                               kind=row["kind"]))


def revise(ws: Workspace, doc_no: str, change_no: str, by: str, summary: str, data: str | Path | None = None,
           pages: str | None = None, major: bool = False, password: people.Password = None, *,
           body: str | Path | None = None, accept_changes: bool = False,
           drop_comments: bool = False) -> dict[str, Any]:
    """Open a new draft revision of an effective document under a change-order number.

    Without new input (``data`` for a workbook kind, ``body`` for a Word-body kind) the
    previous revision's is kept.
    """
    change_no, summary = required_text("--change-no", change_no), required_text("--summary", summary)
    by = required_text("--by", by)
    check_option("--pages", pages)
    check_control(ws)
    doc = document_row(ws.register, doc_no)
    _check_change_no(ws.register, change_no, doc["id"])  # refused before a password is asked
    given, warnings = _new_input(ws, doc, data, body, accept_changes, drop_comments)
    parsed, blob = (given.parsed, given.frozen) if given is not None else (None, None)
    actor = _rostered_or_named(ws, by, password, "revising a document")
    today = clock.today()
    with run(ws) as cmd:
        doc = document_row(ws.register, doc_no)
        doc_no = doc["doc_no"]
        if doc["obsolete_on"]:
            raise RuleError(_("{doc_no} is obsolete; it cannot be revised").format(doc_no=doc_no))
        settle(cmd, doc["id"])
        revisions = revisions_of(ws.register, doc["id"])
        draft = open_draft(revisions)
        if draft is not None:
            raise RuleError(_("{doc_no} already has an open draft revision {version}; release or withdraw it before "
                              "revising again").format(doc_no=doc_no, version=draft["version"]))
        waiting = pending_approval(revisions, today)
        if waiting is not None:
            raise RuleError(_("{doc_no} version {version} is approved and takes effect on {date}; revise it after "
                              "that date").format(doc_no=doc_no, version=waiting["version"],
                                                  date=waiting["effective_date"]))
        base = in_force(revisions, today)
        if base is None:
            raise RuleError(_("{doc_no} has no effective revision to revise; release its draft first").format(
                doc_no=doc_no))
        _check_change_no(ws.register, change_no, doc["id"])
        # After the newest revision ever opened: a withdrawn draft keeps its version number.
        top = max(revisions, key=lambda r: (r["major"], r["minor"]))
        major_no, minor_no = numbering.next_version(top["major"], top["minor"], major)
        version = numbering.version_label(ws.config.scheme, major_no, minor_no)
        from qmsdocs import bundle as bundle_mod

        base_bundle = bundle_mod.load(ws.store, base["bundle_sha256"])
        input_name = given.name if given is not None else base["input_name"]
        bundle_sha, bundle = _freeze(cmd, doc["kind"], base["title"], summary, pages or "", input_name, blob,
                                     base_bundle, given=given)
        if parsed is not None:
            ws.parsed[bundle.input_sha256] = parsed
        name, account = _who(actor, by)
        rev_id = cmd.insert("revisions", {
            "document_id": doc["id"], "major": major_no, "minor": minor_no, "version": version,
            "title": base["title"], "status": "draft", "change_no": change_no, "change_key": name_key(change_no),
            "changed_by": name, "summary": summary, "pages": pages, "created_on": today.isoformat(),
            "input_name": input_name, "input_sha256": bundle.input_sha256, "bundle_sha256": bundle_sha})
        rev = _revision(ws.register, rev_id)
        _store_render(cmd, rev, "draft", today)
        _store_log(cmd, doc["id"], today)
        if actor is not None:
            people.clear_failures(cmd, actor)
        cmd.record("revise", {"status": [None, "draft"], "change_no": change_no, "from_version": base["version"],
                              "content_sha256": bundle_sha}, actor=name, account=account, doc_no=doc_no,
                   version=version, reason=summary)
        cmd.touch(doc["id"])
    return revision_dict(ws, doc, rev) | {"warnings": warnings + cmd.warnings}


def _new_input(ws: Workspace, doc: Row, data: str | Path | None, body: str | Path | None, accept_changes: bool,
               drop_comments: bool) -> tuple[kinds.Input | None, list[str]]:
    """Return the new input given to ``revise`` or ``update`` of ``doc`` (None: keep the previous) and warnings."""
    from qmsdocs import bundle as bundle_mod

    rev = revisions_of(ws.register, doc["id"])[-1]
    kind = kinds.of_bundle(bundle_mod.load(ws.store, rev["bundle_sha256"]))
    given_file = _input_of(kind, data, body)
    if (accept_changes or drop_comments) and "accept_changes" not in kind.options:
        raise UsageError(_("options --accept-changes and --drop-comments are for Word documents, not {kind} "
                           "documents").format(kind=kind.name))
    if given_file is None:
        if accept_changes or drop_comments:
            raise UsageError(_("options --accept-changes and --drop-comments go with --body FILE"))
        return None, []
    given = _read_input(ws, kind, given_file, accept_changes=accept_changes, drop_comments=drop_comments)
    return given, given.warnings


def _rostered_or_named(ws: Workspace, by: str, password: people.Password, purpose: str) -> Row | None:
    """Return the rostered person ``by`` (authenticated in electronic mode) once a roster exists, else None."""
    if not people.roster(ws):
        return None
    return _actor(ws, by, password, purpose)


def _check_change_no(register: Register, change_no: str, document_id: int) -> None:
    """Refuse a change-order number already used, however it is typed (withdrawn drafts free theirs
    for later revisions of the same document only)."""
    for used in register.query("SELECT r.version, r.status, r.document_id, d.doc_no FROM revisions r "
                               "JOIN documents d ON d.id = r.document_id WHERE r.change_key = ?", (name_key(change_no),)):
        if used["status"] == "withdrawn" and used["document_id"] == document_id:
            continue
        raise RuleError(_("change-order number {change_no} is already used by {doc_no} version {version}").format(
            change_no=change_no.strip(), doc_no=used["doc_no"], version=used["version"]) + (
            _(" (withdrawn; only a later revision of that document may use it again)")
            if used["status"] == "withdrawn" else ""))


def _open_draft(ws: Workspace, doc_no: str, what: str) -> tuple[Row, Row]:
    doc = document_row(ws.register, doc_no)
    draft = open_draft(revisions_of(ws.register, doc["id"]))
    if draft is None:
        raise RuleError(_("{doc_no} has no open draft revision to {what}").format(doc_no=doc["doc_no"], what=_(what)))
    return doc, draft


def _void_all(cmd: Command, draft: Row, reason: str) -> list[str]:
    voided = []
    for sig in valid_signatures(cmd.ws.register, draft):
        cmd.update("signatures", int(sig["id"]), {"void_reason": reason})
        voided.append(f"{sig['role']} {sig['name']}")
    return voided


def update(ws: Workspace, doc_no: str, data: str | Path | None = None, title: str | None = None,
           summary: str | None = None, pages: str | None = None, *, by: str | None = None,
           password: people.Password = None, body: str | Path | None = None, accept_changes: bool = False,
           drop_comments: bool = False) -> dict[str, Any]:
    """Correct the open draft: re-freeze it with today's settings and templates (and new input or texts).

    Every earlier signature on the draft is voided.
    """
    for option, value in (("--title", title), ("--summary", summary), ("--pages", pages)):
        check_option(option, value)
        if value is not None and not value.strip():
            raise UsageError(_("option {name} must not be empty").format(name=option))
    check_control(ws)
    doc, draft = _open_draft(ws, doc_no, N_("update"))
    given, warnings = _new_input(ws, doc, data, body, accept_changes, drop_comments)
    parsed, blob = (given.parsed, given.frozen) if given is not None else (None, None)
    actor = _actor(ws, by, password, "updating a draft")
    today = clock.today()
    with run(ws) as cmd:
        doc, draft = _open_draft(ws, doc_no, "update")
        from qmsdocs import bundle as bundle_mod

        old = bundle_mod.load(ws.store, draft["bundle_sha256"])
        input_blob = blob if blob is not None else ws.store.get(old.input_sha256,
                                                                _("input {name}").format(name=old.input_name))
        new_title = title.strip() if title else draft["title"]
        new_summary = summary.strip() if summary else draft["summary"]
        new_pages = pages.strip() if pages else (draft["pages"] or "")
        input_name = given.name if given is not None else draft["input_name"]
        bundle_sha, bundle = _freeze(cmd, doc["kind"], new_title, new_summary, new_pages, input_name, input_blob,
                                     None, given=given, cover=old.cover, history=old.history,
                                     source=None if given is not None else (old.source_name, old.source_sha256))
        if parsed is not None:
            ws.parsed[bundle.input_sha256] = parsed
        voided = _void_all(cmd, draft, f"voided by update on {today.isoformat()}")
        cmd.update("revisions", int(draft["id"]), {"title": new_title, "summary": new_summary, "pages": new_pages or None,
                                                   "input_name": input_name, "input_sha256": bundle.input_sha256,
                                                   "bundle_sha256": bundle_sha})
        rev = _revision(ws.register, draft["id"])
        _store_render(cmd, rev, "draft", today)
        _store_log(cmd, doc["id"], today)
        name, account = _who(actor)
        if actor is not None:
            people.clear_failures(cmd, actor)
        cmd.record("update", {"content_sha256": [draft["bundle_sha256"], bundle_sha], "voided": voided},
                   actor=name, account=account, doc_no=doc["doc_no"], version=draft["version"])
        cmd.touch(doc["id"])
    return revision_dict(ws, doc, rev) | {"voided": voided, "warnings": warnings + cmd.warnings}


def _signer(ws: Workspace, role: str, name: str, password: people.Password, by: str | None,
            by_password: people.Password) -> tuple[Row, Row | None, str]:
    """Return (signer, recorder, mode) after authentication by the workspace's signature mode."""
    mode = ws.config.signature_mode
    if not people.roster(ws):
        raise RuleError(_("the roster is empty; nobody may sign until people are added: "
                          "qms people add NAME --roles admin,…"))
    if mode == "electronic":
        signer = people.find(ws, name)
        people.check_signer(ws, signer, role)
        return people.authenticate(ws, name, password, f"signing {role}"), None, "electronic"
    if not by:
        raise RuleError(_("signatures are recorded from paper in this workspace (signatures.mode = \"recorded\"): "
                          "give --by NAME, the rostered person entering it"))
    recorder = people.authenticate(ws, by, by_password, "recording a signature")
    signer = people.find(ws, name)
    people.check_signer(ws, signer, role)
    return signer, recorder, "recorded"


def sign(ws: Workspace, doc_no: str, role: str, name: str, date: str | None = None, *, password: people.Password = None,
         by: str | None = None, by_password: people.Password = None) -> dict[str, Any]:
    """Sign the open draft revision in ``role`` as the rostered person ``name``."""
    role = _role(role)
    name = required_text("--name", name)
    day = clock.parse_date(date, "--date") if date else clock.today()
    control = check_control(ws)
    doc, draft = _open_draft(ws, doc_no, N_("sign"))
    signer, recorder, mode = _signer(ws, role, name, password, by, by_password)
    with run(ws) as cmd:
        doc, draft = _open_draft(ws, doc_no, "sign")
        label = f"{doc['doc_no']} {draft['version']}"
        signed = valid_signatures(ws.register, draft)
        _check_order(control, signed, role, label, doc["kind"])
        _check_duties(control, signed, role, signer, label)
        _check_date(day, draft, signed, role, label)
        sig_id = cmd.insert("signatures", {
            "revision_id": draft["id"], "role": role, "person_id": signer["id"], "account": signer["account"],
            "name": signer["name"], "date": day.isoformat(), "bundle_sha256": draft["bundle_sha256"],
            "signed_at": clock.now_iso(), "mode": mode, "recorded_by": recorder["account"] if recorder else None})
        people.clear_failures(cmd, recorder or signer)
        cmd.record("sign", {"role": role, "date": day.isoformat(), "content_sha256": draft["bundle_sha256"],
                            "mode": mode, "signature": sig_id},
                   actor=(recorder or signer)["name"], account=(recorder or signer)["account"],
                   doc_no=doc["doc_no"], version=draft["version"])
    return revision_dict(ws, doc, draft) | {"role": role, "name": signer["name"], "account": signer["account"],
                                            "date": day.isoformat(), "mode": mode, "warnings": cmd.warnings}


def _role(role: str) -> str:
    found = role_of(role or "")
    if found is None or found not in ROLES:
        raise UsageError(_("unknown role {role!r}; roles: {roles}").format(role=role, roles=", ".join(ROLES)))
    return found


def required_roles(control: dict[str, Any], kind: str) -> list[str]:
    """Return the roles a release of a document of ``kind`` requires (its own, else the workspace's)."""
    own = control.get("release.required_by_kind", {}).get(kind)
    return list(own) if own else list(control.get("release.required", ["compile", "review", "approve"]))


def _check_order(control: dict[str, Any], signed: list[Row], role: str, label: str, kind: str = "") -> None:
    rank = ROLES.index(role)
    later = [s["role"] for s in signed if ROLES.index(s["role"]) > rank]
    if later:
        raise RuleError(_("cannot sign {role} on {label}: {later} has already signed (order: {order})").format(
            role=role, label=label, later=later[0], order=" → ".join(ROLES)))
    if role != "countersign" and any(s["role"] == role for s in signed):
        raise RuleError(_("{role} has already signed {label}").format(role=role, label=label))
    required = required_roles(control, kind)
    have = {s["role"] for s in signed}
    missing = [r for r in ROLES[:rank] if r in required and r not in have]
    if missing:
        message = _("cannot sign {role} on {label} before {missing} has signed (order: {order})") if len(missing) == 1 \
            else _("cannot sign {role} on {label} before {missing} have signed (order: {order})")
        raise RuleError(message.format(role=role, label=label, missing=", ".join(missing), order=" → ".join(ROLES)))


def _check_duties(control: dict[str, Any], signed: list[Row], role: str, signer: Row, label: str) -> None:
    """One person signs one role of a revision, but for the pairs the company allows to coincide."""
    allowed = {tuple(sorted(p, key=ROLES.index)) for p in control.get("signatures.may_combine", [])}
    for sig in signed:
        if sig["account"] != signer["account"]:
            continue
        if sig["role"] == role == "countersign":
            raise RuleError(_("{name} has already countersigned {label}").format(name=signer["name"], label=label))
        pair = tuple(sorted((sig["role"], role), key=ROLES.index))
        if pair not in allowed:
            raise RuleError(_("{name} signed {signed} on {label} and cannot also sign {role} (separation of duties; "
                              "signatures.may_combine lists the pairs allowed)").format(
                name=signer["name"], signed=sig["role"], label=label, role=role))


def _check_date(day: dt.date, draft: Row, signed: list[Row], role: str, label: str) -> None:
    today = clock.today()
    if day > today:
        raise RuleError(_("the {role} date {date} on {label} is in the future (today is {today})").format(
            role=role, date=day.isoformat(), label=label, today=today.isoformat()))
    if day.isoformat() < draft["created_on"]:
        raise RuleError(_("the {role} date {date} on {label} is before the revision was created ({created})").format(
            role=role, date=day.isoformat(), label=label, created=draft["created_on"]))
    rank = ROLES.index(role)
    for sig in signed:
        if ROLES.index(sig["role"]) < rank and day.isoformat() < sig["date"]:
            raise RuleError(_("the {role} date {date} on {label} is before the {other} date {other_date}").format(
                role=role, date=day.isoformat(), label=label, other=sig["role"], other_date=sig["date"]))


def reject(ws: Workspace, doc_no: str, role: str, name: str, reason: str, *, password: people.Password = None,
           by: str | None = None, by_password: people.Password = None) -> dict[str, Any]:
    """Record a signer's refusal: the draft's signatures are voided and it stays open for ``update``."""
    role = _role(role)
    name, reason = required_text("--name", name), required_text("--reason", reason)
    check_control(ws)
    doc, draft = _open_draft(ws, doc_no, N_("reject"))
    signer, recorder, mode = _signer(ws, role, name, password, by, by_password)
    today = clock.today()
    with run(ws) as cmd:
        doc, draft = _open_draft(ws, doc_no, "reject")
        voided = _void_all(cmd, draft, f"voided by the rejection of {signer['name']} ({role}) on {today.isoformat()}")
        people.clear_failures(cmd, recorder or signer)
        cmd.record("reject", {"role": role, "by": signer["account"], "voided": voided, "mode": mode},
                   actor=(recorder or signer)["name"], account=(recorder or signer)["account"],
                   doc_no=doc["doc_no"], version=draft["version"], reason=reason)
    return revision_dict(ws, doc, draft) | {"role": role, "name": signer["name"], "reason": reason,
                                            "voided": voided, "warnings": cmd.warnings}


def withdraw(ws: Workspace, doc_no: str, reason: str, by: str | None = None,
             password: people.Password = None) -> dict[str, Any]:
    """Discard the open draft (status withdrawn): its view leaves documents/; the revision in force stays."""
    reason = required_text("--reason", reason)
    check_control(ws)
    _open_draft(ws, doc_no, N_("withdraw"))
    actor = _actor(ws, by, password, "withdrawing a draft")
    today = clock.today()
    with run(ws) as cmd:
        doc, draft = _open_draft(ws, doc_no, "withdraw")
        cmd.update("revisions", int(draft["id"]), {"status": "withdrawn", "withdrawn_on": today.isoformat()})
        _store_log(cmd, doc["id"], today)
        name, account = _who(actor)
        if actor is not None:
            people.clear_failures(cmd, actor)
        cmd.record("withdraw", {"status": ["draft", "withdrawn"]}, actor=name, account=account,
                   doc_no=doc["doc_no"], version=draft["version"], reason=reason)
        cmd.touch(doc["id"])
    rev = _revision(ws.register, draft["id"])
    return revision_dict(ws, doc, rev) | {"reason": reason, "warnings": cmd.warnings}


def release(ws: Workspace, doc_no: str, effective: str | None = None, *, by: str | None = None,
            password: people.Password = None) -> dict[str, Any]:
    """Release the open draft: effective on the date given (today by default), approved until a later one.

    Renders every file the change needs: the released file, and for a future date the approved
    file, the file it will be from that date, and the superseded file of the revision it replaces.
    """
    today = clock.today()
    effective_day = clock.parse_date(effective, "--effective") if effective else today
    control = check_control(ws)
    _open_draft(ws, doc_no, N_("release"))
    actor = _actor(ws, by, password, "releasing a document")
    with run(ws) as cmd:
        doc, draft = _open_draft(ws, doc_no, "release")
        label = f"{doc['doc_no']} {draft['version']}"
        signed = valid_signatures(ws.register, draft)
        roles = {s["role"] for s in signed}
        required = required_roles(control, doc["kind"])
        missing = [r for r in ROLES if r in required and r not in roles]
        if missing:
            raise RuleError(_("cannot release {label}: missing signatures: {missing}").format(
                label=label, missing=", ".join(missing)))
        approved_on = max(s["date"] for s in signed if s["role"] == "approve")
        if effective_day.isoformat() < approved_on:
            raise RuleError(_("cannot release {label} effective {date}: that is before its approval on "
                              "{approved}").format(label=label, date=effective_day.isoformat(), approved=approved_on))
        settle(cmd, doc["id"])
        revisions = revisions_of(ws.register, doc["id"])
        previous = in_force(revisions, today)
        if previous is not None and effective_day.isoformat() < (previous["effective_date"] or ""):
            raise RuleError(_("cannot release {label} effective {date}: version {version} is effective since "
                              "{since}").format(label=label, date=effective_day.isoformat(),
                                                version=previous["version"], since=previous["effective_date"]))
        future = effective_day > today
        cmd.update("revisions", int(draft["id"]), {"status": "approved" if future else "effective",
                                                   "approved_on": approved_on, "release_date": today.isoformat(),
                                                   "effective_date": effective_day.isoformat()})
        if previous is not None and not future:
            cmd.update("revisions", int(previous["id"]), {"status": "superseded"})
        rev = _revision(ws.register, draft["id"])
        if future:
            _store_render(cmd, rev, "approved", today)
            _store_log(cmd, doc["id"], today)
        _store_render(cmd, rev, "effective", effective_day)
        if previous is not None:
            _store_render(cmd, _revision(ws.register, previous["id"]), "superseded", effective_day)
        _store_log(cmd, doc["id"], effective_day)
        name, account = _who(actor)
        if actor is not None:
            people.clear_failures(cmd, actor)
        cmd.record("release", {"status": ["draft", "approved" if future else "effective"],
                               "effective_date": effective_day.isoformat(),
                               "superseded": previous["version"] if previous is not None else None},
                   actor=name, account=account, doc_no=doc["doc_no"], version=draft["version"])
        cmd.touch(doc["id"])
    return revision_dict(ws, doc, rev) | {"warnings": cmd.warnings}


def obsolete(ws: Workspace, doc_no: str, by: str, reason: str, password: people.Password = None) -> dict[str, Any]:
    """Withdraw a document as a whole (作废): every draft, approved or effective revision becomes obsolete."""
    by, reason = required_text("--by", by), required_text("--reason", reason)
    check_control(ws)
    document_row(ws.register, doc_no)
    actor = _rostered_or_named(ws, by, password, "making a document obsolete")
    today = clock.today()
    with run(ws) as cmd:
        doc = document_row(ws.register, doc_no)
        if doc["obsolete_on"]:
            raise RuleError(_("{doc_no} is already obsolete (since {date})").format(doc_no=doc["doc_no"],
                                                                                    date=doc["obsolete_on"]))
        settle(cmd, doc["id"])
        name, account = _who(actor, by)
        cmd.update("documents", int(doc["id"]), {"obsolete_on": today.isoformat(), "obsolete_by": name,
                                                 "obsolete_reason": reason})
        changed = {}
        for rev in revisions_of(ws.register, doc["id"]):
            if rev["status"] in ("draft", "approved", "effective"):
                cmd.update("revisions", int(rev["id"]), {"status": "obsolete"})
                changed[rev["version"]] = [rev["status"], "obsolete"]
                _store_render(cmd, _revision(ws.register, rev["id"]), "obsolete", today)
        _store_log(cmd, doc["id"], today)
        if actor is not None:
            people.clear_failures(cmd, actor)
        cmd.record("obsolete", changed, actor=name, account=account, doc_no=doc["doc_no"], reason=reason)
        cmd.touch(doc["id"])
    revisions = revisions_of(ws.register, doc["id"])
    return revision_dict(ws, doc, revisions[-1]) | {"obsolete_on": today.isoformat(), "by": name, "reason": reason,
                                                    "warnings": cmd.warnings}


def review(ws: Workspace, doc_no: str, result: str, by: str | None = None,
           password: people.Password = None) -> dict[str, Any]:
    """Record a periodic review of the effective revision (no new revision)."""
    result = required_text("--result", result)
    check_control(ws)
    document_row(ws.register, doc_no)
    actor = _actor(ws, by, password, "recording a periodic review")
    today = clock.today()
    with run(ws) as cmd:
        doc = document_row(ws.register, doc_no)
        rev = in_force(revisions_of(ws.register, doc["id"]), today)
        if rev is None or doc["obsolete_on"]:
            raise RuleError(_("{doc_no} has no effective revision to review").format(doc_no=doc["doc_no"]))
        name, account = _who(actor)
        from qmsdocs.audit import os_user

        cmd.insert("reviews", {"document_id": doc["id"], "revision_id": rev["id"], "result": result,
                               "reviewed_by": name or os_user(), "reviewed_on": today.isoformat()})
        if actor is not None:
            people.clear_failures(cmd, actor)
        cmd.record("review", {"result": result}, actor=name, account=account, doc_no=doc["doc_no"],
                   version=rev["version"])
    return {"doc_no": doc["doc_no"], "version": rev["version"], "result": result, "reviewed_on": today.isoformat(),
            "by": name, "warnings": cmd.warnings}


def apply_config(ws: Workspace, by: str | None, password: people.Password) -> dict[str, Any]:
    """Record the control settings of qms.toml in the register (an administrator's act)."""
    from qmsdocs.upgrade import record_settings

    actor = people.admin(ws, by, password, N_("recording control settings")) if people.roster(ws) else None
    before = recorded_control(ws.register)
    with run(ws) as cmd:
        rows = record_settings(ws.register, ws.config)
        cmd.rows += rows
        changes = {k: [before.get(k), v] for k, v in ws.config.control().items() if before.get(k) != v}
        if actor is not None:
            people.clear_failures(cmd, actor)
        name, account = _who(actor)
        cmd.record("config-apply", changes, actor=name, account=account)
    return {"changed": changes, "control": ws.config.control(), "warnings": cmd.warnings}
