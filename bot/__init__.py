"""thidua-bot: a Telegram bot for emulation campaigns (phong trào thi đua)."""

import os

# Opt in to python-telegram-bot's future `retry_after` type (timedelta) now, which the dispatcher
# handles, instead of a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")
