"""A small engine for multi-step chat flows whose state lives in the database.

A flow (authoring a campaign, an announcement, later a pledge) spans many messages and must
survive a restart (DESIGN decision 5), so its state is a row of `chat_flows`: one active flow per
person, the current step and a JSON `data` dict. A flow is a set of steps; a step renders its
prompt and handles what the person types or presses, returning an `Outcome`. The engine loads
the row, re-authorises the person on every message and press, routes to the step and saves the
result. It does no Telegram I/O: it returns what to say, and `handlers/flows.py` sends it.

Buttons carry `f:<step>.<tag>:<value>` (at most 64 bytes). `tag` is random per flow instance,
so a button from another step, an ended flow or an earlier run of the same flow is refused.
"""

import json
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton

from bot.access import Viewer
from bot.i18n import N_, Catalogs, Translator
from bot.reminder_calendar import ReminderCalendar
from storage.flows import end_flow, load_flow, save_flow

CALLBACK_PREFIX = "f:"
MAX_CALLBACK_BYTES = 64
TAG_KEY = "_tag"
_STEP_CODE = re.compile(r"[a-z][a-z0-9]{0,3}")
_CALLBACK = re.compile(r"f:([a-z0-9]{1,4})\.([0-9a-f]{4}):(.*)", re.DOTALL)
STALE_BUTTON = N_("This button is no longer valid.")
DEFAULT_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Say:
    """One message to send: HTML text, or a photo/document (by file_id) with `text` as caption."""

    text: str
    buttons: list[list[InlineKeyboardButton]] | None = None
    photo: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class FlowInput:
    """What the person sent: text, or a photo/document with an optional caption."""

    text: str | None = None  # plain text, or the caption of a photo/document
    html: str | None = None  # the same as HTML, keeping the sender's bold/italic/links
    photo: str | None = None  # file_id of the largest size
    document: str | None = None  # file_id
    document_name: str | None = None
    file_unique_id: str | None = None  # the same file sent twice has the same one
    file_size: int | None = None  # bytes, as Telegram reports it
    mime_type: str | None = None
    other: str | None = None  # a kind no step takes: "video", "voice", "sticker", …

    @property
    def is_text(self) -> bool:
        return self.text is not None and self.photo is None and self.document is None


@dataclass
class Outcome:
    """What a step decided. `goto=None` stays on the step; `reprompt` shows its prompt again."""

    goto: str | None = None
    say: list[Say] = field(default_factory=list)
    reprompt: bool = True
    end: bool = False
    answer: str | None = None  # short notice on the pressed button
    edit: bool = False  # redraw the pressed message in place (toggles, pages)


@dataclass
class FlowState:
    flow: str
    step: str
    data: dict[str, Any]

    @property
    def tag(self) -> str:
        return str(self.data.get(TAG_KEY, ""))

    def callback(self, value: str) -> str:
        data = f"{CALLBACK_PREFIX}{self.step}.{self.tag}:{value}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    def button(self, label: str, value: str) -> InlineKeyboardButton:
        """A button of the current step; pressing it later is checked against the saved state."""
        return InlineKeyboardButton(label, callback_data=self.callback(value))


@dataclass(frozen=True)
class FlowEnv:
    """What steps may use: the update's session, the person, their language, and services."""

    session: AsyncSession
    t: Translator
    viewer: Viewer
    chat_id: int
    catalogs: Catalogs
    now: datetime
    wake_outbox: Callable[[], None]
    tz: ZoneInfo = DEFAULT_TIME_ZONE  # the settings' zone: deadlines are local dates
    calendar: ReminderCalendar | None = None  # the settings' quiet hours, for re-planning

    @property
    def reminder_calendar(self) -> ReminderCalendar:
        return self.calendar or ReminderCalendar(self.tz)

    @property
    def user_id(self) -> int:
        return self.viewer.telegram_user_id

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


Prompt = Callable[[FlowState, FlowEnv], Awaitable[list[Say]]]
OnInput = Callable[[FlowState, FlowInput, FlowEnv], Awaitable[Outcome]]
OnButton = Callable[[FlowState, str, FlowEnv], Awaitable[Outcome]]


@dataclass(frozen=True)
class Step:
    code: str  # short, unique across all flows: it goes into callback data
    prompt: Prompt
    on_input: OnInput | None = None  # None: this step only takes buttons
    on_button: OnButton | None = None


@dataclass(frozen=True)
class Flow:
    name: str  # stored in chat_flows.flow
    title: str  # N_ text: "campaign authoring", for "your unfinished …" notices
    first_step: str
    steps: tuple[Step, ...]
    may_use: Callable[[Viewer], bool]
    refusal: str  # N_ text for people who may not use it
    # Says why a button of this flow no longer works (e.g. "already sent"), given its value;
    # None keeps the generic "no longer valid".
    explain_stale: Callable[[str, FlowEnv], Awaitable[str | None]] | None = None


@dataclass
class Reply:
    """What the handler sends back for one update."""

    messages: list[Say] = field(default_factory=list)
    answer: str | None = None
    alert: bool = False
    edit: Say | None = None  # replace the pressed message with this one
    close_pressed: bool = False  # remove the keyboard of the pressed message (the step moved on)


class FlowEngine:
    """Routes messages and button presses to the person's active flow."""

    def __init__(self, flows: Iterable[Flow]) -> None:
        self._flows: dict[str, Flow] = {}
        self._steps: dict[str, tuple[Flow, Step]] = {}
        for flow in flows:
            self._flows[flow.name] = flow
            for step in flow.steps:
                if not _STEP_CODE.fullmatch(step.code) or step.code in self._steps:
                    raise ValueError(f"bad or repeated step code {step.code!r}")
                self._steps[step.code] = (flow, step)
            if flow.first_step not in {step.code for step in flow.steps}:
                raise ValueError(f"flow {flow.name}: unknown first step")

    async def start(
        self,
        name: str,
        env: FlowEnv,
        *,
        step: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Reply:
        """Begin `name`; the same flow left unfinished resumes, another one is replaced.

        `step` and `data` begin elsewhere with some answers known (a button naming the
        campaign); an unfinished run resumes only if it holds the same answers.
        """
        flow = self._flows[name]
        t = env.t
        if not flow.may_use(env.viewer):
            return Reply([Say(t(flow.refusal))])
        row = await load_flow(env.user_id, session=env.session)
        notes: list[Say] = []
        known = data or {}
        if (
            row is not None
            and row.flow == name
            and self._step(flow, row.step) is not None
            and all(row.data.get(key) == value for key, value in known.items())
        ):
            state = FlowState(row.flow, row.step, _copy(row.data))
            notes.append(
                Say(t("You have not finished this yet: continuing. Send /huy to start over."))
            )
            return Reply(notes + await self._prompt(flow, state, env))
        if row is not None:
            old = self._flows.get(row.flow)
            what = t(old.title) if old else row.flow
            notes.append(Say(t("Your unfinished {what} was cancelled.", what=what)))
        state = FlowState(name, step or flow.first_step, {**known, TAG_KEY: secrets.token_hex(2)})
        await save_flow(env.user_id, state.flow, state.step, _copy(state.data), session=env.session)
        return Reply(notes + await self._prompt(flow, state, env))

    async def cancel(self, env: FlowEnv) -> bool:
        return await end_flow(env.user_id, session=env.session)

    async def reminder(self, env: FlowEnv) -> Reply | None:
        """After a command answered mid-flow: offer to go on, showing the step they were at.

        None when no flow is active (or the person may no longer use it): nothing to add.
        """
        row = await load_flow(env.user_id, session=env.session)
        flow = self._flows.get(row.flow) if row is not None else None
        if row is None or flow is None or self._step(flow, row.step) is None:
            return None
        if not flow.may_use(env.viewer):
            return None
        t = env.t
        state = FlowState(row.flow, row.step, _copy(row.data))
        note = Say(
            t(
                "You were in the middle of {what}: here is where you left off. Send /huy to stop.",
                what=t(flow.title),
            )
        )
        return Reply([note, *await self._prompt(flow, state, env)])

    async def on_input(self, env: FlowEnv, received: FlowInput) -> Reply | None:
        """None when no flow is active, so the caller gives its usual answer."""
        row = await load_flow(env.user_id, session=env.session)
        if row is None:
            return None
        flow = self._flows.get(row.flow)
        step = self._step(flow, row.step) if flow else None
        if flow is None or step is None:
            await end_flow(env.user_id, session=env.session)  # from an older version of the bot
            return None
        if not flow.may_use(env.viewer):
            await end_flow(env.user_id, session=env.session)
            return Reply([Say(env.t(flow.refusal))])
        state = FlowState(row.flow, row.step, _copy(row.data))
        if step.on_input is None:
            outcome = Outcome(say=[Say(env.t("Please choose with the buttons below."))])
        else:
            outcome = await step.on_input(state, received, env)
        return await self._apply(flow, state, outcome, env, pressed=False)

    async def on_button(self, env: FlowEnv, data: str) -> Reply:
        t = env.t
        stale = Reply(answer=t(STALE_BUTTON), alert=True)
        parsed = _CALLBACK.fullmatch(data)
        owner = self._steps.get(parsed.group(1)) if parsed else None
        if parsed is None or owner is None:
            return stale
        flow, step = owner
        if not flow.may_use(env.viewer):
            return Reply(answer=t(flow.refusal), alert=True)
        row = await load_flow(env.user_id, session=env.session)
        if (
            row is None
            or row.flow != flow.name
            or row.step != step.code
            or str(row.data.get(TAG_KEY)) != parsed.group(2)
            or step.on_button is None
        ):
            why = await flow.explain_stale(parsed.group(3), env) if flow.explain_stale else None
            return Reply(answer=why, alert=True) if why else stale
        state = FlowState(row.flow, row.step, _copy(row.data))
        outcome = await step.on_button(state, parsed.group(3), env)
        return await self._apply(flow, state, outcome, env, pressed=True)

    async def _apply(
        self, flow: Flow, state: FlowState, outcome: Outcome, env: FlowEnv, *, pressed: bool
    ) -> Reply:
        if outcome.end:
            await end_flow(env.user_id, session=env.session)
            return Reply(list(outcome.say), answer=outcome.answer, close_pressed=pressed)
        moved = outcome.goto is not None and outcome.goto != state.step
        if outcome.goto is not None:
            state.step = outcome.goto
        await save_flow(env.user_id, state.flow, state.step, _copy(state.data), session=env.session)
        if pressed and outcome.edit and not moved and not outcome.say:
            prompt = await self._prompt(flow, state, env)
            if len(prompt) == 1 and prompt[0].photo is None and prompt[0].document is None:
                return Reply(answer=outcome.answer, edit=prompt[0])
        messages = list(outcome.say)
        if moved or outcome.reprompt:
            messages += await self._prompt(flow, state, env)
        return Reply(messages, answer=outcome.answer, close_pressed=pressed and moved)

    async def _prompt(self, flow: Flow, state: FlowState, env: FlowEnv) -> list[Say]:
        step = self._step(flow, state.step)
        assert step is not None, f"flow {flow.name} moved to an unknown step {state.step}"
        return await step.prompt(state, env)

    @staticmethod
    def _step(flow: Flow | None, code: str) -> Step | None:
        if flow is None:
            return None
        return next((step for step in flow.steps if step.code == code), None)


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A deep, JSON-only copy: steps mutate it freely, and the row sees a new value on save."""
    copied = json.loads(json.dumps(data))
    assert isinstance(copied, dict)
    return copied
