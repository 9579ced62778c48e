"""Apply a parsed roster to the database: an idempotent upsert that never deletes anyone.

Members are matched by phone, then by name within the unit. A changed row updates the person; a
person of an earlier import who is missing now is marked as left. Roles from the `Vai trò` column
replace the roles of the previous import, and bloc head/deputy roles also name the bloc's head and
deputy unit for the year.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import roster_role_scope
from bot.i18n import N_
from bot.roster_file import Reason, RosterRow, RowProblem
from bot.text import match_key
from storage import org as org_store
from storage import people
from storage.models import (
    Bloc,
    GrantSource,
    Member,
    MemberSource,
    MemberStatus,
    Role,
    Unit,
)
from storage.types import utcnow


@dataclass
class ImportReport:
    blocs_created: int = 0
    blocs_total: int = 0
    units_created: int = 0
    units_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    # Missing people not marked as left because rows were rejected: one of them may be theirs.
    left_withheld: int = 0
    rejected: list[RowProblem] = field(default_factory=list)


async def apply_roster(
    rows: list[RosterRow], *, year: int, session: AsyncSession, rejected_in_file: int = 0
) -> ImportReport:
    """Upsert `rows`; `rejected_in_file` counts rows the parser already refused.

    Nobody is marked as left while any row is rejected: the rejected row may be that person's,
    with a typo, and marking them left would drop their roles and reminders.
    """
    report = ImportReport()
    blocs = await _ensure_blocs(rows, report, session)
    units = await _ensure_units(rows, blocs, report, session)
    seen: dict[int, int] = {}  # member id → row number that claimed it
    for row in rows:
        unit = units[match_key(row.unit_name)]
        problem = await _apply_row(row, unit, seen, report, year, session)
        if problem is not None:
            report.rejected.append(problem)
    missing = await people.imported_members_not_in(set(seen), session=session)
    if report.rejected or rejected_in_file:
        report.left_withheld = len(missing)
    else:
        for member in missing:
            await _mark_left(member, session)
            report.left += 1
    await session.flush()
    report.rejected.sort(key=lambda problem: problem.row_number)
    return report


async def _ensure_blocs(
    rows: list[RosterRow], report: ImportReport, session: AsyncSession
) -> dict[str, Bloc]:
    blocs = await org_store.blocs_by_key(session=session)
    wanted: dict[str, RosterRow] = {}
    for row in rows:
        if row.bloc_name and row.bloc_kind:
            wanted.setdefault(match_key(row.bloc_name), row)
    for key, row in wanted.items():
        assert row.bloc_name is not None and row.bloc_kind is not None
        bloc = blocs.get(key)
        if bloc is None:
            blocs[key] = await org_store.add_bloc(
                row.bloc_name, key, row.bloc_kind, session=session
            )
            report.blocs_created += 1
        elif bloc.kind != row.bloc_kind or bloc.name != row.bloc_name:
            bloc.kind, bloc.name = row.bloc_kind, row.bloc_name
    report.blocs_total = len(wanted)
    return blocs


async def _ensure_units(
    rows: list[RosterRow], blocs: dict[str, Bloc], report: ImportReport, session: AsyncSession
) -> dict[str, Unit]:
    units = await org_store.units_by_key(session=session)
    wanted: dict[str, RosterRow] = {}
    for row in rows:
        wanted.setdefault(match_key(row.unit_name), row)
    for key, row in wanted.items():
        bloc = blocs.get(match_key(row.bloc_name)) if row.bloc_name else None
        bloc_id = bloc.id if bloc else None
        unit = units.get(key)
        if unit is None:
            units[key] = await org_store.add_unit(row.unit_name, key, bloc_id, session=session)
            report.units_created += 1
        elif unit.bloc_id != bloc_id or unit.name != row.unit_name:
            unit.bloc_id, unit.name = bloc_id, row.unit_name
    report.units_total = len(wanted)
    await session.flush()
    return units


async def _apply_row(
    row: RosterRow,
    unit: Unit,
    seen: dict[int, int],
    report: ImportReport,
    year: int,
    session: AsyncSession,
) -> RowProblem | None:
    assert unit.id is not None
    grant = roster_role_scope(row.role, unit.id, unit.bloc_id)
    if row.role in (Role.BLOC_HEAD, Role.BLOC_DEPUTY) and grant is None:
        reason = Reason(N_("a bloc head or deputy must be in a unit that belongs to a bloc"))
        return RowProblem(row.row_number, (reason,))
    member = await _find_member(row, unit.id, session)
    if member is not None and member.id in seen:
        reason = Reason(N_("same person as row {row}"), {"row": str(seen[member.id])})
        return RowProblem(row.row_number, (reason,))
    if member is None:
        member = await people.add_member(_new_member(row, unit.id), session=session)
        report.created += 1
        changed = None
    else:
        changed = _update_member(member, row, unit.id)
    assert member.id is not None
    seen[member.id] = row.row_number
    wanted = [(grant.role, grant.scope_kind, grant.scope_id)] if grant else []
    roles_changed = await people.replace_member_roles(
        member.id, GrantSource.ROSTER, wanted, session=session
    )
    if changed is not None:
        if changed or roles_changed:
            member.updated_at = utcnow()
            report.updated += 1
        else:
            report.unchanged += 1
    if grant is not None and grant.scope_id is not None and row.role == Role.BLOC_HEAD:
        await org_store.set_leadership(grant.scope_id, year, head_unit_id=unit.id, session=session)
    if grant is not None and grant.scope_id is not None and row.role == Role.BLOC_DEPUTY:
        await org_store.set_leadership(
            grant.scope_id, year, deputy_unit_id=unit.id, session=session
        )
    return None


async def _find_member(row: RosterRow, unit_id: int, session: AsyncSession) -> Member | None:
    if row.phone:
        member = await people.member_by_phone(row.phone, session=session)
        if member is not None:
            return member
    member = await people.member_by_name_in_unit(match_key(row.full_name), unit_id, session=session)
    if member is not None and row.phone and member.phone and member.phone != row.phone:
        # Same name in the same unit but a different phone: a namesake, not the same person.
        return None
    return member


async def _mark_left(member: Member, session: AsyncSession) -> None:
    """Someone who left keeps their record but loses the roles the roster gave them."""
    assert member.id is not None
    member.status = MemberStatus.LEFT
    member.updated_at = utcnow()
    await people.replace_member_roles(member.id, GrantSource.ROSTER, [], session=session)


def _new_member(row: RosterRow, unit_id: int) -> Member:
    return Member(
        full_name=row.full_name,
        name_key=match_key(row.full_name),
        position=row.position,
        phone=row.phone,
        email=row.email,
        unit_id=unit_id,
        joined_on=row.joined_on,
        source=MemberSource.IMPORT,
        status=MemberStatus.LEFT if row.has_left else MemberStatus.ACTIVE,
    )


def _update_member(member: Member, row: RosterRow, unit_id: int) -> bool:
    """Copy the row onto the member; True if anything changed."""
    wanted: dict[str, object] = {
        "full_name": row.full_name,
        "name_key": match_key(row.full_name),
        "position": row.position,
        "phone": row.phone or member.phone,
        "email": row.email,
        "unit_id": unit_id,
        "joined_on": row.joined_on,
        "source": MemberSource.IMPORT,
        "status": _status_after(member.status, row.has_left),
    }
    changed = False
    for name, value in wanted.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
            changed = True
    return changed


def _status_after(current: MemberStatus, has_left: bool) -> MemberStatus:
    """A row brings a person back unless it says they left; `unreachable` is the bot's to set."""
    if has_left:
        return MemberStatus.LEFT
    return MemberStatus.ACTIVE if current == MemberStatus.LEFT else current


def import_year(today: date) -> int:
    """Bloc leadership rotates by calendar year."""
    return today.year
