"""Eligibility warnings computed from data when a pledge is submitted; they never block.

The criteria are rows of `eligibility_rules` keyed by the title's catalogue code (see
`storage/pledge_rules.py` for the defaults): previous titles needed (in each of N consecutive
years just before, or N times), minimum months in the unit before the period starts, and
criteria only the officer can check against evidence. No title has an if-chain here.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flow_inputs import add_months, dmy
from bot.i18n import N_
from storage import pledge_rules
from storage import pledges as store
from storage.campaign_models import Campaign, CatalogueItem
from storage.catalogue import all_items
from storage.models import Member
from storage.pledge_models import EligibilityCheck, EligibilityRule, Pledge


@dataclass(frozen=True)
class PledgeWarning:
    """A warning shown to the member before confirming and to the officer before deciding."""

    code: str
    message: str  # an English N_ template
    params: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "PledgeWarning":
        return cls(str(data["code"]), str(data["message"]), dict(data.get("params") or {}))


def check_eligibility(
    title_code: str,
    *,
    rules: Sequence[EligibilityRule],
    year: int,
    history: Mapping[int, set[str]],
    joined_on: date | None,
    period_start: date,
    names: Mapping[str, str],
) -> list[PledgeWarning]:
    """The warnings for seeking `title_code` in `year`, given the person's title history."""
    warnings: list[PledgeWarning] = []
    title = names.get(title_code, title_code)
    for rule in rules:
        if rule.title_code != title_code or not rule.active:
            continue
        found = _check(rule, title, year, history, joined_on, period_start, names)
        if found is not None:
            warnings.append(found)
    return warnings


def _check(
    rule: EligibilityRule,
    title: str,
    year: int,
    history: Mapping[int, set[str]],
    joined_on: date | None,
    period_start: date,
    names: Mapping[str, str],
) -> PledgeWarning | None:
    if rule.kind is EligibilityCheck.EVIDENCE:
        return PledgeWarning(
            rule.code,
            N_("{title}: the officer must check the evidence of: {criteria}."),
            {"title": title, "criteria": rule.note},
        )
    if rule.kind is EligibilityCheck.MIN_MONTHS_IN_UNIT:
        return _months_warning(rule, title, joined_on, period_start)
    return _previous_titles_warning(rule, title, year, history, names)


def _months_warning(
    rule: EligibilityRule, title: str, joined_on: date | None, period_start: date
) -> PledgeWarning | None:
    months = rule.min_months or 0
    if joined_on is None or joined_on <= add_months(period_start, -months):
        return None  # unknown join dates are not guessed
    return PledgeWarning(
        rule.code,
        N_(
            "Joined the unit on {joined}, less than {months} months before the period starts "
            "({start}): {title} is not given to people recruited less than {months} months ago."
        ),
        {
            "joined": dmy(joined_on),
            "months": str(months),
            "start": dmy(period_start),
            "title": title,
        },
    )


def _previous_titles_warning(
    rule: EligibilityRule,
    title: str,
    year: int,
    history: Mapping[int, set[str]],
    names: Mapping[str, str],
) -> PledgeWarning | None:
    required_code = rule.required_code or ""
    required = names.get(required_code, required_code)
    count = rule.count or 1
    if rule.consecutive:
        wanted = range(year - count, year)
        missing = [str(y) for y in wanted if required_code not in history.get(y, set())]
        if not missing:
            return None
        return PledgeWarning(
            rule.code,
            N_(
                "{title} needs {required} in each of the {count} previous years; "
                "the title history has no {required} in {years}."
            ),
            {
                "title": title,
                "required": required,
                "count": str(count),
                "years": ", ".join(missing),
            },
        )
    earned = sorted(y for y, codes in history.items() if y < year and required_code in codes)
    if len(earned) >= count:
        return None
    return PledgeWarning(
        rule.code,
        N_("{title} needs {required} {count} times; the title history has it {found} times."),
        {"title": title, "required": required, "count": str(count), "found": str(len(earned))},
    )


async def eligibility_warnings(
    pledge: Pledge, *, campaign: Campaign, session: AsyncSession
) -> list[PledgeWarning]:
    """The warnings of a pledge about to be submitted, from the rules and the title history."""
    items = await all_items(session=session)
    names = {item.code: item.name for item in items}
    title = _by_id(items, pledge.title_item_id)
    if title is None:
        return []
    rules = await pledge_rules.eligibility_rules_for(title.code, session=session)
    history: dict[int, set[str]] = {}
    joined_on: date | None = None
    if pledge.member_id is not None:
        history = await store.title_history_of(pledge.member_id, session=session)
        member = await session.get(Member, pledge.member_id)
        joined_on = member.joined_on if member is not None else None
    return check_eligibility(
        title.code,
        rules=rules,
        year=campaign.period_start.year,
        history=history,
        joined_on=joined_on,
        period_start=campaign.period_start,
        names=names,
    )


def _by_id(items: Sequence[CatalogueItem], item_id: int) -> CatalogueItem | None:
    return next((item for item in items if item.id == item_id), None)
