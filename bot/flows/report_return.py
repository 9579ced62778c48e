"""↩️ Return a progress report: the officer's next text message is the reason the reporter reads.

A flow so the question survives a restart; each message re-checks that the person may still
decide the report (`bot.report_access`).
"""

from html import escape

from bot.errors import UserFacingError
from bot.flow_engine import Flow, FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows.officer_return import may_manage_any
from bot.i18n import N_
from bot.report_access import ReportInScope, report_in_scope
from bot.report_notices import notify_reporter
from bot.reports import return_report
from bot.unit_review import owner_name
from storage import campaigns as campaign_store

NAME_OF_FLOW = "report_return"
REASON = "rrsn"
REPORT_KEY = "report"


async def _decidable(state: FlowState, env: FlowEnv) -> ReportInScope | None:
    found = await report_in_scope(
        int(state.data.get(REPORT_KEY) or 0), env.viewer, session=env.session
    )
    return found if found is not None and found.may_decide else None


async def _prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    found = await _decidable(state, env)
    name = await owner_name(found.pledge, session=env.session) if found else "?"
    text = t(
        "↩️ Write the reason for returning the report of {name}; they will read it. (/huy to"
        " cancel)",
        name=escape(name),
    )
    return [Say(text)]


async def _reason(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    found = await _decidable(state, env)
    if found is None or found.report.id is None:
        return Outcome(end=True, say=[Say(t("This report no longer exists."))])
    if not received.is_text or not (received.text or "").strip():
        return Outcome(say=[Say(t("Please type the reason as a text message."))])
    reason = (received.text or "").strip()
    try:
        result = await return_report(
            found.report.id, actor=env.user_id, reason=reason, session=env.session
        )
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))])
    if result.note is not None:
        return Outcome(end=True, say=[Say("ℹ️ " + t(result.note))])
    milestones = await campaign_store.milestones_of(found.pledge.campaign_id, session=env.session)
    milestone = next(m for m in milestones if m.id == found.report.milestone_id)
    await notify_reporter(
        result.report,
        found.pledge,
        milestone,
        catalogs=env.catalogs,
        reason=reason,
        session=env.session,
    )
    env.wake_outbox()
    name = await owner_name(found.pledge, session=env.session)
    return Outcome(
        end=True, say=[Say(t("↩️ Returned to {name}, with your reason.", name=escape(name)))]
    )


def report_return_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("returning a report"),
        first_step=REASON,
        steps=(Step(REASON, _prompt, _reason, None),),
        may_use=may_manage_any,
        refusal=N_("Only emulation officers, bloc heads and administrators can see this."),
    )
