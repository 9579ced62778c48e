"""`thidua report ...`: a campaign's figures as text, an Excel workbook, a Word report or a chart.

Every command takes the campaign id (as `thidua campaign list` shows it) and, with `--bloc`, keeps
the units of one bloc or cluster (named as `thidua invite` names units: id, exact or unique part
of the name). `--on` sets the report's date (default: today in the bot's timezone), which decides
the current milestone.
"""

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot import export_docx
from bot.cli_support import Env, in_session, one_line_errors
from bot.errors import UserFacingError
from bot.export_charts import progress_chart_png, registration_chart_png
from bot.export_xlsx import write_summary_xlsx
from bot.i18n import N_, Translator
from bot.lookup import find_bloc
from bot.summaries import CampaignSummary, Figures, summarise
from storage import campaigns as campaign_store
from storage import exports as export_store
from storage import org as org_store
from storage.campaign_models import Campaign
from storage.models import Unit

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
BLOC_HELP = "Only the units of this bloc or cluster (id, name or a unique part of it)."
ON_HELP = "The report's date, DD/MM/YYYY (default: today)."


@dataclass(frozen=True)
class Scope:
    campaign: Campaign
    summary: CampaignSummary
    name: str  # the bloc's name, or the organisation's


@click.group()
def report() -> None:
    """Campaign reports: figures, Excel, Word and charts."""


def _today(env: Env, on: datetime | None) -> date:
    return on.date() if on is not None else datetime.now(env.settings.tz).date()


async def _scope(
    campaign_id: int, bloc: str | None, today: date, t: Translator, *, session: AsyncSession
) -> Scope:
    campaign = await campaign_store.get_campaign(campaign_id, session=session)
    if campaign is None:
        raise UserFacingError(
            N_("No campaign with id {id}: see thidua campaign list."), id=campaign_id
        )
    units: list[Unit]
    if bloc is None:
        units = await org_store.all_units(session=session)
        units.sort(key=lambda u: (u.bloc_id or 0, u.name))
        name = t("the whole organisation")
    else:
        found = await find_bloc(bloc, session=session)
        assert found.id is not None
        units = sorted(
            await org_store.units_in_blocs({found.id}, session=session), key=lambda u: u.name
        )
        name = found.name
    summary = await summarise(campaign, units, today, session=session)
    return Scope(campaign, summary, name)


def summary_text(summary: CampaignSummary, t: Translator) -> str:
    """The figures as plain text: one line per unit under its bloc, then the total."""
    lines = [summary.campaign.name]
    if summary.milestone is not None:
        lines.append(
            t(
                "Milestone: {milestone} (due {due})",
                milestone=summary.milestone.name,
                due=t.date(summary.milestone.due),
            )
        )
    for bloc in summary.blocs:
        lines.append("")
        lines.append(bloc.name)
        for unit in bloc.units:
            lines.append("  " + _figures_line(unit.unit.name, unit.figures, t))
    lines.append("")
    lines.append(_figures_line(t("Total"), summary.figures, t))
    return "\n".join(lines)


def _figures_line(name: str, figures: Figures, t: Translator) -> str:
    return t(
        "{name}: registered {registered}/{roster} ({percent}), reported {reported}/{approved} "
        "({late} late), targets on track {on_track}/{targets}",
        name=name,
        registered=t.number(figures.registered),
        roster=t.number(figures.roster),
        percent=t.percent(figures.registered, figures.roster),
        reported=t.number(figures.reported),
        approved=t.number(figures.approved),
        late=t.number(figures.late_reports),
        on_track=t.number(figures.on_track),
        targets=t.number(figures.targets),
    )


@report.command(name="summary")
@click.argument("campaign_id", type=int)
@click.option("--bloc", help=BLOC_HELP)
@click.option("--on", type=click.DateTime(DATE_FORMATS), help=ON_HELP)
@click.pass_obj
@one_line_errors
def summary_command(env: Env, campaign_id: int, bloc: str | None, on: datetime | None) -> None:
    """Print the figures per unit, per bloc and in total."""
    t, today = env.t, _today(env, on)

    async def go(session: AsyncSession) -> Scope:
        return await _scope(campaign_id, bloc, today, t, session=session)

    click.echo(summary_text(in_session(env, go).summary, t))


@report.command(name="xlsx")
@click.argument("campaign_id", type=int)
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--bloc", help=BLOC_HELP)
@click.option("--on", type=click.DateTime(DATE_FORMATS), help=ON_HELP)
@click.pass_obj
@one_line_errors
def xlsx_command(
    env: Env, campaign_id: int, out: Path, bloc: str | None, on: datetime | None
) -> None:
    """Write the Excel workbook (summary, registrations, progress, scores) to OUT."""
    t, today = env.t, _today(env, on)

    async def go(session: AsyncSession) -> None:
        scope = await _scope(campaign_id, bloc, today, t, session=session)
        await write_summary_xlsx(out, scope.campaign, scope.summary, session=session, t=t)

    in_session(env, go)
    click.echo(t("Written: {path}", path=out))


@report.command(name="docx")
@click.argument("campaign_id", type=int)
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--kind",
    type=click.Choice(["registration", "review"]),
    default="registration",
    show_default=True,
    help="registration: the registration results; review: sơ kết/tổng kết at the milestone.",
)
@click.option("--bloc", help=BLOC_HELP)
@click.option("--place", default="Hà Nội", show_default=True, help="Place on the date line.")
@click.option("--issuer", help="The issuing body, top left (default: the emulation council).")
@click.option("--on", type=click.DateTime(DATE_FORMATS), help=ON_HELP)
@click.pass_obj
@one_line_errors
def docx_command(
    env: Env,
    campaign_id: int,
    out: Path,
    kind: str,
    bloc: str | None,
    place: str,
    issuer: str | None,
    on: datetime | None,
) -> None:
    """Write a Word report in the administrative format to OUT."""
    t, today = env.t, _today(env, on)
    issuing = issuer or t("EMULATION AND COMMENDATION COUNCIL")

    async def go(session: AsyncSession) -> None:
        scope = await _scope(campaign_id, bloc, today, t, session=session)
        campaign, summary = scope.campaign, scope.summary
        previous = await export_docx.previous_year(campaign, summary, session=session)
        if kind == "registration":
            export_docx.write_registration_report(
                out,
                campaign,
                summary,
                scope_name=scope.name,
                issuer=issuing,
                place=place,
                today=today,
                t=t,
                previous=previous,
            )
            return
        assert campaign.id is not None
        milestones = await campaign_store.milestones_of(campaign.id, session=session)
        progress = await export_store.target_progress(
            campaign.id,
            summary.milestone.id if summary.milestone else None,
            [u.unit.id for u in summary.units if u.unit.id is not None],
            session=session,
        )
        export_docx.write_review_report(
            out,
            campaign,
            summary,
            scope_name=scope.name,
            issuer=issuing,
            place=place,
            today=today,
            t=t,
            final=export_docx.is_final(summary, milestones),
            progress=progress,
            previous=previous,
        )

    in_session(env, go)
    click.echo(t("Written: {path}", path=out))


@report.command(name="chart")
@click.argument("campaign_id", type=int)
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--kind",
    type=click.Choice(["registration", "progress"]),
    default="registration",
    show_default=True,
    help="registration: rate per unit; progress: each target's share of plan.",
)
@click.option("--bloc", help=BLOC_HELP)
@click.option("--on", type=click.DateTime(DATE_FORMATS), help=ON_HELP)
@click.pass_obj
@one_line_errors
def chart_command(
    env: Env, campaign_id: int, out: Path, kind: str, bloc: str | None, on: datetime | None
) -> None:
    """Write a PNG chart to OUT."""
    t, today = env.t, _today(env, on)

    async def go(session: AsyncSession) -> bytes:
        scope = await _scope(campaign_id, bloc, today, t, session=session)
        summary = scope.summary
        if kind == "registration":
            return await asyncio.to_thread(registration_chart_png, summary, t)
        assert scope.campaign.id is not None
        progress = await export_store.target_progress(
            scope.campaign.id,
            summary.milestone.id if summary.milestone else None,
            [u.unit.id for u in summary.units if u.unit.id is not None],
            session=session,
        )
        return await asyncio.to_thread(progress_chart_png, summary, progress, t)

    out.write_bytes(in_session(env, go))
    click.echo(t("Written: {path}", path=out))
