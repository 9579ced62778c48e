"""`thidua db backup` and `thidua db restore`: a consistent copy of the database, and putting
one back.

Why these tools: SQLite's online backup API copies one consistent snapshot while the bot keeps
writing (WAL readers never block the writer), where copying the file could catch a half-written
page. PostgreSQL has its own tools, `pg_dump`/`pg_restore` in the custom format, run with the
connection parameters of DATABASE_URL. A restore checks that the file really is a backup of
this bot at a revision we know, refuses to pull the database from under a running bot unless
forced (the running bot holds the leader lock, see bot/leader.py), and the caller then migrates
the restored database up to the latest revision.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy.engine import URL, make_url

from bot.errors import UserFacingError
from bot.i18n import N_
from bot.leader import AdvisoryLock, FileLock, LeaderLock, LockUnavailable, lock_file_for
from storage.database import Database
from storage.migrate import alembic_config, current_revision

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_TIMEOUT_SECONDS = 3600  # a dump of a large database may take a while; never hang forever


class BackupError(UserFacingError):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """What was written or read: the file, its size in bytes and its schema revision."""

    path: Path
    size: int
    revision: str


def backup(database_url: str, target: Path) -> BackupResult:
    """Write a backup of the database at DATABASE_URL to `target` (replaced if it exists)."""
    url = make_url(database_url)
    if target.is_dir():
        raise BackupError(N_("{path} is a directory: give a file name."), path=str(target))
    if url.get_backend_name() == "sqlite":
        return _sqlite_backup(_sqlite_path(url), target)
    return _pg_backup(url, target)


def restore(database_url: str, source: Path, *, force: bool = False) -> BackupResult:
    """Replace the database with the backup in `source`; the caller migrates it up after."""
    if not source.is_file():
        raise BackupError(N_("There is no backup file {path}."), path=str(source))
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_restore(_sqlite_path(url), source, force=force)
    return _pg_restore(database_url, url, source, force=force)


def known_revisions() -> set[str]:
    """Every migration revision this version of the bot knows."""
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


# ------------------------------------------------------------------------------ SQLite


def _sqlite_path(url: URL) -> Path:
    path = url.database or ""
    if path in ("", ":memory:"):
        raise BackupError(N_("An in-memory database cannot be backed up or restored."))
    return Path(path)


def _sqlite_backup(database: Path, target: Path) -> BackupResult:
    if not database.is_file():
        raise BackupError(N_("There is no database at {path}."), path=str(database))
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        source = sqlite3.connect(database, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # all pages in one step: one consistent snapshot
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        revision = _check_sqlite_file(partial)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(
            N_("The backup of {path} failed: {reason}"), path=str(database), reason=str(exc)
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, revision)


def _sqlite_restore(database: Path, source: Path, *, force: bool) -> BackupResult:
    revision = _check_sqlite_file(source)
    lock = FileLock(lock_file_for(database), "thidua db restore")
    with _BotStopped(lock, str(database), force=force):
        try:
            backup_file = sqlite3.connect(source, timeout=30)
            try:
                live = sqlite3.connect(database, timeout=30)
                try:
                    backup_file.backup(live)  # replaces every page, WAL included
                finally:
                    live.close()
            finally:
                backup_file.close()
        except sqlite3.Error as exc:
            raise BackupError(
                N_("The restore into {path} failed: {reason}"), path=str(database), reason=str(exc)
            ) from exc
    return BackupResult(source, source.stat().st_size, revision)


def _check_sqlite_file(path: Path) -> str:
    """The file's migration revision, if it is an intact SQLite database of this bot."""
    with open(path, "rb") as file:
        header = file.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise BackupError(N_("{path} is not a SQLite database."), path=str(path))
    try:
        connection = sqlite3.connect(path, timeout=30)
        try:
            check = connection.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(
                    N_("{path} is damaged: {reason}"),
                    path=str(path),
                    reason=str(check[0] if check else "?"),
                )
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(
            N_("{path} is not a database of this bot: {reason}"), path=str(path), reason=str(exc)
        ) from exc
    return _known(path, [str(row[0]) for row in rows])


def _known(path: Path, revisions: list[str]) -> str:
    if len(revisions) != 1:
        raise BackupError(
            N_("{path} has no migration revision: it is not a database of this bot."),
            path=str(path),
        )
    if revisions[0] not in known_revisions():
        raise BackupError(
            N_(
                "{path} is at revision {revision}, which this version of the bot does not "
                "know: restore it with the version that made it."
            ),
            path=str(path),
            revision=revisions[0],
        )
    return revisions[0]


class _BotStopped:
    """Hold the leader lock during a restore, so no bot starts meanwhile; refuse (without
    --force) when a running bot holds it."""

    def __init__(self, lock: LeaderLock, where: str, *, force: bool) -> None:
        self.lock, self.where, self.force = lock, where, force
        self.held = False

    def __enter__(self) -> None:
        try:
            self.held = self.lock.try_acquire()
        except LockUnavailable:
            self.lock.release()
            raise
        if not self.held and not self.force:
            self.lock.release()
            if isinstance(self.lock, FileLock):
                raise BackupError(
                    N_(
                        "A running bot is using {url} (it holds the lock file {lock}). Stop it "
                        "first, or add --force to restore under it."
                    ),
                    url=self.where,
                    lock=str(self.lock.path),
                )
            raise BackupError(
                N_(
                    "A running bot is using {url} (it holds the PostgreSQL advisory lock). Stop "
                    "it first, or add --force to restore under it."
                ),
                url=self.where,
            )

    def __exit__(self, *_exc: object) -> None:
        self.lock.release()


# -------------------------------------------------------------------------- PostgreSQL


def _pg_connection(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment for DATABASE_URL; the password goes in PGPASSWORD, never
    on the command line, where `ps` would show it."""
    options: list[str] = []
    if url.host:
        options.append(f"--host={url.host}")
    if url.port:
        options.append(f"--port={url.port}")
    if url.username:
        options.append(f"--username={url.username}")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str) and ssl:
        env["PGSSLMODE"] = {"true": "require", "false": "disable"}.get(ssl.lower(), ssl)
    return options, env


def _pg_tool(name: str, url: URL, file: Path, *, restoring: bool) -> str:
    found = shutil.which(name)
    if found is not None:
        return found
    options, _ = _pg_connection(url)
    connection = f"{' '.join(options)} --dbname={url.database}"
    if restoring:
        raise BackupError(
            N_(
                "pg_restore is not installed here. Install the PostgreSQL client tools of the "
                "server's version (Debian, Ubuntu: apt install postgresql-client), or run on a "
                "machine that has them: {command} (with the password in PGPASSWORD), then "
                "`thidua db upgrade`."
            ),
            command=f"pg_restore --clean --if-exists --no-owner --single-transaction "
            f"{connection} {file}",
        )
    raise BackupError(
        N_(
            "pg_dump is not installed here. Install the PostgreSQL client tools of the server's "
            "version (Debian, Ubuntu: apt install postgresql-client), or run on a machine that "
            "has them: {command} (with the password in PGPASSWORD)."
        ),
        command=f"pg_dump --format=custom {connection} --file={file}",
    )


def _pg_backup(url: URL, target: Path) -> BackupResult:
    pg_dump = _pg_tool("pg_dump", url, target, restoring=False)
    options, env = _pg_connection(url)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        _run_tool(
            [pg_dump, "--format=custom", *options, f"--dbname={url.database}", f"--file={partial}"],
            env,
        )
        revision = _dump_revision(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, revision)


def _pg_restore(database_url: str, url: URL, source: Path, *, force: bool) -> BackupResult:
    pg_restore = _pg_tool("pg_restore", url, source, restoring=True)
    revision = _dump_revision(source)
    options, env = _pg_connection(url)
    where = url.render_as_string(hide_password=True)
    with _BotStopped(AdvisoryLock(database_url, "thidua db restore"), where, force=force):
        _refuse_newer_schema(database_url, revision)
        _run_tool(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *options,
                f"--dbname={url.database}",
                str(source),
            ],
            env,
        )
    return BackupResult(source, source.stat().st_size, revision)


def _refuse_newer_schema(database_url: str, revision: str) -> None:
    """`pg_restore --clean` drops and recreates only the tables in the dump: tables of later
    migrations would stay and break the upgrade after the restore."""
    current = asyncio.run(_current_revision(database_url))
    if current is None or current == revision:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        newer = {step.revision for step in script.iterate_revisions(current, revision)}
    except RevisionError:
        return  # the database is older than the backup, or at a revision we do not know
    if current in newer:
        raise BackupError(
            N_(
                "The database is at revision {current}, newer than the backup's {revision}. "
                "Run `thidua db downgrade {revision}` first (its data is replaced anyway), or "
                "restore into an empty database."
            ),
            current=current,
            revision=revision,
        )


async def _current_revision(database_url: str) -> str | None:
    database = Database(database_url)
    try:
        return await current_revision(database)
    finally:
        await database.dispose()


def _dump_revision(dump: Path) -> str:
    """The alembic revision inside a custom-format dump (also proves the archive is readable)."""
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:  # pg_dump without pg_restore: trust the dump, report no revision
        return "?"
    listing = _run_tool(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(dump)],
        dict(os.environ),
        not_an_archive=dump,
    )
    revisions: list[str] = []
    in_copy = False
    for line in listing.splitlines():
        if line.startswith("COPY ") and ".alembic_version " in line:
            in_copy = True
        elif in_copy and line == "\\.":
            in_copy = False
        elif in_copy and line.strip():
            revisions.append(line.strip())
    return _known(dump, revisions)


def _run_tool(command: list[str], env: dict[str, str], not_an_archive: Path | None = None) -> str:
    """Run pg_dump or pg_restore; its first error line becomes a BackupError."""
    try:
        done = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=PG_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(
            N_("{tool} did not finish within {seconds} s."),
            tool=Path(command[0]).name,
            seconds=str(PG_TIMEOUT_SECONDS),
        ) from exc
    if done.returncode == 0:
        return done.stdout
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    reason = next((line for line in errors if "error" in line.lower()), errors[0] if errors else "")
    if not_an_archive is not None and "valid archive" in reason:
        raise BackupError(N_("{path} is not a pg_dump backup."), path=str(not_an_archive))
    raise BackupError(
        N_("{tool} failed: {reason}"), tool=Path(command[0]).name, reason=reason.strip()
    )
