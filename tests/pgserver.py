"""A throw-away PostgreSQL server for the tests, started once per test session.

The server runs from the PostgreSQL binaries (``QMS_PG_BIN``, default the newest
``/usr/lib/postgresql/N/bin``, as Debian's ``postgresql`` package installs them) with its data folder and Unix socket in a private temporary folder,
listening on no TCP address; clients connect over the socket with trust authentication. ``initdb``
and ``postgres`` refuse to run as root, so under root they run as the ``postgres`` user (else
``nobody``). Each test gets a database of its own. Without the binaries (or psycopg) the tests that
need a server are skipped with the reason.
"""
from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

def _pg_bin() -> Path:
    """Return the folder of the server binaries: QMS_PG_BIN, else Debian's newest /usr/lib/postgresql/N/bin."""
    if os.environ.get("QMS_PG_BIN"):
        return Path(os.environ["QMS_PG_BIN"])
    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit() and (p / "initdb").is_file()]
    return max(found, key=lambda p: int(p.parent.name)) if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
_names = itertools.count(1)


def missing() -> str | None:
    """Return why no test server can run here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'qmsdocs[postgres]')"
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).is_file():
            return f"PostgreSQL server binaries not found ({PG_BIN / tool}; apt-get install postgresql)"
    if os.geteuid() == 0 and _server_user() is None:
        return "running as root and no unprivileged user (postgres, nobody) to run the server as"
    return None


def _server_user() -> pwd.struct_passwd | None:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


class Server:
    """One running server: its folder, socket and an administrator's connection URLs."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="qms-pg-"))
        self.data = self.base / "data"
        self.user = _server_user() if os.geteuid() == 0 else None
        if self.user is not None:
            os.chown(self.base, self.user.pw_uid, self.user.pw_gid)
        self._as_server([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--no-locale", "--no-sync"])
        self.start()

    def _as_server(self, argv: list[str]) -> None:
        if self.user is not None:
            argv = ["runuser", "-u", self.user.pw_name, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=self.base)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        options = (f"-k {self.base} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=100")
        self._as_server([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"), "-w",
                         "-o", options, "start"])

    def stop(self, mode: str = "fast") -> None:
        self._as_server([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def restart(self) -> None:
        self.stop()
        self.start()

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.base}"

    def sql(self, statement: str, database: str = "postgres", params: tuple = ()) -> list[tuple]:
        """Run one statement as the administrator (autocommit) and return its rows."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(statement, params or None)
            return cur.fetchall() if cur.description else []

    def create_database(self, template: str = "template0") -> str:
        """Create a new empty database (or a copy of ``template``) and return its name."""
        name = f"qms_{os.getpid()}_{next(_names)}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """The session's server (the test is skipped where none can run)."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    server = Server()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def pg_url(pg_server: Server) -> str:
    """The URL of a new, empty database."""
    return pg_server.url(pg_server.create_database())


def set_url(root: Path, url: str) -> None:
    """Point the workspace at ``root`` to the register at ``url`` (its qms.toml's [register] url)."""
    config = root / "qms.toml"
    lines = [f'url = "{url}"' if line.startswith("url = ") else line
             for line in config.read_text(encoding="utf-8").splitlines()]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def _pg_roster(pg_server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A database with the test roster, and the folder of its first desk (made once, then copied)."""
    from conftest import TODAY, add_roster
    from qmsdocs import workspace

    name = pg_server.create_database()
    root = tmp_path_factory.mktemp("pg-template") / "ws"
    before = os.environ.get("QMS_TODAY")
    os.environ["QMS_TODAY"] = TODAY
    try:
        workspace.init(root, "Hong'ou Display", "Technical Quality Dept.", "en", database=pg_server.url(name))
        add_roster(root)
    finally:
        if before is None:
            os.environ.pop("QMS_TODAY", None)
        else:
            os.environ["QMS_TODAY"] = before
    return name, root


@pytest.fixture
def pg_records(tmp_path: Path, pg_server: Server, _pg_roster: tuple[str, Path]) -> Path:
    """Return the folder of desk A of a fresh PostgreSQL register holding the test roster."""
    template, folder = _pg_roster
    root = tmp_path / "desk-a"
    shutil.copytree(folder, root)
    set_url(root, pg_server.url(pg_server.create_database(template)))
    return root


def join(records: Path, root: Path) -> Path:
    """Make ``root`` another desk of the register of the workspace at ``records`` (qms init --database)."""
    from qmsdocs import config, workspace

    url = config.load(records / "qms.toml").register_url
    return workspace.init(root, "Hong'ou Display", "Technical Quality Dept.", "en", database=url)
