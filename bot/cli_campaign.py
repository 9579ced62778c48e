"""`thidua campaign ...` and `thidua announce`: authoring and launching from the command line.

Launching here only queues the messages; the running `thidua run` process sends them at
Telegram's pace (it polls the outbox), so the CLI returns at once.
"""

from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.announcements import Announcement, announce
from bot.campaign_builder import create_campaign
from bot.campaign_file import CampaignFileError, load_campaign_file
from bot.campaign_text import STATUS_NAMES, launch_text
from bot.campaigns import audience_of, launch, load_view, move
from bot.cli_support import Env, in_session, one_line_errors
from bot.errors import UserFacingError
from bot.i18n import N_, Catalogs, Translator
from bot.lookup import find_bloc, find_unit
from bot.milestone_opening import open_milestone
from storage import campaigns as store
from storage.campaign_models import AudienceKind, Campaign, CampaignStatus
from storage.types import utcnow

STATES = {
    "close-registration": CampaignStatus.REGISTRATION_CLOSED,
    "reopen-registration": CampaignStatus.LAUNCHED,
    "review": CampaignStatus.REVIEWING,
    "close": CampaignStatus.CLOSED,
}


@click.group()
def campaign() -> None:
    """Campaigns (phong trào thi đua): create from YAML, list, preview, launch, move on."""


@campaign.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
@one_line_errors
def create(env: Env, file: Path) -> None:
    """Create a draft campaign from FILE.yaml (see docs/campaign-file.md)."""
    t = env.t
    try:
        spec = load_campaign_file(file)
        created = in_session(env, lambda s: create_campaign(spec, created_by=None, session=s))
    except CampaignFileError as exc:
        for problem in exc.problems:
            where = f"{problem.path}: " if problem.path else ""
            click.echo(where + t(problem.message, **problem.params), err=True)
        raise SystemExit(1) from None
    click.echo(t("Created draft campaign {id}: {name}", id=created.id, name=created.name))
    click.echo(
        t("Preview: thidua campaign show {id} · launch: thidua campaign launch {id}", id=created.id)
    )


@campaign.command(name="list")
@click.pass_obj
@one_line_errors
def list_campaigns(env: Env) -> None:
    """List campaigns with their status and registration deadline."""
    t = env.t
    campaigns = in_session(env, lambda s: store.all_campaigns(session=s))
    if not campaigns:
        click.echo(t("No campaigns yet: create one with thidua campaign create FILE.yaml"))
    for item in campaigns:
        click.echo(
            f"{item.id}\t{t(STATUS_NAMES[item.status])}\t"
            f"{t.date(item.registration_deadline)}\t{item.name}"
        )


@campaign.command()
@click.argument("campaign_id", type=int)
@click.pass_obj
@one_line_errors
def show(env: Env, campaign_id: int) -> None:
    """Show the launch message exactly as members will read it, and who will get it."""
    t = env.t

    async def render(session: AsyncSession) -> str:
        item = await _campaign(campaign_id, session)
        audience = await audience_of(item, session=session)
        text = launch_text(await load_view(item, session=session), t)
        return text + "\n\n" + _audience_line(t, audience.members, len(audience.recipients))

    click.echo(_plain(in_session(env, render)))


@campaign.command(name="launch")
@click.argument("campaign_id", type=int)
@click.pass_obj
@one_line_errors
def launch_campaign(env: Env, campaign_id: int) -> None:
    """Launch: queue the message to every reachable member; the running bot sends it."""
    t = env.t

    async def go(session: AsyncSession) -> tuple[int, int, int]:
        item = await _campaign(campaign_id, session)
        result = await launch(
            item,
            catalogs=Catalogs(default_locale=env.settings.default_locale),
            by=None,
            admin_chat_id=None,
            now=utcnow(),
            session=session,
        )
        return result.queued, result.audience.not_linked, result.audience.unreachable

    queued, not_linked, unreachable = in_session(env, go)
    seconds = max(1, round(queued / env.settings.send_rate))
    click.echo(
        t(
            "Queued {count} launch messages; the running bot sends them in about {seconds} s.",
            count=t.number(queued),
            seconds=t.number(seconds),
        )
    )
    if not_linked or unreachable:
        click.echo(
            t(
                "Not reached: {not_linked} not yet linked to Telegram, {unreachable} "
                "blocked the bot.",
                not_linked=t.number(not_linked),
                unreachable=t.number(unreachable),
            )
        )


@campaign.command(name="status")
@click.argument("campaign_id", type=int)
@click.argument("action", type=click.Choice(sorted(STATES)))
@click.pass_obj
@one_line_errors
def set_status(env: Env, campaign_id: int, action: str) -> None:
    """Move a launched campaign on: close or reopen registration, review, close."""
    t = env.t

    async def go(session: AsyncSession) -> Campaign:
        item = await _campaign(campaign_id, session)
        move(item, STATES[action])
        return item

    item = in_session(env, go)
    click.echo(t("{name}: now {status}.", name=item.name, status=t(STATUS_NAMES[item.status])))


@click.command(name="announce")
@click.option("--text", help="The announcement text (HTML allowed: <b>, <i>, <a>).")
@click.option("--bloc", "blocs", multiple=True, help="Only this bloc or cluster (repeatable).")
@click.option("--unit", "units", multiple=True, help="Only this unit (repeatable).")
@click.pass_obj
@one_line_errors
def announce_command(
    env: Env, text: str | None, blocs: tuple[str, ...], units: tuple[str, ...]
) -> None:
    """Queue an announcement to everyone, or to the given blocs and units."""
    t = env.t
    if blocs and units:
        raise UserFacingError(N_("Give either --bloc or --unit, not both."))

    async def go(session: AsyncSession) -> int:
        scopes = [("bloc", (await find_bloc(name, session=session)).id or 0) for name in blocs]
        scopes += [("unit", (await find_unit(name, session=session)).id or 0) for name in units]
        kind = (
            AudienceKind.BLOCS
            if blocs
            else AudienceKind.UNITS
            if units
            else AudienceKind.ORGANISATION
        )
        result = await announce(
            Announcement(text=text),
            kind,
            scopes,
            by=None,
            admin_chat_id=None,
            now=utcnow(),
            session=session,
        )
        return result.queued

    queued = in_session(env, go)
    click.echo(t("Queued {count} messages; the running bot sends them.", count=t.number(queued)))


@campaign.command(name="open-report")
@click.argument("campaign_id", type=int)
@click.argument("milestone", type=int)
@click.pass_obj
@one_line_errors
def open_report(env: Env, campaign_id: int, milestone: int) -> None:
    """Open a milestone's reports: tell everyone with an approved pledge, with the 📈 button.

    MILESTONE is its number in the campaign (1 for the first, as `campaign show` lists them).
    """
    t = env.t

    async def go(session: AsyncSession) -> tuple[int, int]:
        item = await _campaign(campaign_id, session)
        assert item.id is not None
        milestones = await store.milestones_of(item.id, session=session)
        if not 1 <= milestone <= len(milestones):
            raise UserFacingError(
                N_("This campaign has {count} milestones; give a number from 1 to {count}."),
                count=len(milestones),
            )
        opening = await open_milestone(
            item,
            milestones[milestone - 1],
            catalogs=Catalogs(default_locale=env.settings.default_locale),
            by=None,
            admin_chat_id=None,
            now=utcnow(),
            session=session,
        )
        return opening.queued, opening.recipients

    queued, recipients = in_session(env, go)
    click.echo(
        t(
            "Queued {count} messages opening the reports ({recipients} people report in this"
            " campaign); the running bot sends them.",
            count=t.number(queued),
            recipients=t.number(recipients),
        )
    )


async def _campaign(campaign_id: int, session: AsyncSession) -> Campaign:
    item = await store.get_campaign(campaign_id, session=session)
    if item is None:
        raise UserFacingError(
            N_("No campaign with id {id}: see thidua campaign list."), id=campaign_id
        )
    return item


def _audience_line(t: Translator, members: Sequence[object], recipients: int) -> str:
    return t(
        "Audience: {members} people, {recipients} reachable on Telegram now.",
        members=t.number(len(members)),
        recipients=t.number(recipients),
    )


def _plain(html_text: str) -> str:
    """Terminal output: drop the few HTML tags the message uses, unescape entities."""
    import html
    import re

    return html.unescape(re.sub(r"</?(b|i|a)( [^>]*)?>", "", html_text))
