"""The bot's @username, needed for invite links: from settings, from the database, or getMe."""

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from bot.settings import ConfigError, Settings
from storage.key_values import BOT_USERNAME, get_value, set_value


async def bot_username(settings: Settings, *, session: AsyncSession) -> str | None:
    """Avoid the network when possible: `thidua run` stores the username at start."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    stored = await get_value(BOT_USERNAME, session=session)
    if stored:
        return stored
    try:
        token = settings.require_token()
    except ConfigError:
        return None
    bot = (
        Bot(token, base_url=settings.telegram_api_url) if settings.telegram_api_url else Bot(token)
    )
    try:
        async with bot:
            username = bot.username
    except TelegramError:
        return None
    await set_value(BOT_USERNAME, username, session=session)
    return username
