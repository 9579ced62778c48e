"""The progress report while it is being written: what the flow's data holds, and whose it is.

Data: `pledge` and `milestone` ids, `values` (target id → the text typed, or "yes"/"no"; a
target absent was skipped: it keeps its last value), `idx` (the target being asked), `pending`
(a lower value awaiting confirmation), `files` (evidence accepted so far, not yet stored), `note`.
Every step reloads the pledge and re-checks that this person may still report on it: their own
approved pledge, or the collective pledge of a unit they manage.
"""

from dataclasses import dataclass
from html import escape

from bot.errors import UserFacingError
from bot.evidence_rules import as_data, from_data
from bot.flow_engine import FlowEnv, FlowState
from bot.flows import pledge_draft
from bot.i18n import N_, Translator
from bot.pledge_values import TargetValue, parse_target_value
from bot.report_windows import MilestoneWindow
from bot.reports import (
    EvidenceInput,
    PreviousValue,
    milestone_window,
    previous_values,
    report_shape,
)
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import pledges as pledge_store
from storage import progress as progress_store
from storage.campaign_models import Campaign
from storage.pledge_models import Pledge, PledgeKind
from storage.progress_models import ProgressReport

NAME_OF_FLOW = "report"
CHOOSE, VALUES, DECREASE, FILES, NOTE, SUMMARY, EDIT = (
    "bcc",
    "bcv",
    "bcd",
    "bcf",
    "bcn",
    "bcs",
    "bce",
)
CONFIRM = "ok"  # the summary's ✅ value: `ok:<pledge>:<milestone>`, so a second tap is explained
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Subject:
    """The pledge reported on, its campaign, the milestone's window and the report so far."""

    pledge: Pledge
    campaign: Campaign
    window: MilestoneWindow
    report: ProgressReport | None


def values(state: FlowState) -> dict[str, str]:
    found = state.data.setdefault("values", {})
    assert isinstance(found, dict)
    return found


def files(state: FlowState) -> list[EvidenceInput]:
    """The evidence accepted so far, not yet stored."""
    return [from_data(item) for item in state.data.get("files") or []]


def add_file(state: FlowState, item: EvidenceInput) -> bool:
    """Keep a file once (the same file sent twice has the same unique id)."""
    kept = state.data.setdefault("files", [])
    if any(entry.get("file_unique_id") == item.file_unique_id for entry in kept):
        return False
    kept.append(as_data(item))
    return True


def confirm_value(state: FlowState) -> str:
    return f"{CONFIRM}:{state.data.get('pledge')}:{state.data.get('milestone')}"


async def may_report(pledge: Pledge, env: FlowEnv) -> bool:
    """Their own pledge, or the collective pledge of a unit they manage."""
    if pledge.kind is PledgeKind.COLLECTIVE:
        unit = await org_store.get_unit(pledge.unit_id, session=env.session)
        return unit is not None and env.viewer.may_manage_unit(pledge.unit_id, unit.bloc_id)
    member = env.viewer.member
    return member is not None and pledge.member_id == member.id


async def subject(state: FlowState, env: FlowEnv) -> Subject:
    """The pledge and milestone of this flow; UserFacingError when they no longer fit."""
    pledge = await pledge_store.get_pledge(int(state.data.get("pledge") or 0), session=env.session)
    if pledge is None or not await may_report(pledge, env):
        raise UserFacingError(N_("This pledge no longer exists."))
    campaign = await campaign_store.get_campaign(pledge.campaign_id, session=env.session)
    if campaign is None:
        raise UserFacingError(N_("This pledge no longer exists."))
    milestone_id = int(state.data.get("milestone") or 0)
    window = await milestone_window(campaign, milestone_id, session=env.session)
    assert pledge.id is not None
    report = await progress_store.get_report(milestone_id, pledge.id, session=env.session)
    return Subject(pledge, campaign, window, report)


async def targets(state: FlowState, env: FlowEnv, found: Subject) -> list[PreviousValue]:
    assert found.pledge.id is not None
    return await previous_values(found.pledge.id, found.window.milestone, session=env.session)


def typed_value(previous: PreviousValue, raw: str) -> TargetValue:
    """A kept answer parsed again with the reporting rules (no upper bound, percent 0–100)."""
    return parse_target_value(report_shape(previous.target), raw)


def given_values(state: FlowState, found: list[PreviousValue]) -> dict[int, TargetValue | None]:
    """What `submit_report` takes: each target's new value, None where it was skipped."""
    typed = values(state)
    given: dict[int, TargetValue | None] = {}
    for previous in found:
        assert previous.target.id is not None
        raw = typed.get(str(previous.target.id))
        given[previous.target.id] = typed_value(previous, raw) if raw is not None else None
    return given


def shown_value(value: TargetValue | None, t: Translator) -> str:
    return pledge_draft.value_text(value, t) if value is not None else "—"


def heading(found: Subject, t: Translator, owner: str | None) -> str:
    """ "Báo cáo Sơ kết 6 tháng — Phong trào …", naming the unit for a collective report."""
    milestone = escape(found.window.milestone.name)
    campaign = escape(found.campaign.name)
    if owner:
        return t(
            "📈 <b>Report “{milestone}”</b> of {unit} — {campaign}",
            milestone=milestone,
            unit=escape(owner),
            campaign=campaign,
        )
    return t("📈 <b>Report “{milestone}”</b> — {campaign}", milestone=milestone, campaign=campaign)


async def owner_name(found: Subject, env: FlowEnv) -> str | None:
    if found.pledge.kind is not PledgeKind.COLLECTIVE:
        return None
    unit = await org_store.get_unit(found.pledge.unit_id, session=env.session)
    return unit.name if unit else "?"
