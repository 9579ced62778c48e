"""`thidua run` instances sharing one database, each seen through its own Bot API stand-in.

Why one stand-in per instance: the stand-in records calls without telling clients apart, so
giving each instance its own shows exactly who talks to Telegram. A standby must make no call
at all; after a takeover, the new leader answers updates queued on its stand-in.
"""

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.bot_api_standin import BotApiStandIn
from tests.support.process import BotProcess, bot_environment, start_bot

STRANGER = 424242  # not in any roster: the bot still answers /help


@dataclass
class Instance:
    """One `thidua run` process, its stand-in and everything it has printed so far."""

    standin: BotApiStandIn
    process: BotProcess  # drains the output as it comes

    @property
    def output(self) -> str:
        return self.process.output

    def wait_output(self, fragment: str, timeout: float = 30.0) -> None:
        """Block until the process has printed `fragment` (AssertionError with the log if not)."""
        deadline = time.monotonic() + timeout
        while fragment not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                time.sleep(0.2)  # let the reader catch the last lines
                raise AssertionError(f"no {fragment!r} in the output:\n{self.output}")
            time.sleep(0.05)

    def answers(self, user_id: int = STRANGER, timeout: float = 30.0) -> float:
        """Queue /help from `user_id`; return the monotonic time its answer arrived."""
        since = time.monotonic()
        self.standin.push_update(self.standin.message_update(user_id, "/help"))
        call = self.standin.wait_for_call(
            "sendMessage",
            lambda params: str(params.get("chat_id")) == str(user_id),
            timeout=timeout,
            since=since,
        )
        return call.at

    def kill(self) -> None:
        """kill -9: no clean-up, the lock is freed by the kernel or the database server."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """Ctrl+C, then the exit status; the stand-in stops too."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.communicate(timeout=30)  # and the last lines of output
        self.standin.stop()
        return self.process.returncode


def start_instance(database_url: str, cwd: Path, *, retry_seconds: float = 1.0) -> Instance:
    """Start `thidua run` on `database_url` with a fresh stand-in of its own."""
    standin = BotApiStandIn(max_poll_timeout=0.5).start()
    env = bot_environment(standin, database_url)
    env["THIDUA_STANDBY_RETRY_SECONDS"] = str(retry_seconds)
    return Instance(standin, start_bot(env, cwd))
