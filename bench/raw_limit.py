"""The raw limit of writing split documents: what one .docx costs with no engine at all.

For each of N people, fill the score template's XML parts by plain string substitution (every
``{{ … }}`` becomes a value of that person, every ``{% … %}`` goes), compress only those parts,
copy every other zip entry as it was compressed once up front, and write the file. No template
language, no escaping, no checks: a floor that no real renderer reaches, to measure against.

    python bench/raw_limit.py templates/scores.docx 500 /tmp/raw-out   # prints seconds per document
"""
from __future__ import annotations

import re
import struct
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
_STATEMENT = re.compile(r"\{%.*?%\}", re.S)


def _deflate(data: bytes) -> tuple[int, int, bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush()


def _zip(entries: list[tuple[bytes, tuple[int, int, bytes]]]) -> bytes:
    """Return a zip of already deflated entries (fixed timestamps, no extras)."""
    out, central, offset = [], [], 0
    for name, (crc, size, payload) in entries:
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, len(payload), size, len(name), 0)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, crc, len(payload), size,
                                   len(name), 0, 0, 0, 0, 0, offset) + name)
        out += [header, name, payload]
        offset += len(header) + len(name) + len(payload)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join(out) + directory + end


def run(template: Path, people: int, folder: Path) -> float:
    """Write ``people`` filled copies of ``template`` into ``folder``; return seconds per document."""
    with zipfile.ZipFile(template) as zf:
        entries = [(info.filename, zf.read(info)) for info in zf.infolist()]
    parts = {name: data.decode("utf-8") for name, data in entries if _TEMPLATED.match(name)}
    unchanged = {name: _deflate(data) for name, data in entries if name not in parts}
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for index in range(people):
        values = {"staff_id": f"KF{index + 1:04d}", "name": f"员工{index + 1}", "total": f"{80 + index % 20}.5"}

        def fill(match: re.Match[str], values: dict[str, str] = values) -> str:
            return values.get(match.group(1).strip().rsplit(".", 1)[-1], "86.4")

        out = []
        for name, _ in entries:
            if name in parts:
                xml = _STATEMENT.sub("", _EXPRESSION.sub(fill, parts[name]))
                out.append((name.encode(), _deflate(xml.encode("utf-8"))))
            else:
                out.append((name.encode(), unchanged[name]))
        (folder / f"raw_{index + 1:04d}.docx").write_bytes(_zip(out))
    return (time.perf_counter() - start) / people


def main() -> None:
    template, people = Path(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 3:
        print(f"{run(template, people, Path(sys.argv[3])):.6f}")
        return
    with tempfile.TemporaryDirectory(prefix="qms-raw-") as tmp:
        print(f"{run(template, people, Path(tmp)):.6f}")


if __name__ == "__main__":
    main()
