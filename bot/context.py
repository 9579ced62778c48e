"""The typed callback context handlers receive: `context.db`, `context.viewer`, `context.t`."""

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import CallbackContext, ExtBot

from bot.access import Viewer
from bot.i18n import Translator
from bot.unit_of_work import current_session

if TYPE_CHECKING:
    from bot.app import ThiduaApplication


class ThiduaContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Filled by the group -1 middleware before any feature handler runs."""

    viewer: Viewer
    t: Translator

    @property
    def db(self) -> AsyncSession:
        """The update's session; committed by the application when the update is done."""
        return current_session()

    @property
    def app(self) -> "ThiduaApplication":
        from bot.app import ThiduaApplication

        application = self.application
        assert isinstance(application, ThiduaApplication)
        return application
