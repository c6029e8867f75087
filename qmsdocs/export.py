"""``qms export``: the auditor package — effective revisions, revision logs, master list, manifest."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from qmsdocs import clock, lifecycle, ooxml
from qmsdocs import reports as lifecycle_reports
from qmsdocs.db import Row
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.faults import crashpoint
from qmsdocs.i18n import _
from qmsdocs.masterlist import master_list_bytes
from qmsdocs.rendering import revisions_of, valid_signatures
from qmsdocs.status import in_force
from qmsdocs.store import sha256_bytes
from qmsdocs.workspace import Workspace

#: What each signature means, as the manifest states it (21 CFR 11.50: the meaning of a signature).
MEANINGS = {
    "compile": "compiled (编制): author of the content",
    "standardize": "standardized (标准化): checked against the document standards",
    "review": "reviewed (审核): content reviewed and found correct",
    "countersign": "countersigned (会签): agreed by an affected function",
    "approve": "approved (批准): authorised for use",
}


def _documents(ws: Workspace, doc_nos: tuple[str, ...]) -> list[tuple[Row, Row]]:
    """Return (document, revision in force) of each chosen document; all with one by default."""
    today = clock.today()
    if doc_nos:
        chosen = []
        for doc_no in dict.fromkeys(doc_nos):
            doc = lifecycle.document_row(ws.register, doc_no)
            rev = None if doc["obsolete_on"] else in_force(revisions_of(ws.register, doc["id"]), today)
            if rev is None:
                raise RuleError(_("{doc_no} has no effective revision to export").format(doc_no=doc["doc_no"]))
            chosen.append((doc, rev))
        return chosen
    out = []
    for doc in ws.register.query("SELECT * FROM documents ORDER BY doc_no"):
        rev = None if doc["obsolete_on"] else in_force(revisions_of(ws.register, doc["id"]), today)
        if rev is not None:
            out.append((doc, rev))
    return out


def _pdfs(files: dict[str, bytes], progress: Any = None) -> dict[str, bytes]:
    """Convert the .docx files to PDF in one LibreOffice run with a profile of its own.

    Everything LibreOffice does happens in a private temporary folder, removed on every exit
    path, and the process (with its children) is stopped on every exit path too.
    """
    import signal

    from qmsdocs.outputs import on_signals

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UsageError(_("--pdf needs LibreOffice (soffice) on the PATH; install libreoffice-writer-nogui"))
    with on_signals(), tempfile.TemporaryDirectory(prefix="qms-pdf-") as tmp:
        work = Path(tmp)
        for name, data in files.items():
            (work / Path(name).name).write_bytes(data)
        sources = [str(work / Path(n).name) for n in files]
        proc = subprocess.Popen([soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                                 "--convert-to", "pdf", "--outdir", str(work / "pdf"), *sources],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        watchdog = _watch(proc.pid, work)
        try:
            crashpoint("converting")
            stdout, stderr = proc.communicate(timeout=1800)
        finally:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
            _release(watchdog)
        out = {}
        for name in files:
            pdf = work / "pdf" / (Path(name).stem + ".pdf")
            if not pdf.is_file():
                raise UsageError(_("LibreOffice could not convert {file} to PDF: {output}").format(
                    file=Path(name).name, output=(stderr or stdout).strip()[:200]))
            out[name[:-5] + ".pdf"] = pdf.read_bytes()
            if progress:
                progress(1)
        return out


#: The watchdog of a LibreOffice run: it waits for its standard input to close. Closed after
#: "done", all is well; closed without it, qmsdocs died (even by SIGKILL, which no handler sees):
#: it kills LibreOffice's process group, waits until the group is gone, and removes the work folder.
_WATCHDOG = """
import os, shutil, signal, sys, time
group, work = int(sys.argv[1]), sys.argv[2]
if sys.stdin.buffer.read() != b"done":
    try:
        os.killpg(group, signal.SIGKILL)
        for _ in range(500):
            os.killpg(group, 0)
            time.sleep(0.01)
    except OSError:
        pass
    shutil.rmtree(work, ignore_errors=True)
"""


def _watch(group: int, work: Path) -> subprocess.Popen[bytes] | None:
    """Start the watchdog of LibreOffice's process group ``group`` and its folder ``work`` (POSIX)."""
    import sys

    if not hasattr(os, "killpg"):  # pragma: no cover - Windows
        return None
    return subprocess.Popen([sys.executable, "-I", "-S", "-c", _WATCHDOG, str(group), str(work)],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _release(watchdog: subprocess.Popen[bytes] | None) -> None:
    """Tell the watchdog that LibreOffice was stopped and its folder is being removed here."""
    if watchdog is None:
        return
    try:
        assert watchdog.stdin is not None
        watchdog.stdin.write(b"done")
        watchdog.stdin.close()
    except OSError:
        pass
    watchdog.wait()


def export(ws: Workspace, out: str | Path, doc_nos: tuple[str, ...] = (), pdf: bool = False,
           progress: Any = None, force: bool = False) -> dict[str, Any]:
    """Write the auditor package ``out`` (.zip) and return its manifest.

    For each document: its effective revision's stored .docx and its stored revision log; then the
    master list workbook and ``manifest.json`` with every file's sha256, each revision's signatures
    and the trail head the package witnesses. Every file comes from the store (checked against its
    hash); a view in ``documents/`` that differs is reported. The export is then recorded in the
    trail, where the workspace is writable.
    """
    from qmsdocs import audit, views
    from qmsdocs.outputs import check_output, write_output

    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise UsageError(_("{path}: the package file must end in .zip").format(path=out))
    check_output(out, ws.root, force=force, option="-o")
    chosen = _documents(ws, tuple(doc_nos))
    if not chosen:
        raise RuleError(_("no document has an effective revision yet; nothing to export"))
    if progress:
        progress(0, len(chosen) * (3 if pdf else 1))  # with --pdf, two PDFs per document: itself and its log
    files: dict[str, bytes] = {}
    entries = []
    warnings = []
    for doc, rev in chosen:
        shown = {v.path: v for v in views.expected(ws, doc["id"])}
        view = shown[ws.document_view(doc["doc_no"], rev["version"])]
        assert view.sha256 is not None
        name = f"documents/{Path(view.path).name}"
        files[name] = ws.store.get(view.sha256, f"{doc['doc_no']} {rev['version']}")
        log = shown.get(ws.revlog_view(doc["doc_no"]))
        if log is not None and log.sha256:
            files[f"revision-logs/{doc['doc_no']}_revision-log.docx"] = ws.store.get(log.sha256, _("revision log"))
        for v, state in views.check(ws, [doc["id"]]):
            warnings.append(_("{path}: the file in the workspace is {state}; the package holds the stored file "
                              "(see qms repair)").format(path=v.path, state=state))
        signatures = valid_signatures(ws.register, rev)
        entries.append({
            "doc_no": doc["doc_no"], "type": doc["kind"], "title": rev["title"], "version": rev["version"],
            "status": "effective", "change_no": rev["change_no"], "changed_by": rev["changed_by"],
            "summary": rev["summary"], "release_date": rev["release_date"], "effective_date": rev["effective_date"],
            "content_sha256": rev["bundle_sha256"], "file": name, "sha256": view.sha256,
            "signatures": [{"role": s["role"], "name": s["name"], "account": s["account"], "date": s["date"],
                            "mode": s["mode"], "meaning": MEANINGS[s["role"]]} for s in signatures],
        })
        if progress:
            progress(1)
    listing = [d for d in lifecycle_reports.list_documents(ws)["documents"]
               if d["doc_no"] in {e["doc_no"] for e in entries}]
    files["master-list.xlsx"] = master_list_bytes(ws, listing)
    if pdf:
        files.update(_pdfs({n: d for n, d in files.items() if n.endswith(".docx")}, progress))
    head = audit.head(ws.register)
    manifest = {
        "generated_on": clock.today().isoformat(),
        "company": ws.config.company, "department": ws.config.department,
        "chain": {"seq": head.seq, "hash": head.hash},
        "documents": entries,
        "files": [{"name": n, "sha256": sha256_bytes(d), "bytes": len(d)} for n, d in sorted(files.items())],
    }
    blob = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    package = ooxml.write_package(sorted(files.items()) + [("manifest.json", blob)])
    written = write_output(out, package, workspace_root=ws.root, force=force, option="-o")
    sha = sha256_bytes(package)
    warnings += _record_export(ws, sha, head, [e["doc_no"] for e in entries])
    return {"path": str(written.resolve()), "sha256": sha, "warnings": warnings} | manifest


def _record_export(ws: Workspace, sha: str, head: Any, doc_nos: list[str]) -> list[str]:
    """Record the export and the head its manifest witnesses in the trail (if the workspace is writable)."""
    from qmsdocs.command import run
    from qmsdocs.errors import QmsError

    try:
        writer = Workspace.open(ws.root, write=True)
    except (QmsError, OSError) as exc:
        return [_("the export was not recorded in the audit trail ({cause})").format(cause=exc)]
    try:
        with run(writer) as cmd:
            cmd.record("export", {"sha256": sha, "chain": head.text(), "documents": doc_nos})
    except (QmsError, OSError) as exc:
        return [_("the export was not recorded in the audit trail ({cause})").format(cause=exc)]
    finally:
        writer.close()
    return []
