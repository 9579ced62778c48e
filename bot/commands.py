"""The command menu each role sees (Telegram's setMyCommands with scopes)."""

from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.access import Viewer
from bot.i18n import N_, Catalogs, Translator
from storage.models import Role

MANAGERS = frozenset({Role.UNIT_OFFICER, Role.BLOC_HEAD, Role.BLOC_DEPUTY, Role.ADMIN})


@dataclass(frozen=True)
class CommandInfo:
    name: str
    description: str  # English source, translated when published
    roles: frozenset[Role] | None  # None: everyone, linked or not


COMMANDS = (
    CommandInfo("start", N_("Start, or show who you are"), None),
    CommandInfo("help", N_("What you can do here"), None),
    CommandInfo("moi", N_("Invite link for your unit"), MANAGERS),
    CommandInfo("thanhvien", N_("Who has joined the bot"), MANAGERS),
    CommandInfo("language", N_("Tiếng Việt / English"), None),
    CommandInfo("phatdong", N_("Write and launch a campaign"), frozenset({Role.ADMIN})),
    CommandInfo("phongtrao", N_("Campaigns and drafts to launch"), frozenset({Role.ADMIN})),
    CommandInfo("thongbao", N_("Send an announcement"), frozenset({Role.ADMIN})),
    CommandInfo(
        "dangky", N_("Register for a campaign (đăng ký thi đua)"), frozenset({Role.MEMBER})
    ),
    CommandInfo("baocao", N_("Report progress with evidence"), frozenset({Role.MEMBER})),
    CommandInfo("tiendo", N_("Your progress against your pledge"), frozenset({Role.MEMBER})),
    CommandInfo("nhacnho", N_("Coming reminders, snooze, leave"), frozenset({Role.MEMBER})),
    CommandInfo("tonghop", N_("Summary: registration and progress by unit"), MANAGERS),
    CommandInfo("donvi", N_("Your unit: who has registered, remind the others"), MANAGERS),
    CommandInfo("chamdiem", N_("Bloc scoring: self-score, adjust, publish"), MANAGERS),
    CommandInfo("huy", N_("Cancel what you are doing"), frozenset({Role.ADMIN, Role.MEMBER})),
    CommandInfo("dulieu", N_("Everything the bot keeps about you"), None),
    CommandInfo("xoadulieu", N_("Erase a person's data on request"), frozenset({Role.ADMIN})),
)


def commands_for(viewer: Viewer | None) -> list[CommandInfo]:
    held = viewer.roles if viewer else set()
    return [info for info in COMMANDS if info.roles is None or info.roles & held]


def bot_commands(commands: list[CommandInfo], t: Translator) -> list[BotCommand]:
    return [BotCommand(info.name, t(info.description)) for info in commands]


async def publish_default_commands(bot: Bot, catalogs: Catalogs) -> None:
    """The menu strangers and plain members see, in Vietnamese and (for English clients) English."""
    default = commands_for(None)
    await bot.set_my_commands(
        bot_commands(default, catalogs.default), scope=BotCommandScopeDefault()
    )
    await bot.set_my_commands(
        bot_commands(default, catalogs.get("en")),
        scope=BotCommandScopeDefault(),
        language_code="en",
    )


async def publish_chat_commands(bot: Bot, chat_id: int, viewer: Viewer, t: Translator) -> None:
    """A person's own menu, after they link, change role or language. Best effort."""
    try:
        await bot.set_my_commands(
            bot_commands(commands_for(viewer), t), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError:
        # The menu is a convenience: /help lists the same commands, so a failure is not fatal.
        return
