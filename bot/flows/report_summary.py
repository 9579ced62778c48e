"""Report step 4: the summary exactly as it will be stored — each target's total against the
plan with its percentage, the evidence, the note, lateness — then ✅ confirm, ✏️ edit, ✖️ cancel.

Confirming goes through `bot.reports.submit_report`, which keeps one report per pledge and
milestone however often "Xác nhận" is pressed; a press on an old summary is explained.
"""

from html import escape

from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowState, Outcome, Say, Step
from bot.flows import report_draft as draft
from bot.flows.widgets import parse_int
from bot.i18n import Translator
from bot.pledge_values import TargetValue
from bot.progress import target_progress
from bot.reports import STATUS_NAMES, PreviousValue, submit_report
from storage import pledges as pledge_store
from storage import progress as progress_store


def target_line(previous: PreviousValue, new: TargetValue | None, t: Translator) -> str:
    """ "• Số sáng kiến: 2 / 3 (66,7%)", marked when the last value is kept."""
    achieved = new if new is not None else previous.last
    shown = escape(draft.shown_value(achieved, t))
    planned = escape(draft.shown_value(previous.planned, t))
    percent = target_progress(previous.planned, achieved)
    line = f"• {escape(previous.target.label)}: <b>{shown}</b> / {planned}"
    if percent is not None:
        line += f" ({t.share(percent)})"
    if new is None:
        line += " · " + t("unchanged") if achieved is not None else " · " + t("not reported")
    return line


async def _summary(state: FlowState, env: FlowEnv) -> str:
    t = env.t
    found = await draft.subject(state, env)
    previous = await draft.targets(state, env, found)
    given = draft.given_values(state, previous)
    lines = [
        draft.heading(found, t, await draft.owner_name(found, env)),
        t("📋 <b>Check your report</b>"),
        "",
        *[target_line(p, given.get(p.target.id or 0), t) for p in previous],
    ]
    attached = 0
    if found.report is not None and found.report.id is not None:
        attached = len(await progress_store.evidence_of(found.report.id, session=env.session))
    new = len(draft.files(state))
    lines.append(
        t(
            "📎 Evidence: {total} file(s) ({new} new).",
            total=t.number(attached + new),
            new=t.number(new),
        )
    )
    note = str(state.data.get("note") or "")
    if note:
        lines.append(t("✍️ Note: {note}", note=escape(note)))
    if found.window.is_late(env.today) and not (found.report and not found.report.late):
        lines.append(
            t(
                "⏰ Due {date}: this report is marked late.",
                date=t.date(found.window.on_time_until),
            )
        )
    return "\n".join(lines)


async def _summary_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    try:
        text = await _summary(state, env)
    except UserFacingError as exc:
        return [Say("⚠️ " + escape(t(exc.message, **exc.params)))]
    rows = [
        [state.button(t("✅ Confirm"), draft.confirm_value(state))],
        [state.button(t("✏️ Edit"), "ed"), state.button(t("✖️ Cancel"), "x")],
    ]
    return [Say(text, rows)]


async def _summary_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    if value == "x":
        return Outcome(end=True, say=[Say(t("Cancelled. Nothing was saved."))])
    if value == "ed":
        state.data["editing"] = True
        return Outcome(goto=draft.EDIT)
    if value != draft.confirm_value(state):
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    try:
        found = await draft.subject(state, env)
        previous = await draft.targets(state, env, found)
        assert found.pledge.id is not None and found.window.milestone.id is not None
        result = await submit_report(
            found.pledge.id,
            found.window.milestone.id,
            draft.given_values(state, previous),
            note=str(state.data.get("note") or ""),
            evidence=draft.files(state),
            actor=env.user_id,
            today=env.today,
            session=env.session,
        )
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))], reprompt=False)
    if result.note is not None:
        return Outcome(end=True, say=[Say("ℹ️ " + t(result.note))])
    text = t(
        "✅ Report sent. Status: {status}{late}. Send /tiendo to see your progress, or /baocao"
        " to change the report while it is open.",
        status=t(STATUS_NAMES[result.report.status]),
        late=" · " + t("late") if result.report.late else "",
    )
    return Outcome(end=True, say=[Say(text)], answer=t("Sent."))


async def explain_stale(value: str, env: FlowEnv) -> str | None:
    """A second tap of ✅ after the report was sent says so."""
    pledge_part, _, milestone_part = value.removeprefix(f"{draft.CONFIRM}:").partition(":")
    pledge_id, milestone_id = parse_int(pledge_part, ""), parse_int(milestone_part, "")
    if not value.startswith(f"{draft.CONFIRM}:") or pledge_id is None or milestone_id is None:
        return None
    pledge = await pledge_store.get_pledge(pledge_id, session=env.session)
    if pledge is None or not await draft.may_report(pledge, env):
        return None
    report = await progress_store.get_report(milestone_id, pledge_id, session=env.session)
    if report is None:
        return None
    return env.t(
        "This report was already sent ({status}); nothing changed. Send /baocao to see it.",
        status=env.t(STATUS_NAMES[report.status]),
    )


# --- ✏️ what to change ---------------------------------------------------------------------------


async def _edit_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    rows = [
        [state.button(t("🎯 Figures"), draft.VALUES)],
        [state.button(t("📎 Evidence"), draft.FILES)],
        [state.button(t("✍️ Note"), draft.NOTE)],
        [state.button(t("📋 Back to the summary"), draft.SUMMARY)],
    ]
    return [Say(t("What do you want to change?"), rows)]


async def _edit_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value == draft.VALUES:
        state.data["idx"] = 0
    if value in (draft.VALUES, draft.FILES, draft.NOTE, draft.SUMMARY):
        return Outcome(goto=value)
    return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)


def steps() -> tuple[Step, ...]:
    return (
        Step(draft.SUMMARY, _summary_prompt, None, _summary_button),
        Step(draft.EDIT, _edit_prompt, None, _edit_button),
    )
