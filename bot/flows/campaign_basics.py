"""Campaign authoring, steps 1–5: name, slogan, kind, period, registration window.

Each typed answer is checked here and re-asked with the reason when wrong; what was entered
before stays in the flow's data. When the admin came back from the preview to edit (✏️), a
finished section returns to the preview, or to the first answer the edit made invalid.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from html import escape

from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flow_inputs import (
    MIN_NAME_LENGTH,
    NAME_LENGTH,
    SLOGAN_LENGTH,
    find_dates,
    parse_date,
)
from bot.flows.campaign_draft import (
    DEADLINE,
    KIND,
    MILESTONES,
    NAME,
    OPENS,
    PERIOD_END,
    PERIOD_START,
    SLOGAN,
    Draft,
    advance,
)
from bot.flows.widgets import Rows
from bot.i18n import Translator
from bot.text import collapse_spaces
from storage.campaign_models import CampaignKind

TOTAL_STEPS = 9
KEEP = "keep"


def heading(t: Translator, number: int, title: str) -> str:
    return t(
        "<b>{title}</b> (step {number} of {total})", title=title, number=number, total=TOTAL_STEPS
    )


def keep_row(state: FlowState, t: Translator, shown: str | None) -> Rows:
    """ "Keep" for an answer given before (after ✏️ Edit), so nothing must be retyped."""
    if not shown:
        return []
    return [[state.button(t("↩️ Keep: {value}", value=shown[:40]), KEEP)]]


def need_text(t: Translator) -> Outcome:
    return Outcome(say=[Say(t("Please type the answer as a message."))])


def error(text: str) -> Outcome:
    """Say what is wrong and ask the same question again; nothing entered is lost."""
    return Outcome(say=[Say("⚠️ " + text)])


# --- 1. name ---------------------------------------------------------------------------------


async def _name_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    lines = [
        heading(t, 1, t("📣 New emulation campaign")),
        t('Type the campaign\'s name, e.g. Phong trào thi đua "Đoàn kết, sáng tạo" năm 2027.'),
        t("Send /huy at any time to cancel."),
    ]
    if draft.name:
        lines.append(t("Now: {value}", value=escape(draft.name)))
    return [Say("\n".join(lines), keep_row(state, t, draft.name))]


async def _accept_name(state: FlowState, text: str, env: FlowEnv) -> Outcome:
    t = env.t
    name = collapse_spaces(text)
    if len(name) < MIN_NAME_LENGTH:
        return error(t("The name is too short: at least {min} characters.", min=MIN_NAME_LENGTH))
    if len(name) > NAME_LENGTH:
        return error(
            t(
                "The name is too long: at most {max} characters (you typed {count}).",
                max=NAME_LENGTH,
                count=len(name),
            )
        )
    Draft.of(state).name = name
    return Outcome(goto=advance(state, SLOGAN))


# --- 2. slogan -------------------------------------------------------------------------------


async def _slogan_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    lines = [
        heading(t, 2, t("Slogan")),
        t("Type the campaign's slogan (khẩu hiệu), or press Skip."),
    ]
    if draft.slogan:
        lines.append(t("Now: {value}", value=escape(draft.slogan)))
    rows = [*keep_row(state, t, draft.slogan), [state.button(t("⏭ Skip"), "skip")]]
    return [Say("\n".join(lines), rows)]


async def _accept_slogan(state: FlowState, text: str, env: FlowEnv) -> Outcome:
    t = env.t
    slogan = collapse_spaces(text)
    if len(slogan) > SLOGAN_LENGTH:
        return error(
            t(
                "The slogan is too long: at most {max} characters (you typed {count}).",
                max=SLOGAN_LENGTH,
                count=len(slogan),
            )
        )
    Draft.of(state).slogan = slogan
    return Outcome(goto=advance(state, KIND))


async def _slogan_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    draft = Draft.of(state)
    if value == "skip":
        draft.slogan = ""
        return Outcome(goto=advance(state, KIND))
    if value == KEEP and draft.slogan is not None:
        return await _accept_slogan(state, draft.slogan, env)
    return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)


# --- 3. kind ---------------------------------------------------------------------------------

KINDS = {"r": CampaignKind.REGULAR, "t": CampaignKind.THEMATIC}


async def _kind_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    rows = [
        [state.button(t("🔁 Regular (yearly)"), "r")],
        [state.button(t("🎯 Thematic"), "t")],
    ]
    return [Say("\n".join([heading(t, 3, t("Kind")), t("Which kind of campaign is it?")]), rows)]


async def _kind_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    kind = KINDS.get(value)
    if kind is None:
        return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)
    Draft.of(state).kind = kind
    return Outcome(goto=advance(state, PERIOD_START))


# --- 4. period -------------------------------------------------------------------------------


def _bad_date(t: Translator, text: str, example: str) -> Outcome:
    shown = escape(collapse_spaces(text)[:40])
    return error(
        t(
            '"{value}" is not a date. Type it as dd/mm/yyyy, e.g. {example}.',
            value=shown,
            example=example,
        )
    )


async def _start_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    current = Draft.of(state).get_date("period_start")
    lines = [
        heading(t, 4, t("Period")),
        t("Type the first day of the period (dd/mm/yyyy), e.g. 01/01/2027."),
        t("You may type both ends at once: 01/01/2027 - 31/12/2027."),
    ]
    return [Say("\n".join(lines), keep_row(state, t, t.date(current) if current else None))]


async def _accept_start(state: FlowState, text: str, env: FlowEnv) -> Outcome:
    t = env.t
    draft = Draft.of(state)
    found = find_dates(text)
    start = parse_date(found[0]) if len(found) == 2 else parse_date(text)
    if start is None:
        return _bad_date(t, found[0] if len(found) == 2 else text, "01/01/2027")
    draft.set_date("period_start", start)
    if len(found) == 2:
        return await _accept_end(state, found[1], env)
    return Outcome(goto=PERIOD_END)


async def _end_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    start, current = draft.get_date("period_start"), draft.get_date("period_end")
    lines = [
        heading(t, 4, t("Period")),
        t(
            "The period starts on {start}. Type its last day (dd/mm/yyyy), e.g. 31/12/2027.",
            start=t.date(start) if start else "?",
        ),
    ]
    return [Say("\n".join(lines), keep_row(state, t, t.date(current) if current else None))]


async def _accept_end(state: FlowState, text: str, env: FlowEnv) -> Outcome:
    t = env.t
    draft = Draft.of(state)
    end, start = parse_date(text), draft.get_date("period_start")
    if end is None:
        return Outcome(goto=PERIOD_END, say=_bad_date(t, text, "31/12/2027").say)
    if start is None:
        return Outcome(goto=PERIOD_START)
    if end < start:
        message = t(
            "The end of the period ({end}) is before its start ({start}). Type the last day again.",
            end=t.date(end),
            start=t.date(start),
        )
        return Outcome(goto=PERIOD_END, say=error(message).say)
    draft.set_date("period_end", end)
    return Outcome(goto=advance(state, OPENS))


# --- 5. registration -------------------------------------------------------------------------


async def _opens_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    current = draft.get_date("registration_opens")
    lines = [
        heading(t, 5, t("Registration (đăng ký thi đua)")),
        t("On which day does registration open? Type dd/mm/yyyy, e.g. 15/01/2027."),
    ]
    return [Say("\n".join(lines), keep_row(state, t, t.date(current) if current else None))]


async def _accept_opens(state: FlowState, text: str, env: FlowEnv) -> Outcome:
    t = env.t
    draft = Draft.of(state)
    opens, period = parse_date(text), draft.period
    if opens is None:
        return _bad_date(t, text, "15/01/2027")
    if period is not None and opens > period[1]:
        return error(
            t(
                "Registration cannot open ({opens}) after the period ends ({end}). Type the "
                "opening day again.",
                opens=t.date(opens),
                end=t.date(period[1]),
            )
        )
    draft.set_date("registration_opens", opens)
    return Outcome(goto=DEADLINE)


async def _deadline_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    opens, period = draft.get_date("registration_opens"), draft.period
    current = draft.get_date("registration_deadline")
    lines = [
        heading(t, 5, t("Registration (đăng ký thi đua)")),
        t(
            "Type the registration deadline (dd/mm/yyyy): from {opens} to {end}, the end of "
            "the period.",
            opens=t.date(opens) if opens else "?",
            end=t.date(period[1]) if period else "?",
        ),
    ]
    return [Say("\n".join(lines), keep_row(state, t, t.date(current) if current else None))]


async def _accept_deadline(state: FlowState, text: str, env: FlowEnv) -> Outcome:
    t = env.t
    draft = Draft.of(state)
    deadline, opens, period = parse_date(text), draft.get_date("registration_opens"), draft.period
    if deadline is None:
        return _bad_date(t, text, "25/03/2027")
    if opens is None or period is None:
        return Outcome(goto=OPENS if period else PERIOD_START)
    if deadline < opens:
        return error(
            t(
                "The deadline ({deadline}) is before registration opens ({opens}). Type the "
                "deadline again.",
                deadline=t.date(deadline),
                opens=t.date(opens),
            )
        )
    if deadline > period[1]:
        return error(
            t(
                "The deadline ({deadline}) is after the end of the period ({end}). Type the "
                "deadline again.",
                deadline=t.date(deadline),
                end=t.date(period[1]),
            )
        )
    draft.set_date("registration_deadline", deadline)
    return Outcome(goto=advance(state, MILESTONES))


# --- wiring ----------------------------------------------------------------------------------

Accept = Callable[[FlowState, str, FlowEnv], Awaitable[Outcome]]


def _typed(accept: Accept) -> Callable[[FlowState, FlowInput, FlowEnv], Awaitable[Outcome]]:
    async def on_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
        if not received.is_text or not received.text:
            return need_text(env.t)
        return await accept(state, received.text, env)

    return on_input


def _keep(
    accept: Accept, shown: Callable[[Draft], str | None]
) -> Callable[[FlowState, str, FlowEnv], Awaitable[Outcome]]:
    """The ↩️ Keep button: the earlier answer goes through the same checks as a typed one."""

    async def on_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
        current = shown(Draft.of(state))
        if value != KEEP or current is None:
            return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)
        return await accept(state, current, env)

    return on_button


def _date_text(key: str) -> Callable[[Draft], str | None]:
    def shown(draft: Draft) -> str | None:
        value: date | None = draft.get_date(key)
        return value.strftime("%d/%m/%Y") if value else None

    return shown


def steps() -> tuple[Step, ...]:
    return (
        Step(NAME, _name_prompt, _typed(_accept_name), _keep(_accept_name, lambda d: d.name)),
        Step(SLOGAN, _slogan_prompt, _typed(_accept_slogan), _slogan_button),
        Step(KIND, _kind_prompt, None, _kind_button),
        Step(
            PERIOD_START,
            _start_prompt,
            _typed(_accept_start),
            _keep(_accept_start, _date_text("period_start")),
        ),
        Step(
            PERIOD_END,
            _end_prompt,
            _typed(_accept_end),
            _keep(_accept_end, _date_text("period_end")),
        ),
        Step(
            OPENS,
            _opens_prompt,
            _typed(_accept_opens),
            _keep(_accept_opens, _date_text("registration_opens")),
        ),
        Step(
            DEADLINE,
            _deadline_prompt,
            _typed(_accept_deadline),
            _keep(_accept_deadline, _date_text("registration_deadline")),
        ),
    )
