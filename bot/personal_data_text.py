"""The `/dulieu` summary: what the bot keeps about the person, in their language, as HTML.

Every value the person or others typed is escaped. Long answers are split by `send_text`.
"""

from collections import Counter
from datetime import datetime, tzinfo
from html import escape

from bot.access import ROLE_NAMES
from bot.flows.leave import KINDS as LEAVE_KINDS
from bot.flows.pledge_draft import STATUS_NAMES as PLEDGE_STATUS
from bot.flows.pledge_draft import value_text
from bot.i18n import N_, Translator
from bot.personal_data import PersonalData
from bot.phones import display_phone
from bot.pledge_values import value_of
from bot.reports import STATUS_NAMES as REPORT_STATUS
from bot.reports import achieved_of
from bot.roster_export import STATUS_LABELS
from storage.models import Role, ScopeKind
from storage.reminder_models import ReminderStatus

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
NOT_GIVEN = N_("(none)")


def summary_text(data: PersonalData, t: Translator, tz: tzinfo) -> str:
    """Profile, pledges, reports, leave, reminders, messages: one section each."""
    stored = data.stored
    lines = [t("<b>Your data kept by the bot</b>")]
    if stored.member is None:
        lines += ["", _stranger_note(data, t)]
    lines += _profile(data, t, tz)
    if stored.member is not None:
        lines += _pledges(data, t)
        lines += _reports(data, t)
        lines += _other_records(data, t, tz)
    lines += _messages(data, t, tz)
    lines += [
        "",
        t(
            "Press the button below for the complete file (JSON) with every record. To have "
            "your data erased, ask the administrators (Ban Thi đua – Khen thưởng); the counts "
            "of your unit are kept without your name."
        ),
    ]
    return "\n".join(lines)


def _stranger_note(data: PersonalData, t: Translator) -> str:
    if data.stored.telegram_user is None and not data.stored.messages:
        return t("The bot keeps nothing about you.")
    return t(
        "You are not on the roster of any unit. The bot keeps only your Telegram account "
        "(name, username, language) and the messages you exchanged with it, as the record of "
        "who wrote to it."
    )


def _local(value: datetime, tz: tzinfo) -> datetime:
    return value.astimezone(tz)


def _profile(data: PersonalData, t: Translator, tz: tzinfo) -> list[str]:
    stored = data.stored
    member = stored.member
    lines: list[str] = []
    if member is not None:
        lines += ["", t("<b>Profile</b>")]
        lines.append(t("• Full name: {name}", name=escape(member.full_name)))
        phone = display_phone(member.phone) if member.phone else t(NOT_GIVEN)
        lines.append(t("• Phone: {phone}", phone=escape(phone)))
        lines.append(t("• Email: {email}", email=escape(member.email or t(NOT_GIVEN))))
        lines.append(t("• Position: {position}", position=escape(member.position or t(NOT_GIVEN))))
        if stored.unit is not None:
            lines.append(t("• Unit: {unit}", unit=escape(stored.unit.name)))
        if stored.bloc is not None:
            lines.append(t("• Bloc/cluster: {bloc}", bloc=escape(stored.bloc.name)))
        if member.joined_on is not None:
            lines.append(t("• Joined the unit on: {date}", date=t.date(member.joined_on)))
        lines.append(t("• Status: {status}", status=t(STATUS_LABELS[member.status])))
    roles = _roles(data, t)
    if roles:
        if not lines:
            lines.append("")
        lines.append(t("• Roles: {roles}", roles=roles))
    user = stored.telegram_user
    if user is not None:
        if not lines:
            lines.append("")
        telegram_name = " ".join(part for part in (user.first_name, user.last_name) if part)
        if user.username:
            telegram_name += f" (@{user.username})"
        lines.append(t("• Telegram account: {name}", name=escape(telegram_name)))
        language = LANGUAGE_NAMES.get(user.locale or "", t("default (not chosen)"))
        lines.append(t("• Language: {language}", language=language))
        lines.append(
            t(
                "• First seen: {first}, last seen: {last}",
                first=t.datetime(_local(user.first_seen, tz)),
                last=t.datetime(_local(user.last_seen, tz)),
            )
        )
    return lines


def _roles(data: PersonalData, t: Translator) -> str:
    """Being on the roster makes a member; the other roles come from grants, with their scope."""
    parts = [t(ROLE_NAMES[Role.MEMBER])] if data.stored.member is not None else []
    for grant in data.stored.roles:
        if grant.role == Role.MEMBER:
            continue
        name = t(ROLE_NAMES[grant.role])
        if grant.scope_kind != ScopeKind.ALL and grant.scope_id is not None:
            scope = data.scope_names.get((grant.scope_kind, grant.scope_id), "?")
            name = f"{name} ({escape(scope)})"
        parts.append(name)
    return ", ".join(parts)


def _campaign_name(data: PersonalData, campaign_id: int) -> str:
    campaign = data.stored.campaigns.get(campaign_id)
    return escape(campaign.name) if campaign else f"#{campaign_id}"


def _pledges(data: PersonalData, t: Translator) -> list[str]:
    stored = data.stored
    lines = ["", t("<b>Pledges ({count})</b>", count=t.number(len(stored.pledges)))]
    for pledge in stored.pledges:
        title = escape(data.item_names.get(pledge.title_item_id, "?"))
        if pledge.award_item_id is not None:
            title += ", " + escape(data.item_names.get(pledge.award_item_id, "?"))
        lines.append(
            t(
                "• {campaign}: {title} — {status}",
                campaign=_campaign_name(data, pledge.campaign_id),
                title=title,
                status=t(PLEDGE_STATUS[pledge.status]),
            )
        )
        for target in stored.pledge_targets:
            if target.pledge_id == pledge.id:
                shown = value_text(value_of(target), t)
                lines.append(f"   – {escape(target.label)}: {escape(shown)}")
        if pledge.commitment:
            lines.append(t("   Commitment: {text}", text=escape(pledge.commitment)))
    return lines


def _reports(data: PersonalData, t: Translator) -> list[str]:
    stored = data.stored
    lines = ["", t("<b>Progress reports ({count})</b>", count=t.number(len(stored.reports)))]
    targets = {target.id: target for target in stored.pledge_targets}
    pledges = {pledge.id: pledge for pledge in stored.pledges}
    files = Counter(item.report_id for item in stored.evidence)
    for report in stored.reports:
        pledge = pledges.get(report.pledge_id)
        milestone = stored.milestones.get(report.milestone_id)
        status = t(REPORT_STATUS[report.status])
        if report.late:
            status += ", " + t("late")
        lines.append(
            t(
                "• {campaign} — {milestone}: {status}; {files} file(s) of evidence",
                campaign=_campaign_name(data, pledge.campaign_id) if pledge else "?",
                milestone=escape(milestone.name) if milestone else "?",
                status=status,
                files=t.number(files.get(report.id or 0, 0)),
            )
        )
        for row in stored.progress_values:
            target = targets.get(row.pledge_target_id)
            if row.report_id == report.id and target is not None:
                shown = value_text(achieved_of(target, row), t)
                lines.append(f"   – {escape(target.label)}: {escape(shown)}")
        if report.note:
            lines.append(t("   Note: {text}", text=escape(report.note)))
    return lines


def _other_records(data: PersonalData, t: Translator, tz: tzinfo) -> list[str]:
    stored = data.stored
    lines = ["", t("<b>Leave and reminders</b>")]
    for leave in stored.leaves:
        lines.append(
            t(
                "• {kind}: {start} – {end}",
                kind=t(LEAVE_KINDS.get(leave.kind, LEAVE_KINDS["leave"])),
                start=t.date(leave.starts),
                end=t.date(leave.ends),
            )
        )
    if not stored.leaves:
        lines.append(t("• No leave recorded."))
    pending = sorted(
        (r for r in stored.reminders if r.status == ReminderStatus.PENDING),
        key=lambda r: r.due_at,
    )
    if pending:
        lines.append(
            t(
                "• Reminders still to be sent: {count}, the next on {when}.",
                count=t.number(len(pending)),
                when=t.datetime(_local(pending[0].due_at, tz)),
            )
        )
    else:
        lines.append(t("• No reminders waiting."))
    if stored.title_history:
        titles = ", ".join(f"{row.year}: {escape(row.code)}" for row in stored.title_history)
        lines.append(t("• Titles on record: {titles}", titles=titles))
    if stored.acknowledgements:
        lines.append(
            t(
                "• Campaign launches you acknowledged: {count}",
                count=t.number(len(stored.acknowledgements)),
            )
        )
    return lines


def _messages(data: PersonalData, t: Translator, tz: tzinfo) -> list[str]:
    stored = data.stored
    lines = ["", t("<b>Messages</b>")]
    if stored.messages:
        sent = sum(1 for row in stored.messages if row.direction == "in")
        first = min(row.created_at for row in stored.messages)
        last = max(row.created_at for row in stored.messages)
        lines.append(
            t(
                "• Message log: {count} messages ({sent} from you, {received} from the bot), "
                "from {first} to {last}.",
                count=t.number(len(stored.messages)),
                sent=t.number(sent),
                received=t.number(len(stored.messages) - sent),
                first=t.date(_local(first, tz).date()),
                last=t.date(_local(last, tz).date()),
            )
        )
    else:
        lines.append(t("• Message log: nothing."))
    if stored.outbox:
        lines.append(
            t(
                "• Messages the bot started to you (launches, reminders, announcements): {count}",
                count=t.number(len(stored.outbox)),
            )
        )
    if stored.chat_flows:
        lines.append(t("• A step you have not finished in chat is kept until you finish it."))
    if stored.actions:
        lines.append(
            t(
                "• Records that name you as the one who acted (approvals, entries for "
                "others): {count}",
                count=t.number(len(stored.actions)),
            )
        )
    return lines
