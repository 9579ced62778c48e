"""`thidua member erase`: remove a person's data on their request (docs/privacy.md)."""

import getpass

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot import erasure
from bot.cli_support import Env, in_session, one_line_errors
from bot.errors import UserFacingError
from bot.i18n import N_
from storage.privacy_models import ErasureChannel


@click.group()
def member() -> None:
    """A member's personal data."""


@member.command()
@click.option("--phone", help="The person's phone number, in any written form.")
@click.option("--id", "member_id", type=int, help="The member's id (as /xoadulieu shows it).")
@click.option("--telegram-id", type=int, help="A Telegram account, also one not on the roster.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@one_line_errors
def erase(
    env: Env, phone: str | None, member_id: int | None, telegram_id: int | None, yes: bool
) -> None:
    """Erase a person's data; anonymised counts stay (who, when and the id are audited)."""
    if sum(value is not None for value in (phone, member_id, telegram_id)) != 1:
        raise UserFacingError(N_("Give exactly one of --phone, --id or --telegram-id."))
    t = env.t

    async def find(session: AsyncSession) -> erasure.ErasureTarget:
        if phone is not None:
            return await erasure.find_by_phone(phone, session=session)
        if member_id is not None:
            return await erasure.find_by_member_id(member_id, session=session)
        assert telegram_id is not None
        return await erasure.find_by_telegram_id(telegram_id, session=session)

    target = in_session(env, find)
    who = erasure.describe(target, t)
    if not yes and not click.confirm(t("Erase the personal data of {who}?", who=who)):
        click.echo(t("Nothing was erased."))
        raise SystemExit(1)

    async def apply(session: AsyncSession) -> erasure.ErasureResult:
        again = await find(session)  # the same person, read again in the erasing transaction
        return await erasure.erase(
            again,
            t=t,
            channel=ErasureChannel.CLI,
            erased_by=None,
            operator=_login(),
            session=session,
        )

    click.echo(erasure.result_text(in_session(env, apply), t, env.settings.tz))


def _login() -> str:
    """The operating system account that ran the command, for the audit."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
