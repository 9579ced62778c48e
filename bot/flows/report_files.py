"""Report steps 2–3: evidence (minh chứng) and a note.

Any number of photos or documents, one per message, each with its caption; they are kept in the
flow's data by Telegram file id until the report is confirmed, so a restart loses none. What
cannot be kept (a video, a voice message, a file over 20 MB: `bot.evidence_rules`) is refused
with what to send instead. Files already attached to the report stay attached when it is edited.
"""

from html import escape

from bot.errors import UserFacingError
from bot.evidence_rules import evidence_file, refusal_text
from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows import pledge_draft
from bot.flows import report_draft as draft
from bot.flows.report_values import after
from bot.reports import MAX_EVIDENCE
from storage import progress as progress_store
from storage.progress_models import MAX_NOTE_LENGTH

DONE, KEEP, SKIP, CLEAR = "done", "keep", "skip", "clear"


async def _attached(state: FlowState, env: FlowEnv) -> int:
    """Files already stored with the report (an edit keeps them)."""
    found = await draft.subject(state, env)
    if found.report is None or found.report.id is None:
        return 0
    return len(await progress_store.evidence_of(found.report.id, session=env.session))


async def _files_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    attached = await _attached(state, env)
    new = len(draft.files(state))
    lines = [
        t(
            "📎 <b>Evidence</b>: send photos or documents (PDF, Word, Excel…), one per message;"
            " a caption is kept with each. Press “Done” when you have sent them all."
        )
    ]
    if attached:
        lines.append(t("Already attached to this report: {count}.", count=t.number(attached)))
    if new:
        lines.append(t("Received now: {count}.", count=t.number(new)))
    rows = [[state.button(t("✅ Done") if attached or new else t("⏭ No evidence"), DONE)]]
    if new:
        rows.append([state.button(t("🗑 Remove the files received now"), CLEAR)])
    return [Say("\n".join(lines), rows)]


async def _files_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    try:
        item = evidence_file(received)
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + escape(refusal_text(exc, t)))], reprompt=False)
    if item is None:
        text = t("Send a photo or a document as evidence, or press “Done”.")
        return Outcome(say=[Say("⚠️ " + text)])
    total = await _attached(state, env) + len(draft.files(state))
    if total >= MAX_EVIDENCE:
        text = t("A report can carry at most {max} files of evidence.", max=MAX_EVIDENCE)
        return Outcome(say=[Say("⚠️ " + text)], reprompt=False)
    if not draft.add_file(state, item):
        return Outcome(say=[Say(t("This file was already received."))], reprompt=False)
    count = t.number(len(draft.files(state)))
    text = t("📎 Received ({count}). Send more, or press “Done”.", count=count)
    return Outcome(say=[Say(text, [[state.button(t("✅ Done"), DONE)]])], reprompt=False)


async def _files_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value == DONE:
        return Outcome(goto=after(state, draft.FILES))
    if value == CLEAR:
        state.data["files"] = []
        return Outcome(edit=True)
    return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)


# --- the note ------------------------------------------------------------------------------------


async def _note_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    text = t("✍️ A note for the officer (optional): what was done, difficulties, what comes next.")
    rows = []
    note = str(state.data.get("note") or "")
    if note:
        rows.append([state.button(t("↩️ Keep: {value}", value=note[:40]), KEEP)])
        rows.append([state.button(t("🗑 No note"), CLEAR)])
    else:
        rows.append([state.button(t("⏭ Skip"), SKIP)])
    return [Say(text, rows)]


async def _note_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    if received.photo or received.document:  # a late file is still evidence
        added = await _files_input(state, received, env)
        return Outcome(say=[Say(say.text) for say in added.say], reprompt=True)
    text, refused = pledge_draft.typed_text(received, t, t("Type the note as a text message."))
    if text is None:
        return refused
    if len(text.strip()) > MAX_NOTE_LENGTH:
        return Outcome(
            say=[
                Say(
                    "⚠️ "
                    + t(
                        "The note is too long: {length} characters, at most {max}.",
                        length=t.number(len(text.strip())),
                        max=t.number(MAX_NOTE_LENGTH),
                    )
                )
            ]
        )
    state.data["note"] = text.strip()
    return Outcome(goto=after(state, draft.NOTE))


async def _note_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    if value in (SKIP, CLEAR):
        state.data["note"] = ""
        return Outcome(goto=after(state, draft.NOTE))
    if value == KEEP:
        return Outcome(goto=after(state, draft.NOTE))
    return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)


def steps() -> tuple[Step, ...]:
    return (
        Step(draft.FILES, _files_prompt, _files_input, _files_button),
        Step(draft.NOTE, _note_prompt, _note_input, _note_button),
    )
