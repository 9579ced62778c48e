"""Who may see and decide a progress report, checked again on every press.

A member's report is seen and decided by whoever manages their unit (its officer, its bloc's
heads, admins). A unit's collective report is seen by them too, but decided only above the unit,
like the collective pledge it reports on (`Viewer.may_decide_collective`).
"""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from storage import org as org_store
from storage import pledges as pledge_store
from storage import progress as progress_store
from storage.models import Unit
from storage.pledge_models import Pledge, PledgeKind
from storage.progress_models import ProgressReport


@dataclass(frozen=True)
class ReportInScope:
    report: ProgressReport
    pledge: Pledge
    unit: Unit
    may_decide: bool


async def report_in_scope(
    report_id: int, viewer: Viewer, *, session: AsyncSession
) -> ReportInScope | None:
    """The report if this person may see it (with whether they may decide it), else None."""
    report = await progress_store.get_report_by_id(report_id, session=session)
    if report is None:
        return None
    pledge = await pledge_store.get_pledge(report.pledge_id, session=session)
    if pledge is None:
        return None
    unit = await org_store.get_unit(pledge.unit_id, session=session)
    if unit is None or unit.id is None or not viewer.may_manage_unit(unit.id, unit.bloc_id):
        return None
    if pledge.kind is PledgeKind.COLLECTIVE:
        may_decide = viewer.may_decide_collective(unit.bloc_id)
    else:
        may_decide = True
    return ReportInScope(report, pledge, unit, may_decide)
