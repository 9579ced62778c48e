"""The unit officer's «🔔 Remind now»: one reminder per unregistered, linked member, once a day."""

from dataclasses import dataclass
from datetime import date
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.campaign_text import REGISTER_PREFIX
from bot.campaigns import member_locales
from bot.i18n import Catalogs, Translator
from bot.registration_status import unit_registration
from storage import campaigns as campaign_store
from storage import outbox as outbox_store
from storage.campaign_models import Campaign


@dataclass(frozen=True)
class ReminderResult:
    queued: int  # new rows in the outbox (0 on a second press the same day)
    unreachable: int  # missing members not linked to Telegram


def reminder_payload(campaign: Campaign, t: Translator) -> dict[str, object]:
    assert campaign.id is not None
    text = t(
        "🔔 <b>Reminder</b>: you have not registered for “{campaign}” yet. "
        "Please register by {deadline}.",
        campaign=escape(campaign.name),
        deadline=t.date(campaign.registration_deadline),
    )
    button = InlineKeyboardButton(
        t("📝 Register (Đăng ký thi đua)"), callback_data=f"{REGISTER_PREFIX}{campaign.id}"
    )
    return {
        "method": "sendMessage",
        "text": text,
        "reply_markup": InlineKeyboardMarkup([[button]]).to_dict(),
    }


async def remind_missing(
    campaign: Campaign, unit_id: int, *, catalogs: Catalogs, today: date, session: AsyncSession
) -> ReminderResult:
    """Queue the reminder to each missing member with Telegram, in their language.

    The dedupe key holds the day: a second press the same day queues nothing new.
    """
    assert campaign.id is not None
    status = await unit_registration(campaign.id, unit_id, session=session)
    members = {
        member.id: member
        for member in await campaign_store.members_in_units([unit_id], session=session)
    }
    linked = [m for m in members.values() if m.telegram_user_id is not None]
    locales = await member_locales(linked, session)
    rows: list[dict[str, object]] = []
    unreachable = 0
    for missing in status.missing:
        member = members.get(missing.member_id)
        if member is None or member.telegram_user_id is None:
            unreachable += 1
            continue
        rows.append(
            {
                "dedupe_key": f"remind:{campaign.id}:{member.id}:{today.isoformat()}",
                "kind": "reminder",
                "campaign_id": campaign.id,
                "member_id": member.id,
                "chat_id": member.telegram_user_id,
                "payload": reminder_payload(
                    campaign,
                    catalogs.get(locales.get(member.telegram_user_id) or catalogs.default_locale),
                ),
            }
        )
    queued = await outbox_store.enqueue(rows, session=session)
    return ReminderResult(queued=queued, unreachable=unreachable)
