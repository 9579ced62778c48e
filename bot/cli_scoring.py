"""`thidua scoring import CAMPAIGN_ID BLOC FILE`: a bloc's scoring sheet from YAML/.xlsx/.csv."""

from decimal import Decimal
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_support import Env, fail, in_session, one_line_errors
from bot.scoring import import_sheet
from bot.scoring_file import ScoringFileError, format_points, load_sheet_file
from bot.sheet_file import SheetFileError
from storage.scoring_models import ScoringSheet


@click.group()
def scoring() -> None:
    """Bloc scoring sheets (chấm điểm thi đua)."""


@scoring.command(name="import")
@click.argument("campaign_id", type=int)
@click.argument("bloc")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--title", help="The sheet's title (default: the file's title:, or the bloc's name).")
@click.pass_obj
@one_line_errors
def import_scoring(env: Env, campaign_id: int, bloc: str, file: Path, title: str | None) -> None:
    """Import BLOC's scoring sheet for CAMPAIGN_ID from FILE (.yaml, .xlsx or .csv with columns
    STT, Tiêu chí, Điểm tối đa, Loại). Importing again replaces it while no unit has scored."""
    t = env.t
    try:
        spec = load_sheet_file(file)
    except SheetFileError as exc:
        fail(t(exc.message, **exc.params))
    except ScoringFileError as exc:
        for line in exc.lines(t):
            click.echo(line, err=True)
        raise SystemExit(1) from exc

    async def apply(session: AsyncSession) -> tuple[ScoringSheet, bool]:
        name = title or spec.title or t("Emulation scoring — {bloc}", bloc=bloc)
        return await import_sheet(campaign_id, bloc, spec, title=name, session=session)

    sheet, new = in_session(env, apply)  # a UserFacingError becomes one line
    params = {
        "id": str(sheet.id),
        "count": t.number(len(spec.criteria)),
        "scale": format_points(Decimal(sheet.scale)),
    }
    if new:
        click.echo(
            t("Scoring sheet {id} created: {count} criteria, {scale}-point scale.", **params)
        )
    else:
        click.echo(
            t("Scoring sheet {id} replaced: {count} criteria, {scale}-point scale.", **params)
        )
