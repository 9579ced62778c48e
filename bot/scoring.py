"""The rules of bloc scoring (chấm điểm thi đua): who may score, adjust and publish, and how the
totals and the ranking are computed.

Self-scoring belongs to the unit's officer while the sheet is open; the bloc's head or deputy
(or an admin) may set a final figure with a reason; the head (or an admin) publishes, which
locks everything. Every change claims the sheet's row first, so two presses serialise and the
second sees the first's result (a publish cannot slip between a check and a write), and every
change is a `score_events` row.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.errors import UserFacingError
from bot.i18n import N_
from bot.scoring_file import SheetSpec, format_points
from bot.text import ascii_digits, collapse_spaces, match_key
from storage import campaigns as campaign_store
from storage import org as org_store
from storage import scoring as store
from storage.locks import claim_row
from storage.models import Role, Unit
from storage.scoring_models import (
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    CriterionKind,
    ScoreAction,
    ScoreEvent,
    ScoringCriterion,
    ScoringSheet,
    SheetStatus,
    UnitScore,
)
from storage.types import utcnow

PUBLISHED = N_("This scoring sheet has been published and can no longer be changed.")
NOT_OPEN = N_("This scoring sheet is not open for scoring yet.")


# --- who may do what ---------------------------------------------------------------------------


def may_lead(viewer: Viewer, bloc_id: int) -> bool:
    """The bloc's head or deputy, or an admin: sees every unit and adjusts scores."""
    return viewer.is_admin or bloc_id in viewer.bloc_ids_led()


def may_publish(viewer: Viewer, bloc_id: int) -> bool:
    """Only the bloc's head (not the deputy) or an admin publishes the result."""
    return viewer.is_admin or any(
        grant.role == Role.BLOC_HEAD and grant.scope_id == bloc_id for grant in viewer.grants
    )


def may_self_score(viewer: Viewer, unit: Unit, sheet: ScoringSheet) -> bool:
    """The unit's own officer, for a unit of the sheet's bloc."""
    return unit.id in viewer.unit_ids_managed() and unit.bloc_id == sheet.bloc_id


def may_see_unit(viewer: Viewer, unit: Unit, sheet: ScoringSheet) -> bool:
    return unit.bloc_id == sheet.bloc_id and (
        may_lead(viewer, sheet.bloc_id) or unit.id in viewer.unit_ids_managed()
    )


# --- figures -----------------------------------------------------------------------------------


def effective(score: UnitScore | None) -> Decimal | None:
    """The figure that counts: the bloc head's final one if set, else the unit's own."""
    if score is None:
        return None
    return score.final_points if score.final_points is not None else score.self_points


def signed(criterion: ScoringCriterion, points: Decimal | None) -> Decimal:
    """Points as they enter the total: a penalty is deducted."""
    value = points or Decimal(0)
    return -value if criterion.kind is CriterionKind.PENALTY else value


@dataclass(frozen=True)
class UnitTotal:
    unit: Unit
    total: Decimal
    scored: int  # criteria with a figure
    adjusted: int  # criteria the bloc head changed


@dataclass(frozen=True)
class UnitSheet:
    """One unit's view of the sheet: each criterion with the unit's score (or None)."""

    sheet: ScoringSheet
    unit: Unit
    lines: list[tuple[ScoringCriterion, UnitScore | None]]

    @property
    def total(self) -> Decimal:
        return sum((signed(c, effective(s)) for c, s in self.lines), Decimal(0))


async def unit_sheet(sheet: ScoringSheet, unit: Unit, *, session: AsyncSession) -> UnitSheet:
    assert sheet.id is not None and unit.id is not None
    criteria = await store.criteria_of(sheet.id, session=session)
    scores = {
        s.criterion_id: s
        for s in await store.scores_of(sheet.id, unit_ids=[unit.id], session=session)
    }
    return UnitSheet(sheet, unit, [(c, scores.get(c.id or 0)) for c in criteria])


async def ranking(sheet: ScoringSheet, *, session: AsyncSession) -> list[UnitTotal]:
    """Every unit of the bloc by total, highest first; ties by name. The first is suggested."""
    assert sheet.id is not None
    units = await org_store.units_in_blocs({sheet.bloc_id}, session=session)
    criteria = {c.id: c for c in await store.criteria_of(sheet.id, session=session)}
    scores = await store.scores_of(sheet.id, session=session)
    totals = []
    for unit in units:
        own = [s for s in scores if s.unit_id == unit.id and s.criterion_id in criteria]
        total = sum((signed(criteria[s.criterion_id], effective(s)) for s in own), Decimal(0))
        scored = sum(1 for s in own if effective(s) is not None)
        adjusted = sum(1 for s in own if s.final_points is not None)
        totals.append(UnitTotal(unit, total, scored, adjusted))
    return sorted(totals, key=lambda item: (-item.total, match_key(item.unit.name)))


def suggested_leader(totals: list[UnitTotal]) -> UnitTotal | None:
    """The unit suggested to lead the bloc (suy tôn): the first of the ranking, if it scored."""
    return totals[0] if totals and totals[0].scored else None


# --- changes -----------------------------------------------------------------------------------


def check_points(criterion: ScoringCriterion, points: Decimal) -> Decimal:
    """Within 0..max for every kind (a penalty is written as the points deducted)."""
    if points < 0 or points > criterion.max_points:
        raise UserFacingError(
            N_("Points for this criterion go from 0 to {max}."),
            max=format_points(criterion.max_points),
        )
    return points


async def _open_sheet(sheet_id: int, session: AsyncSession) -> ScoringSheet:
    """The sheet, claimed for this transaction, refusing any change once published."""
    await claim_row(ScoringSheet, sheet_id, session=session)
    sheet = await store.get_sheet(sheet_id, session=session)
    if sheet is None:
        raise UserFacingError(N_("This button is no longer valid."))
    await session.refresh(sheet)
    if sheet.status is SheetStatus.PUBLISHED:
        raise UserFacingError(PUBLISHED)
    if sheet.status is not SheetStatus.OPEN:
        raise UserFacingError(NOT_OPEN)
    return sheet


async def _criterion_of(
    sheet: ScoringSheet, criterion_id: int, session: AsyncSession
) -> ScoringCriterion:
    criterion = await store.get_criterion(criterion_id, session=session)
    if criterion is None or criterion.sheet_id != sheet.id:
        raise UserFacingError(N_("This button is no longer valid."))
    return criterion


async def _unit_of(sheet: ScoringSheet, unit_id: int, session: AsyncSession) -> Unit:
    unit = await org_store.get_unit(unit_id, session=session)
    if unit is None or unit.bloc_id != sheet.bloc_id:
        raise UserFacingError(N_("This unit is not in the sheet's bloc."))
    return unit


async def self_score(
    sheet_id: int,
    criterion_id: int,
    unit_id: int,
    points: Decimal,
    *,
    viewer: Viewer,
    note: str | None = None,
    evidence: str | None = None,
    session: AsyncSession,
) -> UnitScore:
    """The unit's officer scores one criterion; a new figure replaces the previous one."""
    sheet = await _open_sheet(sheet_id, session)
    unit = await _unit_of(sheet, unit_id, session)
    if not may_self_score(viewer, unit, sheet):
        raise UserFacingError(N_("Only the unit's emulation officer scores its own sheet."))
    criterion = await _criterion_of(sheet, criterion_id, session)
    check_points(criterion, points)
    score = await store.score_of(criterion_id, unit_id, session=session)
    old = score.self_points if score else None
    if score is None:
        score = UnitScore(sheet_id=sheet_id, criterion_id=criterion_id, unit_id=unit_id)
    score.self_points = points
    score.self_note = collapse_spaces(note or "")[:MAX_NOTE_LENGTH] or None
    score.evidence_file_id = evidence or score.evidence_file_id
    score.updated_at = utcnow()
    event = ScoreEvent(
        sheet_id=sheet_id,
        unit_id=unit_id,
        criterion_id=criterion_id,
        actor=viewer.telegram_user_id,
        action=ScoreAction.SELF_SCORED,
        old_points=old,
        new_points=points,
        reason=score.self_note,
    )
    await store.add([score, event], session=session)
    return score


async def adjust(
    sheet_id: int,
    criterion_id: int,
    unit_id: int,
    points: Decimal,
    *,
    viewer: Viewer,
    reason: str,
    session: AsyncSession,
) -> tuple[UnitScore, ScoreEvent]:
    """The bloc's head or deputy (or an admin) sets the final figure, with a reason."""
    sheet = await _open_sheet(sheet_id, session)
    if not may_lead(viewer, sheet.bloc_id):
        raise UserFacingError(
            N_("Only the bloc head, the deputy or an administrator adjusts scores.")
        )
    await _unit_of(sheet, unit_id, session)
    criterion = await _criterion_of(sheet, criterion_id, session)
    check_points(criterion, points)
    why = check_reason(reason)
    score = await store.score_of(criterion_id, unit_id, session=session)
    if score is None:
        score = UnitScore(sheet_id=sheet_id, criterion_id=criterion_id, unit_id=unit_id)
    old = effective(score)
    score.final_points = points
    score.adjusted_reason = why
    score.updated_at = utcnow()
    event = ScoreEvent(
        sheet_id=sheet_id,
        unit_id=unit_id,
        criterion_id=criterion_id,
        actor=viewer.telegram_user_id,
        action=ScoreAction.ADJUSTED,
        old_points=old,
        new_points=points,
        reason=why,
    )
    await store.add([score, event], session=session)
    return score, event


def check_reason(reason: str) -> str:
    why = collapse_spaces(reason)
    if not why:
        raise UserFacingError(N_("A reason is required: the unit will read it."))
    if len(why) > MAX_REASON_LENGTH:
        raise UserFacingError(
            N_("The reason is too long: at most {max} characters."), max=str(MAX_REASON_LENGTH)
        )
    return why


async def publish(sheet_id: int, *, viewer: Viewer, session: AsyncSession) -> ScoringSheet:
    """Lock the sheet: the ranking is final and any later change is refused."""
    sheet = await _open_sheet(sheet_id, session)
    if not may_publish(viewer, sheet.bloc_id):
        raise UserFacingError(N_("Only the bloc head or an administrator publishes the result."))
    sheet.status = SheetStatus.PUBLISHED
    sheet.published_at = utcnow()
    sheet.published_by = viewer.telegram_user_id
    event = ScoreEvent(
        sheet_id=sheet_id, actor=viewer.telegram_user_id, action=ScoreAction.PUBLISHED
    )
    await store.add([sheet, event], session=session)
    return sheet


# --- import ------------------------------------------------------------------------------------


async def import_sheet(
    campaign_id: int, bloc: str, spec: SheetSpec, *, title: str, session: AsyncSession
) -> tuple[ScoringSheet, bool]:
    """Create the bloc's sheet for the campaign, or replace its criteria while nobody scored.

    `bloc` is the bloc's id or name. Returns the sheet and whether it was new.
    """
    campaign = await campaign_store.get_campaign(campaign_id, session=session)
    if campaign is None:
        raise UserFacingError(N_("No campaign has the id {id}."), id=str(campaign_id))
    found = (
        await org_store.get_bloc(int(bloc), session=session)
        if ascii_digits(bloc) and len(bloc) <= 9
        else await org_store.find_bloc(match_key(bloc), session=session)
    )
    if found is None or found.id is None:
        raise UserFacingError(N_("No bloc or cluster is called {name}."), name=bloc)
    sheet = await store.sheet_for(campaign_id, found.id, session=session)
    new = sheet is None
    if sheet is None:
        sheet = ScoringSheet(
            campaign_id=campaign_id, bloc_id=found.id, title=title, scale=spec.scale
        )
        await store.add([sheet], session=session)
    else:
        assert sheet.id is not None
        await claim_row(ScoringSheet, sheet.id, session=session)
        if sheet.status is SheetStatus.PUBLISHED:
            raise UserFacingError(PUBLISHED)
        if await store.count_scores(sheet.id, session=session):
            raise UserFacingError(
                N_("Units have already scored against this sheet; it can no longer be replaced.")
            )
        await store.delete_criteria(sheet.id, session=session)
        sheet.title, sheet.scale = title, spec.scale
    assert sheet.id is not None
    criteria = [
        ScoringCriterion(
            sheet_id=sheet.id,
            position=position,
            code=item.code,
            label=item.label,
            kind=item.kind,
            max_points=item.max_points,
        )
        for position, item in enumerate(spec.criteria, start=1)
    ]
    await store.add([sheet, *criteria], session=session)
    return sheet, new
