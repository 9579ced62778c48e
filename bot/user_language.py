"""The language a message to someone goes out in: the one they chose, else the default."""

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Catalogs, Translator
from storage import people


async def translator_for(user_id: int, catalogs: Catalogs, session: AsyncSession) -> Translator:
    user = await people.get_telegram_user(user_id, session=session)
    return catalogs.get((user.locale if user else None) or catalogs.default_locale)
