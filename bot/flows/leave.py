"""🏖 Leave or a work trip: the member's next message is the period; reminders are held during it.

A flow so the question survives a restart; the dates are read by `bot.reminder_controls`.
"""

from html import escape

from bot.errors import UserFacingError
from bot.flow_engine import Flow, FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.i18n import N_
from bot.reminder_controls import declare_leave, parse_leave

NAME_OF_FLOW = "leave"
PERIOD = "lvp"
KINDS = {"leave": N_("leave"), "trip": N_("work trip")}


async def _prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    kind = t(KINDS.get(str(state.data.get("kind")), KINDS["leave"]))
    text = t(
        "🏖 Send the first and last day of your {kind}, e.g. 20/03/2027 - 27/03/2027. Reminders"
        " that fall in it wait until you are back. (/huy to cancel)",
        kind=kind,
    )
    return [Say(text)]


async def _period(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    member = env.viewer.member
    if member is None:
        return Outcome(end=True)
    if not received.is_text:
        return Outcome(say=[Say("⚠️ " + t("Please type the dates as a text message."))])
    try:
        starts, ends = parse_leave(received.text or "", env.today)
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))])
    kind = str(state.data.get("kind")) if state.data.get("kind") in KINDS else "leave"
    await declare_leave(member, starts, ends, kind, env.user_id, session=env.session)
    text = t(
        "🏖 Noted: {kind} from {start} to {end}. Reminders wait until you are back, and your"
        " officer sees you as on leave.",
        kind=t(KINDS[kind]),
        start=t.date(starts),
        end=t.date(ends),
    )
    return Outcome(end=True, say=[Say(text)])


def leave_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("declaring leave"),
        first_step=PERIOD,
        steps=(Step(PERIOD, _prompt, _period, None),),
        may_use=lambda viewer: viewer.is_linked,
        refusal=N_(
            "Only members of the roster can register. Send /start and share your phone number"
            " first."
        ),
    )
