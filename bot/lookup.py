"""Find a unit or bloc from what an admin typed: an id, the exact name, or a unique part of it."""

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.i18n import N_
from bot.text import ascii_digits, match_key, shortened
from storage import org as org_store
from storage.models import Bloc, Unit

Named = TypeVar("Named", Unit, Bloc)
MAX_CANDIDATES = 5


async def find_unit(text: str, *, session: AsyncSession) -> Unit:
    units = await org_store.all_units(session=session)
    return _pick(units, text, N_("No unit named {name}."))


async def find_bloc(text: str, *, session: AsyncSession) -> Bloc:
    blocs = await org_store.all_blocs(session=session)
    return _pick(blocs, text, N_("No bloc or cluster named {name}."))


def _pick(items: Sequence[Named], text: str, not_found: str) -> Named:
    wanted = match_key(text)
    if ascii_digits(wanted) and len(wanted) <= 18:
        by_id = [item for item in items if item.id == int(wanted)]
        if by_id:
            return by_id[0]
    exact = [item for item in items if item.name_key == wanted]
    if exact:
        return exact[0]
    partial = [item for item in items if wanted and wanted in item.name_key]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise UserFacingError(not_found, name=shortened(text))
    names = "; ".join(item.name for item in partial[:MAX_CANDIDATES])
    raise UserFacingError(
        N_("{name} matches several: {names}. Type more of the name."),
        name=shortened(text),
        names=names,
    )
