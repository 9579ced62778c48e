"""Running the real `thidua` command in tests and benchmarks, against the local stand-in."""

import os
import subprocess
import sys
import threading
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


class BotProcess(subprocess.Popen[str]):
    """`thidua run` whose output is read as it comes, so its log can never fill the pipe.

    The bot logs a line per update; a pipe nobody reads holds 64 KB and then blocks the bot's
    writes, which froze long runs. A thread drains it; `communicate` returns what was read.
    """

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        super().__init__(
            [THIDUA, "run"],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.stdout is not None
        for line in self.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def communicate(  # type: ignore[override]
        self, input: str | None = None, timeout: float | None = None
    ) -> tuple[str, None]:
        self.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return self.output, None


def start_bot(env: dict[str, str], cwd: Path) -> BotProcess:
    return BotProcess(env, cwd)


def text_to(chat_id: int, fragment: str) -> Callable[[dict[str, Any]], bool]:
    def matches(params: dict[str, Any]) -> bool:
        return str(params.get("chat_id")) == str(chat_id) and fragment in str(params.get("text"))

    return matches


def wait_text(standin: BotApiStandIn, chat_id: int, fragment: str) -> RecordedCall:
    return standin.wait_for_call("sendMessage", text_to(chat_id, fragment), timeout=20)
