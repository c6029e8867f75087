"""``qms export``: the auditor package — effective revisions, revision logs, master list, manifest."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from qmsdocs import clock, lifecycle, ooxml
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.files import sha256_bytes, write_atomic
from qmsdocs.masterlist import master_list_bytes
from qmsdocs.register import valid_signatures
from qmsdocs.revlog import render_log
from qmsdocs.workspace import Workspace

#: What each signature means, as the manifest states it (21 CFR 11.50: the meaning of a signature).
MEANINGS = {
    "compile": "compiled (编制): author of the content",
    "standardize": "standardized (标准化): checked against the document standards",
    "review": "reviewed (审核): content reviewed and found correct",
    "countersign": "countersigned (会签): agreed by an affected function",
    "approve": "approved (批准): authorised for use",
}


def _documents(ws: Workspace, doc_nos: tuple[str, ...]) -> list[tuple[Any, Any]]:
    """Return (document, effective revision) of each chosen document; all with one by default."""
    conn = ws.conn
    if doc_nos:
        chosen = []
        for doc_no in dict.fromkeys(doc_nos):
            doc = lifecycle.document_row(conn, doc_no)
            rev = lifecycle.effective_revision(conn, doc)
            if rev is None:
                raise RuleError(f"{doc_no} has no effective revision to export")
            chosen.append((doc, rev))
        return chosen
    return [(doc, rev) for doc in conn.execute("SELECT * FROM documents ORDER BY doc_no")
            if (rev := lifecycle.effective_revision(conn, doc)) is not None]


def _pdfs(files: dict[str, bytes], progress: Any = None) -> dict[str, bytes]:
    """Convert the .docx files to PDF in one LibreOffice run with a profile of its own."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UsageError("--pdf needs LibreOffice (soffice) on the PATH; install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="qms-pdf-") as tmp:
        work = Path(tmp)
        for name, data in files.items():
            (work / Path(name).name).write_bytes(data)
        sources = [str(work / Path(n).name) for n in files]
        done = subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                               "--convert-to", "pdf", "--outdir", str(work / "pdf"), *sources],
                              capture_output=True, text=True, timeout=1800)
        out = {}
        for name in files:
            pdf = work / "pdf" / (Path(name).stem + ".pdf")
            if not pdf.is_file():
                raise UsageError(f"LibreOffice could not convert {Path(name).name} to PDF: "
                                 f"{(done.stderr or done.stdout).strip()[:200]}")
            out[name[:-5] + ".pdf"] = pdf.read_bytes()
            if progress:
                progress(1)
        return out


def export(ws: Workspace, out: str | Path, doc_nos: tuple[str, ...] = (), pdf: bool = False,
           progress: Any = None) -> dict[str, Any]:
    """Write the auditor package ``out`` (.zip) and return its manifest.

    For each document: its effective revision's .docx and its revision log .docx; then the master
    list workbook and ``manifest.json`` with every file's sha256 and each revision's signatures.
    ``progress``, if given, is called as ``progress(0, total)`` once the documents are known, then
    ``progress(1)`` per document packed and per PDF made.
    """
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise UsageError(f"{out}: the package file must end in .zip")
    chosen = _documents(ws, tuple(doc_nos))
    if not chosen:
        raise RuleError("no document has an effective revision yet; nothing to export")
    if progress:
        progress(0, len(chosen) * (3 if pdf else 1))  # with --pdf, two PDFs per document: itself and its log
    files: dict[str, bytes] = {}
    entries = []
    for doc, rev in chosen:
        data = ws.path(rev["path"]).read_bytes()
        if sha256_bytes(data) != rev["sha256"]:
            raise RuleError(f"{doc['doc_no']} {rev['version']}: the file in the workspace was altered "
                            f"({rev['path']}); restore it before exporting")
        name = f"documents/{Path(rev['path']).name}"
        files[name] = data
        log, _ = render_log(ws, doc["doc_no"])
        files[f"revision-logs/{doc['doc_no']}_revision-log.docx"] = log
        signatures = valid_signatures(ws.conn, rev)
        entries.append({
            "doc_no": doc["doc_no"], "type": doc["type"], "title": rev["title"], "version": rev["version"],
            "status": rev["status"], "change_no": rev["change_no"], "changed_by": rev["changed_by"],
            "summary": rev["summary"], "release_date": rev["release_date"], "effective_date": rev["effective_date"],
            "file": name, "sha256": rev["sha256"],
            "signatures": [{"role": s["role"], "name": s["name"], "date": s["date"], "meaning": MEANINGS[s["role"]]}
                           for s in signatures],
        })
        if progress:
            progress(1)
    listing = [d for d in lifecycle.list_documents(ws)["documents"] if d["doc_no"] in {e["doc_no"] for e in entries}]
    files["master-list.xlsx"] = master_list_bytes(ws, listing)
    if pdf:
        files.update(_pdfs({n: d for n, d in files.items() if n.endswith(".docx")}, progress))
    manifest = {
        "generated_on": clock.today().isoformat(),
        "company": ws.config.company, "department": ws.config.department,
        "documents": entries,
        "files": [{"name": n, "sha256": sha256_bytes(d), "bytes": len(d)} for n, d in sorted(files.items())],
    }
    blob = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    package = ooxml.write_package(sorted(files.items()) + [("manifest.json", blob)])
    write_atomic(out, package)
    return {"path": str(out.resolve()), "sha256": sha256_bytes(package)} | manifest
