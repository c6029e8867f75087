"""Hostile inputs: pipes, devices, sockets, zip bombs, workbooks whose used range reaches XFD1048576,
a qms.toml of numbers and nesting out of bounds, and a trail whose entries were tampered with. Each
ends in one Error: line (exit 1 or 2) or success, quickly, with nothing changed."""
from __future__ import annotations

import json
import os
import resource
import socket
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest

from attack import (EFFECTIVE, _populated_template, populated, private_tmp, qms, qms_many, snapshot)
from conftest import write_plan
from conftest_workbooks import patch_sheet

__all__ = ["_populated_template", "populated", "private_tmp"]  # fixtures
MiB = 1024 * 1024


def _special_files(folder: Path) -> dict[str, Path]:
    fifo = folder / "fifo.xlsx"
    os.mkfifo(fifo)
    sock_path = folder / "sock.xlsx"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    sock.close()  # the socket file stays
    (folder / "folder.xlsx").mkdir()
    return {"fifo": fifo, "socket": sock_path, "folder": folder / "folder.xlsx", "zero": Path("/dev/zero"),
            "null": Path("/dev/null")}


def test_pipes_devices_sockets_and_folders_are_refused_at_once(populated: Path, private_tmp: Path,
                                                               tmp_path: Path) -> None:
    files = _special_files(tmp_path)
    before = snapshot(populated)
    ws = ["--records", str(populated)]
    cases = []
    for path in files.values():
        cases += [ws + ["new", "plan", "--data", str(path)], ws + ["verify", str(path)],
                  ws + ["template", "check", str(path), "--type", "plan"],
                  ws + ["log", "--verify", "--witness", str(path)], ["restore", str(path), str(tmp_path / "r")]]
    results = qms_many(cases, private_tmp)
    for args, (code, stderr) in zip(cases, results):
        assert code == 2, (args, stderr)
        assert len(stderr.splitlines()) == 1 and stderr.startswith("Error: "), (args, stderr)
    kinds = {"fifo": "is a named pipe (FIFO), not a file", "socket": "is a socket, not a file",
             "folder": "is a folder", "zero": "is a device, not a file", "null": "is a device, not a file"}
    for (name, path), index in zip(files.items(), range(0, len(cases), 5)):
        assert results[index][1].startswith(f"Error: {path}") and kinds[name] in results[index][1], results[index]
    assert snapshot(populated) == before
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())
    assert sorted(private_tmp.iterdir()) == []


# -- zip bombs ----------------------------------------------------------------------------------

def _zeros_stream(size_mib: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * MiB) + c.flush(zlib.Z_FULL_FLUSH)  # a full flush: blocks repeat exactly
    return block * size_mib + c.flush()


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """Return a zip of deflated parts given as (name, raw deflate stream, declared size, crc)."""
    local, central = b"", b""
    for name, payload, declared, crc in parts:
        raw = name.encode()
        offset = len(local)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, len(payload), declared,
                             len(raw), 0) + raw + payload
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, crc, len(payload), declared,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), len(local), 0)
    return local + central + end


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A .docx whose core.xml (and custom.xml, and body) inflate to 2 GiB (declared, and lying), and an .xlsx
    whose sheet does."""
    folder = tmp_path_factory.mktemp("bombs")
    stream = _zeros_stream(2048)
    small = zlib.compressobj(9, zlib.DEFLATED, -15)
    text = b'<?xml version="1.0"?><Types/>'
    types = ("[Content_Types].xml", small.compress(text) + small.flush(), len(text), zlib.crc32(text))
    out = {}
    for kind, declared in (("declared", 2048 * MiB - 1), ("lying", 1000)):
        docx = folder / f"{kind}.docx"
        docx.write_bytes(_zip([types] + [
            (part, stream, declared, 0) for part in ("docProps/core.xml", "docProps/custom.xml", "word/document.xml")]))
        out[f"docx-{kind}"] = docx
    xlsx = folder / "bomb.xlsx"
    xlsx.write_bytes(_zip([types, ("xl/workbook.xml", *types[1:]), ("xl/worksheets/sheet1.xml", stream, 2048 * MiB - 1, 0)]))
    out["xlsx"] = xlsx
    return out


def test_zip_bombs_are_refused_without_inflating(populated: Path, private_tmp: Path, tmp_path: Path,
                                                 bombs: dict[str, Path]) -> None:
    before = snapshot(populated)
    ws = ["--records", str(populated)]
    cases = []
    for name in ("docx-declared", "docx-lying"):
        path = str(bombs[name])
        cases += [ws + ["verify", path], ws + ["template", "check", path, "--type", "plan"],
                  ws + ["log", "--verify", "--witness", path]]
    cases += [ws + ["new", "plan", "--data", str(bombs["xlsx"])], ["restore", str(bombs["xlsx"]), str(tmp_path / "r")]]
    results = qms_many(cases, private_tmp)
    for args, (code, stderr) in zip(cases, results):
        assert code in (1, 2), (args, stderr)
        assert len(stderr.splitlines()) == 1 and stderr.startswith("Error: "), (args, stderr)
    declared = bombs["docx-declared"]
    assert [line for _, line in results[:3]] == [
        f"Error: {declared}: is not a Word .docx file with document properties\n",
        f"Error: {declared}: not a readable .docx template (unpacks to 6.0 GiB; packages over 1 GiB are refused as "
        "a possible zip bomb)\n",
        f"Error: {declared}: part docProps/core.xml unpacks to 2.0 GiB; parts over 4 MiB are refused as a possible "
        "zip bomb\n"]
    assert results[6][1] == f"Error: {bombs['xlsx']}: unpacks to 2048 MiB; refused as a possible zip bomb\n"
    # Nothing was inflated: no child process of this test run ever held a GiB.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1024 * 1024
    assert snapshot(populated) == before
    assert sorted(private_tmp.iterdir()) == []


# -- the used range of a workbook -----------------------------------------------------------------

def _with_rows(tmp_path: Path, name: str, rows: str) -> Path:
    path = write_plan(tmp_path / name)
    patch_sheet(path, "Indicators", lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
    return path


@pytest.mark.parametrize("shape, cell", [("corner", "XFD1048576"), ("sparse", "XFD100"), ("wide-header", "XFD1")])
def test_a_used_range_beyond_the_cap_is_refused_quickly(populated: Path, tmp_path: Path, shape: str,
                                                        cell: str) -> None:
    if shape == "corner":
        path = _with_rows(tmp_path, "corner.xlsx", '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                                                   "<is><t>x</t></is></c></row>")
    elif shape == "sparse":  # a 1 MB workbook of single cells in column XFD, one a row
        path = _with_rows(tmp_path, "sparse.xlsx", "".join(f'<row r="{n}"><c r="XFD{n}"><v>{n % 97}</v></c></row>'
                                                           for n in range(100, 190_000)))
        assert path.stat().st_size > 1_000_000
    else:
        path = write_plan(tmp_path / "wide.xlsx")
        patch_sheet(path, "Indicators", lambda xml: xml.replace(
            "</row>", '<c r="XFD1" t="inlineStr"><is><t>extra</t></is></c></row>', 1))
    before = snapshot(populated)
    done = qms(populated, "new", "plan", "--data", str(path))
    assert (done.returncode, done.stderr) == (2, (
        f"Error: {path}, sheet Indicators: its used range reaches cell {cell}; qmsdocs reads at most "
        "A1:AMJ1048576 (1,024 columns); delete the cells outside the table\n"))
    assert snapshot(populated) == before


def test_a_used_range_at_the_cap_is_read(populated: Path, tmp_path: Path) -> None:
    import re

    path = write_plan(tmp_path / "edge.xlsx")
    patch_sheet(path, "Indicators", lambda xml: re.sub(r'(<row r="2"[^>]*>.*?)</row>', lambda m: m.group(1) + (
        '<c r="AMJ2" t="inlineStr"><is><t>a note beside the table</t></is></c></row>'), xml, count=1, flags=re.S))
    done = qms(populated, "new", "plan", "--data", str(path), "--json")
    assert done.returncode == 0, done.stderr


# -- qms.toml -------------------------------------------------------------------------------------

TOMLS = {
    "nan": ("leader_weight = nan", "scoring.leader_weight = nan must be a number between 0 and 1"),
    "inf": ("leader_weight = inf", "scoring.leader_weight = inf must be a number between 0 and 1"),
    "tiny": ("leader_weight = 1e-999999999", None),  # TOML reads it as 0.0: a weight within bounds
    "tiny-text": ('leader_weight = "1e-999999999"',
                  "scoring.leader_weight = '1e-999999999' must be a number between 0 and 1"),
    "width": ('pattern = "HO-{seq:300d}"', "the width in {seq:300d} must be from 1 to 9"),
    "deep": ("company = " + "[" * 3000 + "]" * 3000, "arrays or tables nested more than 8 levels deep"),
}


@pytest.mark.parametrize("case", TOMLS)
def test_a_hostile_qms_toml_is_one_error_line(populated: Path, tmp_path: Path, case: str) -> None:
    import re

    line, message = TOMLS[case]
    config = populated / "qms.toml"
    key = line.split(" = ")[0]
    text, count = re.subn(rf"^{key} = .*$", lambda m: line, config.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert count == 1
    config.write_text(text, encoding="utf-8")
    before = snapshot(populated)
    results = qms_many([["--records", str(populated), "list"], ["--records", str(populated), "new", "plan",
                                                               "--data", str(write_plan(tmp_path / "p.xlsx"))]])
    for code, stderr in results:
        if message is None:
            assert (code, stderr) == (0, ""), stderr
            continue
        assert code == 2, stderr
        assert len(stderr.splitlines()) == 1 and stderr.startswith("Error: ") and message in stderr, stderr
    if message is not None:
        assert snapshot(populated) == before


# -- a tampered trail -----------------------------------------------------------------------------

def _tamper(records: Path, change: dict[str, str], rehash: bool) -> int:
    """Change fields of the last trail entry (and, with ``rehash``, forge its hash and the head); return its seq."""
    from qmsdocs.audit import entry_hash

    db = sqlite3.connect(records / "register.sqlite", isolation_level=None)
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM audit ORDER BY seq DESC LIMIT 1").fetchone())
    row.update(change)
    if rehash:
        row["hash"] = entry_hash(row)
    sets = ", ".join(f"{k} = ?" for k in [*change, "hash"])
    db.execute(f"UPDATE audit SET {sets} WHERE seq = ?", [*change.values(), row["hash"], row["seq"]])
    db.execute("UPDATE audit_head SET hash = ? WHERE id = 1", (row["hash"],))
    db.close()
    return int(row["seq"])


TAMPERS = {
    "actor": ({"actor": "Mallory"}, False, "was altered (its hash does not match its content)"),
    "not-json": ({"rows": "[{"}, True, "field rows: not valid JSON"),
    "deep-json": ({"rows": "[" * 100_000 + "]" * 100_000}, True, "field rows: not valid JSON"),
    "number": ({"rows": "123"}, True, "field rows: not a list of row images"),
    "list-of-numbers": ({"rows": "[1, 2]"}, True, "field rows: a row image without table, id and values"),
    "values-not-a-row": ({"rows": json.dumps([{"table": "documents", "id": 1, "values": 5}])}, True,
                         "field rows: a row image without table, id and values"),
    "deep-changes": ({"changes": "{\"a\":" * 50_000 + "1" + "}" * 50_000}, True, "field changes: not valid JSON"),
}


@pytest.mark.parametrize("case", TAMPERS)
def test_a_tampered_trail_entry_is_named(populated: Path, case: str) -> None:
    change, rehash, message = TAMPERS[case]
    seq = _tamper(populated, change, rehash)
    ws = ["--records", str(populated)]
    (code, stderr), (log_code, log_err), (show_code, show_err) = qms_many(
        [ws + ["log", "--verify"], ws + ["log"], ws + ["show", EFFECTIVE]])
    assert code == 1
    assert stderr == f"Error: audit trail: entry {seq}, {message}\n" if "field" in message else \
        stderr == f"Error: audit trail: entry {seq} {message}\n", stderr
    assert (log_code, log_err) == (0, "")  # the trail is still shown
    assert show_code in (0, 1) and "Traceback" not in show_err
    if show_code:
        assert len(show_err.splitlines()) == 1 and show_err.startswith("Error: ")
