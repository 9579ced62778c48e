"""What a reminder says: short, in the reader's language, with the real deadline and weekday,
what is missing, and a button that opens the right flow directly."""

from collections.abc import Sequence
from datetime import date
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.campaign_text import REGISTER_PREFIX
from bot.i18n import Translator
from bot.report_notices import REPORT_PREFIX

LISTED = 30  # names in an officer's list; the rest are counted


def _left(deadline: date, today: date, t: Translator) -> str:
    days = (deadline - today).days
    if days <= 0:
        return t("today is the last day")
    if days == 1:
        return t("1 day left")
    return t("{days} days left", days=t.number(days))


def member_registration(
    campaign: str, deadline: date, today: date, late: bool, campaign_id: int, t: Translator
) -> dict[str, object]:
    if late:
        text = t(
            "⏰ The registration deadline for “{campaign}” was {deadline}. Late registrations are"
            " still accepted: please register now.",
            campaign=escape(campaign),
            deadline=t.day(deadline),
        )
    else:
        text = t(
            "⏰ Registration for “{campaign}” closes on {deadline} ({left}). You have not"
            " registered yet.",
            campaign=escape(campaign),
            deadline=t.day(deadline),
            left=_left(deadline, today, t),
        )
    button = InlineKeyboardButton(
        t("📝 Register (Đăng ký thi đua)"), callback_data=f"{REGISTER_PREFIX}{campaign_id}"
    )
    return _message(text, [[button]])


def member_report(
    campaign: str,
    milestone: str,
    deadline: date,
    today: date,
    late: bool,
    ids: tuple[int, int],
    t: Translator,
) -> dict[str, object]:
    if late:
        text = t(
            "⏰ The report “{milestone}” ({campaign}) was due on {deadline}. You can still send"
            " it; it will be marked late.",
            milestone=escape(milestone),
            campaign=escape(campaign),
            deadline=t.day(deadline),
        )
    else:
        text = t(
            "⏰ The report “{milestone}” ({campaign}) is due on {deadline} ({left}). You have not"
            " reported yet.",
            milestone=escape(milestone),
            campaign=escape(campaign),
            deadline=t.day(deadline),
            left=_left(deadline, today, t),
        )
    button = InlineKeyboardButton(
        t("📈 Report progress"), callback_data=f"{REPORT_PREFIX}{ids[0]}:{ids[1]}"
    )
    return _message(text, [[button]])


def officer_list(
    unit: str,
    what: str,
    deadline: date,
    missing: Sequence[str],
    on_leave: Sequence[str],
    button: InlineKeyboardButton,
    t: Translator,
) -> dict[str, object]:
    """`what` is already translated: "registered for “X”" / "reported “Quý I”"."""
    lines = [
        t(
            "📋 <b>{unit}</b>: {count} people have not {what} (deadline {deadline}):",
            unit=escape(unit),
            count=t.number(len(missing)),
            what=what,
            deadline=t.day(deadline),
        )
    ]
    lines += [f"{index}. {escape(name)}" for index, name in enumerate(missing[:LISTED], start=1)]
    if len(missing) > LISTED:
        lines.append(t("… and {count} more.", count=t.number(len(missing) - LISTED)))
    if on_leave:
        lines.append(t("On leave: {names}", names=escape(", ".join(on_leave))))
    return _message("\n".join(lines), [[button]])


def bloc_list(
    bloc: str, what: str, deadline: date, units: Sequence[tuple[str, int, int]], t: Translator
) -> dict[str, object]:
    lines = [
        t(
            "📋 <b>{bloc}</b>: units below 100% — {what} (deadline {deadline}):",
            bloc=escape(bloc),
            what=what,
            deadline=t.day(deadline),
        )
    ]
    lines += [
        f"• {escape(name)} — {t.number(done)}/{t.number(total)} ({t.percent(done, total)})"
        for name, done, total in units
    ]
    return _message("\n".join(lines), None)


def _message(text: str, rows: list[list[InlineKeyboardButton]] | None) -> dict[str, object]:
    payload: dict[str, object] = {"method": "sendMessage", "text": text}
    if rows:
        payload["reply_markup"] = InlineKeyboardMarkup(rows).to_dict()
    return payload
