"""How a campaign reads on a phone: the launch message members get, also used as the preview."""

from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from storage.campaign_models import (
    Campaign,
    CampaignKind,
    CampaignMilestone,
    CampaignStatus,
    CatalogueItem,
    CatalogueKind,
    TargetTemplate,
)

REGISTER_PREFIX = "reg:"
ACK_PREFIX = "ack:"

KIND_NAMES = {
    CampaignKind.REGULAR: N_("regular (yearly)"),
    CampaignKind.THEMATIC: N_("thematic"),
}
STATUS_NAMES = {
    CampaignStatus.DRAFT: N_("draft"),
    CampaignStatus.LAUNCHED: N_("launched"),
    CampaignStatus.REGISTRATION_CLOSED: N_("registration closed"),
    CampaignStatus.REVIEWING: N_("reviewing"),
    CampaignStatus.CLOSED: N_("closed"),
}


@dataclass(frozen=True)
class CampaignView:
    """Everything the launch message shows, loaded up front (no lazy loads under async)."""

    campaign: Campaign
    milestones: list[CampaignMilestone]
    options: list[CatalogueItem]
    targets: list[TargetTemplate]
    owner_name: str | None


def launch_text(view: CampaignView, t: Translator) -> str:
    campaign = view.campaign
    lines = [
        t("📣 <b>Emulation campaign launched</b>"),
        f"<b>{escape(campaign.name)}</b>",
    ]
    if campaign.slogan:
        lines.append(f"<i>{escape(campaign.slogan)}</i>")
    lines += [
        "",
        t(
            "Period: {start} – {end}",
            start=t.date(campaign.period_start),
            end=t.date(campaign.period_end),
        ),
        t(
            "Register from {opens} to {deadline}",
            opens=t.date(campaign.registration_opens),
            deadline=t.date(campaign.registration_deadline),
        ),
    ]
    if view.owner_name:
        lines.append(t("Launched by: {owner}", owner=escape(view.owner_name)))
    lines += _items(t("Titles you may register for:"), view.options, CatalogueKind.TITLE)
    lines += _items(t("Forms of commendation:"), view.options, CatalogueKind.AWARD)
    if view.targets:
        lines += ["", t("Targets to pledge:")]
        lines += [
            f"• {escape(target.label)}" + (f" ({escape(target.unit)})" if target.unit else "")
            for target in view.targets
        ]
    if view.milestones:
        lines += ["", t("Reporting milestones:")]
        lines += [f"• {escape(m.name)}: {t.date(m.due)}" for m in view.milestones]
    if campaign.registration_required:
        lines += ["", t("Only registered members are considered for titles.")]
    return "\n".join(lines)


def launch_buttons(campaign_id: int, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("📝 Register (Đăng ký thi đua)"),
                    callback_data=f"{REGISTER_PREFIX}{campaign_id}",
                )
            ],
            [InlineKeyboardButton(t("✅ Received"), callback_data=f"{ACK_PREFIX}{campaign_id}")],
        ]
    )


def _items(heading: str, options: list[CatalogueItem], kind: CatalogueKind) -> list[str]:
    chosen = [item for item in options if item.kind == kind]
    if not chosen:
        return []
    return ["", heading, *(f"• {escape(item.name)}" for item in chosen)]
