"""Erasing a person's data on request (`thidua member erase`, an admin's `/xoadulieu`).

One transaction: the caller's unit of work. The person is found by phone, member id or
Telegram id; the erasure itself is in `storage/erasure.py`, and an `erasures` row records who
did it and when, with the member id only. Erasing twice is harmless: nothing is left to
change, and the second time is not recorded.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.i18n import N_, Translator
from bot.phones import InvalidPhone, display_phone, normalise_phone
from bot.text import match_key
from storage import erasure as store
from storage import people
from storage.models import Member
from storage.privacy_models import Erasure, ErasureChannel

MIN_NAME_WORDS = 2  # a single word ("Lan") would match unrelated messages of others


@dataclass(frozen=True)
class ErasureTarget:
    """Whose data is to go: a roster member (and their Telegram accounts), or an account alone."""

    member: Member | None
    telegram_ids: frozenset[int]

    @property
    def member_id(self) -> int | None:
        return self.member.id if self.member is not None else None


@dataclass(frozen=True)
class ErasureResult:
    member_id: int | None
    rows_changed: int
    erased_before: datetime | None  # when an earlier erasure of the same member was made


async def find_by_phone(text: str, *, session: AsyncSession) -> ErasureTarget:
    try:
        phone = normalise_phone(text)
    except InvalidPhone:
        raise UserFacingError(N_("{phone} is not a phone number."), phone=text) from None
    member = await people.member_by_phone(phone, session=session)
    if member is None:
        raise UserFacingError(N_("No member has the phone number {phone}."), phone=text)
    return await _target(member, session=session)


async def find_by_member_id(member_id: int, *, session: AsyncSession) -> ErasureTarget:
    member = await people.get_member(member_id, session=session)
    if member is None:
        raise UserFacingError(N_("There is no member with id {id}."), id=member_id)
    return await _target(member, session=session)


async def find_by_telegram_id(telegram_id: int, *, session: AsyncSession) -> ErasureTarget:
    """A roster member linked to this account, or the account of someone not on the roster."""
    member = await people.member_by_telegram_id(telegram_id, session=session)
    if member is not None:
        return await _target(member, session=session)
    if await people.get_telegram_user(telegram_id, session=session) is None:
        raise UserFacingError(
            N_("The bot keeps nothing about the Telegram account {id}."), id=telegram_id
        )
    return ErasureTarget(None, frozenset({telegram_id}))


async def _target(member: Member, *, session: AsyncSession) -> ErasureTarget:
    assert member.id is not None
    ids = await store.redemption_telegram_ids(member.id, session=session)
    if member.telegram_user_id is not None:
        ids.add(member.telegram_user_id)
    return ErasureTarget(member, frozenset(ids))


def describe(target: ErasureTarget, t: Translator) -> str:
    """Who is about to be erased, for the confirmation question (plain text)."""
    member = target.member
    if member is None:
        ids = ", ".join(str(i) for i in sorted(target.telegram_ids))
        return t("the Telegram account {id} (not on the roster)", id=ids)
    phone = display_phone(member.phone) if member.phone else "—"
    return t("member #{id} {name} ({phone})", id=member.id, name=member.full_name, phone=phone)


async def erase(
    target: ErasureTarget,
    *,
    t: Translator,
    channel: ErasureChannel,
    erased_by: int | None,
    operator: str,
    session: AsyncSession,
) -> ErasureResult:
    """Erase in the caller's transaction; `t` is the organisation's language (placeholders)."""
    member = target.member
    ids = sorted(target.telegram_ids)
    if member is None or member.id is None:  # a Telegram account not on the roster
        changed = await store.erase_telegram_rows(ids, session=session)
        earlier: list[Erasure] = []
    else:
        earlier = await store.erasures_of(member.id, session=session)
        name = t("Erased person #{id}", id=member.id)
        placeholders = store.Placeholders(
            name=name, name_key=match_key(name), own_target=t("(erased)")
        )
        mentions = _mentions(member, placeholders)  # read before the name and phone go
        changed = await store.erase_telegram_rows(ids, session=session)
        changed += await store.erase_member_rows(member, placeholders, session=session)
        changed += await store.redact_mentions(mentions, session=session)
    if changed or not earlier:
        await store.record(
            target.member_id,
            channel=channel,
            erased_by=erased_by,
            operator=operator,
            rows_changed=changed,
            session=session,
        )
    return ErasureResult(target.member_id, changed, earlier[0].at if earlier else None)


def result_text(result: ErasureResult, t: Translator, tz: tzinfo) -> str:
    """What was done, for the administrator (chat or command line)."""
    if result.erased_before is not None and result.rows_changed == 0:
        return t(
            "The data of member #{id} was already erased on {date}; nothing was left to erase.",
            id=result.member_id,
            date=t.date(result.erased_before.astimezone(tz).date()),
        )
    if result.member_id is None:
        return t(
            "Erased the data of a Telegram account not on the roster ({rows} records changed).",
            rows=t.number(result.rows_changed),
        )
    return t(
        "Erased the personal data of member #{id} ({rows} records changed). Their pledges "
        "and reports still count in the figures, without a name.",
        id=result.member_id,
        rows=t.number(result.rows_changed),
    )


def _mentions(member: Member, placeholders: store.Placeholders) -> store.Mentions:
    """The name and phone as others' messages may contain them (read before they are erased)."""
    texts: list[str] = []
    named = member.name_key != placeholders.name_key  # not erased already
    if named and len(member.full_name.split()) >= MIN_NAME_WORDS:
        texts.append(member.full_name)
    if member.phone:
        digits = member.phone.lstrip("+")
        texts.append(digits)  # +84912345678 and 84912345678
        if digits.startswith("84"):
            texts.append("0" + digits[2:])  # 0912345678
        texts.append(display_phone(member.phone))  # 0912 345 678
    return store.Mentions(tuple(texts))
