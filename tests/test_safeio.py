"""Bounded reads: only regular files, only as much as the cap, zip parts refused before they explode."""
from __future__ import annotations

import io
import os
import socket
import struct
import threading
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from qmsdocs import safeio
from qmsdocs.errors import DataError
from qmsdocs.safeio import read_regular, read_zip_part, read_zip_parts

MiB = 1024 * 1024


def _message(call) -> str:
    with pytest.raises(DataError) as exc:
        call()
    assert exc.value.exit_code == 2
    assert len(exc.value.lines()) == 1
    return str(exc.value)


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"hello")
    assert read_regular(tmp_path / "a.txt", 5, "a.txt") == b"hello"
    (tmp_path / "link").symlink_to(tmp_path / "a.txt")
    assert read_regular(tmp_path / "link", 5, "link") == b"hello"


def test_a_fifo_is_refused_at_once_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    result: list[str] = []
    # In a thread, so a read that blocked would fail the test instead of hanging it.
    worker = threading.Thread(target=lambda: result.append(
        _message(lambda: read_regular(tmp_path / "pipe", MiB, "pipe.xlsx"))), daemon=True)
    worker.start()
    worker.join(30)
    assert result == ["pipe.xlsx: is a named pipe (FIFO), not a file"]


def test_a_fifo_swapped_in_after_the_check_is_refused_by_its_descriptor(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x").write_bytes(b"x")
    os.mkfifo(tmp_path / "pipe")
    monkeypatch.setattr(safeio, "check_regular", lambda path, cap, display: None)
    assert _message(lambda: read_regular(tmp_path / "pipe", MiB, "x")) == "x: is a named pipe (FIFO), not a file"


@pytest.mark.parametrize("make, message", [
    (lambda d: Path("/dev/zero"), "is a device, not a file"),
    (lambda d: Path("/dev/null"), "is a device, not a file"),
    (lambda d: d, "is a folder, not a file"),
    (lambda d: d / "missing", "no such file"),
    (lambda d: d / "f.txt" / "below", "no such file (a folder on the way is a file)"),
])
def test_what_is_not_a_regular_file_is_refused(tmp_path: Path, make, message: str) -> None:
    (tmp_path / "f.txt").write_text("x")
    assert _message(lambda: read_regular(make(tmp_path), MiB, "in.xlsx")) == f"in.xlsx: {message}"


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert _message(lambda: read_regular(path, MiB, "s")) == "s: is a socket, not a file"
    finally:
        server.close()


def test_a_file_over_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big"
    with open(path, "wb") as f:
        f.truncate(3 * MiB)
    assert _message(lambda: read_regular(path, 2 * MiB, "big")) == "big: is 3 MiB; files over 2 MiB are refused"


def test_a_file_that_grows_while_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "grows"
    monkeypatch.setattr(safeio, "check_regular", lambda path, cap, display: None)
    monkeypatch.setattr(safeio, "_check", lambda st, cap, display: None)
    path.write_bytes(b"x" * 2000)
    assert _message(lambda: read_regular(path, 1000, "g")) == "g: grew past 1000 bytes while read; refused"


def test_caps_leave_headroom_for_real_files() -> None:
    # A 300-page procedure with photographs, a 2,000-person score round, the default qms.toml.
    assert safeio.MAX_DOCUMENT_BYTES >= 300 * MiB
    assert safeio.MAX_PART_BYTES >= 100 * MiB
    assert safeio.MAX_WORKBOOK_BYTES >= 20 * MiB
    assert safeio.MAX_CONFIG_BYTES >= 64 * 1024
    assert 100 <= safeio.MAX_RATIO < 1032  # deflate cannot go past about 1,032 : 1


# -- zip parts -----------------------------------------------------------------------------------

def _raw_zip(name: str, payload: bytes, crc: int, declared: int) -> bytes:
    """Return a one-part zip whose header declares ``declared`` bytes for the deflated ``payload``."""
    raw_name = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, len(payload), declared,
                        len(raw_name), 0) + raw_name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, crc, len(payload), declared,
                          len(raw_name), 0, 0, 0, 0, 0, 0) + raw_name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(payload), 0)
    return local + payload + central + end


def _zeros_stream(size_mib: int) -> bytes:
    """Return a raw deflate stream of ``size_mib`` MiB of zeros, made without inflating it whole."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * MiB) + c.flush(zlib.Z_FULL_FLUSH)  # a full flush: blocks repeat exactly
    return block * size_mib + c.flush()


@pytest.fixture(scope="module")
def bomb_stream() -> bytes:
    return _zeros_stream(2048)  # 2 GiB of zeros in about 2 MiB


def test_a_core_xml_declaring_2_gib_is_refused_before_inflating(bomb_stream: bytes) -> None:
    data = _raw_zip("docProps/core.xml", bomb_stream, 0, 2048 * MiB - 1)
    tracemalloc.start()
    try:
        message = _message(lambda: read_zip_part(data, "docProps/core.xml", safeio.MAX_SMALL_PART_BYTES, "a.docx"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "a.docx: part docProps/core.xml unpacks to 2.0 GiB; parts over 4 MiB are refused as a " \
                      "possible zip bomb"
    assert peak < 8 * MiB


def test_a_lying_header_is_refused_after_at_most_the_declared_size(bomb_stream: bytes) -> None:
    # The header declares 1 KiB; the stream inflates to 2 GiB.
    data = _raw_zip("docProps/core.xml", bomb_stream, 0, 1024)
    tracemalloc.start()
    try:
        message = _message(lambda: read_zip_part(data, "docProps/core.xml", safeio.MAX_SMALL_PART_BYTES, "a.docx"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "a.docx: part docProps/core.xml cannot be unpacked: its checksum or size does not match " \
                      "its header (damaged, or altered)"
    assert peak < 16 * MiB


def test_a_part_inflating_past_the_ratio_is_refused_before_inflating() -> None:
    stream = _zeros_stream(64)
    data = _raw_zip("word/document.xml", stream, zlib.crc32(b"\0" * (64 * MiB)), 64 * MiB)
    ratio = 64 * MiB // len(stream)
    assert _message(lambda: read_zip_part(data, "word/document.xml", safeio.MAX_PART_BYTES, "d.docx")) == \
        f"d.docx: part word/document.xml inflates {ratio} times; refused as a possible zip bomb (at most 200)"


def test_a_part_inflating_past_its_ratio_while_read_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # The declared check passed (as if the header understated the size): the running count stops it.
    stream = _zeros_stream(16)
    data = _raw_zip("word/document.xml", stream, zlib.crc32(b"\0" * (16 * MiB)), 16 * MiB)
    monkeypatch.setattr(safeio, "_check_declared", lambda info, cap, display: None)
    assert _message(lambda: read_zip_part(data, "word/document.xml", safeio.MAX_PART_BYTES, "d.docx")) == \
        "d.docx: part word/document.xml inflates past 8 MiB; refused as a possible zip bomb"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_real_parts_are_read() -> None:
    xml = b"<w:document>" + b"<w:p><w:r><w:t>Quality</w:t></w:r></w:p>" * 50_000 + b"</w:document>"
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": xml})
    assert read_zip_part(data, "word/document.xml", safeio.MAX_PART_BYTES, "d.docx") == xml
    assert read_zip_parts(data, "d.docx") == [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", xml)]


@pytest.mark.parametrize("data, name, message", [
    (b"not a zip", "x", "d.docx: is not a zip package, or a damaged one"),
    (_zip({"a.xml": b"<a/>"}), "b.xml", "d.docx: has no part b.xml"),
    (_zip({"a.xml": b"<a/>" * 1000}), "a.xml", "d.docx: part a.xml unpacks to 3.9 KiB; parts over 1 KiB are refused "
                                                "as a possible zip bomb"),
])
def test_bad_packages_and_parts_give_one_line(data: bytes, name: str, message: str) -> None:
    assert _message(lambda: read_zip_part(data, name, 1024, "d.docx")) == message


def test_a_package_over_its_total_is_refused_before_inflating() -> None:
    data = _zip({f"p{i}.xml": b"x" * 1000 for i in range(5)})
    assert _message(lambda: read_zip_parts(data, "d.docx", total_cap=4000)) == \
        "d.docx: unpacks to 4.9 KiB; packages over 3.9 KiB are refused as a possible zip bomb"
