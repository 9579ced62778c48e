"""Running the real `thidua` command in tests and benchmarks, against the local stand-in."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.bot_api_standin import BotApiStandIn, RecordedCall

THIDUA = str(Path(sys.executable).parent / "thidua")
E2E_TOKEN = "123456:" + "A" * 35


def bot_environment(standin: BotApiStandIn, database_url: str) -> dict[str, str]:
    """This process's environment without any bot settings, pointed at the stand-in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "THIDUA_", "DATABASE_URL"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=E2E_TOKEN,
        TELEGRAM_API_URL=standin.base_url,
        TELEGRAM_API_FILE_URL=standin.file_url,
        DATABASE_URL=database_url,
        THIDUA_ADMIN_IDS="9999",
        PTB_TIMEDELTA="true",
    )
    return env


def run_cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [THIDUA, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def start_bot(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [THIDUA, "run"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def text_to(chat_id: int, fragment: str) -> Callable[[dict[str, Any]], bool]:
    def matches(params: dict[str, Any]) -> bool:
        return str(params.get("chat_id")) == str(chat_id) and fragment in str(params.get("text"))

    return matches


def wait_text(standin: BotApiStandIn, chat_id: int, fragment: str) -> RecordedCall:
    return standin.wait_for_call("sendMessage", text_to(chat_id, fragment), timeout=20)
