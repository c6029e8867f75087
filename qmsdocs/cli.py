"""The ``qms`` command line: parse options, call one library function, print the result.

Errors of the library (:class:`qmsdocs.errors.QmsError`) and of the system (a full disk, a
read-only folder, a corrupted register) become one ``Error:`` line each on stderr and exit code
1 (refused by a rule) or 2 (bad usage or data) in one place, :meth:`QmsGroup.invoke`. Heavy
modules are imported only by the commands that need them.
"""
from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from qmsdocs import __version__, i18n
from qmsdocs.i18n import N_, _
from qmsdocs.names import DOC_TYPES

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _DocType(click.Choice):
    """A generated document type, by its English or Chinese name (考评策划书, 会议纪要, 考评评分表)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from qmsdocs.names import doc_type_of

        return super().convert(doc_type_of(str(value)) or value, param, ctx)


class _Kind(click.ParamType):
    """A kind of document, by its English or Chinese name (考评策划书, 管理办法, …); the library checks it."""

    name = "kind"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from qmsdocs.names import kind_of

        return kind_of(str(value))


STATUSES = ("draft", "approved", "effective", "superseded", "obsolete", "withdrawn")


class QmsGroup(click.Group):
    """A click group that reports every expected error as one line and an exit code.

    Besides qmsdocs' own errors, what the world outside can cause reaches the user as one
    ``Error:`` line too, never a traceback: an OSError (the path and the cause; exit 2 if the
    path is one the user gave on the command line, else 1), a damaged register (sqlite3.Error,
    exit 1), memory or nesting exhausted (exit 1), and SIGTERM/SIGHUP (exit 128 + the signal).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Kept to tell whether a path in an OSError is one the user typed.
        ctx.meta["qms.argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3  # in the standard library and already loaded by the commands that need it

        from qmsdocs.errors import QmsError  # here: `qms --help` and option errors never need it
        from qmsdocs.outputs import Terminated, on_signals, os_cause

        def fail(lines: list[str], code: int) -> None:
            for line in lines:
                click.echo(_("Error: {message}").format(message=line), err=True)
            ctx.exit(code)

        # Messages follow QMS_LANG or the locale until a command opens its workspace (see _workspace).
        previous = i18n.set_language(i18n.default_language())
        try:
            # SIGTERM and SIGHUP stop a command as Ctrl-C does: transactions roll back, temporaries go.
            with on_signals():
                return super().invoke(ctx)
        except QmsError as exc:
            fail(exc.lines(), exc.exit_code)
        except Terminated as exc:
            fail([str(exc)], 128 + exc.signum)
        except OSError as exc:
            paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
            where = f"{paths[0]}: " if paths else ""
            typed = _typed_below(ctx, paths[0]) if paths and not _given(ctx, paths) else None
            if typed is not None:  # a folder on the way to a path the user gave: name both
                where = f"{typed} (at {paths[0]}): "
            fail([f"{where}{os_cause(exc)}"], 2 if typed is not None or _given(ctx, paths) else 1)
        except sqlite3.Error as exc:
            fail([_("register error: {cause}").format(cause=exc)], 1)
        except MemoryError:
            fail([_("out of memory; the input is too large for this machine")], 1)
        except RecursionError:
            fail([_("the input is nested too deeply to be read")], 1)
        finally:
            i18n.set_language(previous)


def _given(ctx: click.Context, paths: list[str]) -> bool:
    """Return whether one of ``paths`` is a value the user typed on the command line."""
    import os

    typed = ctx.meta.get("qms.argv", [])
    values = {a.split("=", 1)[1] if a.startswith("--") and "=" in a else a for a in typed}
    resolved = {os.path.realpath(v) for v in values if v and not v.startswith("-")}
    return any(p in values or os.path.realpath(p) in resolved for p in paths)


def _typed_below(ctx: click.Context, path: str) -> str | None:
    """Return the value typed on the command line that lies below the folder ``path``, if one does.

    ``qms init /proc/nope/ws`` fails at ``/proc/nope``, a folder the user named as part of the path.
    """
    import os

    folder = os.path.realpath(path)
    for value in ctx.meta.get("qms.argv", []):
        value = value.split("=", 1)[1] if value.startswith("--") and "=" in value else value
        if value and not value.startswith("-") and os.sep in value:
            if os.path.commonpath([folder, os.path.realpath(value)]) == folder:
                return value
    return None


def _error(line: str) -> None:
    click.echo(_("Error: {message}").format(message=line), err=True)


json_option = click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object on stdout.")
force_option = click.option("--force", is_flag=True, help="Replace output files that already exist.")
by_option = click.option("--by", "by", metavar="NAME", help="Who does this (a rostered person; asks their password).")
password_option = click.option("--password-stdin", "password_stdin", is_flag=True,
                               help="Read the password(s) from standard input, one line each, instead of a prompt.")


def _workspace(ctx: click.Context, write: bool = True) -> Any:
    from qmsdocs.config import declared_language
    from qmsdocs.workspace import CONFIG_NAME, Workspace, resolve_root

    # qms.toml's own refusals speak the language it names, if it names one
    i18n.set_language(declared_language(resolve_root(ctx.obj["records"]) / CONFIG_NAME) or i18n.language())
    ws = Workspace.open(ctx.obj["records"], write=write)
    ctx.call_on_close(ws.close)
    i18n.set_language(ws.config.messages or ws.config.language)  # from here on, the workspace's language
    return ws


def _passwords(from_stdin: bool) -> Callable[[str], str]:
    """Return the function the library calls to ask for a password (whose: a label for the prompt)."""
    from qmsdocs.errors import UsageError

    def ask(whose: str) -> str:
        if from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise UsageError(_("--password-stdin: no password on standard input (for {whose})").format(whose=whose))
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise UsageError(_("a password is needed for {whose}: give --password-stdin or run at a terminal")
                             .format(whose=whose))
        return str(click.prompt(_("Password for {whose}").format(whose=whose), hide_input=True, err=True))

    return ask


def _emit(result: dict[str, Any], as_json: bool, human: str) -> None:
    for warning in result.pop("warnings", []) or []:
        click.echo(_("Warning: {message}").format(message=warning), err=True)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str))
    else:
        click.echo(human)


@contextlib.contextmanager
def _progress(label: str | None) -> Iterator[Callable[..., None] | None]:
    """Yield a progress callback drawing a bar on stderr, or None: no label, or stderr not a terminal."""
    if label is None or not sys.stderr.isatty():
        yield None
        return
    bar: Any = None

    def advance(done: int, total: int | None = None) -> None:
        nonlocal bar
        if bar is None and total is not None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        if bar is not None and done:
            bar.update(done)

    try:
        yield advance
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _revision_line(verb: str, r: dict[str, Any]) -> str:
    # verb: a message of its own, e.g. _("Created"), so that each language orders the line its way.
    return _("{verb} {doc_no} version {version} ({status}): {title}\n  {path}").format(
        verb=verb, doc_no=r["doc_no"], version=r["version"], status=r["status"], title=r["title"], path=r["path"])


@click.group(cls=QmsGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--records", metavar="DIR", help="Workspace folder (default: $QMS_RECORDS, else ./records).")
@click.version_option(__version__, prog_name="qms")
@click.pass_context
def cli(ctx: click.Context, records: str | None) -> None:
    """qmsdocs: controlled quality documents for a GB/T 19001 (ISO 9001) quality system.

    Issue numbered, versioned documents under change-order numbers, collect approval
    signatures from the people on the roster and release them; generate evaluation plans,
    meeting minutes and score sheets from Excel workbooks.
    """
    ctx.obj = {"records": records}


@cli.command()
@click.argument("directory", metavar="DIR")
@click.option("--company", help="Company name printed on every document.")
@click.option("--department", help="Department name printed on every document.")
@click.option("--lang", "language", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of documents and blank workbooks.")
@click.option("--database", metavar="URL", help="A shared register on PostgreSQL (postgresql://USER@HOST/DB): "
              "created on an empty database, joined if it holds one. Passwords: ~/.pgpass, PGPASSWORD.")
@json_option
def init(directory: str, company: str | None, department: str | None, language: str, database: str | None,
         as_json: bool) -> None:
    """Create a workspace in DIR (refused if DIR already holds one)."""
    from pathlib import Path

    from qmsdocs.workspace import init as init_workspace

    root = init_workspace(Path(directory), company, department, language, database=database)
    _emit({"records": str(root.resolve()), "config": str((root / "qms.toml").resolve())}, as_json,
          _("Created workspace {root} (settings in {config})\n"
            "Next: add the first administrator: qms --records {root} people add NAME --roles admin").format(
              root=root, config=root / "qms.toml"))


@cli.command()
@click.argument("kind", type=_DocType(DOC_TYPES))
@click.option("-o", "--output", "out", required=True, metavar="FILE.xlsx", help="Where to write the workbook.")
@force_option
@json_option
@click.pass_context
def sheet(ctx: click.Context, kind: str, out: str, force: bool, as_json: bool) -> None:
    """Write a blank input workbook for KIND (plan, minutes or scores)."""
    from pathlib import Path

    from qmsdocs.blank import write_blank

    ws = _workspace(ctx, write=False)
    path = write_blank(kind, Path(out), ws.config.language, workspace_root=ws.root, force=force)
    _emit({"kind": kind, "path": str(path.resolve())}, as_json, _("Wrote blank {kind} workbook {path}").format(kind=kind, path=path))


@cli.command()
@click.argument("kind", type=_Kind())
@click.option("--data", metavar="FILE.xlsx", help="plan, minutes, scores: the filled input workbook.")
@click.option("--body", metavar="FILE", help="Word-body kinds: the Word document (.docx; .doc, .odt or .rtf are "
                                             "converted with LibreOffice).")
@click.option("--title", help="Document title (default: the workbook's title field; required with --body).")
@click.option("--xlsx", metavar="FILE.xlsx", help="scores: also write the results workbook.")
@click.option("--split", metavar="DIR", help="scores: also write one working copy per staff member into DIR.")
@click.option("--jobs", type=click.IntRange(1, 64), help="scores: render --split files in N processes.")
@click.option("--cover", type=click.Choice(["standard", "none"]), help="--body: the standard cover (default) or none "
                                                                     "(the control header alone).")
@click.option("--accept-changes", is_flag=True, help="--body: accept every tracked change (else refused).")
@click.option("--drop-comments", is_flag=True, help="--body: remove the comments (else refused).")
@click.option("--doc-no", metavar="NO", help="--body: register an existing controlled document at its number "
                                            "(with --version and --effective).")
@click.option("--version", "version", metavar="V", help="--doc-no: its current version, e.g. 2.1.")
@click.option("--effective", metavar="YYYY-MM-DD", help="--doc-no: the date that version took effect.")
@click.option("--history", metavar="FILE.xlsx", help="--doc-no: its earlier revision record (sheet History: "
                                                    "version, pages, change_no, changed_by, effective_date, summary).")
@force_option
@by_option
@password_option
@json_option
@click.pass_context
def new(ctx: click.Context, kind: str, data: str | None, body: str | None, title: str | None, xlsx: str | None,
        split: str | None, jobs: int | None, cover: str | None, accept_changes: bool, drop_comments: bool,
        doc_no: str | None, version: str | None, effective: str | None, history: str | None, force: bool,
        by: str | None, password_stdin: bool, as_json: bool) -> None:
    """Create a new document of KIND as draft revision 1.0 (or A/0).

    \b
    KIND is plan, minutes or scores (made from a workbook, --data), or a Word-body kind (--body):
    manual 质量手册, procedure 程序文件, regulation 管理办法, instruction 作业指导书, form 表单,
    or one the workspace names in qms.toml ([kinds.NAME]).
    """
    from qmsdocs.working_copies import new_with_outputs

    ws = _workspace(ctx)
    with _progress(_("Writing --split files") if split else None) as progress:
        result = new_with_outputs(ws, kind, data, title, xlsx=xlsx, split=split, jobs=jobs, force=force,
                                    by=by, password=_passwords(password_stdin), progress=progress, body=body,
                                    cover=cover, accept_changes=accept_changes, drop_comments=drop_comments,
                                    doc_no=doc_no, version=version, effective=effective, history=history)
    _emit(result, as_json, _revision_line(_("Created"), result))


@cli.command()
@click.argument("doc_no")
@click.option("--change-no", required=True, help="Change-order number (更改单号), unique in the workspace.")
@click.option("--by", "by", required=True, metavar="NAME", help="Who made the change (更改人).")
@click.option("--summary", required=True, help="What changed (摘要).")
@click.option("--data", metavar="FILE.xlsx", help="New input workbook (default: the previous revision's).")
@click.option("--body", metavar="FILE", help="New Word document (default: the previous revision's).")
@click.option("--accept-changes", is_flag=True, help="--body: accept every tracked change (else refused).")
@click.option("--drop-comments", is_flag=True, help="--body: remove the comments (else refused).")
@click.option("--pages", help="Pages changed (页码), e.g. 3-5 (default: all).")
@click.option("--major", is_flag=True, help="A major revision: 1.1 → 2.0, A/1 → B/0.")
@password_option
@json_option
@click.pass_context
def revise(ctx: click.Context, doc_no: str, change_no: str, by: str, summary: str, data: str | None,
           body: str | None, accept_changes: bool, drop_comments: bool, pages: str | None, major: bool,
           password_stdin: bool, as_json: bool) -> None:
    """Open a new draft revision of an effective document."""
    from qmsdocs import lifecycle

    result = lifecycle.revise(_workspace(ctx), doc_no, change_no, by, summary, data, pages, major,
                              password=_passwords(password_stdin), body=body, accept_changes=accept_changes,
                              drop_comments=drop_comments)
    _emit(result, as_json, _revision_line(_("Revised"), result))


@cli.command()
@click.argument("doc_no")
@click.option("--data", metavar="FILE", help="New input workbook.")
@click.option("--body", metavar="FILE", help="New Word document.")
@click.option("--accept-changes", is_flag=True, help="--body: accept every tracked change (else refused).")
@click.option("--drop-comments", is_flag=True, help="--body: remove the comments (else refused).")
@click.option("--title", help="New title.")
@click.option("--summary", help="New summary of the change.")
@click.option("--pages", help="New pages changed.")
@by_option
@password_option
@json_option
@click.pass_context
def update(ctx: click.Context, doc_no: str, data: str | None, body: str | None, accept_changes: bool,
           drop_comments: bool, title: str | None, summary: str | None, pages: str | None, by: str | None,
           password_stdin: bool, as_json: bool) -> None:
    """Correct the open draft of DOC_NO (today's settings and templates); voids its signatures."""
    from qmsdocs import lifecycle

    result = lifecycle.update(_workspace(ctx), doc_no, data, title, summary, pages, by=by,
                              password=_passwords(password_stdin), body=body, accept_changes=accept_changes,
                              drop_comments=drop_comments)
    voided = _("\n  voided: {signatures}").format(signatures=", ".join(result["voided"])) if result["voided"] else ""
    _emit(result, as_json, _revision_line(_("Updated"), result) + voided)


@cli.command()
@click.argument("doc_no")
@click.option("--role", required=True, help="Signature role: compile, standardize, review, countersign, approve "
                                            "(or 编制, 标准化, 审核, 会签, 批准).")
@click.option("--name", required=True, help="The signer: account or name of a person on the roster.")
@click.option("--date", metavar="YYYY-MM-DD", help="Date of the signature (default: today).")
@click.option("--by", "by", metavar="NAME", help="recorded mode: who enters the paper signature.")
@password_option
@json_option
@click.pass_context
def sign(ctx: click.Context, doc_no: str, role: str, name: str, date: str | None, by: str | None,
         password_stdin: bool, as_json: bool) -> None:
    """Sign the open draft revision of DOC_NO (the signer's password is asked)."""
    from qmsdocs import lifecycle

    ask = _passwords(password_stdin)
    result = lifecycle.sign(_workspace(ctx), doc_no, role, name, date, password=ask, by=by, by_password=ask)
    how = _(" (recorded from paper)") if result["mode"] == "recorded" else ""
    _emit(result, as_json, _("Signed {doc_no} version {version} as {role}: {name} on {date}{how}").format(
        doc_no=result["doc_no"], version=result["version"], role=result["role"], name=result["name"],
        date=result["date"], how=how))


@cli.command()
@click.argument("doc_no")
@click.option("--role", required=True, help="The role the signer refuses to sign.")
@click.option("--name", required=True, help="The signer who refuses.")
@click.option("--reason", required=True, help="Why.")
@click.option("--by", "by", metavar="NAME", help="recorded mode: who enters the refusal.")
@password_option
@json_option
@click.pass_context
def reject(ctx: click.Context, doc_no: str, role: str, name: str, reason: str, by: str | None,
           password_stdin: bool, as_json: bool) -> None:
    """Record a signer's refusal: the draft's signatures are voided; it stays open for update."""
    from qmsdocs import lifecycle

    ask = _passwords(password_stdin)
    result = lifecycle.reject(_workspace(ctx), doc_no, role, name, reason, password=ask, by=by, by_password=ask)
    _emit(result, as_json, _("Rejected {doc_no} version {version} ({role}, {name}): {reason}").format(
        doc_no=result["doc_no"], version=result["version"], role=result["role"], name=result["name"], reason=reason))


@cli.command()
@click.argument("doc_no")
@click.option("--reason", required=True, help="Why the draft is withdrawn.")
@by_option
@password_option
@json_option
@click.pass_context
def withdraw(ctx: click.Context, doc_no: str, reason: str, by: str | None, password_stdin: bool,
             as_json: bool) -> None:
    """Discard the open draft of DOC_NO (the revision in force is untouched)."""
    from qmsdocs import lifecycle

    result = lifecycle.withdraw(_workspace(ctx), doc_no, reason, by, _passwords(password_stdin))
    _emit(result, as_json, _("Withdrew draft {doc_no} version {version}: {reason}").format(
        doc_no=result["doc_no"], version=result["version"], reason=reason))


@cli.command()
@click.argument("doc_no")
@click.option("--effective", metavar="YYYY-MM-DD", help="Effective date (default: today; a later date: approved "
                                                       "until then).")
@by_option
@password_option
@json_option
@click.pass_context
def release(ctx: click.Context, doc_no: str, effective: str | None, by: str | None, password_stdin: bool,
            as_json: bool) -> None:
    """Release the open draft of DOC_NO; the previous revision becomes superseded on its date."""
    from qmsdocs import lifecycle

    result = lifecycle.release(_workspace(ctx), doc_no, effective, by=by, password=_passwords(password_stdin))
    _emit(result, as_json, _revision_line(_("Released"), result))


@cli.command()
@click.argument("doc_no")
@click.option("--by", "by", required=True, metavar="NAME", help="Who withdraws the document.")
@click.option("--reason", required=True, help="Why it is withdrawn.")
@password_option
@json_option
@click.pass_context
def obsolete(ctx: click.Context, doc_no: str, by: str, reason: str, password_stdin: bool, as_json: bool) -> None:
    """Withdraw DOC_NO as a whole (作废)."""
    from qmsdocs import lifecycle

    result = lifecycle.obsolete(_workspace(ctx), doc_no, by, reason, _passwords(password_stdin))
    _emit(result, as_json, _("Withdrew {doc_no} on {date}: {reason}").format(
        doc_no=result["doc_no"], date=result["obsolete_on"], reason=reason))


@cli.command()
@click.argument("doc_no")
@click.option("--result", "outcome", required=True, help="The outcome of the periodic review.")
@by_option
@password_option
@json_option
@click.pass_context
def review(ctx: click.Context, doc_no: str, outcome: str, by: str | None, password_stdin: bool,
           as_json: bool) -> None:
    """Record a periodic review of DOC_NO's effective revision (no new revision)."""
    from qmsdocs import lifecycle

    result = lifecycle.review(_workspace(ctx), doc_no, outcome, by, _passwords(password_stdin))
    _emit(result, as_json, _("Reviewed {doc_no} version {version} on {date}: {outcome}").format(
        doc_no=result["doc_no"], version=result["version"], date=result["reviewed_on"], outcome=outcome))


@cli.command()
@click.option("--name", help="Only what this person may sign.")
@json_option
@click.pass_context
def pending(ctx: click.Context, name: str | None, as_json: bool) -> None:
    """What waits for whom: signatures, effective dates, recalls, periodic reviews."""
    from qmsdocs import reports

    result = reports.pending(_workspace(ctx, write=False), name)
    lines = []
    for p in result["pending"]:
        detail = {"signature": lambda: "; ".join(f"{r}: {', '.join(p['who'][r]) or _('nobody yet')}"
                                                 for r in p["waiting_for"]),
                  "effective": lambda: _("takes effect {date}").format(date=p["due"]),
                  "recall": lambda: _("copies out: {copies}").format(copies=", ".join(p["waiting_for"])),
                  "review": lambda: _("periodic review due {date}").format(date=p["due"])}[p["reason"]]()
        lines.append(f"{p['doc_no']:<20} {p['version']:<6} {p['reason']:<10} {detail}")
    _emit(result, as_json, "\n".join(lines) if lines else _("Nothing pending."))


# -- people -----------------------------------------------------------------------------------
@cli.group()
def people() -> None:
    """The roster (签字授权): who may sign which role, and the administrators."""


def _person_line(p: dict[str, Any]) -> str:
    state = "" if p["active"] else _(" (disabled)")
    state += _(" (locked)") if p["locked"] else ""
    return f"{p['account']:<16} {p['name']:<16} {', '.join(p['roles'])}{state}"


@people.command(name="add")
@click.argument("name")
@click.option("--roles", required=True, help="Comma-separated: compile, standardize, review, countersign, approve, "
                                             "admin (or 编制, 标准化, 审核, 会签, 批准, 文件管理员).")
@click.option("--account", help="A distinct account, where two people share a name (default: the name).")
@by_option
@password_option
@json_option
@click.pass_context
def people_add(ctx: click.Context, name: str, roles: str, account: str | None, by: str | None,
               password_stdin: bool, as_json: bool) -> None:
    """Add NAME to the roster; prints a one-time enrolment code for their password."""
    from qmsdocs import people as people_mod

    result = people_mod.add(_workspace(ctx), name, roles, account, by, _passwords(password_stdin))
    _emit(result, as_json, _("Added {person}\n  enrolment code {code} (valid until {expires}); they set their "
                             "password with:\n  qms people passwd {account} --code {code}").format(
        person=_person_line(result), code=result["code"], expires=result["code_expires"], account=result["account"]))


_ACTION_WORDS = {"disable": N_("Disable"), "enable": N_("Enable"), "reset": N_("Reset"), "unlock": N_("Unlock")}


def _change(action: str, help_text: str) -> None:
    @people.command(name=action, help=help_text)
    @click.argument("name")
    @by_option
    @password_option
    @json_option
    @click.pass_context
    def command(ctx: click.Context, name: str, by: str | None, password_stdin: bool, as_json: bool) -> None:
        from qmsdocs import people as people_mod

        result = people_mod.change(_workspace(ctx), name, action, by, _passwords(password_stdin))
        extra = _("\n  enrolment code {code} (valid until {expires})").format(
            code=result["code"], expires=result["code_expires"]) if "code" in result else ""
        _emit(result, as_json, f"{_(_ACTION_WORDS[action])}: {_person_line(result)}{extra}")


for _action, _help in (("disable", "Disable NAME: they can no longer sign."),
                       ("enable", "Enable NAME again."),
                       ("reset", "Issue a new enrolment code for NAME (a forgotten password)."),
                       ("unlock", "Unlock NAME after five wrong passwords.")):
    _change(_action, _help)


@people.command(name="roles")
@click.argument("name")
@click.option("--roles", required=True, help="The new comma-separated roles.")
@by_option
@password_option
@json_option
@click.pass_context
def people_roles(ctx: click.Context, name: str, roles: str, by: str | None, password_stdin: bool,
                 as_json: bool) -> None:
    """Change the roles NAME may sign."""
    from qmsdocs import people as people_mod

    result = people_mod.change(_workspace(ctx), name, "roles", by, _passwords(password_stdin), roles)
    _emit(result, as_json, _("Roles: {person}").format(person=_person_line(result)))


@people.command(name="passwd")
@click.argument("name")
@click.option("--code", help="The enrolment code an administrator gave you (else your old password is asked).")
@password_option
@json_option
@click.pass_context
def people_passwd(ctx: click.Context, name: str, code: str | None, password_stdin: bool, as_json: bool) -> None:
    """Set (with --code) or change your password."""
    from qmsdocs import people as people_mod

    ask = _passwords(password_stdin)

    def new_password(_whose: str) -> str:
        first = ask(_("{name} (new password)").format(name=name))
        if not password_stdin and ask(_("{name} (new password, again)").format(name=name)) != first:
            from qmsdocs.errors import UsageError

            raise UsageError(_("the two passwords differ"))
        return first

    result = people_mod.set_password(_workspace(ctx), name, new_password, code=code, old=None if code else ask)
    _emit(result, as_json, _("Password set for {name}").format(name=result["name"]))


@people.command(name="list")
@json_option
@click.pass_context
def people_list(ctx: click.Context, as_json: bool) -> None:
    """The roster."""
    from qmsdocs import people as people_mod

    result = people_mod.list_people(_workspace(ctx, write=False))
    _emit(result, as_json, "\n".join(_person_line(p) for p in result["people"]) or _("The roster is empty."))


@cli.group(name="config")
def config_group() -> None:
    """The control settings recorded in the register."""


@config_group.command(name="apply")
@by_option
@password_option
@json_option
@click.pass_context
def config_apply(ctx: click.Context, by: str | None, password_stdin: bool, as_json: bool) -> None:
    """Record the control settings of qms.toml ([signatures], [release] required, [review])."""
    from qmsdocs import lifecycle

    result = lifecycle.apply_config(_workspace(ctx), by, _passwords(password_stdin))
    lines = [f"  {k}: {json.dumps(v[0], ensure_ascii=False)} → {json.dumps(v[1], ensure_ascii=False)}"
             for k, v in result["changed"].items()]
    _emit(result, as_json, "\n".join([_("Recorded the control settings.")] + lines) if lines else
          _("The control settings were already recorded; nothing changed."))


# -- reports ---------------------------------------------------------------------------------
def _document_line(d: dict[str, Any]) -> str:
    """One document of the master list as a line: number, version, status, effective date, title."""
    return (f"{d['doc_no']:<20} {d['version']:<6} {d['status']:<10} {d['effective_date'] or '':<10}  {d['title']}"
            + (_("  (draft {version} open)").format(version=d["open_draft"]) if d["open_draft"] else ""))



@cli.command(name="list")
@click.option("--type", "doc_type", metavar="KIND", type=_Kind(),
              help="Only documents of this kind (plan, regulation, …).")
@click.option("--status", type=click.Choice(STATUSES), help="Only documents with this status (draft: every open draft).")
@click.option("--xlsx", metavar="FILE", help="Also write the master list as a workbook.")
@force_option
@json_option
@click.pass_context
def list_(ctx: click.Context, doc_type: str | None, status: str | None, xlsx: str | None, force: bool,
          as_json: bool) -> None:
    """The master list (受控文件清单): the revision in force of each document, and open drafts."""
    from qmsdocs import reports

    if force and not xlsx:
        from qmsdocs.errors import UsageError

        raise UsageError(_("option --force is only for --xlsx"))
    ws = _workspace(ctx, write=False)
    result = reports.list_documents(ws, doc_type, status)
    if xlsx:
        from pathlib import Path

        from qmsdocs.masterlist import write_master_list

        result["xlsx"] = str(write_master_list(ws, result["documents"], Path(xlsx), force=force).resolve())
    rows = [_document_line(d) for d in result["documents"]]
    header = f"{_('document'):<20} {_('ver.'):<6} {_('status'):<10} {_('effective'):<10}  {_('title')}"
    _emit(result, as_json, "\n".join([header] + rows) if rows else _("No documents."))


@cli.command()
@click.argument("doc_no")
@json_option
@click.pass_context
def show(ctx: click.Context, doc_no: str, as_json: bool) -> None:
    """DOC_NO with every revision, signature, change-order number, file and sha256."""
    from qmsdocs import reports

    result = reports.show(_workspace(ctx, write=False), doc_no)
    lines = [f"{result['doc_no']} ({result['type']})"]
    if result["obsolete_on"]:
        lines.append(_("  obsolete since {date} by {name}: {reason}").format(
            date=result["obsolete_on"], name=result["obsolete_by"], reason=result["obsolete_reason"]))
    for r in result["revisions"]:
        lines.append(_("  {version:<6} {status:<10} change {change_no}  effective {effective}  {summary}").format(
            version=r["version"], status=r["status"], change_no=r["change_no"] or "-",
            effective=r["effective_date"] or "-", summary=r["summary"]))
        for s in r["signatures"]:
            note = "" if s["valid"] else _("  (void: {reason})").format(reason=s["void_reason"])
            note += f"  ({s['recorded']})" if s["recorded"] else ""
            lines.append(f"         {s['role']:<12} {s['name']}  {s['date']}{note}")
        lines.append(f"         {r['path']}\n         sha256 {r['sha256']}")
        if r["input"]:
            what = "frozen body" if r["input_is"] == "body" else "input"
            lines.append(f"         {what} {r['input']}  sha256 {r['input_sha256']}")
        if r["source"] and r["source_sha256"] != r["input_sha256"]:
            lines.append(f"         as given {r['source']}  sha256 {r['source_sha256']}  (kept as evidence)")
    _emit(result, as_json, "\n".join(lines))


@cli.command()
@click.argument("doc_no")
@click.option("-o", "--output", "out", metavar="FILE.docx", help="Also copy the stored revision log to FILE.")
@force_option
@json_option
@click.pass_context
def revlog(ctx: click.Context, doc_no: str, out: str | None, force: bool, as_json: bool) -> None:
    """The revision log (修订记录) of DOC_NO (a Word file in documents/; -o copies it out)."""
    from qmsdocs.revlog import write_log

    result = write_log(_workspace(ctx, write=False), doc_no, out, force)
    lines = [_("Revision log of {doc_no}: {path}").format(doc_no=result["doc_no"], path=result["path"])]
    lines += [f"  {r['version']:<6} {r['status']:<10} {r['change_no'] or '-':<14} {r['effective_date'] or '-':<10} "
              f"{r['summary']}" for r in result["revisions"]]
    _emit(result, as_json, "\n".join(lines))


@cli.group()
def template() -> None:
    """Check a template of your own before relying on it."""


@template.command(name="check")
@click.argument("file", metavar="FILE")
@click.option("--type", "doc_type", required=True, type=_DocType(DOC_TYPES + ("revlog",)),
              help="The document type the template is for.")
@json_option
@click.pass_context
def template_check(ctx: click.Context, file: str, doc_type: str, as_json: bool) -> None:
    """List unknown and missing placeholders of template FILE (exit 1 if any)."""
    from qmsdocs.template_check import check_with_samples

    result = check_with_samples(ctx.obj["records"], file, doc_type)
    verdict = _("OK, every placeholder is known and every value is shown") if result["ok"] else _("problems")
    lines = [f"{file}: {verdict}"]
    lines += [_("  unknown placeholder: {name}").format(name=p) for p in result["unknown"]]
    lines += [_("  missing placeholder: {name}").format(name=p) for p in result["missing"]]
    _emit(result, as_json, "\n".join(lines))
    if not result["ok"]:
        ctx.exit(1)


@cli.command()
@click.option("-o", "--output", "out", required=True, metavar="FILE.zip", help="Where to write the package.")
@click.argument("doc_nos", nargs=-1, metavar="[DOC_NO]...")
@click.option("--pdf", is_flag=True, help="Add PDF renditions (needs LibreOffice).")
@force_option
@json_option
@click.pass_context
def export(ctx: click.Context, out: str, doc_nos: tuple[str, ...], pdf: bool, force: bool, as_json: bool) -> None:
    """The auditor package: effective revisions, revision logs, master list, manifest.json.

    Without DOC_NO, every document that has an effective revision.
    """
    from qmsdocs.export import export as export_package

    ws = _workspace(ctx, write=False)
    with _progress(_("Converting to PDF") if pdf else _("Packing documents")) as progress:
        result = export_package(ws, out, doc_nos, pdf, progress, force)
    lines = [_("Wrote {path} ({count} files, sha256 {sha256})").format(
        path=result["path"], count=len(result["files"]) + 1, sha256=result["sha256"])]
    lines += [_("  {doc_no} {version} effective {date}").format(
        doc_no=d["doc_no"], version=d["version"], date=d["effective_date"]) for d in result["documents"]]
    _emit(result, as_json, "\n".join(lines))


@cli.command()
@click.argument("doc_no")
@click.option("--version", "version", metavar="V", help="Which revision (default: the newest).")
@click.option("--body", "bare", is_flag=True, help="The bare Word body, without cover and control header "
                                                   "(to edit for the next revision).")
@click.option("-o", "--output", "out", required=True, metavar="FILE.docx", help="Where to write it.")
@force_option
@json_option
@click.pass_context
def get(ctx: click.Context, doc_no: str, version: str | None, bare: bool, out: str, force: bool,
        as_json: bool) -> None:
    """Write a revision's file of DOC_NO: the controlled file, or with --body the bare Word body."""
    from qmsdocs.kinds.body import get_file

    result = get_file(_workspace(ctx, write=False), doc_no, version, out, body=bare, force=force)
    what = "body" if bare else "file"
    _emit(result, as_json, f"Wrote the {what} of {result['doc_no']} version {result['version']} to {result['path']}")


@cli.command()
@click.argument("file", metavar="FILE.docx")
@json_option
@click.pass_context
def verify(ctx: click.Context, file: str, as_json: bool) -> None:
    """Is FILE a controlled revision from this register, unaltered and current? (exit 0 only then)"""
    from qmsdocs.verify import verify_file

    result = verify_file(_workspace(ctx, write=False), file)
    _emit(dict(result), as_json, _("OK: {reason}").format(reason=result["reason"]) if result["ok"]
          else _("NOT OK: {reason}").format(reason=result["reason"]))
    if not result["ok"]:
        ctx.exit(1)


@cli.command()
@click.argument("doc_no", required=False)
@click.option("--verify", "check", is_flag=True, help="Check that the trail and the register were not altered.")
@click.option("--witness", "witnesses", multiple=True, metavar="FILE",
              help="With --verify: check that the trail still holds the head FILE witnessed (.docx or export .zip).")
@click.option("--acknowledge-restore", "acknowledge", is_flag=True,
              help="Record that the register was restored from an older copy (needs --by ADMIN and --reason).")
@by_option
@click.option("--reason", help="With --acknowledge-restore: why.")
@password_option
@json_option
@click.pass_context
def log(ctx: click.Context, doc_no: str | None, check: bool, witnesses: tuple[str, ...], acknowledge: bool,
        by: str | None, reason: str | None, password_stdin: bool, as_json: bool) -> None:
    """The audit trail: who changed what, when, and why (--json: the raw entries)."""
    from qmsdocs import reports

    if acknowledge:
        from qmsdocs.maintenance import acknowledge_restore

        result = acknowledge_restore(_workspace(ctx), by or "", _passwords(password_stdin), reason or "")
        _emit(result, as_json, _("Recorded the restore (the trail continues from entry {entry})").format(
            entry=result["restored_head"]))
        return
    if witnesses and not check:
        from qmsdocs.errors import UsageError

        raise UsageError(_("--witness goes with --verify"))
    ws = _workspace(ctx, write=False)
    result = {"entries": reports.log_entries(ws, doc_no)}
    problems: list[str] = []
    if check:
        from qmsdocs import audit
        from qmsdocs.maintenance import check_witnesses, object_problems

        problems = audit.verify(ws.register) or object_problems(ws)
        notes: list[str] = []
        if witnesses:
            witness_problems, notes = check_witnesses(ws, list(witnesses))
            problems += witness_problems
        result |= {"problems": problems, "intact": not problems, "witnesses": notes}
        result["warnings"] = [n for n in notes if _("lost in the restore") in n]
    lines = [f"{e['seq']:>5} {e['at'][:19].replace('T', ' ')} {e['actor']:<14} {e['action']:<18} "
             f"{e['doc_no'] or '':<20} {e['version'] or ''}" + (f" — {e['reason']}" if e["reason"] else "")
             for e in result["entries"]]
    if check:
        lines.append(_("Audit trail intact.") if not problems else _("Audit trail BROKEN."))
    _emit(result, as_json, "\n".join(lines) if lines else _("No entries."))
    for problem in problems:
        _error(problem)
    if problems:
        ctx.exit(1)


@cli.group()
def copies() -> None:
    """Numbered controlled copies (副本编号) and their recall."""


@copies.command(name="issue")
@click.argument("doc_no")
@click.option("--holder", required=True, help="Who receives the copies.")
@click.option("--count", type=int, default=1, show_default=True, help="How many copies.")
@json_option
@click.pass_context
def copies_issue(ctx: click.Context, doc_no: str, holder: str, count: int, as_json: bool) -> None:
    """Issue numbered copies of the revision in force of DOC_NO."""
    from qmsdocs import copies as copies_mod

    result = copies_mod.issue(_workspace(ctx), doc_no, holder, count)
    _emit(result, as_json, "\n".join(_("Issued {copy_no} of {doc_no} {version} to {holder}: {path}").format(
        copy_no=c["copy_no"], doc_no=result["doc_no"], version=result["version"], holder=holder, path=c["path"])
        for c in result["copies"]))


@copies.command(name="outstanding")
@json_option
@click.pass_context
def copies_outstanding(ctx: click.Context, as_json: bool) -> None:
    """Copies of superseded or obsolete revisions not yet recalled."""
    from qmsdocs import copies as copies_mod

    result = copies_mod.outstanding(_workspace(ctx, write=False))
    lines = [_("{copy_no:<26} {version:<6} {status:<10} {holder}  issued {date}").format(
        copy_no=c["copy_no"], version=c["version"], status=c["status"], holder=c["holder"], date=c["issued_on"])
        for c in result["copies"]]
    _emit(result, as_json, "\n".join(lines) if lines else _("No outstanding copies."))


@copies.command(name="recall")
@click.argument("copy_no")
@json_option
@click.pass_context
def copies_recall(ctx: click.Context, copy_no: str, as_json: bool) -> None:
    """Record that COPY_NO came back."""
    from qmsdocs import copies as copies_mod

    result = copies_mod.recall(_workspace(ctx), copy_no)
    _emit(result, as_json, _("Recalled {copy_no} ({holder}) on {date}").format(
        copy_no=copy_no, holder=result["holder"], date=result["recalled_on"]))


@cli.command()
@click.argument("doc_no")
@click.option("--version", "version", help="The revision (default: the effective one, else the latest).")
@click.option("--xlsx", required=True, metavar="FILE.xlsx", help="Where to write the results workbook.")
@force_option
@json_option
@click.pass_context
def results(ctx: click.Context, doc_no: str, version: str | None, xlsx: str, force: bool, as_json: bool) -> None:
    """Write the results workbook of score sheet DOC_NO."""
    from qmsdocs.working_copies import results as make_results

    result = make_results(_workspace(ctx, write=False), doc_no, version, xlsx, force)
    _emit(result, as_json, _("Wrote {path}").format(path=result["xlsx"]))


@cli.command()
@click.argument("doc_no")
@click.option("--version", "version", help="The revision (default: the effective one, else the latest).")
@click.option("--to", "to", required=True, metavar="DIR", help="The folder for the per-person working copies.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Render in N processes.")
@force_option
@json_option
@click.pass_context
def split(ctx: click.Context, doc_no: str, version: str | None, to: str, jobs: int | None, force: bool,
          as_json: bool) -> None:
    """Write one working copy per staff member of score sheet DOC_NO into DIR."""
    from qmsdocs.working_copies import split as make_split

    with _progress(_("Writing working copies")) as progress:
        result = make_split(_workspace(ctx, write=False), doc_no, version, to, jobs, force, progress)
    _emit(result, as_json, _("Wrote {count} working copies of {doc_no} version {version} into {folder}").format(
        count=len(result["split"]), doc_no=result["doc_no"], version=result["version"], folder=to))


@cli.command()
@click.option("--by", "by", required=True, metavar="NAME", help="Who repairs (recorded in the trail).")
@password_option
@json_option
@click.pass_context
def repair(ctx: click.Context, by: str, password_stdin: bool, as_json: bool) -> None:
    """Restore the files in documents/ and copies/ from the store (altered ones are moved aside)."""
    from qmsdocs.maintenance import repair as repair_workspace

    result = repair_workspace(_workspace(ctx), by, _passwords(password_stdin))
    _emit(result, as_json, "\n".join(result["actions"]) or _("Every file is as the register says."))


@cli.command()
@json_option
@click.pass_context
def upgrade(ctx: click.Context, as_json: bool) -> None:
    """Bring a workspace made by an earlier qmsdocs up to date (history and files intact)."""
    from qmsdocs.maintenance import upgrade as upgrade_workspace

    result = upgrade_workspace(ctx.obj["records"])
    if not result["upgraded"]:
        _emit(result, as_json, _("The workspace is up to date."))
        return
    lines = [_("Upgraded the register from schema {old} to {new}.").format(old=result["from"], new=result["to"])]
    if result["signers"]:
        lines.append(_("Earlier signatures stay, marked as recorded before the roster. Their signers, to confirm as "
                       "the roster:"))
        lines += [f"  qms people add {name} --roles …" for name in result["signers"]]
    _emit(result, as_json, "\n".join(lines))


@cli.command()
@click.option("-o", "--output", "out", required=True, metavar="FILE.zip", help="Where to write the backup.")
@force_option
@json_option
@click.pass_context
def backup(ctx: click.Context, out: str, force: bool, as_json: bool) -> None:
    """Write a consistent snapshot of the register and every file it controls."""
    from qmsdocs.maintenance import backup as backup_workspace

    result = backup_workspace(_workspace(ctx, write=False), out, force)
    _emit(result, as_json, _("Wrote {path} ({count} files, trail head {head})").format(
        path=result["path"], count=result["objects"], head=result["chain"]))


@cli.command()
@click.argument("file", metavar="FILE.zip")
@click.argument("directory", metavar="DIR")
@json_option
def restore(file: str, directory: str, as_json: bool) -> None:
    """Make a new workspace in DIR from a backup made by qms backup."""
    from qmsdocs.maintenance import restore as restore_workspace

    result = restore_workspace(file, directory)
    _emit(result, as_json, _("Restored into {records} (trail head {head})").format(
        records=result["records"], head=result["chain"]))


@cli.command()
@click.option("--to", "to", required=True, metavar="URL|sqlite",
              help="An empty PostgreSQL database (postgresql://USER@HOST/DB), or sqlite: the folder's own register.")
@click.option("--by", "by", required=True, metavar="ADMIN",
              help="The administrator who moves the register (asks their password; recorded in the trail).")
@password_option
@json_option
@click.pass_context
def migrate(ctx: click.Context, to: str, by: str, password_stdin: bool, as_json: bool) -> None:
    """Move the register, with every file and the whole trail, to another engine (docs/deployment.md)."""
    from qmsdocs.migrate import migrate as migrate_register

    result = migrate_register(ctx.obj["records"], to, by, _passwords(password_stdin))
    copied = sum(n for t, n in result["rows"].items() if t != "objects")
    _emit(result, as_json, f"Moved the register to {result['register']}: {copied} rows, {result['rows']['objects']} "
                           f"files, trail head {result['chain']}"
                           + (f"\n  the previous register is kept as {result['kept']}" if result["kept"] else ""))


@cli.command()
@click.option("--out", metavar="DIR", help="Folder for the demo workspace (default: a new folder here).")
@click.option("--samples", metavar="DIR", help="Only copy the sample workbooks into DIR (to start the README's example).")
@json_option
def demo(out: str | None, samples: str | None, as_json: bool) -> None:
    """Run the whole job on the sample workbooks, in a fresh workspace."""
    from qmsdocs.demo import copy_samples, run_demo

    if samples:
        copied = copy_samples(samples)
        _emit({"samples": copied}, as_json, "\n".join(_("Copied {file}").format(file=f) for f in copied))
        return
    result = run_demo(out)
    lines = [_("Demo workspace: {records}").format(records=result["records"]), ""]
    lines += [f"  {step['step']:<44} {step['doc_no']:<20} {step['version']:<5} {step['status']}"
              for step in result["steps"]]
    lines += ["", _("Master list:")]
    lines += [f"  {_document_line(d)}" for d in result["documents"]]
    lines += ["", _("Files written:")] + [f"  {f}" for f in result["files"]]
    _emit(result, as_json, "\n".join(lines))


def main() -> None:
    """Entry point of the ``qms`` console script."""
    for stream in (sys.stdout, sys.stderr):
        # A console that cannot show a character (cp936 on Chinese Windows) gets a stand-in, not a crash.
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
    cli(prog_name="qms")
