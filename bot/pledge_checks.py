"""What must hold before a pledge is stored or changed: the campaign is open, the title and form
are offered for that kind of pledge, the required targets have values.

Refusals are `UserFacingError`s with English N_ templates; warnings live in `bot/eligibility.py`.
"""

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.flow_inputs import dmy
from bot.i18n import N_
from bot.pledge_values import PledgeInput, TargetValue, check_commitment
from storage import campaigns as campaign_store
from storage.campaign_models import Campaign, CampaignStatus, CatalogueKind, TitleScope
from storage.pledge_models import PledgeKind

# Officers may still decide while registration is closed and during the review.
DECIDING = frozenset(
    {CampaignStatus.LAUNCHED, CampaignStatus.REGISTRATION_CLOSED, CampaignStatus.REVIEWING}
)


async def campaign_or_error(campaign_id: int, *, session: AsyncSession) -> Campaign:
    campaign = await campaign_store.get_campaign(campaign_id, session=session)
    if campaign is None:
        raise UserFacingError(N_("This campaign no longer exists."))
    return campaign


def registration_lateness(campaign: Campaign, today: date) -> bool:
    """Whether a registration made `today` is late; refused when it may not be made at all."""
    if campaign.status is not CampaignStatus.LAUNCHED:
        raise UserFacingError(N_("This campaign is not open for registration."))
    if today < campaign.registration_opens:
        raise UserFacingError(
            N_("Registration opens on {date}."), date=dmy(campaign.registration_opens)
        )
    if today <= campaign.registration_deadline:
        return False
    if not campaign.late_registration:
        raise UserFacingError(
            N_(
                "The registration deadline was {date} and this campaign does not accept late "
                "registrations; the pledge can no longer be changed."
            ),
            date=dmy(campaign.registration_deadline),
        )
    return True


def check_deciding(campaign: Campaign) -> None:
    if campaign.status not in DECIDING:
        raise UserFacingError(N_("This campaign is closed; its pledges can no longer be decided."))


async def check_choices(values: PledgeInput, *, session: AsyncSession) -> None:
    """The title (and the form, if any) must be among the campaign's options for this kind."""
    options = {
        item.id: item
        for item in await campaign_store.options_of(values.campaign_id, session=session)
    }
    scopes = (
        {TitleScope.INDIVIDUAL, TitleScope.BOTH}
        if values.kind is PledgeKind.INDIVIDUAL
        else {TitleScope.COLLECTIVE, TitleScope.BOTH}
    )
    title = options.get(values.title_item_id)
    if title is None or title.kind is not CatalogueKind.TITLE or title.scope not in scopes:
        if values.kind is PledgeKind.INDIVIDUAL:
            raise UserFacingError(
                N_("This campaign does not offer that title to individuals; pick one of its list.")
            )
        raise UserFacingError(
            N_("This campaign does not offer that title to units; pick one of its list.")
        )
    if values.award_item_id is None:
        return
    award = options.get(values.award_item_id)
    if award is None or award.kind is not CatalogueKind.AWARD or award.scope not in scopes:
        raise UserFacingError(
            N_("This campaign does not offer that form of commendation; pick one of its list.")
        )


async def check_targets(values: PledgeInput, *, session: AsyncSession) -> None:
    """Every required target of the campaign's template has a value; the commitment fits."""
    check_commitment(values.commitment)
    templates = await campaign_store.targets_of(values.campaign_id, session=session)
    known = {template.id for template in templates}
    filled = {value.template_id for value in values.targets if value.has_value()}
    for value in values.targets:
        if value.template_id is not None and value.template_id not in known:
            raise UserFacingError(N_("That target belongs to another campaign."))
    for template in templates:
        if template.required and template.id not in filled:
            raise UserFacingError(N_("The target “{label}” needs a value."), label=template.label)


def content_key(
    title_item_id: int,
    award_item_id: int | None,
    commitment: str,
    targets: Sequence[TargetValue],
) -> tuple[object, ...]:
    """What a pledge says, for telling a repeated confirmation from a real edit."""
    return (
        title_item_id,
        award_item_id,
        commitment.strip(),
        tuple(
            (t.template_id, t.label, t.unit, t.type, t.number, t.text or None, t.yes_no)
            for t in targets
        ),
    )
