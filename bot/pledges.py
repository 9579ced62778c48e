"""Pledge registration (đăng ký thi đua): draft, submit, edit, withdraw, approve, return.

Each transition is allowed only from the states in `ALLOWED_FROM` and is recorded in
`pledge_events` with its actor (a Telegram id, None for the system). Repeating a transition that
already happened (a double tap of "Xác nhận" or "Duyệt") changes nothing and says so. A member
changes a pledge only while registration is open; the officer decides while the campaign runs.
Who may do what is the caller's business (`bot/access.py`); these functions enforce the states.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot import pledge_checks as checks
from bot.eligibility import eligibility_warnings
from bot.errors import UserFacingError
from bot.i18n import N_
from bot.pledge_values import PledgeInput, target_rows, value_of
from storage import pledges as store
from storage import progress as progress_store
from storage.campaign_models import Campaign
from storage.models import Member, MemberStatus
from storage.pledge_models import (
    Pledge,
    PledgeAction,
    PledgeEvent,
    PledgeKind,
    PledgeStatus,
)
from storage.types import utcnow

_D, _P, _R, _A, _W = (
    PledgeStatus.DRAFT,
    PledgeStatus.PENDING,
    PledgeStatus.RETURNED,
    PledgeStatus.APPROVED,
    PledgeStatus.WITHDRAWN,
)
ALLOWED_FROM: dict[PledgeAction, frozenset[PledgeStatus]] = {
    PledgeAction.EDITED: frozenset({_D, _P, _R, _A}),
    PledgeAction.SUBMITTED: frozenset({_D, _R}),
    PledgeAction.WITHDRAWN: frozenset({_D, _P, _R, _A}),
    PledgeAction.APPROVED: frozenset({_P}),
    PledgeAction.RETURNED: frozenset({_P}),
}
# Counted as "đã đăng ký" in the unit's figures.
REGISTERED = (_P, _R, _A)
MAX_REASON_LENGTH = 1000


@dataclass(frozen=True)
class Transition:
    """The pledge after an action; `note` (an N_ template) says why nothing changed."""

    pledge: Pledge
    changed: bool
    note: str | None = None


async def save_draft(
    values: PledgeInput,
    *,
    actor: int | None,
    today: date,
    on_behalf: bool = False,
    session: AsyncSession,
) -> Transition:
    """Create the live pledge as a draft, or change the live one's content.

    Changing a submitted pledge (Chờ duyệt, Bị trả lại, Đã duyệt) is an edit: it goes back to
    Chờ duyệt for the officer to look at again. Identical content changes nothing.
    """
    campaign = await checks.campaign_or_error(values.campaign_id, session=session)
    late = checks.registration_lateness(campaign, today)
    unit_id = await _owner_unit(values, session=session)
    await checks.check_choices(values, session=session)
    await checks.check_targets(values, session=session)
    await store.claim_owner(
        values.kind, member_id=values.member_id, unit_id=unit_id, session=session
    )
    existing = await _live(values, unit_id, session=session)
    if existing is None:
        pledge = Pledge(
            campaign_id=values.campaign_id,
            kind=values.kind,
            member_id=values.member_id if values.kind is PledgeKind.INDIVIDUAL else None,
            unit_id=unit_id,
            title_item_id=values.title_item_id,
            award_item_id=values.award_item_id,
            commitment=values.commitment.strip(),
            entered_by=actor,
            on_behalf=on_behalf,
        )
        if await store.insert_pledge(pledge, target_rows(values.targets), session=session):
            await _record(pledge, PledgeAction.CREATED, None, actor, session=session)
            return Transition(pledge, changed=True)
        existing = await _live(values, unit_id, session=session)  # the other tap's pledge
        if existing is None:  # it was withdrawn meanwhile: nothing sensible to merge into
            raise UserFacingError(N_("The pledge changed meanwhile; please try again."))
    return await _edit(existing, values, campaign, late, actor, on_behalf, session=session)


async def submit(
    pledge_id: int, *, actor: int | None, today: date, session: AsyncSession
) -> Transition:
    """Send the pledge to the unit officer (Chờ duyệt), with its eligibility warnings."""
    pledge = await _pledge(pledge_id, session=session)
    if pledge.status is _P:
        return Transition(pledge, False, N_("This pledge was already submitted; nothing changed."))
    if pledge.status is _A:
        return Transition(pledge, False, N_("This pledge is already approved; nothing changed."))
    if pledge.status is _W:
        raise UserFacingError(N_("This pledge was withdrawn; start a new one."))
    campaign = await checks.campaign_or_error(pledge.campaign_id, session=session)
    late = checks.registration_lateness(campaign, today)
    await _to_pending(pledge, campaign, late, session=session)
    await _move(pledge, PledgeAction.SUBMITTED, _P, actor, session=session)
    return Transition(pledge, changed=True)


async def confirm(
    values: PledgeInput,
    *,
    actor: int | None,
    today: date,
    on_behalf: bool = False,
    session: AsyncSession,
) -> Transition:
    """ "Xác nhận": store what was entered and submit it, once however often it is pressed."""
    saved = await save_draft(values, actor=actor, today=today, on_behalf=on_behalf, session=session)
    if saved.pledge.status in ALLOWED_FROM[PledgeAction.SUBMITTED]:
        assert saved.pledge.id is not None
        return await submit(saved.pledge.id, actor=actor, today=today, session=session)
    if saved.changed:
        return saved
    if saved.pledge.status is _A:
        return Transition(
            saved.pledge, False, N_("This pledge is already approved; nothing changed.")
        )
    return Transition(
        saved.pledge, False, N_("This pledge was already submitted; nothing changed.")
    )


async def withdraw(
    pledge_id: int, *, actor: int | None, today: date, session: AsyncSession
) -> Transition:
    """The member takes the pledge back while registration is open; a new one may follow."""
    pledge = await _pledge(pledge_id, session=session)
    if pledge.status is _W:
        return Transition(pledge, False, N_("This pledge was already withdrawn; nothing changed."))
    campaign = await checks.campaign_or_error(pledge.campaign_id, session=session)
    checks.registration_lateness(campaign, today)
    await _move(pledge, PledgeAction.WITHDRAWN, _W, actor, session=session)
    return Transition(pledge, changed=True)


async def approve(pledge_id: int, *, actor: int | None, session: AsyncSession) -> Transition:
    pledge = await _pledge(pledge_id, session=session)
    if pledge.status is _A:
        return Transition(pledge, False, N_("This pledge is already approved; nothing changed."))
    if pledge.status not in ALLOWED_FROM[PledgeAction.APPROVED]:
        raise UserFacingError(N_("Only a pledge awaiting approval can be approved."))
    checks.check_deciding(await checks.campaign_or_error(pledge.campaign_id, session=session))
    pledge.decided_at = utcnow()
    await _move(pledge, PledgeAction.APPROVED, _A, actor, session=session)
    return Transition(pledge, changed=True)


async def return_pledge(
    pledge_id: int, *, actor: int | None, reason: str, session: AsyncSession
) -> Transition:
    """Send the pledge back to the member with a reason they receive (Bị trả lại)."""
    reason = reason.strip()
    if not reason:
        raise UserFacingError(N_("Write the reason for returning the pledge; the member reads it."))
    if len(reason) > MAX_REASON_LENGTH:
        raise UserFacingError(
            N_("The reason is too long: {length} characters, at most {max}."),
            length=len(reason),
            max=MAX_REASON_LENGTH,
        )
    pledge = await _pledge(pledge_id, session=session)
    if pledge.status not in ALLOWED_FROM[PledgeAction.RETURNED]:
        raise UserFacingError(N_("Only a pledge awaiting approval can be returned."))
    checks.check_deciding(await checks.campaign_or_error(pledge.campaign_id, session=session))
    pledge.decided_at = utcnow()
    await _move(pledge, PledgeAction.RETURNED, _R, actor, reason=reason, session=session)
    return Transition(pledge, changed=True)


async def approve_all(
    campaign_id: int, unit_id: int, *, actor: int | None, session: AsyncSession
) -> list[Pledge]:
    """ "Duyệt tất cả": approve every individual pledge of the unit awaiting approval."""
    checks.check_deciding(await checks.campaign_or_error(campaign_id, session=session))
    pending = await store.pledges_of_unit(
        campaign_id, unit_id, kind=PledgeKind.INDIVIDUAL, statuses=(_P,), session=session
    )
    approved: list[Pledge] = []
    for pledge in pending:
        assert pledge.id is not None
        result = await approve(pledge.id, actor=actor, session=session)
        if result.changed:
            approved.append(result.pledge)
    return approved


async def _edit(
    pledge: Pledge,
    values: PledgeInput,
    campaign: Campaign,
    late: bool,
    actor: int | None,
    on_behalf: bool,
    *,
    session: AsyncSession,
) -> Transition:
    assert pledge.id is not None
    current = await store.targets_of(pledge.id, session=session)
    before = checks.content_key(
        pledge.title_item_id,
        pledge.award_item_id,
        pledge.commitment,
        [value_of(t) for t in current],
    )
    after = checks.content_key(
        values.title_item_id, values.award_item_id, values.commitment, values.targets
    )
    if before == after:
        return Transition(pledge, changed=False)
    if await progress_store.has_reports(pledge.id, session=session):
        # its targets carry reported progress; replacing them would lose it
        raise UserFacingError(
            N_(
                "Progress was already reported against this registration; it can no longer be"
                " changed."
            )
        )
    pledge.title_item_id = values.title_item_id
    pledge.award_item_id = values.award_item_id
    pledge.commitment = values.commitment.strip()
    pledge.entered_by = actor
    pledge.on_behalf = on_behalf
    await store.replace_targets(pledge.id, target_rows(values.targets), session=session)
    to_status = _D if pledge.status is _D else _P
    if to_status is _P:
        await _to_pending(pledge, campaign, late, session=session)
    await _move(pledge, PledgeAction.EDITED, to_status, actor, session=session)
    return Transition(pledge, changed=True)


async def _to_pending(
    pledge: Pledge, campaign: Campaign, late: bool, *, session: AsyncSession
) -> None:
    pledge.late = late
    pledge.submitted_at = utcnow()
    pledge.decided_at = None
    warnings = await eligibility_warnings(pledge, campaign=campaign, session=session)
    pledge.warnings = [warning.as_json() for warning in warnings]


async def _move(
    pledge: Pledge,
    action: PledgeAction,
    to_status: PledgeStatus,
    actor: int | None,
    *,
    reason: str | None = None,
    session: AsyncSession,
) -> None:
    if pledge.status not in ALLOWED_FROM[action]:  # guarded by callers; kept as a last check
        raise AssertionError(f"{action} is not allowed from {pledge.status}")
    from_status = pledge.status
    pledge.status = to_status
    pledge.updated_at = utcnow()
    await _record(pledge, action, from_status, actor, reason=reason, session=session)


async def _record(
    pledge: Pledge,
    action: PledgeAction,
    from_status: PledgeStatus | None,
    actor: int | None,
    *,
    reason: str | None = None,
    session: AsyncSession,
) -> None:
    assert pledge.id is not None
    event = PledgeEvent(
        pledge_id=pledge.id,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=pledge.status,
        reason=reason,
    )
    await store.add_event(event, session=session)


async def _pledge(pledge_id: int, *, session: AsyncSession) -> Pledge:
    pledge = await store.get_pledge(pledge_id, session=session, for_update=True)
    if pledge is None:
        raise UserFacingError(N_("This pledge no longer exists."))
    return pledge


async def _owner_unit(values: PledgeInput, *, session: AsyncSession) -> int:
    """The unit the pledge belongs to: the member's, or the unit's own for a collective one."""
    if values.kind is PledgeKind.COLLECTIVE:
        if values.unit_id is None:
            raise ValueError("a collective pledge needs unit_id")
        return values.unit_id
    member = await session.get(Member, values.member_id) if values.member_id else None
    if member is None or member.status is MemberStatus.LEFT:
        raise UserFacingError(N_("This person is not in the unit's roster."))
    return member.unit_id


async def _live(values: PledgeInput, unit_id: int, *, session: AsyncSession) -> Pledge | None:
    return await store.live_pledge(
        values.campaign_id,
        values.kind,
        member_id=values.member_id,
        unit_id=unit_id,
        session=session,
    )
