"""Where `/baocao` (and a milestone message's 📈 button) begin: which pledge and milestone.

A member reports on their approved pledge; an officer on their unit's collective pledge. With
one open milestone the choice is skipped; with several (the grace days of one overlap the next,
or a missed one can still be caught up, late) the member chooses. A refusal says why: not
approved yet (and its state), no milestone open (and when the next one opens), or the report
was sent on time and is now locked.
"""

from html import escape

from bot.errors import UserFacingError
from bot.flow_engine import FlowEngine, FlowEnv, Reply, Say
from bot.flows import report_draft as draft
from bot.i18n import N_
from bot.report_windows import OpenMilestone, milestone_windows, reportable_milestones
from bot.reports import check_editable, not_approved_reason
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage import progress as progress_store
from storage.pledge_models import Pledge, PledgeKind, PledgeStatus

NOT_LINKED_TO_REPORT = N_(
    "Only members of the roster can report. Send /start and share your phone number first."
)


async def _options(pledges: list[Pledge], env: FlowEnv) -> list[tuple[Pledge, OpenMilestone]]:
    found = []
    for pledge in pledges:
        if pledge.status is not PledgeStatus.APPROVED:
            continue
        for milestone in await reportable_milestones(
            pledge.campaign_id, env.today, session=env.session
        ):
            found.append((pledge, milestone))
    return found


async def _next_opening(pledges: list[Pledge], env: FlowEnv) -> str | None:
    """ "Sơ kết 6 tháng, từ 01/06/2027", for a member who has nothing open today."""
    t = env.t
    upcoming = []
    for pledge in pledges:
        campaign = await campaign_store.get_campaign(pledge.campaign_id, session=env.session)
        if campaign is None:
            continue
        milestones = await campaign_store.milestones_of(pledge.campaign_id, session=env.session)
        upcoming += [w for w in milestone_windows(campaign, milestones) if w.opens > env.today]
    if not upcoming:
        return None
    first = min(upcoming, key=lambda w: w.opens)
    return t(
        "The next report, “{milestone}”, opens on {date}.",
        milestone=escape(first.milestone.name),
        date=t.date(first.opens),
    )


async def begin(
    engine: FlowEngine,
    env: FlowEnv,
    pledges: list[Pledge],
    *,
    milestone_id: int | None = None,
) -> Reply:
    """Start the report flow for these pledges (the member's, or one unit's collective one)."""
    t = env.t
    approved = [p for p in pledges if p.status is PledgeStatus.APPROVED]
    if not approved:
        if pledges:
            return _refused(t(not_approved_reason(pledges[0].status)))
        return _refused(t("You have no registration to report on. Send /dangky to register first."))
    options = await _options(approved, env)
    if milestone_id is not None:
        options = [o for o in options if o[1].milestone.id == milestone_id]
    if not options:
        text = t("No report is open now.")
        upcoming = await _next_opening(approved, env)
        return _refused(f"{text} {upcoming}" if upcoming else text)
    if len(options) > 1:
        data = {"choices": [[p.id, o.milestone.id] for p, o in options]}
        return await engine.start(draft.NAME_OF_FLOW, env, step=draft.CHOOSE, data=data)
    pledge, option = options[0]
    return await start_on(engine, env, pledge, option)


async def start_on(
    engine: FlowEngine, env: FlowEnv, pledge: Pledge, option: OpenMilestone
) -> Reply:
    """The flow on one pledge and milestone; an existing report is loaded to be edited."""
    assert pledge.id is not None and option.milestone.id is not None
    report = await progress_store.get_report(option.milestone.id, pledge.id, session=env.session)
    data: dict[str, object] = {"pledge": pledge.id, "milestone": option.milestone.id}
    if report is not None:
        try:
            check_editable(report, option.window, env.today)
        except UserFacingError as exc:
            return _refused(env.t(exc.message, **exc.params))
        data["note"] = report.note
    return await engine.start(draft.NAME_OF_FLOW, env, step=draft.VALUES, data=data)


async def member_pledges(env: FlowEnv) -> list[Pledge] | None:
    """The member's live individual pledges; None when the person is not on the roster."""
    member = env.viewer.member
    if member is None or member.id is None:
        return None
    return await pledge_store.live_pledges_of_member(member.id, session=env.session)


async def collective_pledges(campaign_id: int, unit_id: int, env: FlowEnv) -> list[Pledge]:
    pledge = await pledge_store.live_pledge(
        campaign_id, PledgeKind.COLLECTIVE, unit_id=unit_id, session=env.session
    )
    return [pledge] if pledge is not None else []


def _refused(text: str) -> Reply:
    """A message for `/baocao`, and the same text as the pressed button's alert."""
    return Reply([Say("⛔ " + text)], answer=text, alert=True)
