"""The organisation's eligibility and quota rules: rows seeded with common defaults, editable.

`ensure_default_rules` adds the defaults whose code is missing and never overwrites a rule an
organisation edited, switched off (`active = false`) or deleted and re-added under its code.
"""

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.pledge_models import EligibilityCheck, EligibilityRule, QuotaRule, QuotaScope

_PREVIOUS, _MONTHS, _EVIDENCE = (
    EligibilityCheck.PREVIOUS_TITLE,
    EligibilityCheck.MIN_MONTHS_IN_UNIT,
    EligibilityCheck.EVIDENCE,
)

DEFAULT_ELIGIBILITY_RULES: tuple[EligibilityRule, ...] = (
    # Thông tư 01/2024/TT-BNV: not for people recruited less than 6 months before.
    EligibilityRule(code="LDTT_6_MONTHS", title_code="LDTT", kind=_MONTHS, min_months=6),
    EligibilityRule(code="CSTDCS_6_MONTHS", title_code="CSTDCS", kind=_MONTHS, min_months=6),
    EligibilityRule(
        code="CSTDCS_EVIDENCE",
        title_code="CSTDCS",
        kind=_EVIDENCE,
        note="đạt Lao động tiên tiến và có một trong: hoàn thành xuất sắc nhiệm vụ, sáng kiến "
        "được công nhận, đề tài khoa học được nghiệm thu",
    ),
    EligibilityRule(
        code="CSTD_TINH_3_YEARS",
        title_code="CSTD_TINH",
        kind=_PREVIOUS,
        required_code="CSTDCS",
        count=3,
        consecutive=True,
    ),
    EligibilityRule(
        code="CSTD_TINH_EVIDENCE",
        title_code="CSTD_TINH",
        kind=_EVIDENCE,
        note="sáng kiến có phạm vi ảnh hưởng trong Bộ, ngành, tỉnh",
    ),
    EligibilityRule(
        code="CSTD_TQ_2_TIMES",
        title_code="CSTD_TQ",
        kind=_PREVIOUS,
        required_code="CSTD_TINH",
        count=2,
        consecutive=False,
    ),
    EligibilityRule(
        code="TTLDXS_EVIDENCE",
        title_code="TTLDXS",
        kind=_EVIDENCE,
        note="100% thành viên hoàn thành nhiệm vụ, ít nhất 70% đạt Lao động tiên tiến, có ít "
        "nhất một Chiến sĩ thi đua cơ sở",
    ),
)

DEFAULT_QUOTA_RULES: tuple[QuotaRule, ...] = (
    QuotaRule(
        code="CSTDCS_15",
        description="Chiến sĩ thi đua cơ sở không quá 15% số Lao động tiên tiến của đơn vị",
        numerator_code="CSTDCS",
        denominator_code="LDTT",
        max_share=Decimal("0.15"),
        scope=QuotaScope.UNIT,
    ),
    QuotaRule(
        code="TTLDXS_20",
        description="Tập thể lao động xuất sắc không quá 20% số Tập thể lao động tiên tiến",
        numerator_code="TTLDXS",
        denominator_code="TTLDTT",
        max_share=Decimal("0.20"),
        scope=QuotaScope.ORGANISATION,
    ),
)


async def ensure_default_rules(*, session: AsyncSession) -> int:
    """Insert the default rules whose code is missing; return how many were added."""
    eligibility = set((await session.execute(select(EligibilityRule.code))).scalars().all())
    quotas = set((await session.execute(select(QuotaRule.code))).scalars().all())
    missing: list[EligibilityRule | QuotaRule] = [
        *(rule for rule in DEFAULT_ELIGIBILITY_RULES if rule.code not in eligibility),
        *(rule for rule in DEFAULT_QUOTA_RULES if rule.code not in quotas),
    ]
    for rule in missing:  # copies: the defaults are module constants, never session objects
        session.add(type(rule)(**rule.model_dump(exclude={"id"})))
    await session.flush()
    return len(missing)


async def eligibility_rules_for(title_code: str, *, session: AsyncSession) -> list[EligibilityRule]:
    result = await session.execute(
        select(EligibilityRule)
        .where(EligibilityRule.title_code == title_code, col(EligibilityRule.active))
        .order_by(col(EligibilityRule.id))
    )
    return list(result.scalars().all())


async def active_quota_rules(*, session: AsyncSession) -> list[QuotaRule]:
    result = await session.execute(
        select(QuotaRule).where(col(QuotaRule.active)).order_by(col(QuotaRule.id))
    )
    return list(result.scalars().all())
