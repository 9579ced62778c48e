"""`thidua org import|export` and `thidua invite`: the roster and the way people join."""

from pathlib import Path

import click

from bot.bot_identity import bot_username
from bot.cli_support import Env, one_line_errors, problem_line, run_async
from bot.i18n import Translator
from bot.invites import create_invite, deep_link
from bot.lookup import find_unit
from bot.roster_export import export_rows
from bot.roster_file import ExportRow, RosterRow, parse_role, read_roster, write_roster
from bot.roster_import import ImportReport, apply_roster, import_year
from storage.database import Database
from storage.models import Role
from storage.types import utcnow


@click.group()
def org() -> None:
    """The organisation roster: blocs, units and members."""


@org.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show the counts; save nothing.")
@click.pass_obj
@one_line_errors
def import_roster(env: Env, file: Path, dry_run: bool) -> None:
    """Import or update the roster from FILE (.xlsx or .csv with Vietnamese headers)."""
    parsed = read_roster(file)
    report = run_async(_apply(env, parsed.rows, len(parsed.problems), dry_run))
    report.rejected = sorted(report.rejected + parsed.problems, key=lambda p: p.row_number)
    t = env.t
    click.echo(_summary(t, report, dry_run))
    for problem in report.rejected:
        click.echo(problem_line(t, problem), err=True)
    if report.rejected:
        raise SystemExit(1)


async def _apply(
    env: Env, rows: list[RosterRow], rejected_in_file: int, dry_run: bool
) -> ImportReport:
    database = Database(env.settings.database_url)
    try:
        async with database.sessions() as session:
            year = import_year(utcnow().astimezone(env.settings.tz).date())
            report = await apply_roster(
                rows, year=year, session=session, rejected_in_file=rejected_in_file
            )
            if dry_run:
                await session.rollback()
            else:
                await session.commit()
            return report
    finally:
        await database.dispose()


def _summary(t: Translator, report: ImportReport, dry_run: bool) -> str:
    lines = [
        t(
            "Blocs/clusters: {total} ({created} new)",
            total=t.number(report.blocs_total),
            created=t.number(report.blocs_created),
        ),
        t(
            "Units: {total} ({created} new)",
            total=t.number(report.units_total),
            created=t.number(report.units_created),
        ),
        t(
            "Members: {created} created, {updated} updated, {unchanged} unchanged, "
            "{left} marked as left, {rejected} rejected",
            created=t.number(report.created),
            updated=t.number(report.updated),
            unchanged=t.number(report.unchanged),
            left=t.number(report.left),
            rejected=t.number(len(report.rejected)),
        ),
    ]
    if report.left_withheld:
        lines.append(
            t(
                "{count} people missing from this file were not marked as left, because some "
                "rows were rejected. Fix those rows and import again.",
                count=t.number(report.left_withheld),
            )
        )
    if dry_run:
        lines.append(t("Dry run: nothing was saved."))
    return "\n".join(lines)


@org.command(name="export")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
@one_line_errors
def export_roster(env: Env, file: Path) -> None:
    """Write the roster to FILE (.xlsx or .csv), with who has joined the bot and since when."""

    async def collect() -> list[ExportRow]:
        database = Database(env.settings.database_url)
        try:
            async with database.session() as session:
                return await export_rows(env.t, env.settings.tz, session=session)
        finally:
            await database.dispose()

    rows = run_async(collect())
    write_roster(file, rows)
    linked = sum(1 for row in rows if row.linked_since)
    click.echo(
        env.t(
            "Wrote {count} members to {file}; {linked} have joined the bot.",
            count=env.t.number(len(rows)),
            file=str(file),
            linked=env.t.number(linked),
        )
    )


@click.command()
@click.argument("unit")
@click.option("--role", default="member", show_default=True, help="Role given on joining.")
@click.option("--uses", default=1, show_default=True, type=int, help="How many people may use it.")
@click.option("--expires", type=int, help="Days until the link expires (default: never).")
@click.pass_obj
@one_line_errors
def invite(env: Env, unit: str, role: str, uses: int, expires: int | None) -> None:
    """Print an invite link (and its bare token) that joins a person to UNIT."""
    parsed_role = parse_role(role)
    if parsed_role is None:
        raise click.BadParameter(env.t("unknown role {role}", role=role), param_hint="--role")

    async def make() -> tuple[str, str | None]:
        database = Database(env.settings.database_url)
        try:
            async with database.session() as session:
                target = await find_unit(unit, session=session)
                assert target.id is not None
                created = await create_invite(
                    target.id,
                    role=parsed_role or Role.MEMBER,
                    uses=uses,
                    expires_days=expires,
                    now=utcnow(),
                    session=session,
                )
                username = await bot_username(env.settings, session=session)
                return created.token, username
        finally:
            await database.dispose()

    token, username = run_async(make())
    if username:
        click.echo(deep_link(username, token))
    else:
        click.echo(
            env.t(
                "Bot username unknown (set TELEGRAM_BOT_USERNAME or run the bot once); "
                "the link is https://t.me/<bot username>?start=<token>"
            ),
            err=True,
        )
    click.echo(token)
