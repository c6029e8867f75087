"""Make the README's pictures: run the demo, convert the documents to PDF, take page images.

Needs LibreOffice and poppler-utils. ``python -m tools.screenshots`` writes docs/images/*.png.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from qmsdocs.demo import run_demo

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"

#: picture name -> (document type, page number) taken from the demo's effective documents.
PICTURES = {"plan-cover": ("plan", 1), "plan-body": ("plan", 2), "minutes-body": ("minutes", 2),
            "scores-summary": ("scores", 2), "scores-person": ("scores", 4), "regulation-body": ("regulation", 3)}


def main() -> None:
    work = Path(tempfile.mkdtemp())
    result = run_demo(str(work / "demo"))
    by_type = {}
    for doc in result["documents"]:
        path = work / "demo" / "documents" / doc["doc_no"] / f"{doc['doc_no']}_{doc['version'].replace('/', '-')}.docx"
        by_type[doc["type"]] = path
    soffice = shutil.which("soffice")
    subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work / "pdf"), *map(str, by_type.values())], check=True, capture_output=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, (kind, page) in PICTURES.items():
        if kind not in by_type:
            continue
        pdf = work / "pdf" / (by_type[kind].stem + ".pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                        str(IMAGES / name)], check=True)
        print(IMAGES / f"{name}.png")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
