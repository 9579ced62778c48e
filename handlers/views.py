"""Texts and keyboards shared by several handlers: who you are, what you can do."""

from html import escape

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.access import ROLE_NAMES, Viewer
from bot.commands import commands_for
from bot.context import ThiduaContext
from bot.i18n import Translator
from bot.identity import placement_of
from bot.replies import send_text
from bot.scopes import filter_units, manageable_units
from storage.models import Unit


def share_phone_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    button = KeyboardButton(t("📱 Share my phone number"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def no_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()


def role_name(viewer: Viewer, t: Translator) -> str:
    role = viewer.main_role
    return t(ROLE_NAMES[role]) if role else t("not linked")


async def who_you_are(context: ThiduaContext, viewer: Viewer) -> str:
    """Name, unit (and bloc) and role, as a few lines of HTML."""
    t = context.t
    lines = []
    if viewer.member is not None:
        lines.append(t("Name: <b>{name}</b>", name=escape(viewer.member.full_name)))
        placement = await placement_of(viewer.member, session=context.db)
        if placement is not None:
            lines.append(t("Unit: {unit}", unit=escape(placement.unit.name)))
            if placement.bloc is not None:
                lines.append(t("Bloc/cluster: {bloc}", bloc=escape(placement.bloc.name)))
    lines.append(t("Role: {role}", role=role_name(viewer, t)))
    return "\n".join(lines)


def command_list(viewer: Viewer, t: Translator) -> str:
    return "\n".join(f"/{info.name} — {t(info.description)}" for info in commands_for(viewer))


async def units_asked_for(context: ThiduaContext, chat_id: int, refusal: str) -> list[Unit] | None:
    """The units a manager's command covers: all they manage, or those matching its argument.

    Answers the person itself (`refusal` when they manage none) and returns None when there is
    nothing to do.
    """
    units = await manageable_units(context.viewer, session=context.db)
    if not units:
        await send_text(context, chat_id, refusal)
        return None
    if context.args:
        units = filter_units(units, " ".join(context.args))
        if not units:
            await send_text(context, chat_id, context.t("No unit you manage matches that name."))
            return None
    return units
