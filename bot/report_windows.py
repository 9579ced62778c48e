"""When a milestone can be reported: its window, and whether a report now is on time.

Windows. Milestones are taken in order of due date. A milestone's window opens the day after the
previous milestone's due date (the campaign's `period_start` for the first). A report is on time
until `due + report_grace_days` (the campaign's grace). After that the milestone stays open for a
*late* report until the next milestone's due date (the campaign's `period_end` for the last),
or until due + grace if that is later. So during the grace days two milestones are open: the one
just due (on time) and the next (early), and a member who missed one can still catch up, marked
late, while reporting the current one.

"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import campaigns as campaign_store
from storage.campaign_models import Campaign, CampaignMilestone, CampaignStatus

# A report is made and decided while the campaign runs.
RUNNING = frozenset(
    {CampaignStatus.LAUNCHED, CampaignStatus.REGISTRATION_CLOSED, CampaignStatus.REVIEWING}
)


# --- windows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneWindow:
    """When a milestone can be reported: from `opens`, on time until `on_time_until`, late until
    `closes` (all inclusive)."""

    milestone: CampaignMilestone
    opens: date
    on_time_until: date
    closes: date

    def is_open(self, today: date) -> bool:
        return self.opens <= today <= self.closes

    def is_late(self, today: date) -> bool:
        return today > self.on_time_until


@dataclass(frozen=True)
class OpenMilestone:
    """A milestone a report can be made for today, and whether one made now would be late."""

    window: MilestoneWindow
    late: bool

    @property
    def milestone(self) -> CampaignMilestone:
        return self.window.milestone


def milestone_windows(
    campaign: Campaign, milestones: Sequence[CampaignMilestone]
) -> list[MilestoneWindow]:
    """Every milestone's window, in order of due date (see the module's docstring)."""
    ordered = sorted(milestones, key=lambda m: (m.due, m.position))
    grace = timedelta(days=campaign.report_grace_days)
    windows: list[MilestoneWindow] = []
    for index, milestone in enumerate(ordered):
        previous_due = ordered[index - 1].due if index else None
        opens = previous_due + timedelta(days=1) if previous_due else campaign.period_start
        on_time_until = milestone.due + grace
        following = ordered[index + 1].due if index + 1 < len(ordered) else campaign.period_end
        windows.append(
            MilestoneWindow(
                milestone=milestone,
                opens=min(opens, milestone.due),  # two milestones due the same day share it
                on_time_until=on_time_until,
                closes=max(on_time_until, following),
            )
        )
    return windows


def open_milestones(
    campaign: Campaign, milestones: Sequence[CampaignMilestone], today: date
) -> list[OpenMilestone]:
    """The milestones a report can be made for `today`, earliest due first."""
    return [
        OpenMilestone(window, window.is_late(today))
        for window in milestone_windows(campaign, milestones)
        if window.is_open(today)
    ]


async def reportable_milestones(
    campaign_id: int, today: date, *, session: AsyncSession
) -> list[OpenMilestone]:
    """`open_milestones` of a stored campaign; none while the campaign is not running."""
    campaign = await campaign_store.get_campaign(campaign_id, session=session)
    if campaign is None or campaign.status not in RUNNING:
        return []
    milestones = await campaign_store.milestones_of(campaign_id, session=session)
    return open_milestones(campaign, milestones, today)


# --- values --------------------------------------------------------------------------------------
