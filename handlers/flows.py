"""Chat flows in Telegram: /phatdong, /thongbao, /dangky (and the launch message's 📝 button),
/huy, and the messages and buttons of a flow.

The engine (`bot.flow_engine`) decides; this module turns updates into its inputs and its
replies into messages. While a flow is active, plain text, photos and documents go to it;
commands still work. Without a flow, the fallback's answer is given as before.
"""

from contextlib import suppress
from typing import Any

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.campaign_text import REGISTER_PREFIX
from bot.context import ThiduaContext
from bot.flow_engine import CALLBACK_PREFIX, FlowEngine, FlowEnv, FlowInput, Reply, Say
from bot.flows.announce import NAME_OF_FLOW as ANNOUNCE
from bot.flows.campaign import NAME_OF_FLOW as CAMPAIGN
from bot.flows.pledge_start import begin as begin_pledge
from bot.flows.registry import all_flows
from bot.replies import send_text
from handlers.fallback import unexpected_message
from storage.message_log import log_message

PRIVATE = filters.ChatType.PRIVATE
FLOW_INPUT = PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL


def flow_env(context: ThiduaContext, chat_id: int) -> FlowEnv:
    services = context.app.services

    def wake_outbox() -> None:
        if services.outbox:
            services.outbox.wake()

    return FlowEnv(
        session=context.db,
        t=context.t,
        viewer=context.viewer,
        chat_id=chat_id,
        catalogs=services.catalogs,
        now=services.now(),
        wake_outbox=wake_outbox,
        tz=services.settings.tz,
        calendar=services.settings.reminder_calendar,
    )


def flow_input(message: Message) -> FlowInput:
    """Text or caption (plain and as HTML), the largest photo, or the document."""
    if message.text is not None:
        return FlowInput(text=message.text, html=message.text_html)
    caption = message.caption
    html = message.caption_html if caption else None
    if message.photo:
        photo = message.photo[-1]
        return FlowInput(
            text=caption,
            html=html,
            photo=photo.file_id,
            file_unique_id=photo.file_unique_id,
            file_size=photo.file_size,
            mime_type="image/jpeg",
        )
    if message.document is not None:
        document = message.document
        return FlowInput(
            text=caption,
            html=html,
            document=document.file_id,
            document_name=document.file_name,
            file_unique_id=document.file_unique_id,
            file_size=document.file_size,
            mime_type=document.mime_type,
        )
    return FlowInput(other=_other_kind(message))  # each step says what it expects


_OTHER_KINDS = ("video", "video_note", "voice", "audio", "sticker", "animation", "location")


def _other_kind(message: Message) -> str | None:
    """What was sent instead of text, a photo or a document (for a precise answer)."""
    return next((kind for kind in _OTHER_KINDS if getattr(message, kind, None)), None)


def _markup(say: Say) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup(say.buttons) if say.buttons else None


async def send_say(context: ThiduaContext, chat_id: int, say: Say) -> None:
    """A text (split and logged by `send_text`), or a photo/document by file_id with a caption."""
    markup = _markup(say)
    if say.photo is None and say.document is None:
        if say.text:
            await send_text(context, chat_id, say.text, reply_markup=markup)
        return
    caption = say.text or None
    if say.photo is not None:
        sent = await context.bot.send_photo(
            chat_id, say.photo, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    else:
        assert say.document is not None
        sent = await context.bot.send_document(
            chat_id, say.document, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    await log_message(
        direction="out",
        kind="photo" if say.photo else "document",
        chat_id=chat_id,
        telegram_user_id=chat_id if chat_id > 0 else None,
        text=caption,
        payload=sent.to_dict(),
        session=context.db,
    )


async def send_reply(context: ThiduaContext, chat_id: int, reply: Reply) -> None:
    """Every message of an engine's reply, in order."""
    for say in reply.messages:
        await send_say(context, chat_id, say)


class FlowHandlers:
    """PTB callbacks bound to one engine (built when the handlers are registered)."""

    def __init__(self, engine: FlowEngine) -> None:
        self.engine = engine

    async def start_campaign(self, update: Update, context: ThiduaContext) -> None:
        await self._start(update, context, CAMPAIGN)

    async def start_announcement(self, update: Update, context: ThiduaContext) -> None:
        await self._start(update, context, ANNOUNCE)

    async def start_pledge(self, update: Update, context: ThiduaContext) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        reply = await begin_pledge(self.engine, flow_env(context, chat.id), None)
        await self._send(context, chat.id, reply)

    async def register_button(self, update: Update, context: ThiduaContext) -> None:
        """The launch message's 📝 button (`reg:<campaign id>`): the pledge flow for it."""
        query = update.callback_query
        if query is None:
            return
        text = (query.data or "").removeprefix(REGISTER_PREFIX)
        campaign_id = int(text) if text.isdigit() and len(text) < 12 else 0
        chat_id = query.from_user.id  # the flow continues in the private chat
        reply = await begin_pledge(self.engine, flow_env(context, chat_id), campaign_id)
        await query.answer(reply.answer, show_alert=reply.alert)
        if not reply.alert:  # a refusal is the alert alone
            await self._send(context, chat_id, reply)

    async def _start(self, update: Update, context: ThiduaContext, name: str) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        reply = await self.engine.start(name, flow_env(context, chat.id))
        await self._send(context, chat.id, reply)

    async def cancel(self, update: Update, context: ThiduaContext) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        t = context.t
        ended = await self.engine.cancel(flow_env(context, chat.id))
        text = t("Cancelled. Nothing was saved.") if ended else t("There is nothing to cancel.")
        await send_text(context, chat.id, text)

    async def message(self, update: Update, context: ThiduaContext) -> None:
        message = update.effective_message
        if message is None:
            return
        reply = await self.engine.on_input(flow_env(context, message.chat_id), flow_input(message))
        if reply is None:
            await unexpected_message(update, context)
            return
        await self._send(context, message.chat_id, reply)

    async def button(self, update: Update, context: ThiduaContext) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        chat_id = message.chat_id if message else query.from_user.id
        reply = await self.engine.on_button(flow_env(context, chat_id), query.data or "")
        await query.answer(reply.answer, show_alert=reply.alert)
        if message is not None and reply.edit is not None:
            if await _edit(message, reply.edit):
                return
            reply.messages.append(reply.edit)
        elif message is not None and reply.close_pressed:
            with suppress(TelegramError):  # a message too old to edit: harmless
                await message.edit_reply_markup(reply_markup=None)
        await self._send(context, chat_id, reply)

    async def after_command(self, update: Update, context: ThiduaContext) -> None:
        """A command (e.g. /help) was answered in group 0; if a flow is under way, offer it."""
        chat = update.effective_chat
        if chat is None:
            return
        reply = await self.engine.reminder(flow_env(context, chat.id))
        if reply is not None:
            await self._send(context, chat.id, reply)

    @staticmethod
    async def _send(context: ThiduaContext, chat_id: int, reply: Reply) -> None:
        await send_reply(context, chat_id, reply)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            CommandHandler("phatdong", self.start_campaign, filters=PRIVATE),
            CommandHandler("thongbao", self.start_announcement, filters=PRIVATE),
            CommandHandler("dangky", self.start_pledge, filters=PRIVATE),
            CommandHandler(["huy", "cancel"], self.cancel, filters=PRIVATE),
            CallbackQueryHandler(self.register_button, pattern=f"^{REGISTER_PREFIX}"),
            CallbackQueryHandler(self.button, pattern=f"^{CALLBACK_PREFIX}"),
            MessageHandler(FLOW_INPUT, self.message),
        ]

    def followups(self) -> list[BaseHandler[Any, Any, Any]]:
        """For a later handler group: after a command, the reminder of an unfinished flow."""
        return [MessageHandler(PRIVATE & filters.COMMAND & ~_FLOW_COMMANDS, self.after_command)]


async def _edit(message: Message, say: Say) -> bool:
    """Redraw a keyboard message in place (a toggle, a page); False if Telegram refuses."""
    try:
        await message.edit_text(
            say.text,
            parse_mode=ParseMode.HTML,
            reply_markup=_markup(say),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    except BadRequest as exc:
        return "not modified" in exc.message.lower()
    return True


# Commands that start, resume or end a flow themselves: no reminder after them.
_FLOW_COMMANDS = filters.Regex(
    r"^/(phatdong|thongbao|dangky|baocao|report|huy|cancel)(@\w+)?(\s|$)"
)


_ENGINE: list[FlowEngine] = []


def shared_engine() -> FlowEngine:
    """An engine for features that start a flow from their own buttons (built once, stateless)."""
    if not _ENGINE:
        _ENGINE.append(FlowEngine(all_flows()))
    return _ENGINE[0]


def build() -> FlowHandlers:
    """One engine for all flows, made when the handlers are registered (not at import)."""
    return FlowHandlers(FlowEngine(all_flows()))
