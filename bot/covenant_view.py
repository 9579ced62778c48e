"""The bloc's covenant (giao ước thi đua) as a unit officer sees it before «Ký giao ước»."""

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from storage import covenants as store
from storage import people
from storage.pledge_models import Covenant, CovenantSignature


async def unit_signature(
    covenant: Covenant, unit_id: int, *, session: AsyncSession
) -> CovenantSignature | None:
    assert covenant.id is not None
    signatures = await store.signatures_of(covenant.id, session=session)
    return next((s for s in signatures if s.unit_id == unit_id), None)


async def covenant_text(
    covenant: Covenant,
    signature: CovenantSignature | None,
    t: Translator,
    *,
    session: AsyncSession,
) -> str:
    """The covenant's text and targets, then whether (and by whom) the unit signed it."""
    lines = [t("📜 <b>Emulation covenant of the bloc</b>"), escape(covenant.text)]
    if covenant.targets:
        lines += ["", t("Shared targets:")]
        for target in covenant.targets:
            label = escape(str(target.get("label", "")))
            planned = escape(str(target.get("planned", "") or ""))
            unit = escape(str(target.get("unit", "") or ""))
            lines.append(f"• {label}" + (f": {planned} {unit}".rstrip() if planned else ""))
    lines.append("")
    if signature is None:
        lines.append(t("Your unit has not signed it yet."))
        return "\n".join(lines)
    member = await people.member_by_telegram_id(signature.signed_by, session=session)
    lines.append(
        t(
            "✍️ Signed for the unit by {name} on {when}.",
            name=escape(member.full_name if member else str(signature.signed_by)),
            when=t.datetime(signature.signed_at),
        )
    )
    return "\n".join(lines)
