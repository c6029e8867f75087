"""Output files: never inside the workspace, never half written, no temporaries left behind."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from qmsdocs import outputs
from qmsdocs.errors import UsageError
from qmsdocs.outputs import OutputError, SplitStaging, Terminated, check_output, write_output

from conftest import tree_digest

INSIDE = "is inside the workspace {ws}; write outputs outside it or into its exports/ folder"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for folder in ("documents/HO-1", "exports", "inputs"):
        (root / folder).mkdir(parents=True)
    (root / "qms.toml").write_text("company = 'x'\n")
    (root / "register.sqlite").write_bytes(b"SQLite format 3\0")
    (root / "documents/HO-1/HO-1_1.0.docx").write_bytes(b"PK")
    return root


def _refusal(path: Path, ws: Path, force: bool = False) -> str:
    with pytest.raises(UsageError) as exc:
        check_output(path, ws, force=force, option="-o")
    assert exc.value.exit_code == 2
    return str(exc.value)


@pytest.mark.parametrize("name", ["qms.toml", "register.sqlite", "documents/HO-1/HO-1_1.0.docx",
                                  "documents/new.xlsx", "new.xlsx", "inputs", "exports", "."])
def test_every_path_in_the_workspace_is_refused(ws: Path, name: str) -> None:
    path = ws / name
    assert _refusal(path, ws, force=True) == f"-o {path}: " + INSIDE.format(ws=ws)


def test_spellings_and_symlinks_that_lead_into_the_workspace_are_refused(ws: Path, tmp_path: Path) -> None:
    (tmp_path / "link.xlsx").symlink_to(ws / "qms.toml")
    (tmp_path / "wslink").symlink_to(ws)
    (tmp_path / "dangling.xlsx").symlink_to(ws / "documents" / "not-yet.xlsx")
    cases = {
        tmp_path / "link.xlsx": ws / "qms.toml",
        tmp_path / "wslink" / "out.xlsx": ws / "out.xlsx",
        tmp_path / "dangling.xlsx": ws / "documents" / "not-yet.xlsx",
    }
    for path, real in cases.items():
        expected = f"-o {path}: is inside the workspace {ws} (it resolves to {real}); write outputs outside it " \
                   "or into its exports/ folder"
        assert _refusal(path, ws, force=True) == expected
    dotted = ws / "exports" / ".." / "qms.toml"
    assert _refusal(dotted, ws) == f"-o {dotted}: " + INSIDE.format(ws=ws)


def test_a_bind_mount_of_the_workspace_is_recognised_by_identity(ws: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The same folder under another name (as a bind mount or a case-insensitive spelling gives):
    # the (device, inode) of the folder, not its name, decides.
    alias = tmp_path / "alias"
    alias.mkdir()
    real_stat = os.stat

    def aliased_stat(path, *args, **kwargs):
        path = Path(path)
        if path == alias or alias in path.parents:
            path = ws / path.relative_to(alias)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(outputs.os, "stat", aliased_stat)
    assert outputs._inside(alias / "qms.toml", ws)
    assert not outputs._inside(alias / "exports" / "list.xlsx", ws)


def test_a_case_insensitive_file_system_is_detected_and_names_folded(ws: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert outputs.is_case_insensitive(ws) is False  # this test machine's tmp is case-sensitive
    monkeypatch.setattr(outputs, "is_case_insensitive", lambda folder: True)
    path = ws.with_name("WS") / "Qms.Toml"
    assert "is inside the workspace" in _refusal(path, ws)
    assert outputs._inside(ws / "EXPORTS" / "x.xlsx", ws) is False


def test_exports_folder_and_outside_paths_are_allowed(ws: Path, tmp_path: Path) -> None:
    assert check_output(ws / "exports" / "list.xlsx", ws, force=False, option="--xlsx") == ws / "exports/list.xlsx"
    assert check_output(tmp_path / "list.xlsx", ws, force=False, option="--xlsx") == tmp_path / "list.xlsx"
    assert check_output(tmp_path / "list.xlsx", None, force=False, option="--xlsx") == tmp_path / "list.xlsx"


def test_bad_output_paths_give_one_line_each(ws: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "old.xlsx").write_text("x")
    long = tmp_path / ("n" * 300 + ".xlsx")
    cases = [
        (tmp_path / "old.xlsx", "exists; give --force to replace it"),
        (tmp_path, "is a folder; give a file name"),
        (tmp_path / "file" / "x.xlsx", f"{tmp_path / 'file'} is a file, not a folder"),
        (tmp_path / "file" / "deeper" / "x.xlsx", f"{tmp_path / 'file'} is a file, not a folder"),
        (tmp_path / "missing" / "x.xlsx", f"the folder {tmp_path / 'missing'} does not exist"),
        (long, "the name is too long for the file system (at most 255 bytes)"),
    ]
    for path, message in cases:
        text = _refusal(path, ws)
        assert text.endswith(": " + message), text
        assert "\n" not in text
    assert check_output(tmp_path / "old.xlsx", ws, force=True, option="-o") == tmp_path / "old.xlsx"


def test_a_fifo_or_device_is_not_an_output(ws: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    for path in (tmp_path / "pipe", Path("/dev/null")):
        assert _refusal(path, ws, force=True).endswith("exists and is not a regular file (a pipe, device or socket)")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".qms-" in p.name)


def test_write_output_writes_and_leaves_no_temporary(ws: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    assert write_output(target, b"one", workspace_root=ws, force=False, option="-o") == target
    with pytest.raises(UsageError, match=r"out.xlsx: exists; give --force to replace it$"):
        write_output(target, b"two", workspace_root=ws, force=False, option="-o")
    assert target.read_bytes() == b"one"
    write_output(target, b"two", workspace_root=ws, force=True, option="-o")
    assert target.read_bytes() == b"two"
    assert _leftovers(tmp_path) == []


def test_write_output_through_a_symlink_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    (tmp_path / "real.xlsx").write_bytes(b"old")
    (tmp_path / "link.xlsx").symlink_to(tmp_path / "real.xlsx")
    write_output(tmp_path / "link.xlsx", b"new", workspace_root=None, force=True, option="-o")
    assert (tmp_path / "link.xlsx").is_symlink()
    assert (tmp_path / "real.xlsx").read_bytes() == b"new"


def test_stale_temporaries_of_a_killed_writer_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    stale = tmp_path / ".out.xlsx.qms-tmp-0123456789abcdef"
    stale.write_bytes(b"half")
    other = tmp_path / ".other.xlsx.qms-tmp-0123456789abcdef"  # another target's: not ours to remove
    other.write_bytes(b"half")
    live = tmp_path / ".out.xlsx.qms-tmp-fedcba9876543210"
    live.write_bytes(b"being written")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); "
        "print('locked', flush=True); sys.stdin.read()"), str(live)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        write_output(target, b"data", workspace_root=None, force=False, option="-o")
        assert _leftovers(tmp_path) == [other.name, live.name]
    finally:
        holder.communicate("")
    assert outputs.remove_stale_temporaries(target) == [live]


@pytest.mark.parametrize("code, cause", [
    (errno.ENOSPC, "no space left on the device (ENOSPC)"),
    (errno.EROFS, "read-only file system (EROFS)"),
    (errno.EACCES, "permission denied (EACCES)"),
    (errno.EDQUOT, "disk quota exceeded (EDQUOT)"),
    (errno.EIO, "input/output error (EIO)"),
])
def test_a_failed_write_is_one_line_and_removes_the_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              code: int, cause: str) -> None:
    def fail(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(outputs.os, "fsync", fail)
    with pytest.raises(OutputError) as exc:
        write_output(tmp_path / "out.xlsx", b"data", workspace_root=None, force=False, option="--xlsx")
    assert str(exc.value) == f"--xlsx {tmp_path / 'out.xlsx'}: cannot write: {cause}"
    assert exc.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_and_sigterm_remove_the_temporary_and_restore_the_handlers(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)

    def interrupted(fd: int, data: bytes) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "_write_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(tmp_path / "a.xlsx", b"data", workspace_root=None, force=False, option="-o")

    def terminated(fd: int, data: bytes) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # never reached in full: the handler raises at the next bytecode

    monkeypatch.setattr(outputs, "_write_all", terminated)
    with pytest.raises(Terminated) as exc:
        write_output(tmp_path / "b.xlsx", b"data", workspace_root=None, force=False, option="-o")
    assert exc.value.signum == signal.SIGTERM
    assert str(exc.value) == "stopped by SIGTERM"
    assert list(tmp_path.iterdir()) == []
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before


def test_sigterm_to_a_writing_process_leaves_no_temporary(tmp_path: Path) -> None:
    script = (
        "import os, sys, signal; from pathlib import Path; from qmsdocs import outputs\n"
        "def slow(fd, data):\n"
        "    os.write(fd, data[:10]); print('writing', flush=True); sys.stdin.read()\n"
        "outputs._write_all = slow\n"
        "try:\n"
        "    outputs.write_output(Path(sys.argv[1]), b'x' * 100, workspace_root=None, force=False, option='-o')\n"
        "except outputs.Terminated as exc:\n"
        "    print(exc, flush=True); sys.exit(143)\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "out.xlsx")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "writing\n"
    assert len(_leftovers(tmp_path)) == 1
    child.send_signal(signal.SIGTERM)
    out, _ = child.communicate()
    assert (child.returncode, out) == (143, "stopped by SIGTERM\n")
    assert list(tmp_path.iterdir()) == []


# -- --split DIR ---------------------------------------------------------------------------------

def _write_one(folder: str, name: str) -> str:
    (Path(folder) / name).write_bytes(name.encode())
    return name


def test_split_files_are_staged_beside_the_folder_and_moved_in_on_success(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "split"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with SplitStaging(out, ws, force=False) as staging:
        assert staging.folder.parent == tmp_path
        assert staging.folder.name.startswith(".split.qms-split-")
        with ProcessPoolExecutor(2) as pool:
            names = list(pool.map(_write_one, [str(staging.folder)] * 3, ["a.docx", "b.docx", "c.docx"]))
        assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert names == ["a.docx", "b.docx", "c.docx"]
    assert sorted(p.name for p in out.iterdir()) == ["a.docx", "b.docx", "c.docx", "keep.txt"]
    assert staging.placed == [out / "a.docx", out / "b.docx", out / "c.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["split", "ws"]


def test_split_folder_is_created_when_missing(tmp_path: Path) -> None:
    with SplitStaging(tmp_path / "new", None, force=False) as staging:
        staging.path("a.docx").write_bytes(b"a")
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["a.docx"]


def test_split_refuses_existing_files_without_force_and_moves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "split"
    out.mkdir()
    (out / "b.docx").write_bytes(b"old")
    with pytest.raises(UsageError) as exc:
        with SplitStaging(out, None, force=False) as staging:
            staging.path("a.docx").write_bytes(b"a")
            staging.path("b.docx").write_bytes(b"b")
    assert str(exc.value) == f"--split {out}: already holds b.docx; give --force to replace them"
    assert sorted(p.name for p in out.iterdir()) == ["b.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["split"]
    with SplitStaging(out, None, force=True) as staging:
        staging.refuse_existing(["b.docx"])
        staging.path("b.docx").write_bytes(b"b")
    assert (out / "b.docx").read_bytes() == b"b"


def test_a_failed_split_removes_its_staging_folder(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with SplitStaging(tmp_path / "split", None, force=False) as staging:
            staging.path("a.docx").write_bytes(b"a")
            raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == []


def test_stale_staging_folders_older_than_an_hour_are_removed(tmp_path: Path) -> None:
    old = tmp_path / ".split.qms-split-0123456789abcdef"
    fresh = tmp_path / ".split.qms-split-fedcba9876543210"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "a.docx").write_bytes(b"a")
    hour_ago = time.time() - outputs.STALE_SPLIT_SECONDS - 60
    os.utime(old, (hour_ago, hour_ago))
    with SplitStaging(tmp_path / "split", None, force=False):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, "split"]


def test_split_inside_the_workspace_is_refused(ws: Path) -> None:
    before = tree_digest(ws)
    for folder in (ws / "documents", ws, ws / "exports", ws / "split"):
        with pytest.raises(UsageError, match=r"is inside the workspace .*; write outputs outside it"):
            SplitStaging(folder, ws, force=True)
    with SplitStaging(ws / "exports" / "split", ws, force=False) as staging:
        staging.path("a.docx").write_bytes(b"a")
    assert tree_digest(ws) == before | {"exports/split/a.docx": tree_digest(ws)["exports/split/a.docx"]}


@pytest.mark.parametrize("name", ["../x.docx", "a/b.docx", "", ".."])
def test_split_names_are_bare_file_names(tmp_path: Path, name: str) -> None:
    with SplitStaging(tmp_path / "split", None, force=False) as staging:
        with pytest.raises(UsageError, match="is not a bare file name"):
            staging.path(name)


@pytest.mark.parametrize("code, text", [
    (errno.ENOSPC, "no space left on the device (ENOSPC)"),
    (errno.EROFS, "read-only file system (EROFS)"),
    (errno.EACCES, "permission denied (EACCES)"),
    (errno.ENOENT, "no such file or directory (ENOENT)"),
])
def test_os_causes_are_short_and_name_the_errno(code: int, text: str) -> None:
    assert outputs.os_cause(OSError(code, os.strerror(code))) == text
