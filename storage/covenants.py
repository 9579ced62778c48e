"""Queries on bloc covenants (giao ước thi đua) and the units' signatures."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.locks import claim_row
from storage.models import Unit
from storage.pledge_models import Covenant, CovenantSignature


async def covenant_of(campaign_id: int, bloc_id: int, *, session: AsyncSession) -> Covenant | None:
    result = await session.execute(
        select(Covenant).where(Covenant.campaign_id == campaign_id, Covenant.bloc_id == bloc_id)
    )
    return result.scalars().first()


async def set_covenant(
    campaign_id: int,
    bloc_id: int,
    text: str,
    targets: list[dict[str, Any]],
    *,
    session: AsyncSession,
) -> Covenant:
    """Create the bloc's covenant for the campaign, or replace its text and targets."""
    covenant = await covenant_of(campaign_id, bloc_id, session=session)
    if covenant is None:
        covenant = Covenant(campaign_id=campaign_id, bloc_id=bloc_id, text=text, targets=targets)
        session.add(covenant)
    else:
        covenant.text, covenant.targets = text, targets
    await session.flush()
    return covenant


async def sign(
    covenant_id: int, unit_id: int, signed_by: int, *, session: AsyncSession
) -> tuple[CovenantSignature, bool]:
    """Record that the unit signed ("Ký giao ước"); the first signature stands.

    Returns the signature and whether it is new. The unit's row is claimed first so two
    officers pressing at once make one signature.
    """
    await claim_row(Unit, unit_id, session=session)
    result = await session.execute(
        select(CovenantSignature).where(
            CovenantSignature.covenant_id == covenant_id, CovenantSignature.unit_id == unit_id
        )
    )
    existing = result.scalars().first()
    if existing is not None:
        return existing, False
    signature = CovenantSignature(covenant_id=covenant_id, unit_id=unit_id, signed_by=signed_by)
    session.add(signature)
    await session.flush()
    return signature, True


async def signatures_of(covenant_id: int, *, session: AsyncSession) -> list[CovenantSignature]:
    result = await session.execute(
        select(CovenantSignature)
        .where(CovenantSignature.covenant_id == covenant_id)
        .order_by(col(CovenantSignature.signed_at), col(CovenantSignature.id))
    )
    return list(result.scalars().all())
