"""The authorisation matrix (issue 8): every command and every button, pressed by each of seven
roles, gives exactly what the table below says.

The data aimed at lives in Thanh tra tỉnh (see `tests/support/authz_seed.py`). An allowed role
gets the real content (a specific piece of it is asserted, and for scoped views what must stay
hidden); a refused role gets the clear refusal, none of the unit's people or notes, and a
refused press on another person's, unit's or bloc's data leaves one WARNING on the
`thidua.security` logger. Refused presses must change nothing in the database.

Adding a command or a button means adding a row: `test_every_command_and_button_has_a_row`
fails until it has one.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import pledges
from handlers import officer, officer_reports, scoring, summary
from storage.campaign_models import Acknowledgement, Broadcast, Campaign, OutboxMessage
from storage.database import Database
from storage.models import Invite
from storage.pledge_models import CovenantSignature, Pledge
from storage.progress_models import ProgressReport
from storage.reminder_models import MemberLeave, Reminder
from storage.scoring_models import ScoringSheet
from tests.support.authz_seed import (
    ADMIN_ROLE,
    BLOC_HEAD,
    DRAFT_NAME,
    DUNG_NAME,
    DUNG_NOTE,
    EM_COMMITMENT,
    EM_NAME,
    MAI_NAME,
    MEMBER,
    NOW,
    OFFICER,
    OTHER_BLOC_HEAD,
    OTHER_OFFICER,
    ROLES,
    STRANGER_ROLE,
    USERS,
    World,
    seed_world,
)
from tests.support.flows import shown
from tests.support.harness import BotHarness

S, M, OO, O, OB, B, A = (  # noqa: E741 (O: the officer)
    STRANGER_ROLE,
    MEMBER,
    OTHER_OFFICER,
    OFFICER,
    OTHER_BLOC_HEAD,
    BLOC_HEAD,
    ADMIN_ROLE,
)
EVERYONE = frozenset(ROLES)
LINKED = frozenset({M, OO, O, OB, B})
MANAGERS = frozenset({OO, O, OB, B, A})  # anyone who manages some unit
UNIT_MANAGERS = frozenset({O, B, A})  # those who manage Thanh tra tỉnh
LEADERS = frozenset({B, A})
ADMINS = frozenset({A})
UNLINKED = frozenset({S, A})

NOT_YOURS = "Bạn không quản lý đơn vị này"
NOT_YOUR_BLOC = "Bạn không phụ trách khối này"
MANAGERS_ONLY = "Chỉ cán bộ thi đua, trưởng khối và quản trị viên xem được mục này"
ADMINS_MANAGE = "Chỉ quản trị viên mới quản lý được các phong trào"
ADMINS_LAUNCH = "Chỉ quản trị viên mới được phát động phong trào"
NOT_LINKED_REPORT = "Chỉ thành viên trong danh sách mới báo cáo được"
NOT_LINKED_PLEDGE = "Chỉ người có trong danh sách đơn vị mới đăng ký được"
STALE = "Nút này không còn hiệu lực"
ERASE_ADMINS = "Chỉ quản trị viên mới được xóa dữ liệu của một người"
# What refused roles must never see: the people and notes of Thanh tra tỉnh.
SECRETS = (DUNG_NAME, EM_NAME, DUNG_NOTE, EM_COMMITMENT)

Text = str | Mapping[str, str]
Prepare = Callable[[Database, World], Awaitable[None]]


@dataclass(frozen=True)
class Row:
    """One command (`/…`) or button (callback data with `{world ids}`) and who gets what."""

    action: str
    allowed: frozenset[str]
    shows: Text  # in what an allowed role sees (one text, or one per role)
    refusal: Text = ""  # in what a refused role sees
    hides: Mapping[str, str] = field(default_factory=dict)  # never shown to that allowed role
    unlogged: frozenset[str] = frozenset()  # refused without a security log line (not linked…)
    before: tuple[str, ...] = ()  # pressed first by the same person (the list before approve-all)
    # It decides something another allowed role would then find done: each allowed role acts
    # in a world of its own, shared only with the rows of the same group.
    fresh: str = ""
    prepare: Prepare | None = None  # a change to that world first (needs `fresh`)

    @property
    def is_button(self) -> bool:
        return not self.action.startswith("/")

    def expected(self, table: Text, role: str) -> str:
        return table if isinstance(table, str) else table[role]


def per_role(default: str, **overrides: str) -> dict[str, str]:
    names = {"S": S, "M": M, "OO": OO, "O": O, "OB": OB, "B": B, "A": A}
    table = dict.fromkeys(ROLES, default)
    table.update({names[key]: value for key, value in overrides.items()})
    return table


async def _withdraw_em(database: Database, world: World) -> None:
    """Em has no registration: the officer may enter one for him."""
    async with database.session() as session:
        await pledges.withdraw(world.em_pledge, actor=None, today=NOW.date(), session=session)


UNIT_SCOPED = {OO: "Thanh tra tỉnh", OB: "Thanh tra tỉnh"}

ROWS: tuple[Row, ...] = (
    # --- commands ----------------------------------------------------------------------------
    Row(
        "/start",
        EVERYONE,
        per_role(
            "Bạn đã được liên kết",
            S="Chia sẻ số điện thoại",
            A="Chia sẻ số điện thoại",
            M=DUNG_NAME,
            O="Phạm Văn Cường",
        ),
    ),
    Row(
        "/help",
        EVERYONE,
        per_role("/donvi", S="Bạn chưa được liên kết", M="/nhacnho", A="/phatdong"),
        hides={S: "/dangky", M: "/donvi", O: "/phatdong", B: "/phatdong"},
    ),
    Row("/language", EVERYONE, "Chọn ngôn ngữ"),
    Row(
        "/moi",
        MANAGERS,
        per_role(
            "Tạo link mời cho đơn vị nào?",
            OO="Sở Tư pháp",
            O="Thanh tra tỉnh",
            OB="Ủy ban MTTQ tỉnh",
        ),
        "mới tạo được link mời",
        hides={OO: "Thanh tra tỉnh", O: "Sở Tư pháp", OB: "Thanh tra tỉnh"},
    ),
    Row(
        "/thanhvien",
        MANAGERS,
        per_role(EM_NAME, OO="Sở Tư pháp: 3/3", OB="Ủy ban MTTQ tỉnh: 1/1"),
        "mới xem được danh sách này",
        hides={OO: EM_NAME, OB: EM_NAME, B: "Ủy ban MTTQ tỉnh"},
    ),
    Row("/phatdong", ADMINS, "Phong trào thi đua mới", ADMINS_LAUNCH),
    Row("/phongtrao", ADMINS, DRAFT_NAME, ADMINS_MANAGE),
    Row("/thongbao", ADMINS, "Thông báo mới", "Chỉ quản trị viên mới được gửi thông báo"),
    Row(
        "/dangky",
        LINKED,
        per_role("Chọn danh hiệu thi đua", M="Đăng ký của bạn"),
        NOT_LINKED_PLEDGE,
    ),
    Row(
        "/baocao",
        frozenset({M}),
        "Chỉ tiêu 1/1",
        per_role("chưa có đăng ký thi đua để báo cáo", S=NOT_LINKED_REPORT, A=NOT_LINKED_REPORT),
    ),
    Row(
        "/tiendo",
        frozenset({M}),
        "Tiến độ của bạn",
        per_role(
            "chưa có đăng ký thi đua nào được duyệt", S=NOT_LINKED_REPORT, A=NOT_LINKED_REPORT
        ),
    ),
    Row("/nhacnho", LINKED, "Lịch nhắc hạn của bạn", NOT_LINKED_REPORT),
    Row(
        "/tonghop",
        MANAGERS,
        per_role(
            "<b>Thanh tra tỉnh</b>: đăng ký 2/3",
            OO="<b>Sở Tư pháp</b>: đăng ký 1/3",
            OB="<b>Ủy ban MTTQ tỉnh</b>: đăng ký 0/1",
            A="toàn bộ cơ quan, đơn vị",
        ),
        MANAGERS_ONLY,
        hides={OO: "Thanh tra tỉnh", O: "Sở Tư pháp", OB: "Nội chính"},
    ),
    Row(
        "/donvi",
        MANAGERS,
        per_role(
            "Chọn đơn vị",
            OO="<b>Sở Tư pháp</b>",
            O="Chờ duyệt: 1",
            OB="<b>Ủy ban MTTQ tỉnh</b>",
        ),
        MANAGERS_ONLY,
        hides=UNIT_SCOPED,
    ),
    Row(
        "/chamdiem",
        MANAGERS,
        per_role(
            "Thanh tra tỉnh: 0 điểm",
            OO="Đơn vị: Sở Tư pháp",
            O="Đơn vị: Thanh tra tỉnh",
            OB="Chưa có bảng chấm điểm nào dành cho bạn",
        ),
        MANAGERS_ONLY,
        hides={OO: "Thanh tra tỉnh", O: "Sở Tư pháp", OB: "Thanh tra tỉnh"},
    ),
    Row("/huy", EVERYONE, "hủy"),
    Row(
        "/baocaogui {campaign}",
        ADMINS,
        "kết quả gửi tin và xác nhận theo đơn vị",
        "Chỉ quản trị viên mới xem được báo cáo gửi tin",
    ),
    # --- buttons anyone may press ------------------------------------------------------------
    Row("lang:vi", EVERYONE, "Đã chuyển sang tiếng Việt"),
    Row("ack:{campaign}", LINKED, "bot đã ghi nhận", STALE, unlogged=UNLINKED),
    Row(
        "reg:{campaign}",
        LINKED,
        per_role("Chọn danh hiệu thi đua", M="Đăng ký của bạn"),
        NOT_LINKED_PLEDGE,
        unlogged=UNLINKED,
    ),
    Row("f:zz.abcd:x", frozenset(), "", STALE, unlogged=EVERYONE),
    Row(
        "rep:{campaign}:{milestone}",
        frozenset({M}),
        "Chỉ tiêu 1/1",
        per_role("chưa có đăng ký thi đua để báo cáo", S=NOT_LINKED_REPORT, A=NOT_LINKED_REPORT),
        unlogged=EVERYONE,  # only ever the person's own pledges: nothing of others to refuse
    ),
    Row(
        "nn:s:{dung_reminder}:1",
        frozenset({M}),
        "Đã hoãn đến",
        per_role("Lần nhắc này không phải của bạn", S=NOT_LINKED_REPORT, A=NOT_LINKED_REPORT),
        unlogged=UNLINKED,
    ),
    Row(
        "nn:x:{dung_leave}",
        frozenset({M}),
        "Đã hủy.",
        per_role("Đăng ký nghỉ này không phải của bạn", S=NOT_LINKED_REPORT, A=NOT_LINKED_REPORT),
        unlogged=UNLINKED,
    ),
    Row(
        "nn:l:leave",
        LINKED,
        "Gửi ngày đầu và ngày cuối nghỉ phép",
        NOT_LINKED_REPORT,
        unlogged=UNLINKED,
    ),
    # --- /donvi: a unit ------------------------------------------------------------------------
    Row("inv:{unit}", UNIT_MANAGERS, "Thanh tra tỉnh", "không thể tạo link mời cho đơn vị này"),
    Row("dv:u:{unit}", UNIT_MANAGERS, "Chờ duyệt: 1", NOT_YOURS),
    Row("dv:c:{campaign}:{unit}", UNIT_MANAGERS, "Chờ duyệt: 1", NOT_YOURS),
    Row("dv:r:{campaign}:{unit}", UNIT_MANAGERS, "Đã xếp lịch gửi nhắc", NOT_YOURS),
    Row("dv:l:{campaign}:{unit}", UNIT_MANAGERS, f"{EM_NAME} — Lao động tiên tiến", NOT_YOURS),
    Row(
        "dv:A:{campaign}:{unit}",
        UNIT_MANAGERS,
        "Duyệt 1 bản đăng ký trong danh sách?",
        NOT_YOURS,
        before=("dv:l:{campaign}:{unit}",),
    ),
    Row(
        "dv:Y:{campaign}:{unit}",
        UNIT_MANAGERS,
        "Đã duyệt: 1",
        NOT_YOURS,
        before=("dv:l:{campaign}:{unit}",),
        fresh="approve all",
    ),
    Row(
        "dv:g:{campaign}:{unit}",
        UNIT_MANAGERS,
        "Giao ước thi đua Khối các cơ quan Nội chính",
        NOT_YOURS,
    ),
    Row(
        "dv:k:{campaign}:{unit}",
        UNIT_MANAGERS,
        "Đã ký giao ước cho đơn vị",
        NOT_YOURS,
        fresh="decide",
    ),
    Row(
        "dv:t:{campaign}:{unit}",
        UNIT_MANAGERS,
        "Đăng ký thi đua tập thể của Thanh tra tỉnh",
        NOT_YOURS,
    ),
    Row(
        "dv:o:{campaign}:{em_member}",
        UNIT_MANAGERS,
        f"Đăng ký thay cho {EM_NAME} (do bạn nhập)",
        "Bạn không thể đăng ký thay cho người này",
        fresh="on behalf",
        prepare=_withdraw_em,
    ),
    # --- /donvi: one pledge --------------------------------------------------------------------
    Row("dv:v:{em_pledge}", UNIT_MANAGERS, EM_COMMITMENT, NOT_YOURS),
    Row("dv:a:{em_pledge}", UNIT_MANAGERS, "✅ Đã duyệt.", NOT_YOURS, fresh="decide"),
    Row(
        "dv:x:{em_pledge}",
        UNIT_MANAGERS,
        f"Nhập lý do trả lại bản đăng ký của {EM_NAME}",
        NOT_YOURS,
    ),
    # another unit's pledge (Sở Tư pháp): Thanh tra's officer is the outsider here
    Row("dv:v:{mai_pledge}", frozenset({OO, B, A}), MAI_NAME, NOT_YOURS),
    # --- /donvi → 📈 progress reports ----------------------------------------------------------
    Row("dr:m:{campaign}:{unit}", UNIT_MANAGERS, f"{DUNG_NAME} — 50,0%", NOT_YOURS),
    Row("dr:u:{milestone}:{unit}", UNIT_MANAGERS, f"{DUNG_NAME} — 50,0%", NOT_YOURS),
    Row(
        "dr:g:{milestone}:{unit}",
        UNIT_MANAGERS,
        "tỷ lệ hoàn thành kế hoạch bình quân",
        NOT_YOURS,
    ),
    Row(  # the unit has no collective pledge to report on: past the scope check, it says so
        "dr:t:{milestone}:{unit}",
        UNIT_MANAGERS,
        "chưa có đăng ký thi đua để báo cáo",
        NOT_YOURS,
    ),
    Row("dr:v:{report}", UNIT_MANAGERS, DUNG_NOTE, NOT_YOURS),
    Row("dr:e:{report}", UNIT_MANAGERS, f"1/1 — {DUNG_NAME}", NOT_YOURS),
    Row(
        "dr:a:{report}",
        UNIT_MANAGERS,
        f"Đã duyệt báo cáo của {DUNG_NAME}",
        NOT_YOURS,
        fresh="decide",
    ),
    Row("dr:x:{report}", UNIT_MANAGERS, f"lý do trả lại báo cáo của {DUNG_NAME}", NOT_YOURS),
    # --- /chamdiem -----------------------------------------------------------------------------
    Row("cd:s:{sheet}", LEADERS, "Thanh tra tỉnh: 0 điểm", NOT_YOUR_BLOC),
    Row("cd:u:{sheet}:{unit}", UNIT_MANAGERS, "Đơn vị: Thanh tra tỉnh", NOT_YOURS),
    Row(
        "cd:e:{sheet}:{unit}",
        frozenset({O}),
        "bạn chấm tiêu chí nào",
        per_role(NOT_YOURS, B="Chỉ cán bộ thi đua của đơn vị", A="Chỉ cán bộ thi đua của đơn vị"),
    ),
    Row(
        "cd:a:{sheet}:{unit}",
        LEADERS,
        "bạn điều chỉnh tiêu chí nào",
        per_role(NOT_YOURS, O="Chỉ trưởng khối, phó khối hoặc quản trị viên"),
    ),
    Row("cd:p:{sheet}", LEADERS, "Công bố kết quả này?", NOT_YOUR_BLOC),
    Row("cd:P:{sheet}", LEADERS, "Đã công bố: kết quả đã được khóa", NOT_YOUR_BLOC, fresh="decide"),
    Row("cd:r:{sheet}", LEADERS, "Xếp hạng tạm thời", NOT_YOUR_BLOC),
    # --- /tonghop ------------------------------------------------------------------------------
    Row(
        "th:c:{campaign}:0:0",
        MANAGERS,
        per_role(
            "<b>Thanh tra tỉnh</b>: đăng ký 2/3",
            OO="<b>Sở Tư pháp</b>: đăng ký 1/3",
            OB="<b>Ủy ban MTTQ tỉnh</b>",
            A="toàn bộ cơ quan, đơn vị",
        ),
        MANAGERS_ONLY,
        hides={OO: "Thanh tra tỉnh", O: "Sở Tư pháp", OB: "Nội chính"},
    ),
    Row(
        "th:b:{campaign}:{bloc}:0",
        frozenset({OO, O, B, A}),
        per_role("<b>Thanh tra tỉnh</b>: đăng ký 2/3", OO="<b>Sở Tư pháp</b>: đăng ký 1/3"),
        per_role(MANAGERS_ONLY, OB="Bạn không được xem khối/cụm này"),
        hides={OO: "Thanh tra tỉnh", O: "Sở Tư pháp"},
    ),
    Row(
        "th:u:{campaign}:{unit}:0",
        UNIT_MANAGERS,
        f"{EM_NAME} — Lao động tiên tiến (Chờ duyệt)",
        per_role(NOT_YOURS, S=MANAGERS_ONLY, M=MANAGERS_ONLY),
    ),
    Row(
        "th:xu:{campaign}:{unit}:0",
        UNIT_MANAGERS,
        "📎 Phong trào thi đua",
        per_role(NOT_YOURS, S=MANAGERS_ONLY, M=MANAGERS_ONLY),
    ),
    Row(
        "th:gu:{campaign}:{unit}:0",
        UNIT_MANAGERS,
        "— Thanh tra tỉnh",
        per_role(NOT_YOURS, S=MANAGERS_ONLY, M=MANAGERS_ONLY),
    ),
    Row(
        "th:wb:{campaign}:{bloc}:0",
        frozenset({OO, O, B, A}),
        per_role("— Khối các cơ quan Nội chính", OO="— Sở Tư pháp", O="— Thanh tra tỉnh"),
        per_role(MANAGERS_ONLY, OB="Bạn không được xem khối/cụm này"),
    ),
    # --- administrators' buttons (last: the launch changes the campaign list) -----------------
    Row("bcstop:{broadcast}", ADMINS, "Đã dừng", "Chỉ quản trị viên mới dừng được đợt gửi tin"),
    Row("cprr:{campaign}", ADMINS, "Cho phép hoãn nhắc", ADMINS_MANAGE),
    Row("cpms:{milestone}", ADMINS, "Đã mở kỳ báo cáo “Quý I”", ADMINS_MANAGE),
    Row("cpmsgo:{milestone}", ADMINS, "Đã xếp gửi: 2", ADMINS_MANAGE),
    Row("cplaunch:{draft}", ADMINS, "đúng nội dung mọi người sẽ nhận", ADMINS_LAUNCH),
    Row("cpgo:{draft}", ADMINS, "Đã phát động", ADMINS_LAUNCH),
    # --- personal data: always the sender's own; erasing is for administrators -------------
    Row(
        "/dulieu",
        EVERYONE,
        "Dữ liệu của bạn do bot lưu giữ",
        hides=per_role(DUNG_NOTE, M=EM_COMMITMENT),
    ),
    Row("dulieu:json", EVERYONE, "Toàn bộ dữ liệu bot lưu giữ về bạn"),
    Row("/xoadulieu #{em_member}", ADMINS, EM_NAME, ERASE_ADMINS),
    Row("xoadl:no", ADMINS, "Chưa xóa dữ liệu nào", ERASE_ADMINS),
    Row("xoadl:{em_member}", ADMINS, "", ERASE_ADMINS),  # last: erases Em
)

# Other names of the same commands (one handler each): the row of the main name covers them.
ALIASES = {
    "trogiup": "help",
    "ngonngu": "language",
    "invite": "moi",
    "members": "thanhvien",
    "campaigns": "phongtrao",
    "cancel": "huy",
    "report": "baocao",
    "progress": "tiendo",
    "reminders": "nhacnho",
    "summary": "tonghop",
    "unit": "donvi",
    "scoring": "chamdiem",
}


@dataclass(frozen=True)
class Cell:
    row: Row
    role: str

    @property
    def allowed(self) -> bool:
        return self.role in self.row.allowed


async def _world(harness: BotHarness, database: Database) -> World:
    world = await seed_world(database)
    harness.app.services.now = lambda: NOW  # type: ignore[method-assign]
    return world


async def _act(harness: BotHarness, world: World, text: str, role: str) -> str:
    action = text.format(**world.ids())
    user = USERS[role]
    calls = await (
        harness.say(user, action) if action.startswith("/") else harness.press(user, action)
    )
    return shown(calls)


def _security_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "thidua.security" and r.levelno == logging.WARNING
    ]


async def _check(
    harness: BotHarness, world: World, cell: Cell, caplog: pytest.LogCaptureFixture
) -> list[str]:
    """What is wrong with this cell (empty: it behaves as the table says)."""
    row, role = cell.row, cell.role
    if cell.allowed:
        for earlier in row.before:
            await _act(harness, world, earlier, role)
    caplog.clear()
    text = await _act(harness, world, row.action, role)
    logged = _security_lines(caplog)
    where = f"{row.action} [{role}]"
    problems = []
    if cell.allowed:
        expected = row.expected(row.shows, role)
        if expected not in text:
            problems.append(f"{where}: allowed, expected {expected!r} in {text[:300]!r}")
        hidden = row.hides.get(role)
        if hidden and hidden in text:
            problems.append(f"{where}: shows {hidden!r}, outside the person's scope")
        if logged:
            problems.append(f"{where}: allowed, yet logged as refused")
        return problems
    expected = row.expected(row.refusal, role)
    if expected not in text:
        problems.append(f"{where}: refused, expected {expected!r} in {text[:300]!r}")
    leaked = [secret for secret in SECRETS if secret in text]
    if leaked:
        problems.append(f"{where}: refused, yet shows {leaked}")
    must_log = row.is_button and role not in row.unlogged
    action = row.action.format(**world.ids())
    if must_log:
        ours = [
            r for r in logged if str(USERS[role]) in r.getMessage() and action in r.getMessage()
        ]
        if len(ours) != 1:
            problems.append(
                f"{where}: refused press not logged once: {[r.getMessage() for r in logged]}"
            )
    elif logged:
        problems.append(f"{where}: logged, yet not a forged press")
    return problems


async def _fingerprint(database: Database) -> tuple[object, ...]:
    """What a refused press must not change."""
    async with database.session() as session:

        async def rows(query: object) -> list[object]:
            return [tuple(row) for row in (await session.execute(query)).all()]  # type: ignore[arg-type]

        async def count(model: type) -> int:
            return int(
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
            )

        return (
            await rows(select(Pledge.id, Pledge.status).order_by(col(Pledge.id))),
            await rows(
                select(ProgressReport.id, ProgressReport.status).order_by(col(ProgressReport.id))
            ),
            await rows(select(Campaign.id, Campaign.status).order_by(col(Campaign.id))),
            await rows(select(ScoringSheet.id, ScoringSheet.status)),
            await rows(select(Broadcast.id, Broadcast.status)),
            await rows(select(Reminder.id, Reminder.due_at).order_by(col(Reminder.id))),
            await count(MemberLeave),
            await count(CovenantSignature),
            await count(OutboxMessage),
            await count(Invite),
            await count(Acknowledgement),
        )


def _cells(rows: tuple[Row, ...]) -> tuple[list[Cell], list[Cell]]:
    """Refused cells first (they run on an untouched world), then the allowed ones in row order."""
    refused = [Cell(row, role) for row in rows for role in ROLES if role not in row.allowed]
    allowed = [
        Cell(row, role) for row in rows for role in ROLES if role in row.allowed and not row.fresh
    ]
    return refused, allowed


async def test_the_matrix(
    harness: BotHarness, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="thidua.security")
    world = await _world(harness, database)
    refused, allowed = _cells(ROWS)
    before = await _fingerprint(database)
    problems = [p for cell in refused for p in await _check(harness, world, cell, caplog)]
    if await _fingerprint(database) != before:
        problems.append("refused presses changed the database")
    problems += [p for cell in allowed for p in await _check(harness, world, cell, caplog)]
    assert not problems, "\n".join(problems)


GROUPS = sorted({row.fresh for row in ROWS if row.fresh})
DECIDING = [
    pytest.param(group, role, id=f"{group}-{role}")
    for group in GROUPS
    for role in ROLES
    if any(role in row.allowed for row in ROWS if row.fresh == group)
]


@pytest.mark.parametrize(("group", "role"), DECIDING)
async def test_each_deciding_role_in_a_world_of_its_own(
    harness: BotHarness,
    database: Database,
    caplog: pytest.LogCaptureFixture,
    group: str,
    role: str,
) -> None:
    caplog.set_level(logging.WARNING, logger="thidua.security")
    world = await _world(harness, database)
    rows = [row for row in ROWS if row.fresh == group and role in row.allowed]
    for row in rows:
        if row.prepare is not None:
            await row.prepare(database, world)
    problems = [p for row in rows for p in await _check(harness, world, Cell(row, role), caplog)]
    assert not problems, "\n".join(problems)


def test_every_command_and_button_has_a_row(harness: BotHarness) -> None:
    """A new command or button prefix (or a new action of dv:, dr:, cd:, th:) needs a row."""
    commands = {
        name
        for handlers in harness.app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    covered = {row.action.split()[0].removeprefix("/") for row in ROWS if not row.is_button}
    assert {ALIASES.get(name, name) for name in commands} == covered
    prefixes = {
        handler.pattern.pattern.removeprefix("^").removesuffix("$")  # type: ignore[union-attr]
        for handlers in harness.app.handlers.values()
        for handler in handlers
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None
    }
    buttons = [row.action for row in ROWS if row.is_button]
    missing = [prefix for prefix in prefixes if not any(b.startswith(prefix) for b in buttons)]
    assert not missing, f"buttons without a row: {missing}"
    actions = {
        officer.PREFIX: {*officer.UNIT_ACTIONS, *officer.PLEDGE_ACTIONS, "o"},
        officer_reports.PREFIX: set(officer_reports._ARITY),
        scoring.PREFIX: set(scoring.ACTIONS),
        summary.PREFIX: {"c", "b", "u", *summary.EXPORTS},
    }
    for prefix, names in actions.items():
        used = {b.removeprefix(prefix).split(":")[0] for b in buttons if b.startswith(prefix)}
        kinds = {name[0] if prefix == summary.PREFIX and len(name) == 2 else name for name in used}
        assert names <= kinds, f"{prefix} actions without a row: {names - kinds}"


def test_the_refusal_log_line_names_who_what_and_which_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.refusals import log_refusal

    caplog.set_level(logging.WARNING, logger="thidua.security")
    log_refusal(505, "dv:v:3", "pledge")
    [record] = caplog.records
    assert record.name == "thidua.security" and record.levelno == logging.WARNING
    assert record.getMessage() == "refused press: user=505 data='dv:v:3' refused=pledge"
