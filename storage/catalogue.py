"""The catalogue of titles (danh hiệu) and forms of commendation (hình thức khen thưởng).

Defaults follow Luật Thi đua, khen thưởng 06/2022/QH15; `ensure_default_catalogue` adds missing
ones and never overwrites what an organisation edited. Organisations add their own items.
"""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.campaign_models import CatalogueItem, CatalogueKind, TitleScope

_T, _A = CatalogueKind.TITLE, CatalogueKind.AWARD
_I, _C, _B = TitleScope.INDIVIDUAL, TitleScope.COLLECTIVE, TitleScope.BOTH

# (code, name, kind, scope, rank, the one line shown when a member picks it)
DEFAULT_ITEMS: tuple[tuple[str, str, CatalogueKind, TitleScope, int, str], ...] = (
    (
        "LDTT",
        "Lao động tiên tiến",
        _T,
        _I,
        10,
        "Hoàn thành tốt nhiệm vụ trở lên; không xét người mới tuyển dụng dưới 6 tháng.",
    ),
    (
        "CSTT",
        "Chiến sĩ tiên tiến",
        _T,
        _I,
        10,
        "Danh hiệu tương đương Lao động tiên tiến trong lực lượng vũ trang.",
    ),
    (
        "CSTDCS",
        "Chiến sĩ thi đua cơ sở",
        _T,
        _I,
        20,
        "Đạt Lao động tiên tiến và có một trong: hoàn thành xuất sắc nhiệm vụ, sáng kiến "
        "được công nhận, hoặc đề tài khoa học được nghiệm thu.",
    ),
    (
        "CSTD_TINH",
        "Chiến sĩ thi đua cấp Bộ, ban, ngành, tỉnh",
        _T,
        _I,
        30,
        "3 năm liên tục đạt Chiến sĩ thi đua cơ sở và có sáng kiến có phạm vi ảnh hưởng "
        "trong Bộ, ngành, tỉnh.",
    ),
    (
        "CSTD_TQ",
        "Chiến sĩ thi đua toàn quốc",
        _T,
        _I,
        40,
        "2 lần liên tục đạt Chiến sĩ thi đua cấp Bộ, ban, ngành, tỉnh.",
    ),
    ("GDVH", "Gia đình văn hóa", _T, _I, 5, "Danh hiệu của hộ gia đình."),
    (
        "TTLDTT",
        "Tập thể lao động tiên tiến",
        _T,
        _C,
        10,
        "Trên 50% thành viên đạt Lao động tiên tiến.",
    ),
    (
        "DVTT",
        "Đơn vị tiên tiến",
        _T,
        _C,
        10,
        "Danh hiệu tương đương Tập thể lao động tiên tiến trong lực lượng vũ trang.",
    ),
    (
        "TTLDXS",
        "Tập thể lao động xuất sắc",
        _T,
        _C,
        20,
        "100% thành viên hoàn thành nhiệm vụ, ít nhất 70% đạt Lao động tiên tiến, có ít nhất "
        "một Chiến sĩ thi đua cơ sở.",
    ),
    (
        "DVQT",
        "Đơn vị quyết thắng",
        _T,
        _C,
        20,
        "Danh hiệu tương đương Tập thể lao động xuất sắc trong lực lượng vũ trang.",
    ),
    (
        "CO_TINH",
        "Cờ thi đua của Bộ, ban, ngành, tỉnh",
        _T,
        _C,
        30,
        "Dẫn đầu Khối, Cụm thi đua của Bộ, ban, ngành, tỉnh.",
    ),
    (
        "CO_CP",
        "Cờ thi đua của Chính phủ",
        _T,
        _C,
        40,
        "Dẫn đầu các tập thể được tặng Cờ thi đua của Bộ, ban, ngành, tỉnh.",
    ),
    ("XA_TIEU_BIEU", "Xã, phường, thị trấn tiêu biểu", _T, _C, 20, "Danh hiệu của cấp xã."),
    ("THON_VH", "Thôn, tổ dân phố văn hóa", _T, _C, 10, "Danh hiệu của thôn, tổ dân phố."),
    ("GIAY_KHEN", "Giấy khen", _A, _B, 10, "Do thủ trưởng cơ quan, đơn vị tặng."),
    (
        "BK_TINH",
        "Bằng khen của Bộ, ban, ngành, tỉnh",
        _A,
        _B,
        20,
        "Do Bộ trưởng, Thủ trưởng ban, ngành hoặc Chủ tịch UBND tỉnh tặng.",
    ),
    ("BK_TTG", "Bằng khen của Thủ tướng Chính phủ", _A, _B, 30, ""),
    ("KNC", "Kỷ niệm chương", _A, _I, 15, "Ghi nhận quá trình cống hiến cho ngành, lĩnh vực."),
    ("HUY_CHUONG", "Huy chương", _A, _I, 35, ""),
    ("HUAN_CHUONG", "Huân chương", _A, _B, 40, "Nhiều loại và hạng; đề nghị theo quy định."),
)


async def ensure_default_catalogue(*, session: AsyncSession) -> int:
    """Insert the default items whose code is missing; return how many were added."""
    existing = set((await session.execute(select(CatalogueItem.code))).scalars().all())
    added = 0
    for code, name, kind, scope, rank, requirement in DEFAULT_ITEMS:
        if code not in existing:
            session.add(
                CatalogueItem(
                    code=code,
                    name=name,
                    kind=kind,
                    scope=scope,
                    rank=rank,
                    requirement=requirement,
                    builtin=True,
                )
            )
            added += 1
    await session.flush()
    return added


async def all_items(*, session: AsyncSession) -> list[CatalogueItem]:
    result = await session.execute(
        select(CatalogueItem).order_by(col(CatalogueItem.kind), col(CatalogueItem.rank))
    )
    return list(result.scalars().all())


async def items_by_ids(ids: Sequence[int], *, session: AsyncSession) -> list[CatalogueItem]:
    result = await session.execute(
        select(CatalogueItem)
        .where(col(CatalogueItem.id).in_(ids))
        .order_by(col(CatalogueItem.kind), col(CatalogueItem.rank))
    )
    return list(result.scalars().all())


async def add_item(item: CatalogueItem, *, session: AsyncSession) -> CatalogueItem:
    session.add(item)
    await session.flush()
    return item
