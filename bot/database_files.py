"""Why an SQLite database file cannot be opened or written, in words an operator can act on.

SQLite only says "unable to open database file" or "disk I/O error"; the operator needs to
know which folder is read-only or which disk is full. The checks look at the file system
around the database path after SQLite has failed, so they cost nothing on a healthy start.
"""

import os
import shutil
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import UserFacingError
from bot.i18n import N_

# Below this much free space a disk counts as full: SQLite needs room for its journal too.
FULL_BELOW_BYTES = 1024 * 1024
# SQLite messages (lower case) that mean a write failed for lack of space or an I/O error.
_WRITE_FAILURES = ("disk is full", "disk i/o error", "database or disk is full")


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLite URL (``None`` for other backends and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).expanduser().absolute()


def sqlite_problem(path: Path, reason: str) -> UserFacingError | None:
    """The most likely cause of ``reason`` (SQLite's message) for ``path``, or ``None``."""
    folder = path.parent
    if not folder.is_dir():
        return UserFacingError(
            N_("The folder of the database {path} does not exist: create it first."),
            path=str(path),
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return UserFacingError(
            N_(
                "The folder {folder} is read-only: the bot must create the database {path} "
                "and its journal files there. Give the bot's user write access to the folder."
            ),
            folder=str(folder),
            path=str(path),
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return UserFacingError(
            N_("The database file {path} is read-only: give the bot's user write access."),
            path=str(path),
        )
    lowered = reason.lower()
    if _free_bytes(folder) < FULL_BELOW_BYTES or any(text in lowered for text in _WRITE_FAILURES):
        return UserFacingError(
            N_(
                "Cannot write the database {path}: the disk is full or the file may not grow "
                "({reason}). Free some space and start again."
            ),
            path=str(path),
            reason=reason,
        )
    return None


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return FULL_BELOW_BYTES  # cannot tell: let SQLite's own reason decide
