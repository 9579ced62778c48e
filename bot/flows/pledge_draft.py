"""The member's pledge while it is being written: what the flow's data holds, and how it reads.

The data keeps each answer as the member typed it (after it was accepted), so a restart or an
✏️ edit loses nothing; `pledge_input` parses it again with the groundwork's rules
(`bot.pledge_values`), so the summary shows exactly what `bot.pledges.confirm` stores.
"""

from datetime import date
from html import escape

from bot.campaign_file import format_vn_number
from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say
from bot.i18n import N_, Translator
from bot.pledge_values import (
    PledgeInput,
    TargetShape,
    TargetValue,
    own_target_shape,
    parse_target_value,
    shape_of,
)
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import people
from storage.campaign_models import (
    Campaign,
    CampaignStatus,
    CatalogueItem,
    CatalogueKind,
    TargetTemplate,
    TargetType,
    TitleScope,
)
from storage.models import Member
from storage.pledge_models import PledgeKind, PledgeStatus

NAME_OF_FLOW = "pledge"
CAMPAIGN, TITLE, AWARD, VALUES, OWN, COMMITMENT = "gc", "gt", "ga", "gv", "go", "gk"
SUMMARY, EDIT, VIEW = "gs", "ge", "gw"
ORDER = (TITLE, AWARD, VALUES, OWN, COMMITMENT, SUMMARY)
CONFIRM = "ok"  # the summary's ✅ value: `ok:<campaign id>`, so a second tap can be explained
MAX_MESSAGE = 4000  # longer texts are refused before any parsing
ON_BEHALF = "for"  # data key: the member an officer registers for (one without Telegram)
COLLECTIVE = "unit"  # data key: the unit whose collective pledge its officer enters
MAX_OWN_TARGETS = 10
INDIVIDUAL_SCOPES = (TitleScope.INDIVIDUAL, TitleScope.BOTH)
COLLECTIVE_SCOPES = (TitleScope.COLLECTIVE, TitleScope.BOTH)

STATUS_NAMES = {
    PledgeStatus.DRAFT: N_("Draft"),
    PledgeStatus.PENDING: N_("Awaiting approval"),
    PledgeStatus.RETURNED: N_("Returned"),
    PledgeStatus.APPROVED: N_("Approved"),
    PledgeStatus.WITHDRAWN: N_("Withdrawn"),
}


def today(env: FlowEnv) -> date:
    return env.today


def campaign_id(state: FlowState) -> int:
    return int(state.data.get("campaign") or 0)


def values(state: FlowState) -> dict[str, str]:
    found = state.data.setdefault("values", {})
    assert isinstance(found, dict)
    return found


def own_targets(state: FlowState) -> list[dict[str, str]]:
    found = state.data.setdefault("own", [])
    assert isinstance(found, list)
    return found


def after(state: FlowState, step: str) -> str:
    """The step that follows `step`; back to the summary when the member came from ✏️."""
    if state.data.get("editing"):
        return SUMMARY
    return ORDER[ORDER.index(step) + 1]


async def open_campaign(state: FlowState, env: FlowEnv) -> Campaign | None:
    campaign = await campaign_store.get_campaign(campaign_id(state), session=env.session)
    if campaign is None or campaign.status is not CampaignStatus.LAUNCHED:
        return None
    return campaign


async def choices(state: FlowState, env: FlowEnv, kind: CatalogueKind) -> list[CatalogueItem]:
    """The campaign's titles (or forms) offered to individuals, or to units when collective."""
    options = await campaign_store.options_of(campaign_id(state), session=env.session)
    scopes = COLLECTIVE_SCOPES if is_collective(state) else INDIVIDUAL_SCOPES
    return [item for item in options if item.kind is kind and item.scope in scopes and item.active]


def is_collective(state: FlowState) -> bool:
    return bool(state.data.get(COLLECTIVE))


async def collective_unit(state: FlowState, env: FlowEnv) -> int | None:
    """The unit of a collective pledge, if this person still manages it (checked every step)."""
    unit = await org_store.get_unit(int(state.data.get(COLLECTIVE) or 0), session=env.session)
    if unit is None or unit.id is None or not env.viewer.may_manage_unit(unit.id, unit.bloc_id):
        return None
    return unit.id


async def templates(state: FlowState, env: FlowEnv) -> list[TargetTemplate]:
    return await campaign_store.targets_of(campaign_id(state), session=env.session)


def typed_text(received: FlowInput, t: Translator, expected: str) -> tuple[str | None, Outcome]:
    """The text sent, or the answer for a sticker, a photo or an essay: what is expected."""
    if not received.is_text or not (received.text or "").strip():
        return None, Outcome(say=[Say("⚠️ " + expected)])
    text = received.text or ""
    if len(text) > MAX_MESSAGE:
        warning = t(
            "That message is too long ({length} characters); please send a shorter one.",
            length=t.number(len(text)),
        )
        return None, Outcome(say=[Say("⚠️ " + warning + "\n" + expected)])
    return text, Outcome()


def refusal(t: Translator, exc: UserFacingError) -> Outcome:
    """Say what is wrong and ask the same question again; nothing entered is lost."""
    return Outcome(say=[Say("⚠️ " + escape(t(exc.message, **exc.params)))])


def own_shape(entry: dict[str, str]) -> TargetShape:
    return own_target_shape(entry["label"], entry["unit"], TargetType(entry["type"]))


async def subject(state: FlowState, env: FlowEnv) -> Member | None:
    """Whose pledge this is: the person's own, or the member their officer enters it for."""
    for_id = state.data.get(ON_BEHALF)
    if not for_id:
        return env.viewer.member
    return await on_behalf_member(int(for_id), env)


async def on_behalf_member(member_id: int, env: FlowEnv) -> Member | None:
    """A member without Telegram in a unit this person manages; re-checked at every step."""
    member = await people.get_member(member_id, session=env.session)
    if member is None or member.telegram_user_id is not None:
        return None
    unit = await org_store.get_unit(member.unit_id, session=env.session)
    if unit is None or not env.viewer.may_manage_unit(member.unit_id, unit.bloc_id):
        return None
    return member


async def pledge_input(state: FlowState, env: FlowEnv) -> PledgeInput:
    """What `confirm` will store, parsed again from the accepted answers."""
    unit_id = await collective_unit(state, env) if is_collective(state) else None
    member = None if is_collective(state) else await subject(state, env)
    if is_collective(state) and unit_id is None:
        raise UserFacingError(N_("You do not manage this unit."))
    if not is_collective(state) and (member is None or member.id is None):
        raise UserFacingError(N_("You may not register for this member."))
    typed = values(state)
    targets: list[TargetValue] = []
    for template in await templates(state, env):
        raw = typed.get(str(template.id))
        if raw is not None:
            targets.append(parse_target_value(shape_of(template), raw))
    for entry in own_targets(state):
        targets.append(parse_target_value(own_shape(entry), entry["raw"]))
    award = state.data.get("award")
    return PledgeInput(
        campaign_id=campaign_id(state),
        kind=PledgeKind.COLLECTIVE if unit_id is not None else PledgeKind.INDIVIDUAL,
        member_id=member.id if member is not None else None,
        unit_id=unit_id,
        title_item_id=int(state.data.get("title") or 0),
        award_item_id=int(award) if award else None,
        targets=tuple(targets),
        commitment=str(state.data.get("commitment") or ""),
    )


def value_text(value: TargetValue, t: Translator) -> str:
    if value.yes_no is not None:
        return t("Yes") if value.yes_no else t("No")
    if value.number is not None:
        number = format_vn_number(value.number)
        if value.type is TargetType.PERCENT:
            return f"{number}%"
        return f"{number} {value.unit}".strip()
    return value.text or "—"


def target_line(value: TargetValue, t: Translator) -> str:
    return f"• {escape(value.label)}: <b>{escape(value_text(value, t))}</b>"


def pledge_lines(
    t: Translator,
    *,
    campaign: Campaign,
    title: str,
    award: str | None,
    targets: tuple[TargetValue, ...] | list[TargetValue],
    commitment: str,
) -> list[str]:
    """The pledge as it is stored: campaign, title, form, targets, commitment."""
    lines = [
        f"<b>{escape(campaign.name)}</b>",
        t("Title: {title}", title=f"<b>{escape(title)}</b>"),
        t("Proposed commendation: {award}", award=escape(award) if award else "—"),
        t("Targets:"),
        *(target_line(value, t) for value in targets),
    ]
    if not targets:
        lines.append("• —")
    lines.append(t("Commitment: {text}", text=escape(commitment) if commitment else "—"))
    return lines


def as_data(value: TargetValue) -> str:
    """A stored value as the text the flow keeps, for editing an existing pledge."""
    if value.yes_no is not None:
        return "yes" if value.yes_no else "no"
    if value.number is not None:
        return format_vn_number(value.number)
    return value.text or ""


def item_names(items: list[CatalogueItem]) -> dict[int, str]:
    return {item.id: item.name for item in items if item.id is not None}
