"""A throwaway PostgreSQL 15 cluster for `make loadtest`: initdb into a temporary directory, served
on a free port of 127.0.0.1 with trust authentication, stopped and removed at the end.

The load test restarts its database in the middle of the run, so it must never use the machine's
shared cluster on 5432, where other people's tests run. PostgreSQL refuses to run as root: when
this runs as root, the binaries run as the `postgres` OS user, who owns the temporary directory."""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"


class Cluster:
    def __init__(self, port: int, *, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.root = Path(tempfile.mkdtemp(prefix="cop-loadtest-pg-"))
        self.data = self.root / "data"
        self._as = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
            # The server's log goes in the temporary directory, which the postgres user owns.
        self._server_log = self.root / "server.log"

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{dbname}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own binaries, arguments made here
            [*self._as, *args], check=True, timeout=timeout, stdout=subprocess.DEVNULL
        )

    def init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise SystemExit(f"PostgreSQL 15 is missing: no {PG_BIN / 'initdb'}")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# cop-loadtest\n"
                f"listen_addresses = '{HOST}'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "max_connections = 100\n"
                "shared_buffers = 256MB\n"
            )

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "start", "-D", str(self.data), "-w", "-t", "60",
                  "-l", str(self._server_log))  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", mode, "-w",
                  "-t", "60")  # fmt: skip

    def is_up(self) -> bool:
        try:
            psycopg.connect(self.url("postgres"), connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def wait_up(self, limit: float = 30) -> None:
        deadline = time.monotonic() + limit
        while not self.is_up():
            if time.monotonic() > deadline:
                raise SystemExit(f"PostgreSQL did not answer on port {self.port}")
            time.sleep(0.2)

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def remove(self) -> None:
        """Stops the server if it still runs, keeps its log, removes the directory."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.stop("immediate")
        if self._server_log.exists():
            shutil.copyfile(self._server_log, self.log_path)
        shutil.rmtree(self.root, ignore_errors=True)
