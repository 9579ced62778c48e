"""What the bot keeps about the person asking (`/dulieu`): gathered once, shown as a summary
(`bot/personal_data_text.py`) and handed over whole as a JSON file.

The person always sees their own data only: everything is looked up from the Telegram id of
the update, never from anything they typed or a button's data.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import catalogue, people
from storage import org as org_store
from storage.models import ScopeKind
from storage.personal_data import StoredData, gather

EXPORT_FORMAT = 1  # bumped when the file's layout changes


@dataclass(frozen=True)
class PersonalData:
    """The rows, plus the names the summary needs (titles, scopes of roles)."""

    stored: StoredData
    item_names: dict[int, str]  # catalogue item id → name (titles, forms of commendation)
    scope_names: dict[tuple[ScopeKind, int], str]  # a role's unit or bloc → its name


async def personal_data(telegram_user_id: int, *, session: AsyncSession) -> PersonalData:
    member = await people.member_by_telegram_id(telegram_user_id, session=session)
    stored = await gather(telegram_user_id, member, session=session)
    item_ids = {p.title_item_id for p in stored.pledges}
    item_ids |= {p.award_item_id for p in stored.pledges if p.award_item_id is not None}
    items = await catalogue.items_by_ids(sorted(item_ids), session=session)
    scope_names: dict[tuple[ScopeKind, int], str] = {}
    for grant in stored.roles:
        if grant.scope_id is None:
            continue
        if grant.scope_kind == ScopeKind.UNIT:
            unit = await org_store.get_unit(grant.scope_id, session=session)
            scope_names[(ScopeKind.UNIT, grant.scope_id)] = unit.name if unit else "?"
        elif grant.scope_kind == ScopeKind.BLOC:
            bloc = await org_store.get_bloc(grant.scope_id, session=session)
            scope_names[(ScopeKind.BLOC, grant.scope_id)] = bloc.name if bloc else "?"
    names = {item.id: item.name for item in items if item.id is not None}
    return PersonalData(stored, names, scope_names)


def export_json(data: PersonalData, now: datetime) -> bytes:
    """Every row about the person, table by table, as UTF-8 JSON a person or a tool can read."""
    stored = data.stored
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "telegram_user_id": stored.telegram_user_id,
        "member_id": stored.member.id if stored.member else None,
        "unit": stored.unit.name if stored.unit else None,
        "bloc": stored.bloc.name if stored.bloc else None,
        "tables": {
            name: [row.model_dump() for row in rows] for name, rows in stored.tables().items()
        },
        "named_as_actor": [
            {"table": ref.table, "column": ref.column, "id": ref.row_id} for ref in stored.actions
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=_plain).encode("utf-8")


def export_filename(data: PersonalData, now: datetime) -> str:
    who = data.stored.member.id if data.stored.member else data.stored.telegram_user_id
    return f"du_lieu_ca_nhan_{who}_{now:%Y%m%d}.json"


def _plain(value: Any) -> Any:
    """JSON for what the tables hold beyond str/int/bool: times, dates, exact decimals, bytes."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    raise TypeError(f"cannot export {type(value).__name__}")
