"""`/thongbao`: an admin sends an announcement (text, photo or document) to an audience.

Steps: audience → content (the next message, kept as HTML so the sender's formatting
survives) → preview, sent exactly as members will get it → 📤 send or ✖️ cancel.
"""

from html import escape
from typing import Any

from bot.access import Viewer
from bot.announcements import Announcement, announce
from bot.errors import UserFacingError
from bot.flow_engine import Flow, FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flows import audience
from bot.i18n import N_, Translator

NAME_OF_FLOW = "announce"
AUDIENCE, CONTENT, PREVIEW = "aau", "ac", "ap"


def _announcement(data: dict[str, Any]) -> Announcement | None:
    content = data.get("content")
    if not isinstance(content, dict):
        return None
    return Announcement(
        text=content.get("text"),
        photo_file_id=content.get("photo"),
        document_file_id=content.get("document"),
        caption=content.get("caption"),
    )


def _after_audience(state: FlowState) -> str:
    return PREVIEW if _announcement(state.data) is not None else CONTENT


def _intro(t: Translator) -> str:
    return "\n".join([t("📢 <b>New announcement</b>"), t("Send /huy at any time to cancel.")])


async def _content_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    text = "\n".join(
        [
            t(
                "Now send the announcement: a text, a photo with a caption, or a document with a "
                "caption."
            ),
            t("Members get it exactly as you send it, with your bold and italics."),
        ]
    )
    return [Say(text)]


async def _content_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    if received.photo:
        content = {"photo": received.photo, "caption": received.html}
    elif received.document:
        content = {"document": received.document, "caption": received.html}
    elif received.text:
        content = {"text": received.html or escape(received.text)}
    else:
        return Outcome(say=[Say(t("Please send a text, a photo or a document."))])
    announcement = _announcement({"content": content})
    assert announcement is not None
    try:
        announcement.check()
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + t(exc.message, **exc.params))])
    state.data["content"] = content
    return Outcome(goto=PREVIEW)


async def _preview_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    announcement = _announcement(state.data)
    if announcement is None:
        return await _content_prompt(state, env)
    shown = Say(
        announcement.caption or "" if not announcement.text else announcement.text,
        photo=announcement.photo_file_id,
        document=announcement.document_file_id,
    )
    lines = await audience.preview_lines(state.data, t, env.session)
    rows = [
        [state.button(t("📤 Send"), "send")],
        [
            state.button(t("✏️ Change the content"), "content"),
            state.button(t("👥 Change the audience"), "aud"),
        ],
        [state.button(t("✖️ Cancel"), "x")],
    ]
    return [shown, Say("\n".join(lines), rows)]


async def _preview_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    if value == "x":
        return Outcome(end=True, say=[Say(t("Cancelled. Nothing was sent."))])
    if value == "content":
        return Outcome(goto=CONTENT)
    if value == "aud":
        audience.state_of(state.data).update(picking=False, page=0)
        return Outcome(goto=AUDIENCE)
    announcement = _announcement(state.data)
    choice = audience.choice_of(state.data)
    if value != "send" or announcement is None or choice is None:
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    try:
        result = await announce(
            announcement,
            choice.kind,
            choice.scopes,
            by=env.user_id,
            admin_chat_id=env.chat_id,
            now=env.now,
            session=env.session,
        )
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + t(exc.message, **exc.params))], reprompt=False)
    env.wake_outbox()
    text = t(
        "📤 {queued} messages are queued for {people} people; I will show the progress here.",
        queued=t.number(result.queued),
        people=t.number(len(result.audience.recipients)),
    )
    return Outcome(end=True, say=[Say(text)])


def may_announce(viewer: Viewer) -> bool:
    return viewer.is_admin


def announce_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("announcement"),
        first_step=AUDIENCE,
        steps=(
            audience.audience_step(AUDIENCE, _after_audience, _intro),
            Step(CONTENT, _content_prompt, _content_input, None),
            Step(PREVIEW, _preview_prompt, None, _preview_button),
        ),
        may_use=may_announce,
        refusal=N_("Only administrators can send announcements."),
    )
