"""The roster as an admin sees it: who is where, and who has not opened the bot yet."""

from datetime import tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import ROLE_ORDER
from bot.i18n import N_, Translator
from bot.phones import display_phone
from bot.roster_file import ROLE_LABELS, ExportRow
from bot.text import match_key, name_sort_key
from storage import org as org_store
from storage import people
from storage.models import GrantSource, MemberStatus, Role

STATUS_LABELS = {
    MemberStatus.ACTIVE: N_("active"),
    MemberStatus.LEFT: N_("left the unit"),
    MemberStatus.UNREACHABLE: N_("unreachable"),
}


async def export_rows(t: Translator, tz: tzinfo, *, session: AsyncSession) -> list[ExportRow]:
    """One row per member, sorted by bloc, unit, then Tên (the last word of the name)."""
    blocs = {bloc.id: bloc for bloc in await org_store.all_blocs(session=session)}
    units = {unit.id: unit for unit in await org_store.all_units(session=session)}
    roster_roles: dict[int, Role] = {}
    for grant in await people.all_role_assignments(session=session):
        if grant.member_id is not None and grant.source == GrantSource.ROSTER:
            roster_roles[grant.member_id] = _higher(roster_roles.get(grant.member_id), grant.role)
    rows = []
    for member in await people.all_members(session=session):
        unit = units.get(member.unit_id)
        bloc = blocs.get(unit.bloc_id) if unit and unit.bloc_id else None
        role = roster_roles.get(member.id or 0, Role.MEMBER)
        linked_since = t.datetime(member.linked_at.astimezone(tz)) if member.linked_at else ""
        sort_key = (
            match_key(bloc.name) if bloc else "",
            match_key(unit.name) if unit else "",
            name_sort_key(member.full_name),
        )
        rows.append(
            (
                sort_key,
                ExportRow(
                    bloc=bloc.name if bloc else "",
                    unit=unit.name if unit else "",
                    full_name=member.full_name,
                    position=member.position or "",
                    phone=display_phone(member.phone) if member.phone else "",
                    role=ROLE_LABELS[role],
                    email=member.email or "",
                    joined_on=t.date(member.joined_on) if member.joined_on else "",
                    status=t(STATUS_LABELS[member.status]),
                    telegram=t("yes") if member.telegram_user_id else t("no"),
                    linked_since=linked_since,
                ),
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


def _higher(current: Role | None, candidate: Role) -> Role:
    if current is None:
        return candidate
    return min(current, candidate, key=ROLE_ORDER.index)
