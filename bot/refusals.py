"""Refusing a button press someone may not make, and leaving a trace of it.

Buttons carry ids only, so anyone can send any callback data. A press aimed at another person's
pledge, report, reminder or leave, at another unit or bloc, or at an administrators' button is
refused with a clear alert and logged once on the `thidua.security` logger (WARNING), with the
user id, the callback data and what was refused, so an operator can see someone probing.
"""

import logging

from telegram import CallbackQuery

SECURITY_LOG = logging.getLogger("thidua.security")


def log_refusal(user_id: int, data: str | None, refused: str) -> None:
    """One line per refused press: who, which callback data, what was refused."""
    SECURITY_LOG.warning("refused press: user=%s data=%r refused=%s", user_id, data or "", refused)


async def refuse_press(query: CallbackQuery, text: str, *, refused: str) -> None:
    """Answer the press with `text` as an alert and log it; nothing else happens."""
    log_refusal(query.from_user.id, query.data, refused)
    await query.answer(text, show_alert=True)
