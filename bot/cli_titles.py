"""`thidua titles import FILE`: members' past titles by year, which eligibility rules read."""

from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_support import Env, in_session, one_line_errors, problem_line
from bot.titles_import import TitlesReport, apply_titles, read_titles


@click.group()
def titles() -> None:
    """Members' title history (danh hiệu by year)."""


@titles.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
@one_line_errors
def import_titles(env: Env, file: Path) -> None:
    """Import titles from FILE (.xlsx or .csv): Họ và tên, Đơn vị (or Số điện thoại), Năm,
    Danh hiệu. Importing the same file again adds nothing."""
    rows, problems = read_titles(file)

    async def apply(session: AsyncSession) -> TitlesReport:
        return await apply_titles(rows, session=session)

    report = in_session(env, apply)
    rejected = sorted(report.rejected + problems, key=lambda problem: problem.row_number)
    t = env.t
    click.echo(
        t(
            "Titles: {added} added, {unchanged} already recorded, {rejected} rejected",
            added=t.number(report.added),
            unchanged=t.number(report.unchanged),
            rejected=t.number(len(rejected)),
        )
    )
    for problem in rejected:
        click.echo(problem_line(t, problem), err=True)
    if rejected:
        raise SystemExit(1)
