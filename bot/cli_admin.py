"""`thidua admin grant|revoke|list`: roles given to a Telegram account by hand."""

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import ROLE_NAMES
from bot.cli_support import Env, in_session, one_line_errors
from bot.errors import UserFacingError
from bot.i18n import N_
from bot.lookup import find_bloc, find_unit
from bot.roster_file import parse_role
from storage import org as org_store
from storage import people
from storage.models import GrantSource, Role, ScopeKind

SCOPE_OF_ROLE = {
    Role.ADMIN: ScopeKind.ALL,
    Role.BLOC_HEAD: ScopeKind.BLOC,
    Role.BLOC_DEPUTY: ScopeKind.BLOC,
    Role.UNIT_OFFICER: ScopeKind.UNIT,
}


@click.group()
def admin() -> None:
    """Grant and revoke roles by Telegram user id."""


@admin.command()
@click.argument("telegram_id", type=int)
@click.argument("role")
@click.option("--scope", help="The bloc (bloc head/deputy) or unit (officer) the role covers.")
@click.pass_obj
@one_line_errors
def grant(env: Env, telegram_id: int, role: str, scope: str | None) -> None:
    """Give ROLE to the Telegram account TELEGRAM_ID (admin, bloc head/deputy, officer)."""
    parsed = _role(role)

    async def apply(session: AsyncSession) -> bool:
        scope_kind, scope_id = await _scope(parsed, scope, session)
        return await people.grant_to_telegram_id(
            telegram_id, parsed, scope_kind, scope_id, GrantSource.GRANT, session=session
        )

    added = in_session(env, apply)
    t = env.t
    name = t(ROLE_NAMES[parsed])
    if added:
        click.echo(t("Granted {role} to {user}.", role=name, user=telegram_id))
    else:
        click.echo(t("{user} already has {role}.", role=name, user=telegram_id))


@admin.command()
@click.argument("telegram_id", type=int)
@click.argument("role")
@click.option("--scope", help="Only the grant for this bloc or unit.")
@click.pass_obj
@one_line_errors
def revoke(env: Env, telegram_id: int, role: str, scope: str | None) -> None:
    """Take ROLE away from TELEGRAM_ID (also a role given by the roster or an invite)."""
    parsed = _role(role)

    async def apply(session: AsyncSession) -> int:
        scope_id = (await _scope(parsed, scope, session))[1] if scope else None
        member = await people.member_by_telegram_id(telegram_id, session=session)
        return await people.revoke_from_telegram_id(
            telegram_id,
            parsed,
            scope_id,
            member_id=member.id if member else None,
            session=session,
        )

    removed = in_session(env, apply)
    t = env.t
    click.echo(
        t(
            "Revoked {count} grant(s) of {role} from {user}.",
            count=removed,
            role=t(ROLE_NAMES[parsed]),
            user=telegram_id,
        )
    )
    if removed == 0:
        raise SystemExit(1)


@admin.command(name="list")
@click.pass_obj
@one_line_errors
def list_grants(env: Env) -> None:
    """List every role grant with its scope and where it came from."""

    async def collect(session: AsyncSession) -> list[str]:
        units = {unit.id: unit.name for unit in await org_store.all_units(session=session)}
        blocs = {bloc.id: bloc.name for bloc in await org_store.all_blocs(session=session)}
        members = {m.id: m for m in await people.all_members(session=session)}
        lines = []
        for grant_row in await people.all_role_assignments(session=session):
            member = members.get(grant_row.member_id) if grant_row.member_id else None
            who = member.full_name if member else str(grant_row.telegram_user_id or "?")
            where = {
                ScopeKind.UNIT: units.get(grant_row.scope_id, "?"),
                ScopeKind.BLOC: blocs.get(grant_row.scope_id, "?"),
            }.get(grant_row.scope_kind, env.t("everything"))
            lines.append(f"{who}\t{env.t(ROLE_NAMES[grant_row.role])}\t{where}\t{grant_row.source}")
        return lines

    for line in in_session(env, collect):
        click.echo(line)


def _role(text: str) -> Role:
    parsed = parse_role(text)
    if parsed is None or parsed == Role.MEMBER:
        raise UserFacingError(
            N_("{role} cannot be granted; use admin, bloc_head, bloc_deputy or unit_officer."),
            role=text,
        )
    return parsed


async def _scope(
    role: Role, scope: str | None, session: AsyncSession
) -> tuple[ScopeKind, int | None]:
    kind = SCOPE_OF_ROLE[role]
    if kind == ScopeKind.ALL:
        return kind, None
    if not scope:
        raise UserFacingError(N_("{role} needs --scope naming its bloc or unit."), role=role.value)
    if kind == ScopeKind.BLOC:
        return kind, (await find_bloc(scope, session=session)).id
    return kind, (await find_unit(scope, session=session)).id
