"""User text in messages (issue 8): names, targets, notes and campaign names that look like HTML
are shown literally in every message, never read as markup.

Messages go out with parse_mode HTML. The organisation of the authorisation matrix is given
names like `<b>x</b> & <script>`; the main views are driven as the people who see them, and each
text, caption and queued message is parsed as Telegram HTML: only Telegram's tags may appear,
and each piece of user text must come back exactly as it was typed.
"""

from html.parser import HTMLParser

from sqlalchemy import update
from sqlmodel import col, select

from storage.campaign_models import Campaign, CampaignMilestone, OutboxMessage, TargetTemplate
from storage.database import Database
from storage.models import Bloc, Member, Unit
from storage.pledge_models import Pledge, PledgeTarget
from storage.progress_models import Evidence, ProgressReport
from storage.scoring_models import ScoringSheet
from tests.support.authz_seed import (
    ADMIN_ROLE,
    BLOC_HEAD,
    DUNG_NAME,
    EM_NAME,
    MEMBER,
    NOW,
    OFFICER,
    USERS,
    World,
    seed_world,
)
from tests.support.harness import BotHarness
from tests.support.recording_request import Call

TELEGRAM_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "tg-spoiler", "blockquote"}

UNIT = "Thanh tra <b>x</b> & <script>"
BLOC = "Khối a < b > c &amp;"
DUNG = "Dung <i>&amp;</i> <u>"
EM = "Em </b><script>alert(1)</script>"
CAMPAIGN = 'Phong trào <b>x</b> & "y" <script>'
MILESTONE = "Quý <I> & co"
LABEL = "Số <sáng kiến> & <b>"
NOTE = "a < b > c &amp; <script>"
COMMITMENT = "<b>cam kết</b> & <a href='x'>"
CAPTION = "ảnh <i>1</i> &"
SHEET = "<b>Bảng</b> & <script>"


class TelegramHtml(HTMLParser):
    """The tags of a message and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def read(html: str) -> TelegramHtml:
    parser = TelegramHtml()
    parser.feed(html)
    parser.close()
    return parser


def texts(calls: list[Call]) -> list[str]:
    """Every HTML text the bot sent: messages, edits and captions."""
    found = []
    for call in calls:
        if call.method in ("sendMessage", "editMessageText"):
            found.append(call.text)
        elif call.method in ("sendPhoto", "sendDocument") and call.params.get("caption"):
            found.append(str(call.params["caption"]))
    return found


def problems_in(label: str, sent: list[str], expected: tuple[str, ...]) -> list[str]:
    """Tags Telegram does not know, and user text that did not come back as typed."""
    problems = []
    seen = []
    for text in sent:
        parsed = read(text)
        unknown = parsed.tags - TELEGRAM_TAGS
        if unknown:
            problems.append(f"{label}: tags {sorted(unknown)} in {text[:200]!r}")
        seen.append("".join(parsed.visible))
    shown = "\n".join(seen)
    problems += [
        f"{label}: {value!r} not shown as typed" for value in expected if value not in shown
    ]
    return problems


async def _rename(database: Database, world: World) -> None:
    """Give the matrix's organisation names that look like HTML."""
    async with database.session() as session:
        await session.execute(update(Unit).where(col(Unit.id) == world.unit).values(name=UNIT))
        await session.execute(update(Bloc).where(col(Bloc.id) == world.bloc).values(name=BLOC))
        await session.execute(
            update(Member).where(col(Member.full_name) == DUNG_NAME).values(full_name=DUNG)
        )
        await session.execute(
            update(Member).where(col(Member.full_name) == EM_NAME).values(full_name=EM)
        )
        await session.execute(
            update(Campaign).where(col(Campaign.id) == world.campaign).values(name=CAMPAIGN)
        )
        await session.execute(
            update(CampaignMilestone)
            .where(col(CampaignMilestone.id) == world.milestone)
            .values(name=MILESTONE)
        )
        await session.execute(update(TargetTemplate).values(label=LABEL))
        await session.execute(update(PledgeTarget).values(label=LABEL))
        await session.execute(
            update(Pledge).where(col(Pledge.id) == world.em_pledge).values(commitment=COMMITMENT)
        )
        await session.execute(
            update(ProgressReport).where(col(ProgressReport.id) == world.report).values(note=NOTE)
        )
        await session.execute(update(Evidence).values(caption=CAPTION))
        await session.execute(update(ScoringSheet).values(title=SHEET))


# (who, what they send or press, the user text that must come back as typed)
VIEWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (OFFICER, "/donvi", (UNIT, CAMPAIGN)),
    (OFFICER, "dv:l:{campaign}:{unit}", (UNIT, EM)),
    (OFFICER, "dv:v:{em_pledge}", (EM, CAMPAIGN, LABEL, COMMITMENT)),
    (OFFICER, "dv:g:{campaign}:{unit}", ()),
    (OFFICER, "dv:x:{em_pledge}", (EM,)),
    (OFFICER, "/huy", ()),
    (OFFICER, "dr:u:{milestone}:{unit}", (UNIT, MILESTONE, DUNG)),
    (OFFICER, "dr:v:{report}", (DUNG, LABEL, NOTE)),
    (OFFICER, "dr:e:{report}", (DUNG, CAPTION)),
    (OFFICER, "dr:g:{milestone}:{unit}", (UNIT, MILESTONE)),
    (OFFICER, "/thanhvien", (UNIT, EM)),
    (OFFICER, "/moi", (UNIT,)),
    (OFFICER, "cd:u:{sheet}:{unit}", (SHEET, UNIT)),
    (OFFICER, "dv:r:{campaign}:{unit}", ()),
    (BLOC_HEAD, "/tonghop", (BLOC, CAMPAIGN, MILESTONE, UNIT)),
    (BLOC_HEAD, "th:u:{campaign}:{unit}:0", (UNIT, DUNG, EM)),
    (BLOC_HEAD, "th:xb:{campaign}:{bloc}:0", (CAMPAIGN, BLOC)),
    (BLOC_HEAD, "/chamdiem", (SHEET, BLOC, UNIT)),
    (BLOC_HEAD, "cd:r:{sheet}", (SHEET, UNIT)),
    (BLOC_HEAD, "dr:a:{report}", (DUNG,)),
    (ADMIN_ROLE, "/tonghop", (BLOC, CAMPAIGN)),
    (ADMIN_ROLE, "/phongtrao", (CAMPAIGN,)),
    (ADMIN_ROLE, "cpms:{milestone}", (CAMPAIGN, MILESTONE)),
    (ADMIN_ROLE, "cpmsgo:{milestone}", ()),
    (ADMIN_ROLE, "/baocaogui {campaign}", (CAMPAIGN,)),
    (ADMIN_ROLE, "cprr:{campaign}", (CAMPAIGN,)),
    (MEMBER, "/start", (DUNG, UNIT, BLOC)),
    (MEMBER, "/dangky", (CAMPAIGN, LABEL)),
    (MEMBER, "/huy", ()),
    (MEMBER, "/tiendo", (CAMPAIGN, LABEL)),
    (MEMBER, "/nhacnho", (CAMPAIGN,)),
    (MEMBER, "/dulieu", (DUNG,)),
)


async def test_user_text_is_shown_literally_in_every_view(
    harness: BotHarness, database: Database
) -> None:
    world = await seed_world(database)
    await _rename(database, world)
    harness.app.services.now = lambda: NOW  # type: ignore[method-assign]
    ids = world.ids()
    problems = []
    for role, action, expected in VIEWS:
        text = action.format(**ids)
        user = USERS[role]
        calls = await (
            harness.say(user, text) if text.startswith("/") else harness.press(user, text)
        )
        sent = texts(calls)
        assert sent or action.startswith(("dv:r", "cpmsgo", "dr:a")), f"{action}: nothing sent"
        problems += problems_in(f"{action} [{role}]", sent, expected)
    async with database.session() as session:
        queued = [
            row.payload
            for row in (await session.execute(select(OutboxMessage))).scalars()
            if row.payload
        ]
    # what the reminders, the report notices and the milestone opening will send
    outbox = [str(p.get("text") or p.get("caption") or "") for p in queued]
    assert outbox, "nothing was queued"
    problems += problems_in("outbox", outbox, (CAMPAIGN,))
    assert not problems, "\n".join(problems)


def test_the_parser_tells_escaped_from_raw() -> None:
    """The check itself: raw markup is caught, escaped text round-trips."""
    from html import escape

    assert problems_in("ok", [f"<b>{escape(UNIT)}</b>"], (UNIT,)) == []
    raw = problems_in("raw", [f"<b>{UNIT}</b>"], (UNIT,))
    assert any("script" in p for p in raw) and any("not shown as typed" in p for p in raw)
    assert problems_in("bloc", [BLOC], (BLOC,)) != []
