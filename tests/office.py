"""LibreOffice and poppler as real consumers of the generated files (tests skip where absent)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")

needs_libreoffice = pytest.mark.skipif(
    not (SOFFICE and POPPLER),
    reason="LibreOffice (soffice) or poppler-utils (pdftotext, pdffonts) not installed; "
           "CI installs libreoffice-writer-nogui, fonts-noto-cjk, fonts-liberation and poppler-utils",
)


def to_pdf(files: list[Path], outdir: Path, env: dict[str, str] | None = None) -> list[Path]:
    """Convert the files to PDF in one soffice run with a profile of its own; return the PDFs."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / "lo-profile").resolve()
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=300,
                   env=env)
    pdfs = [outdir / (f.stem + ".pdf") for f in files]
    missing = [p for p in pdfs if not p.is_file()]
    assert not missing, f"LibreOffice did not convert {missing}"
    return pdfs


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def embedded_cjk_fonts(pdf: Path) -> list[str]:
    """Return the names of embedded fonts that carry CJK glyphs (by pdffonts' listing)."""
    lines = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()
    out = []
    for line in lines[2:]:
        fields = line.split()
        name = fields[0]
        # Columns from the right: emb sub uni object-id generation.
        if fields[-5] == "yes" and any(k in name for k in ("CJK", "SimSun", "SimHei", "Song", "Hei", "Ming")):
            out.append(name)
    return out
