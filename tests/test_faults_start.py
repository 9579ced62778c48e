"""A read-only folder or a full disk at start: one clear line naming the problem and the path.

Why these two: an operator's first `thidua run` on a server most often meets a data folder the
service user cannot write, or a full disk. Both must end with a non-zero status and a line
that says what to fix, never a traceback.

- Read-only folder: the database path lies in a folder with mode 0555. Tests may run as root,
  who ignores mode bits; the child then drops CAP_DAC_OVERRIDE (and CAP_DAC_READ_SEARCH) from
  its capability bounding set before exec, so the mode applies to it as to any service user.
- Full disk: the child's RLIMIT_FSIZE is 16 KiB, so SQLite's writes fail as on a full disk.
"""

import ctypes
import os
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.bot_api_standin import BotApiStandIn
from tests.support.fault_ledger import FaultRecord, record
from tests.support.process import THIDUA, bot_environment

pytestmark = pytest.mark.e2e

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2
LOG_PREFIX = "ts="  # the bot's structured log lines; anything else on stderr is for the operator


def _without_root_override() -> None:
    """In the child, before exec: a root process stops bypassing file modes."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _tiny_disk() -> None:
    """In the child, before exec: no file may grow beyond 16 KiB (writes fail with EFBIG)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, resource.RLIM_INFINITY))


def _thidua(
    env: dict[str, str], cwd: Path, before: Callable[[], None], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [THIDUA, *args],
        env=env,
        cwd=cwd,
        preexec_fn=before,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _operator_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line and not line.startswith(LOG_PREFIX)]


@pytest.mark.parametrize("command", [("db", "upgrade"), ("run",)])
def test_a_read_only_folder_is_named_in_one_line(
    tmp_path: Path, standin: BotApiStandIn, command: tuple[str, ...]
) -> None:
    folder = tmp_path / "du_lieu"
    folder.mkdir()
    folder.chmod(0o555)
    database = folder / "thidua.db"
    env = bot_environment(standin, f"sqlite+aiosqlite:///{database}")
    try:
        done = _thidua(env, tmp_path, _without_root_override, *command)
    finally:
        folder.chmod(0o755)

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [line] = _operator_lines(done.stderr)
    assert str(database) in line
    # `db upgrade` meets SQLite first; `run` meets the leader lock file beside the database.
    assert f"Thư mục {folder} chỉ cho phép đọc" in line or "Permission denied" in line
    assert not database.exists()
    record(FaultRecord(f"read-only folder at `thidua {' '.join(command)}`", 1, 1, 1, 0))


@pytest.mark.parametrize("command", [("db", "upgrade"), ("run",)])
def test_a_full_disk_is_named_in_one_line(
    tmp_path: Path, standin: BotApiStandIn, command: tuple[str, ...]
) -> None:
    database = tmp_path / "thidua.db"
    env = bot_environment(standin, f"sqlite+aiosqlite:///{database}")

    done = _thidua(env, tmp_path, _tiny_disk, *command)

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [line] = _operator_lines(done.stderr)
    assert f"Không ghi được cơ sở dữ liệu {database}: ổ đĩa đã đầy" in line
    record(FaultRecord(f"full disk at `thidua {' '.join(command)}`", 1, 1, 1, 0))


def test_a_full_disk_after_the_schema_is_there_is_named_too(
    tmp_path: Path, standin: BotApiStandIn
) -> None:
    """The schema is current, so the first write is the bot's own start-up work."""
    database = tmp_path / "thidua.db"
    env = bot_environment(standin, f"sqlite+aiosqlite:///{database}")
    assert _thidua(env, tmp_path, lambda: None, "db", "upgrade").returncode == 0

    done = _thidua(env, tmp_path, _tiny_disk, "run")

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [line] = _operator_lines(done.stderr)
    assert f"Không ghi được cơ sở dữ liệu {database}" in line
