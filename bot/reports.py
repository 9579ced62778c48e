"""Sending and deciding progress reports (báo cáo tiến độ). No Telegram here.

Reports. One per pledge and milestone, only against an approved pledge. Values are cumulative
(what was achieved so far in the campaign). A target left out or given as None ("Bỏ qua") keeps
its last value: nothing is stored for it in a new report, and an edited report keeps what it had.
The "last reported value" of a target, seen from a milestone, is the value in that milestone's
own report when it has one (editing), else the one in the report of the latest earlier milestone
(lower position) that gave one.

Editing. Sending again edits the same report in place: it goes back to "submitted" for the
officer, keeps its evidence and appends the new files. A report sent on time can be edited until
due + grace; a late one while its milestone is open; a returned one while its milestone is open
(a correction the officer asked for never makes it late). After due + grace an on-time report is
locked: the officer returns it if it needs a correction. Sending exactly the same thing again
(a double tap) changes nothing and says so.

Decreases. A cumulative number lower than the last reported value (as defined above) is
suspicious: usually the period's figure typed instead of the running total. `decreases` finds
them; the flow asks the member to confirm before calling `submit_report`.

"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_file import format_vn_number
from bot.errors import UserFacingError
from bot.flow_inputs import dmy
from bot.i18n import N_
from bot.pledge_values import TargetShape, TargetValue, value_of
from bot.report_windows import RUNNING, MilestoneWindow, milestone_windows
from storage import campaigns as campaign_store
from storage import pledges as pledge_store
from storage import progress as store
from storage.campaign_models import Campaign, CampaignMilestone, TargetType
from storage.pledge_models import PledgeStatus, PledgeTarget
from storage.progress_models import (
    MAX_ACHIEVED_TEXT_LENGTH,
    MAX_CAPTION_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    Evidence,
    EvidenceKind,
    ProgressReport,
    ProgressValue,
    ReportAction,
    ReportEvent,
    ReportStatus,
)
from storage.types import utcnow

_S, _A, _R = ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED
ALLOWED_FROM: dict[ReportAction, frozenset[ReportStatus]] = {
    ReportAction.EDITED: frozenset({_S, _A, _R}),
    ReportAction.APPROVED: frozenset({_S}),
    ReportAction.RETURNED: frozenset({_S, _A}),  # an approved report reopened for a correction
}
MAX_EVIDENCE = 20  # files per report: enough for a quarter, few enough to review on a phone
STATUS_NAMES = {
    _S: N_("Awaiting approval"),
    _A: N_("Approved"),
    _R: N_("Returned"),
}
_NOT_APPROVED = {
    PledgeStatus.DRAFT: N_(
        "Only an approved registration can be reported against; yours is still a draft."
    ),
    PledgeStatus.PENDING: N_(
        "Only an approved registration can be reported against; yours is awaiting approval."
    ),
    PledgeStatus.RETURNED: N_(
        "Only an approved registration can be reported against; yours was returned: "
        "correct it and send it again."
    ),
    PledgeStatus.WITHDRAWN: N_(
        "Only an approved registration can be reported against; yours was withdrawn."
    ),
}


def not_approved_reason(status: PledgeStatus) -> str:
    """Why a pledge in this state cannot be reported against (an N_ template)."""
    return _NOT_APPROVED.get(status, _NOT_APPROVED[PledgeStatus.PENDING])


@dataclass(frozen=True)
class EvidenceInput:
    """A photo or document the member sent with the report, as Telegram describes it."""

    file_id: str
    file_unique_id: str
    kind: EvidenceKind
    mime_type: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    caption: str | None = None


@dataclass(frozen=True)
class PreviousValue:
    """A target of the pledge with its plan and the last reported cumulative value (or None)."""

    target: PledgeTarget
    planned: TargetValue
    last: TargetValue | None
    last_milestone_id: int | None


@dataclass(frozen=True)
class Decrease:
    """A cumulative number lower than the last reported one: the flow asks to confirm it."""

    target: PledgeTarget
    previous: Decimal
    new: Decimal


@dataclass(frozen=True)
class ReportTransition:
    """The report after an action; `note` (an N_ template) says why nothing changed."""

    report: ProgressReport
    changed: bool
    note: str | None = None
    evidence_added: int = 0


def report_shape(target: PledgeTarget) -> TargetShape:
    """What a reported value of this target accepts, for `parse_target_value`: the type, with no
    bounds of the plan (achieving more than planned is fine); percent stays within 0–100."""
    max_length = MAX_ACHIEVED_TEXT_LENGTH if target.type is TargetType.TEXT else None
    return TargetShape(
        label=target.label,
        unit=target.unit,
        type=target.type,
        min_value=Decimal(0) if target.type is TargetType.NUMBER else None,
        max_length=max_length,
        template_id=target.template_id,
    )


def achieved_of(target: PledgeTarget, row: ProgressValue) -> TargetValue:
    """A stored reported value as the value object the rules compare."""
    return TargetValue(
        label=target.label,
        unit=target.unit,
        type=target.type,
        template_id=target.template_id,
        number=row.achieved_number,
        text=row.achieved_text,
        yes_no=row.achieved_yes_no,
    )


async def previous_values(
    pledge_id: int, milestone: CampaignMilestone, *, session: AsyncSession
) -> list[PreviousValue]:
    """Each target of the pledge with its plan and its last reported value at `milestone`."""
    targets = await pledge_store.targets_of(pledge_id, session=session)
    latest = await store.last_values(pledge_id, milestone.position, session=session)
    found: list[PreviousValue] = []
    for target in targets:
        assert target.id is not None
        row = latest.get(target.id)
        found.append(
            PreviousValue(
                target=target,
                planned=value_of(target),
                last=achieved_of(target, row.value) if row else None,
                last_milestone_id=row.milestone_id if row else None,
            )
        )
    return found


async def decreases(
    pledge_id: int,
    milestone: CampaignMilestone,
    values: Mapping[int, TargetValue | None],
    *,
    session: AsyncSession,
) -> list[Decrease]:
    """The number and percent targets whose new cumulative value is lower than the last one."""
    found: list[Decrease] = []
    for previous in await previous_values(pledge_id, milestone, session=session):
        new = values.get(previous.target.id or 0)
        if new is None or new.number is None or previous.last is None:
            continue
        if previous.last.number is not None and new.number < previous.last.number:
            found.append(Decrease(previous.target, previous.last.number, new.number))
    return found


# --- sending a report ----------------------------------------------------------------------------


async def submit_report(
    pledge_id: int,
    milestone_id: int,
    values: Mapping[int, TargetValue | None],
    *,
    note: str = "",
    evidence: Sequence[EvidenceInput] = (),
    actor: int | None,
    today: date,
    session: AsyncSession,
) -> ReportTransition:
    """Send the pledge's report at a milestone, or edit the one already sent (see the module's
    docstring for the rules). `values` maps pledge target ids to the cumulative value; a target
    left out or None keeps its last value."""
    await store.claim_pledge(pledge_id, session=session)
    pledge = await pledge_store.get_pledge(pledge_id, session=session)
    if pledge is None:
        raise UserFacingError(N_("This pledge no longer exists."))
    if pledge.status is not PledgeStatus.APPROVED:
        raise UserFacingError(not_approved_reason(pledge.status))
    campaign = await campaign_store.get_campaign(pledge.campaign_id, session=session)
    if campaign is None or campaign.status not in RUNNING:
        raise UserFacingError(N_("This campaign is not running; reports can no longer be sent."))
    window = await milestone_window(campaign, milestone_id, session=session)
    _open_window(window, today)
    targets = {t.id: t for t in await pledge_store.targets_of(pledge_id, session=session)}
    given = _checked_values(values, targets)
    note = _checked_note(note)
    files = _checked_evidence(evidence, actor)
    existing = await store.get_report(milestone_id, pledge_id, session=session)
    if existing is None:
        report = ProgressReport(
            milestone_id=milestone_id,
            pledge_id=pledge_id,
            late=window.is_late(today),
            note=note,
            entered_by=actor,
            submitted_at=utcnow(),
        )
        if not given and not note and not files:
            raise UserFacingError(
                N_("The report is empty: give at least one figure, a note or a file of evidence.")
            )
        if await store.insert_report(report, session=session):
            assert report.id is not None
            await store.save_values(
                [_new_row(report.id, target_id, value) for target_id, value in given.items()],
                session=session,
            )
            added = await store.add_evidence(report.id, files, session=session)
            _check_evidence_count(len(added))
            await _record(report, ReportAction.SUBMITTED, None, actor, session=session)
            return ReportTransition(report, changed=True, evidence_added=len(added))
        existing = await store.get_report(milestone_id, pledge_id, session=session)
        assert existing is not None  # the insert failed on the unique constraint
    return await _edit(existing, window, given, note, files, actor, today, session=session)


async def _edit(
    report: ProgressReport,
    window: MilestoneWindow,
    given: dict[int, TargetValue],
    note: str,
    files: list[Evidence],
    actor: int | None,
    today: date,
    *,
    session: AsyncSession,
) -> ReportTransition:
    assert report.id is not None
    current = {
        row.pledge_target_id: row for row in await store.values_of(report.id, session=session)
    }
    changed_rows: list[ProgressValue] = []
    for target_id, value in given.items():
        row = current.get(target_id)
        if row is None:
            changed_rows.append(_new_row(report.id, target_id, value))
        elif (row.achieved_number, row.achieved_text, row.achieved_yes_no) != _columns(value):
            row.achieved_number, row.achieved_text, row.achieved_yes_no = _columns(value)
            changed_rows.append(row)
    attached = {e.file_unique_id for e in await store.evidence_of(report.id, session=session)}
    new_files = [f for f in files if f.file_unique_id not in attached]
    if not changed_rows and note == report.note and not new_files and report.status is not _R:
        if report.status is _A:
            return ReportTransition(
                report, False, N_("This report is already approved; nothing changed.")
            )
        return ReportTransition(
            report,
            False,
            N_("This report was already sent with the same content; nothing changed."),
        )
    check_editable(report, window, today)
    _check_evidence_count(len(attached) + len({f.file_unique_id for f in new_files}))
    await store.save_values(changed_rows, session=session)
    added = await store.add_evidence(report.id, new_files, session=session)
    from_status = report.status
    report.note = note
    report.entered_by = actor
    report.status = _S
    report.submitted_at = report.updated_at = utcnow()
    report.decided_at = None
    await store.touch(report, session=session)
    await _record(report, ReportAction.EDITED, from_status, actor, session=session)
    return ReportTransition(report, changed=True, evidence_added=len(added))


def check_editable(report: ProgressReport, window: MilestoneWindow, today: date) -> None:
    """On time: until due + grace. After that only a late or a returned report, while open."""
    if report.status is _R or report.late or not window.is_late(today):
        return
    raise UserFacingError(
        N_(
            "The report for “{milestone}” was sent on time and can no longer be changed after "
            "{date}; ask your unit's officer to return it if it needs a correction."
        ),
        milestone=window.milestone.name,
        date=dmy(window.on_time_until),
    )


async def milestone_window(
    campaign: Campaign, milestone_id: int, *, session: AsyncSession
) -> MilestoneWindow:
    assert campaign.id is not None
    milestones = await campaign_store.milestones_of(campaign.id, session=session)
    for window in milestone_windows(campaign, milestones):
        if window.milestone.id == milestone_id:
            return window
    raise UserFacingError(N_("This milestone is not part of the campaign."))


def _open_window(window: MilestoneWindow, today: date) -> None:
    if window.is_open(today):
        return
    raise UserFacingError(
        N_("Reports for “{milestone}” can be sent from {opens} to {closes}."),
        milestone=window.milestone.name,
        opens=dmy(window.opens),
        closes=dmy(window.closes),
    )


def _checked_values(
    values: Mapping[int, TargetValue | None], targets: Mapping[int | None, PledgeTarget]
) -> dict[int, TargetValue]:
    """The values given (skips dropped), each of its target's type and within its limits."""
    given: dict[int, TargetValue] = {}
    for target_id, value in values.items():
        target = targets.get(target_id)
        if target is None:
            raise UserFacingError(N_("That target is not part of this pledge."))
        if value is None:
            continue
        if value.type is not target.type or not _fits(value, target.type):
            raise UserFacingError(
                N_("The value given for “{label}” is not of the target's kind."),
                label=target.label,
            )
        if value.number is not None and value.number < 0:
            raise UserFacingError(
                N_("“{label}” counts what was achieved so far; it cannot be negative."),
                label=target.label,
            )
        if target.type is TargetType.PERCENT and value.number is not None and value.number > 100:
            raise UserFacingError(
                N_("{value}% is not a percentage between 0 and 100; write e.g. 85%."),
                value=format_vn_number(value.number),
            )
        if value.text is not None and len(value.text) > MAX_ACHIEVED_TEXT_LENGTH:
            raise UserFacingError(
                N_("The text is too long: {length} characters, at most {max}."),
                length=len(value.text),
                max=MAX_ACHIEVED_TEXT_LENGTH,
            )
        given[target_id] = value
    return given


def _fits(value: TargetValue, kind: TargetType) -> bool:
    """Exactly the field of the target's type is set."""
    present = (value.number is not None, bool(value.text), value.yes_no is not None)
    if kind in (TargetType.NUMBER, TargetType.PERCENT):
        return present == (True, False, False)
    if kind is TargetType.TEXT:
        return present == (False, True, False)
    return present == (False, False, True)


def _checked_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise UserFacingError(
            N_("The note is too long: {length} characters, at most {max}."),
            length=len(note),
            max=MAX_NOTE_LENGTH,
        )
    return note


def _checked_evidence(items: Sequence[EvidenceInput], actor: int | None) -> list[Evidence]:
    _check_evidence_count(len({item.file_unique_id for item in items}))
    return [
        Evidence(
            report_id=0,  # set when attached
            position=0,
            file_id=item.file_id,
            file_unique_id=item.file_unique_id,
            kind=item.kind,
            mime_type=item.mime_type,
            file_name=item.file_name,
            file_size=item.file_size,
            caption=(item.caption or "")[:MAX_CAPTION_LENGTH] or None,
            sender=actor,
        )
        for item in items
    ]


def _check_evidence_count(count: int) -> None:
    if count > MAX_EVIDENCE:
        raise UserFacingError(
            N_("A report can carry at most {max} files of evidence."), max=MAX_EVIDENCE
        )


def _columns(value: TargetValue) -> tuple[Decimal | None, str | None, bool | None]:
    return value.number, value.text or None, value.yes_no


def _new_row(report_id: int, target_id: int, value: TargetValue) -> ProgressValue:
    number, text, yes_no = _columns(value)
    return ProgressValue(
        report_id=report_id,
        pledge_target_id=target_id,
        achieved_number=number,
        achieved_text=text,
        achieved_yes_no=yes_no,
    )


# --- the officer's decision ----------------------------------------------------------------------


async def approve_report(
    report_id: int, *, actor: int | None, session: AsyncSession
) -> ReportTransition:
    report = await _report(report_id, session=session)
    if report.status is _A:
        return ReportTransition(
            report, False, N_("This report is already approved; nothing changed.")
        )
    if report.status not in ALLOWED_FROM[ReportAction.APPROVED]:
        raise UserFacingError(N_("Only a report awaiting approval can be approved."))
    await _check_deciding(report, session=session)
    await _move(report, ReportAction.APPROVED, _A, actor, session=session)
    return ReportTransition(report, changed=True)


async def return_report(
    report_id: int, *, actor: int | None, reason: str, session: AsyncSession
) -> ReportTransition:
    """Send the report back with a reason the member reads; they correct it and send it again."""
    reason = reason.strip()
    if not reason:
        raise UserFacingError(N_("Write the reason for returning the report; the member reads it."))
    if len(reason) > MAX_REASON_LENGTH:
        raise UserFacingError(
            N_("The reason is too long: {length} characters, at most {max}."),
            length=len(reason),
            max=MAX_REASON_LENGTH,
        )
    report = await _report(report_id, session=session)
    if report.status is _R:
        return ReportTransition(
            report, False, N_("This report was already returned; nothing changed.")
        )
    await _check_deciding(report, session=session)
    await _move(report, ReportAction.RETURNED, _R, actor, reason=reason, session=session)
    return ReportTransition(report, changed=True)


async def _report(report_id: int, *, session: AsyncSession) -> ProgressReport:
    report = await store.get_report_by_id(report_id, session=session, for_update=True)
    if report is None:
        raise UserFacingError(N_("This report no longer exists."))
    return report


async def _check_deciding(report: ProgressReport, *, session: AsyncSession) -> None:
    pledge = await pledge_store.get_pledge(report.pledge_id, session=session)
    campaign = (
        await campaign_store.get_campaign(pledge.campaign_id, session=session) if pledge else None
    )
    if campaign is None or campaign.status not in RUNNING:
        raise UserFacingError(N_("This campaign is closed; its reports can no longer be decided."))


async def _move(
    report: ProgressReport,
    action: ReportAction,
    to_status: ReportStatus,
    actor: int | None,
    *,
    reason: str | None = None,
    session: AsyncSession,
) -> None:
    if report.status not in ALLOWED_FROM[action]:  # guarded by callers; kept as a last check
        raise AssertionError(f"{action} is not allowed from {report.status}")
    from_status = report.status
    report.status = to_status
    report.decided_at = report.updated_at = utcnow()
    await store.touch(report, session=session)
    await _record(report, action, from_status, actor, reason=reason, session=session)


async def _record(
    report: ProgressReport,
    action: ReportAction,
    from_status: ReportStatus | None,
    actor: int | None,
    *,
    reason: str | None = None,
    session: AsyncSession,
) -> None:
    assert report.id is not None
    event = ReportEvent(
        report_id=report.id,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=report.status,
        reason=reason,
    )
    await store.add_event(event, session=session)


# --- progress against the plan -------------------------------------------------------------------
