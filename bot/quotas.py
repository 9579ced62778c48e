"""Quota checks an officer sees before approving: each active quota rule's current share.

Quotas are organisation settings (`quota_rules`), e.g. "CSTĐCS ≤ 15% of LĐTT registrations in
a unit". The denominator counts the registrations for its title and for every higher title of
the same scope, because a CSTĐCS registrant is also an LĐTT one. Submitted pledges count
(Chờ duyệt and Đã duyệt); drafts, returned and withdrawn ones do not.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_file import format_vn_number
from bot.eligibility import PledgeWarning
from bot.i18n import N_
from storage import pledge_rules
from storage import pledges as store
from storage.campaign_models import CatalogueItem, CatalogueKind, TitleScope
from storage.catalogue import all_items
from storage.pledge_models import PledgeKind, PledgeStatus, QuotaRule, QuotaScope

COUNTED = (PledgeStatus.PENDING, PledgeStatus.APPROVED)


@dataclass(frozen=True)
class QuotaFigure:
    rule: QuotaRule
    numerator_title: str
    denominator_title: str
    numerator: int
    denominator: int

    @property
    def share(self) -> Decimal | None:
        """None when nobody registered for the denominator title yet."""
        if self.denominator == 0:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def exceeded(self) -> bool:
        if self.share is None:
            return self.numerator > 0  # any share of nothing is over the cap
        return self.share > self.rule.max_share

    def warning(self) -> PledgeWarning:
        """E.g. 'Chiến sĩ thi đua cơ sở 2/10 Lao động tiên tiến = 20% > 15%'."""
        return PledgeWarning(
            f"quota:{self.rule.code}",
            N_("{title} {count}/{total} {base_title} = {share} > {limit}"),
            {
                "title": self.numerator_title,
                "count": str(self.numerator),
                "total": str(self.denominator),
                "base_title": self.denominator_title,
                "share": _percent(self.share) if self.share is not None else "—",
                "limit": _percent(self.rule.max_share),
            },
        )


async def quota_figures(
    campaign_id: int, unit_id: int, *, session: AsyncSession
) -> list[QuotaFigure]:
    """Every active rule's figures: unit rules within `unit_id`, organisation rules overall."""
    items = {item.code: item for item in await all_items(session=session)}
    figures: list[QuotaFigure] = []
    counts: dict[tuple[QuotaScope, PledgeKind], dict[str, int]] = {}
    for rule in await pledge_rules.active_quota_rules(session=session):
        numerator_item = items.get(rule.numerator_code)
        denominator_item = items.get(rule.denominator_code)
        if numerator_item is None or denominator_item is None:
            continue  # a rule naming a title the catalogue no longer has
        kind = (
            PledgeKind.COLLECTIVE
            if denominator_item.scope is TitleScope.COLLECTIVE
            else PledgeKind.INDIVIDUAL
        )
        key = (rule.scope, kind)
        if key not in counts:
            counts[key] = await store.title_counts(
                campaign_id,
                unit_id if rule.scope is QuotaScope.UNIT else None,
                kind=kind,
                statuses=COUNTED,
                session=session,
            )
        figures.append(
            QuotaFigure(
                rule=rule,
                numerator_title=numerator_item.name,
                denominator_title=denominator_item.name,
                numerator=counts[key].get(rule.numerator_code, 0),
                denominator=_at_or_above(denominator_item, items, counts[key]),
            )
        )
    return figures


async def quota_warnings(
    campaign_id: int, unit_id: int, *, session: AsyncSession
) -> list[PledgeWarning]:
    figures = await quota_figures(campaign_id, unit_id, session=session)
    return [figure.warning() for figure in figures if figure.exceeded]


def _at_or_above(
    base: CatalogueItem, items: Mapping[str, CatalogueItem], counts: Mapping[str, int]
) -> int:
    return sum(
        count
        for code, count in counts.items()
        if (item := items.get(code)) is not None
        and item.kind is CatalogueKind.TITLE
        and item.scope is base.scope
        and item.rank >= base.rank
    )


def _percent(share: Decimal) -> str:
    rounded = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_vn_number(rounded) + "%"
