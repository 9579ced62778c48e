"""Many linked members at once, for the crash test and the broadcast benchmark."""

from sqlalchemy import insert

from bot.text import match_key
from storage.database import Database
from storage.models import Bloc, BlocKind, Member, MemberSource, MemberStatus, TelegramUser, Unit
from storage.types import utcnow

FIRST_CHAT_ID = 1_000_000


async def seed_linked_members(
    database: Database, count: int, *, units: int = 20, first_chat_id: int = FIRST_CHAT_ID
) -> list[int]:
    """`count` active members spread over `units` units, each linked to a Telegram chat."""
    now = utcnow()
    async with database.session() as session:
        bloc = Bloc(
            name="Khối thi đua kiểm thử", name_key="khoi thi dua kiem thu", kind=BlocKind.KHOI
        )
        session.add(bloc)
        await session.flush()
        unit_rows = [
            Unit(name=f"Đơn vị {n}", name_key=match_key(f"Đơn vị {n}"), bloc_id=bloc.id)
            for n in range(1, units + 1)
        ]
        session.add_all(unit_rows)
        await session.flush()
        chat_ids = [first_chat_id + n for n in range(count)]
        for start in range(0, count, 1000):
            chunk = chat_ids[start : start + 1000]
            await session.execute(
                insert(TelegramUser),
                [
                    {"id": chat_id, "first_name": "CB", "first_seen": now, "last_seen": now}
                    for chat_id in chunk
                ],
            )
            await session.execute(
                insert(Member),
                [
                    {
                        "full_name": f"Cán bộ {chat_id}",
                        "name_key": f"can bo {chat_id}",
                        "unit_id": unit_rows[(chat_id - first_chat_id) % units].id,
                        "telegram_user_id": chat_id,
                        "linked_at": now,
                        "status": MemberStatus.ACTIVE.value,
                        "source": MemberSource.IMPORT.value,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for chat_id in chunk
                ],
            )
    return chat_ids
