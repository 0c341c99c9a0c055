"""A throwaway PostgreSQL server from Debian's packages, for the store's tests.

PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user; it
listens on a free loopback port with trust authentication and is deleted afterwards.
When the server binaries are missing this fails loudly (never skips): the README's test
command installs them (scripts/install-test-deps.sh)."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): "
                           "run `sh scripts/install-test-deps.sh` (apt-get install postgresql)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd: str) -> list[str]:
    return list(cmd) if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *cmd]


class PgServer:
    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.bin = pg_bin()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        subprocess.run(_as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-w", "-t", "60",
                                    "-l", str(self.directory / "server.log"),
                                    "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                                          "-c max_connections=200 -c fsync=off", "start"),
                       check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-w",
                                    "-m", mode, "stop"), capture_output=True)

    def create_database(self, name: str) -> str:
        subprocess.run(_as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                                    "-U", "postgres", name), check=True, capture_output=True)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def postgres_server():
    directory = Path(tempfile.mkdtemp(prefix="gdl-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    os.chmod(directory, 0o700)
    server = PgServer(directory, _free_port())
    subprocess.run(_as_postgres(str(server.bin / "initdb"), "-D", str(directory / "data"), "-U", "postgres",
                                "--auth=trust", "-E", "UTF8", "--no-sync"), check=True, capture_output=True)
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        time.sleep(0.2)
        shutil.rmtree(directory, ignore_errors=True)
