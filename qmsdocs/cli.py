"""The ``qms`` command line: parse options, call one library function, print the result.

Errors of the library (:class:`qmsdocs.errors.QmsError`) are turned into one ``Error:`` line
each on stderr and exit code 1 (refused by a rule) or 2 (bad usage or data) in one place,
:meth:`QmsGroup.invoke`. Heavy modules are imported only by the commands that need them.
"""
from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from qmsdocs import __version__
from qmsdocs.names import DOC_TYPES, ROLES

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
STATUSES = ("draft", "effective", "superseded", "obsolete")


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
        from qmsdocs.outputs import Terminated, os_cause

        def fail(lines: list[str], code: int) -> None:
            for line in lines:
                click.echo(f"Error: {line}", err=True)
            ctx.exit(code)

        try:
            return super().invoke(ctx)
        except QmsError as exc:
            fail(exc.lines(), exc.exit_code)
        except Terminated as exc:
            fail([str(exc)], 128 + exc.signum)
        except OSError as exc:
            paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
            where = f"{paths[0]}: " if paths else ""
            fail([f"{where}{os_cause(exc)}"], 2 if _given(ctx, paths) else 1)
        except sqlite3.Error as exc:
            fail([f"register error: {exc}"], 1)
        except MemoryError:
            fail(["out of memory; the input is too large for this machine"], 1)
        except RecursionError:
            fail(["the input is nested too deeply to be read"], 1)


def _given(ctx: click.Context, paths: list[str]) -> bool:
    """Return whether one of ``paths`` is a value the user typed on the command line."""
    import os

    typed = ctx.meta.get("qms.argv", [])
    values = {a.split("=", 1)[1] if a.startswith("--") and "=" in a else a for a in typed}
    resolved = {os.path.realpath(v) for v in values if v and not v.startswith("-")}
    return any(p in values or os.path.realpath(p) in resolved for p in paths)


json_option = click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object on stdout.")


def _workspace(ctx: click.Context) -> Any:
    from qmsdocs.workspace import Workspace

    ws = Workspace.open(ctx.obj["records"])
    ctx.call_on_close(ws.close)
    return ws


def _emit(result: dict[str, Any], as_json: bool, human: str) -> None:
    for warning in result.pop("warnings", []) or []:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(human)


@contextlib.contextmanager
def _progress(label: str | None) -> Iterator[Callable[..., None] | None]:
    """Yield a progress callback drawing a bar on stderr, or None: no label, or stderr not a terminal.

    The library announces the work with ``progress(0, total)`` and reports it with ``progress(n)``;
    the bar appears at the announcement, so work that turns out short shows none. Piped or
    redirected, nothing is drawn: logs and scripts read stderr for ``Error:`` lines only.
    """
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
    return f"{verb} {r['doc_no']} version {r['version']} ({r['status']}): {r['title']}\n  {r['path']}"


@click.group(cls=QmsGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--records", metavar="DIR", help="Workspace folder (default: $QMS_RECORDS, else ./records).")
@click.version_option(__version__, prog_name="qms")
@click.pass_context
def cli(ctx: click.Context, records: str | None) -> None:
    """qmsdocs: controlled quality documents for a GB/T 19001 (ISO 9001) quality system.

    Issue numbered, versioned documents under change-order numbers, collect approval
    signatures and release them; generate evaluation plans from Excel workbooks.
    """
    ctx.obj = {"records": records}


@cli.command()
@click.argument("directory", metavar="DIR")
@click.option("--company", help="Company name printed on every document.")
@click.option("--department", help="Department name printed on every document.")
@click.option("--lang", "language", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of documents and blank workbooks.")
@json_option
def init(directory: str, company: str | None, department: str | None, language: str, as_json: bool) -> None:
    """Create a workspace in DIR (refused if DIR already holds one)."""
    from pathlib import Path

    from qmsdocs.workspace import init as init_workspace

    root = init_workspace(Path(directory), company, department, language)
    _emit({"records": str(root.resolve()), "config": str((root / "qms.toml").resolve())}, as_json,
          f"Created workspace {root} (settings in {root / 'qms.toml'})")


@cli.command()
@click.argument("kind", type=click.Choice(DOC_TYPES))
@click.option("-o", "--output", "out", required=True, metavar="FILE.xlsx",
              help="Where to write the workbook (outside the workspace, or in its exports/ folder).")
@click.option("--force", is_flag=True, help="Replace FILE.xlsx if it exists.")
@json_option
@click.pass_context
def sheet(ctx: click.Context, kind: str, out: str, force: bool, as_json: bool) -> None:
    """Write a blank input workbook for KIND (plan, minutes or scores)."""
    from pathlib import Path

    from qmsdocs.blank import write_blank

    ws = _workspace(ctx)
    path = write_blank(kind, Path(out), ws.config.language, workspace_root=ws.root, force=force, option="-o")
    _emit({"kind": kind, "path": str(path)}, as_json, f"Wrote blank {kind} workbook {out}")


@cli.command()
@click.argument("kind", type=click.Choice(DOC_TYPES))
@click.option("--data", required=True, metavar="FILE.xlsx", help="The filled input workbook.")
@click.option("--title", help="Document title (default: the workbook's title field).")
@click.option("--xlsx", metavar="FILE.xlsx", help="scores: also write the results workbook.")
@click.option("--split", metavar="DIR", help="scores: also write one .docx per staff member into DIR.")
@click.option("--jobs", type=click.IntRange(1, 64), help="scores: render --split documents in N processes.")
@json_option
@click.pass_context
def new(ctx: click.Context, kind: str, data: str, title: str | None, xlsx: str | None, split: str | None,
        jobs: int | None, as_json: bool) -> None:
    """Create a new document of KIND as draft revision 1.0 (or A/0) from a workbook."""
    from qmsdocs import lifecycle

    ws = _workspace(ctx)
    with _progress("Writing --split documents" if split else None) as progress:
        result = lifecycle.new(ws, kind, data, title, {"xlsx": xlsx, "split": split, "jobs": jobs}, progress)
    _emit(result, as_json, _revision_line("Created", result))


@cli.command()
@click.argument("doc_no")
@click.option("--change-no", required=True, help="Change-order number (更改单号), unique in the workspace.")
@click.option("--by", "by", required=True, metavar="NAME", help="Who made the change (更改人).")
@click.option("--summary", required=True, help="What changed (摘要).")
@click.option("--data", metavar="FILE.xlsx", help="New input workbook (default: the previous revision's).")
@click.option("--pages", help="Pages changed (页码), e.g. 3-5 (default: all).")
@click.option("--major", is_flag=True, help="A major revision: 1.1 → 2.0, A/1 → B/0.")
@json_option
@click.pass_context
def revise(ctx: click.Context, doc_no: str, change_no: str, by: str, summary: str, data: str | None,
           pages: str | None, major: bool, as_json: bool) -> None:
    """Open a new draft revision of an effective document."""
    from qmsdocs import lifecycle

    result = lifecycle.revise(_workspace(ctx), doc_no, change_no, by, summary, data, pages, major)
    _emit(result, as_json, _revision_line("Revised", result))


@cli.command()
@click.argument("doc_no")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Signature role, in signing order.")
@click.option("--name", required=True, help="Name of the person signing.")
@click.option("--date", metavar="YYYY-MM-DD", help="Date of the signature (default: today).")
@json_option
@click.pass_context
def sign(ctx: click.Context, doc_no: str, role: str, name: str, date: str | None, as_json: bool) -> None:
    """Sign the open draft revision of DOC_NO."""
    from qmsdocs import lifecycle

    result = lifecycle.sign(_workspace(ctx), doc_no, role, name, date)
    _emit(result, as_json, f"Signed {result['doc_no']} version {result['version']} as {role}: "
                           f"{result['name']} on {result['date']}")


@cli.command()
@click.argument("doc_no")
@click.option("--effective", metavar="YYYY-MM-DD", help="Effective date (default: today).")
@json_option
@click.pass_context
def release(ctx: click.Context, doc_no: str, effective: str | None, as_json: bool) -> None:
    """Make the open draft of DOC_NO effective; the previous revision becomes superseded."""
    from qmsdocs import lifecycle

    result = lifecycle.release(_workspace(ctx), doc_no, effective)
    _emit(result, as_json, _revision_line("Released", result))


@cli.command()
@click.argument("doc_no")
@click.option("--by", "by", required=True, metavar="NAME", help="Who withdraws the document.")
@click.option("--reason", required=True, help="Why it is withdrawn.")
@json_option
@click.pass_context
def obsolete(ctx: click.Context, doc_no: str, by: str, reason: str, as_json: bool) -> None:
    """Withdraw DOC_NO as a whole (作废)."""
    from qmsdocs import lifecycle

    result = lifecycle.obsolete(_workspace(ctx), doc_no, by, reason)
    _emit(result, as_json, f"Withdrew {result['doc_no']} on {result['obsolete_on']}: {reason}")


@cli.command(name="list")
@click.option("--type", "doc_type", type=click.Choice(DOC_TYPES), help="Only documents of this type.")
@click.option("--status", type=click.Choice(STATUSES), help="Only documents whose current revision has this status.")
@click.option("--xlsx", metavar="FILE",
              help="Also write the master list as a workbook (outside the workspace, or in its exports/ folder).")
@click.option("--force", is_flag=True, help="Replace the --xlsx file if it exists.")
@json_option
@click.pass_context
def list_(ctx: click.Context, doc_type: str | None, status: str | None, xlsx: str | None, force: bool,
          as_json: bool) -> None:
    """The master list (受控文件清单): the current revision of each document."""
    from qmsdocs import lifecycle

    ws = _workspace(ctx)
    if force and not xlsx:
        from qmsdocs.errors import UsageError

        raise UsageError("option --force is only for --xlsx")
    result = lifecycle.list_documents(ws, doc_type, status)
    if xlsx:
        from pathlib import Path

        from qmsdocs.masterlist import write_master_list

        result["xlsx"] = str(write_master_list(ws, result["documents"], Path(xlsx), force=force, option="--xlsx"))
    rows = [f"{d['doc_no']:<20} {d['version']:<6} {d['status']:<10} {d['effective_date'] or '':<10}  {d['title']}"
            for d in result["documents"]]
    header = f"{'document':<20} {'ver.':<6} {'status':<10} {'effective':<10}  title"
    _emit(result, as_json, "\n".join([header] + rows) if rows else "No documents.")


@cli.command()
@click.argument("doc_no")
@json_option
@click.pass_context
def show(ctx: click.Context, doc_no: str, as_json: bool) -> None:
    """DOC_NO with every revision, signature, change-order number, file and sha256."""
    from qmsdocs import lifecycle

    result = lifecycle.show(_workspace(ctx), doc_no)
    lines = [f"{result['doc_no']} ({result['type']})"]
    if result["obsolete_on"]:
        lines.append(f"  obsolete since {result['obsolete_on']} by {result['obsolete_by']}: {result['obsolete_reason']}")
    for r in result["revisions"]:
        lines.append(f"  {r['version']:<6} {r['status']:<10} change {r['change_no'] or '-'}  "
                     f"effective {r['effective_date'] or '-'}  {r['summary']}")
        for s in r["signatures"]:
            stale = "" if s["valid"] else "  (no longer valid: content changed)"
            lines.append(f"         {s['role']:<12} {s['name']}  {s['date']}{stale}")
        lines.append(f"         {r['path']}\n         sha256 {r['sha256']}")
    _emit(result, as_json, "\n".join(lines))


@cli.command()
@click.argument("doc_no")
@click.option("-o", "--output", "out", metavar="FILE.docx",
              help="Where to write it (default: documents/DOC_NO/DOC_NO_revision-log.docx in the workspace).")
@json_option
@click.pass_context
def revlog(ctx: click.Context, doc_no: str, out: str | None, as_json: bool) -> None:
    """The revision log (修订记录) of DOC_NO as a Word document."""
    from qmsdocs.revlog import write_log

    result = write_log(_workspace(ctx), doc_no, out)
    lines = [f"Revision log of {doc_no}: {result['path']}"]
    lines += [f"  {r['version']:<6} {r['status']:<10} {r['change_no'] or '-':<14} {r['effective_date'] or '-':<10} "
              f"{r['summary']}" for r in result["revisions"]]
    _emit(result, as_json, "\n".join(lines))


@cli.group()
def template() -> None:
    """Check a template of your own before relying on it."""


@template.command(name="check")
@click.argument("file", metavar="FILE")
@click.option("--type", "doc_type", required=True, type=click.Choice(DOC_TYPES + ("revlog",)),
              help="The document type the template is for.")
@json_option
@click.pass_context
def template_check(ctx: click.Context, file: str, doc_type: str, as_json: bool) -> None:
    """List unknown and missing placeholders of template FILE (exit 1 if any)."""
    from qmsdocs.template_check import check_with_samples

    result = check_with_samples(ctx.obj["records"], file, doc_type)
    lines = [f"{file}: {'OK, every placeholder is known and every value is shown' if result['ok'] else 'problems'}"]
    lines += [f"  unknown placeholder: {p}" for p in result["unknown"]]
    lines += [f"  missing placeholder: {p}" for p in result["missing"]]
    _emit(result, as_json, "\n".join(lines))
    if not result["ok"]:
        ctx.exit(1)


@cli.command()
@click.option("-o", "--output", "out", required=True, metavar="FILE.zip", help="Where to write the package.")
@click.argument("doc_nos", nargs=-1, metavar="[DOC_NO]...")
@click.option("--pdf", is_flag=True, help="Add PDF renditions (needs LibreOffice).")
@json_option
@click.pass_context
def export(ctx: click.Context, out: str, doc_nos: tuple[str, ...], pdf: bool, as_json: bool) -> None:
    """The auditor package: effective revisions, revision logs, master list, manifest.json.

    Without DOC_NO, every document that has an effective revision.
    """
    from qmsdocs.export import export as export_package

    ws = _workspace(ctx)
    with _progress("Converting to PDF" if pdf else "Packing documents") as progress:
        result = export_package(ws, out, doc_nos, pdf, progress)
    lines = [f"Wrote {result['path']} ({len(result['files']) + 1} files, sha256 {result['sha256']})"]
    lines += [f"  {d['doc_no']} {d['version']} effective {d['effective_date']}" for d in result["documents"]]
    _emit(result, as_json, "\n".join(lines))


@cli.command()
@click.argument("file", metavar="FILE.docx")
@json_option
@click.pass_context
def verify(ctx: click.Context, file: str, as_json: bool) -> None:
    """Is FILE a controlled revision from this register, unaltered and current? (exit 0 only then)"""
    from qmsdocs.verify import verify_file

    result = verify_file(_workspace(ctx), file)
    _emit(dict(result), as_json, f"OK: {result['reason']}" if result["ok"] else f"NOT OK: {result['reason']}")
    if not result["ok"]:
        click.echo(f"Error: {file}: {result['reason']}", err=True)
        ctx.exit(1)


@cli.command()
@click.argument("doc_no", required=False)
@click.option("--verify", "check", is_flag=True, help="Check that the trail and the register were not altered.")
@json_option
@click.pass_context
def log(ctx: click.Context, doc_no: str | None, check: bool, as_json: bool) -> None:
    """The audit trail: who changed what, when, from what to what, and why."""
    from qmsdocs import audit

    ws = _workspace(ctx)
    if doc_no:
        from qmsdocs.lifecycle import document_row

        document_row(ws.conn, doc_no)
    result: dict[str, Any] = {"entries": audit.entries(ws.conn, doc_no)}
    if check:
        result["problems"] = audit.verify(ws.conn)
        result["intact"] = not result["problems"]
    lines = [f"{e['id']:>5} {e['at'][:19]} {e['action']:<9} {e['doc_no'] or '':<20} {e['version'] or '':<6} "
             f"{e['actor']} ({e['os_user']}) {json.dumps(e['changes'], ensure_ascii=False)}"
             + (f" — {e['reason']}" if e["reason"] else "") for e in result["entries"]]
    if check:
        lines.append("Audit trail intact." if result["intact"] else "Audit trail BROKEN.")
    _emit(result, as_json, "\n".join(lines) if lines else "No entries.")
    if check and result["problems"]:
        for problem in result["problems"]:
            click.echo(f"Error: {problem}", err=True)
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
    """Issue numbered copies of the effective revision of DOC_NO."""
    from qmsdocs import copies as copies_mod

    result = copies_mod.issue(_workspace(ctx), doc_no, holder, count)
    _emit(result, as_json, "\n".join(f"Issued {c['copy_no']} of {doc_no} {result['version']} to {holder}: "
                                     f"{c['path']}" for c in result["copies"]))


@copies.command(name="outstanding")
@json_option
@click.pass_context
def copies_outstanding(ctx: click.Context, as_json: bool) -> None:
    """Copies of superseded or obsolete revisions not yet recalled."""
    from qmsdocs import copies as copies_mod

    result = copies_mod.outstanding(_workspace(ctx))
    lines = [f"{c['copy_no']:<26} {c['version']:<6} {c['status']:<10} {c['holder']}  issued {c['issued_on']}"
             for c in result["copies"]]
    _emit(result, as_json, "\n".join(lines) if lines else "No outstanding copies.")


@copies.command(name="recall")
@click.argument("copy_no")
@json_option
@click.pass_context
def copies_recall(ctx: click.Context, copy_no: str, as_json: bool) -> None:
    """Record that COPY_NO came back."""
    from qmsdocs import copies as copies_mod

    result = copies_mod.recall(_workspace(ctx), copy_no)
    _emit(result, as_json, f"Recalled {copy_no} ({result['holder']}) on {result['recalled_on']}")


@cli.command()
@click.option("--out", metavar="DIR", help="Folder for the demo workspace (default: a new folder here).")
@json_option
def demo(out: str | None, as_json: bool) -> None:
    """Run the whole job on the sample workbooks in records/, in a fresh workspace."""
    from qmsdocs.demo import run_demo

    result = run_demo(out)
    lines = [f"Demo workspace: {result['records']}", ""]
    lines += [f"  {step['step']:<44} {step['doc_no']:<20} {step['version']:<5} {step['status']}"
              for step in result["steps"]]
    lines += ["", "Files written:"] + [f"  {f}" for f in result["files"]]
    _emit(result, as_json, "\n".join(lines))


def main() -> None:
    """Entry point of the ``qms`` console script."""
    cli(prog_name="qms")
