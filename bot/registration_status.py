"""A unit's registration figures for its officer: "Đã đăng ký 37/42 (88,1%)" and who is missing.

Registered means a submitted individual pledge (Chờ duyệt, Bị trả lại or Đã duyệt); drafts and
withdrawn pledges do not count. The roster is the unit's members not marked as left.
"""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.pledges import REGISTERED
from bot.text import name_sort_key
from storage import campaigns as campaign_store
from storage import pledges as store


@dataclass(frozen=True)
class MissingMember:
    member_id: int
    full_name: str
    position: str | None


@dataclass(frozen=True)
class RegistrationStatus:
    registered: int
    roster: int
    missing: tuple[MissingMember, ...]  # sorted by Tên, the last word of the name

    def rate(self) -> float:
        """The share registered, 0–100 (0 for an empty roster); render with `t.percent`."""
        return 0.0 if self.roster == 0 else self.registered * 100 / self.roster


async def unit_registration(
    campaign_id: int, unit_id: int, *, session: AsyncSession
) -> RegistrationStatus:
    members = await campaign_store.members_in_units([unit_id], session=session)
    ids = [member.id for member in members if member.id is not None]
    registered = await store.registered_member_ids(campaign_id, ids, REGISTERED, session=session)
    missing = sorted(
        (
            MissingMember(member.id, member.full_name, member.position)
            for member in members
            if member.id is not None and member.id not in registered
        ),
        key=lambda missing_member: name_sort_key(missing_member.full_name),
    )
    return RegistrationStatus(
        registered=len(registered), roster=len(members), missing=tuple(missing)
    )
