"""Progress charts: real PNGs within Telegram's photo limits, with the right words and numbers."""

import ast
import io
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

import bot.progress_chart
from bot.progress_chart import (
    ACHIEVED_COLOUR,
    EXPECTED_COLOUR,
    ChartBar,
    ChartTexts,
    annotation,
    member_figure,
    render_png,
    share_label,
    shorten,
    unit_figure,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXTS = ChartTexts()
LONG_TARGET = "Số sáng kiến, giải pháp được Hội đồng khoa học cấp cơ sở công nhận trong năm"
MEMBER_BARS = [
    ChartBar(LONG_TARGET, Decimal(5), Decimal(3), "sáng kiến"),
    ChartBar("Bài viết", Decimal(2000), Decimal("1234.5"), "bài"),
    ChartBar("Tỷ lệ đoàn viên xuất sắc", Decimal(90), Decimal(85), "%"),
    ChartBar("Giờ tình nguyện", Decimal(40), Decimal(52), "giờ"),
    ChartBar("Đề tài", Decimal(1), Decimal(0)),
]


def members(count: int) -> list[ChartBar]:
    return [
        ChartBar(f"Nguyễn Thị Thu Hà {n}", Decimal(10 + n % 7), Decimal(n % 13), "bài")
        for n in range(count)
    ]


def count_pixels(image: Image.Image, colour: str) -> int:
    wanted = [int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)]
    return int(np.all(np.asarray(image) == wanted, axis=-1).sum())


def decoded(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def drawn_texts(figure: Figure) -> list[str]:
    """Every non-empty text artist, once the figure is drawn (tick labels are set at draw)."""
    render_png(figure)
    return [text.get_text() for text in figure.findobj(Text) if text.get_text()]


def legend_texts(figure: Figure) -> list[str]:
    (legend,) = figure.legends
    return [text.get_text() for text in legend.get_texts()]


def vi_member(bars: Sequence[ChartBar] = MEMBER_BARS, share: float | None = 0.45) -> Figure:
    return member_figure("Tiến độ của Nguyễn Thị Mai", bars, share, locale="vi", texts=TEXTS)


def test_member_chart_is_a_png_that_opens() -> None:
    png = render_png(vi_member())

    image = decoded(png)
    width, height = image.size
    assert width == 800  # 8 in at DPI 100: phone-sized
    assert 400 <= height <= 520  # five bars of 0.6 in, plus title, legend and axis
    assert len(png) > 10_000
    assert count_pixels(image, ACHIEVED_COLOUR) > 5_000  # the achieved bars are really drawn
    assert count_pixels(image, EXPECTED_COLOUR) > 100  # and so is the expected marker
    assert matplotlib.image.imread(io.BytesIO(png)).shape == (height, width, 4)


def test_labels_figures_and_legend_are_on_the_chart_in_vietnamese_format() -> None:
    figure = vi_member()

    texts = drawn_texts(figure)
    assert "Tiến độ của Nguyễn Thị Mai" in texts
    assert "Bài viết" in texts
    assert "1.234,5/2.000 bài (61,7%)" in texts
    assert "3/5 sáng kiến (60,0%)" in texts
    assert "85%/90% (94,4%)" in texts  # a target counted in percent keeps its % sign
    assert "52/40 giờ (130,0%)" in texts
    assert "0/1 (0,0%)" in texts
    assert "% of plan" in texts
    assert legend_texts(figure) == ["Planned", "Achieved", "Expected by today (45,0%)"]


def test_unit_chart_shows_names_and_share_of_plan_only() -> None:
    """The unit chart compares people by share of plan; the exact figures are in the message."""
    bars = [
        ChartBar("Nguyễn Thị Mai", Decimal(2000), Decimal("1234.5"), "bài"),
        ChartBar("Trần Văn Bình", Decimal(40), Decimal(52), "giờ"),
        ChartBar("Lê Hữu Chi", Decimal(1), Decimal(0)),
    ]
    figure = unit_figure("Chi đoàn 12A1", bars, 0.45, locale="vi", texts=TEXTS)

    texts = drawn_texts(figure)
    assert {"Nguyễn Thị Mai", "Trần Văn Bình", "Lê Hữu Chi"} <= set(texts)
    assert {"61,7%", "130,0%", "0,0%"} <= set(texts)
    assert "1.234,5/2.000 bài (61,7%)" not in texts
    assert not any("/" in text for text in texts)  # no "achieved/planned" anywhere
    assert "% of plan" in texts
    assert legend_texts(figure) == ["Planned", "Achieved", "Expected by today (45,0%)"]


def test_unit_chart_names_stay_readable_at_200_bars() -> None:
    """28 px per bar at DPI 100, and the names at 8 pt: over 9 px tall, not shrunk to fit."""
    figure = unit_figure("Đơn vị", members(200), 0.5, locale="vi", texts=TEXTS)

    assert figure.dpi == 100
    names = [t for t in figure.findobj(Text) if t.get_text().startswith("Nguyễn Thị Thu Hà")]
    assert len(names) == 200
    assert all(float(name.get_fontsize()) * figure.dpi / 72 >= 9 for name in names)
    assert "Nguyễn Thị Thu Hà 199" in drawn_texts(figure)


def test_english_uses_english_number_format() -> None:
    figure = member_figure("Progress", MEMBER_BARS, 0.5, locale="en", texts=TEXTS)

    texts = drawn_texts(figure)
    assert "1,234.5/2,000 bài (61.7%)" in texts
    assert "Expected by today (50.0%)" in legend_texts(figure)


def test_texts_come_from_the_caller() -> None:
    texts = ChartTexts(
        planned="Kế hoạch",
        achieved="Đã đạt",
        expected="Mức cần đạt hôm nay",
        axis="% kế hoạch",
        empty="Chưa có số liệu",
    )
    figure = member_figure("Tiến độ", MEMBER_BARS, 0.3, locale="vi", texts=texts)

    assert legend_texts(figure) == ["Kế hoạch", "Đã đạt", "Mức cần đạt hôm nay (30,0%)"]
    assert "% kế hoạch" in drawn_texts(figure)
    assert not {"Planned", "Achieved", "% of plan"} & set(drawn_texts(figure))


def test_expected_marker_sits_at_the_expected_share() -> None:
    figure = vi_member(share=0.45)

    (axes,) = figure.axes
    (marker,) = axes.get_lines()
    assert isinstance(marker, Line2D)
    assert str(marker.get_label()) == "Expected by today (45,0%)"
    assert np.asarray(marker.get_xdata()).tolist() == [pytest.approx(45.0), pytest.approx(45.0)]
    assert marker.get_linestyle() == "--"


def test_no_expected_marker_without_an_expected_share() -> None:
    figure = vi_member(share=None)

    assert legend_texts(figure) == ["Planned", "Achieved"]
    assert figure.axes[0].get_lines() == []
    assert count_pixels(decoded(render_png(figure)), EXPECTED_COLOUR) == 0


def test_x_axis_leaves_room_above_plan_and_is_capped() -> None:
    figure = vi_member()  # highest is 130%
    assert figure.axes[0].get_xlim() == (0.0, 140.0)

    modest = vi_member([ChartBar("Bài viết", Decimal(10), Decimal(5))])
    assert modest.axes[0].get_xlim() == (0.0, 110.0)

    outlier = vi_member([ChartBar("Bài viết", Decimal(1), Decimal(40))])  # 4,000%
    assert outlier.axes[0].get_xlim() == (0.0, 250.0)
    assert "40/1 (4.000,0%)" in drawn_texts(outlier)  # the true figure is still written


def test_long_labels_are_cut_with_an_ellipsis() -> None:
    short = shorten(LONG_TARGET)
    assert len(short) == 40
    assert short.endswith("…")
    assert LONG_TARGET.startswith(short[:-1])
    assert shorten("  Bài   viết ") == "Bài viết"

    unit_texts = drawn_texts(unit_figure("Đơn vị", MEMBER_BARS, None, locale="vi", texts=TEXTS))
    assert short in unit_texts
    assert LONG_TARGET not in unit_texts

    member_label = next(text for text in drawn_texts(vi_member()) if text.startswith("Số sáng"))
    lines = member_label.split("\n")
    assert len(lines) == 2
    assert all(len(line) <= 22 for line in lines)
    assert member_label.endswith("…")


def test_height_grows_with_the_number_of_bars() -> None:
    heights = [
        decoded(render_png(unit_figure("Đơn vị", members(n), 0.5, locale="vi", texts=TEXTS))).size
        for n in (10, 50, 200)
    ]

    assert [width for width, _ in heights] == [800, 800, 800]
    ten, fifty, two_hundred = (height for _, height in heights)
    assert ten < fifty < two_hundred
    assert fifty - ten == pytest.approx(40 * 28, abs=25)  # 0.28 in per bar at DPI 100
    assert two_hundred == pytest.approx(200 * 28 + 160, abs=60)


def test_five_hundred_bars_stay_within_telegram_photo_limits() -> None:
    figure = unit_figure("Toàn trường", members(500), 0.5, locale="vi", texts=TEXTS)
    png = render_png(figure)

    width, height = decoded(png).size
    assert width + height <= 10_000
    assert height / width <= 20
    assert len(png) < 10 * 1024 * 1024
    two_hundred = unit_figure("Toàn trường", members(200), 0.5, locale="vi", texts=TEXTS)
    assert height == round(two_hundred.get_figheight() * two_hundred.dpi)  # thinner, not taller
    texts = [text.get_text() for text in figure.findobj(Text)]
    assert "Nguyễn Thị Thu Hà 499" in texts


def test_nothing_to_show() -> None:
    figure = unit_figure("Chi đoàn 12A1", [], 0.5, locale="vi", texts=TEXTS)

    assert figure.axes == []
    assert drawn_texts(figure) == ["Chi đoàn 12A1", "Nothing to show yet"]
    image = decoded(render_png(figure))
    assert image.size == (800, 300)


def test_vietnamese_glyphs_render_in_dejavu_sans_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        figure = member_figure(
            "Ước tính: Đạt, ưu, ỷ, ễ, ộ, ự", MEMBER_BARS, 0.45, locale="vi", texts=TEXTS
        )
        texts = [text for text in figure.findobj(Text) if text.get_text()]
        render_png(figure)

    assert {tuple(text.get_fontfamily()) for text in texts} == {("DejaVu Sans",)}


def test_bars_without_a_plan_are_refused() -> None:
    with pytest.raises(ValueError, match="planned"):
        ChartBar("Bài viết", Decimal(0), Decimal(1))
    with pytest.raises(ValueError, match="achieved"):
        ChartBar("Bài viết", Decimal(1), Decimal(-1))


def test_annotation_formats() -> None:
    bar = ChartBar("x", Decimal("2000"), Decimal("1234.5"), "bài")
    assert annotation(bar, "vi") == "1.234,5/2.000 bài (61,7%)"
    assert annotation(bar, "vi_VN") == "1.234,5/2.000 bài (61,7%)"
    assert annotation(bar, "en") == "1,234.5/2,000 bài (61.7%)"
    assert share_label(bar, "vi") == "61,7%"
    assert share_label(bar, "en") == "61.7%"


def test_charts_render_the_same_in_worker_threads() -> None:
    """No pyplot, no shared figure: concurrent renders in threads give identical images."""

    def render(_: int) -> bytes:
        return render_png(unit_figure("Đơn vị", members(30), 0.4, locale="vi", texts=TEXTS))

    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(pool.map(render, range(4)))

    assert len(set(images)) == 1
    assert decoded(images[0]).size[0] == 800


def test_the_module_never_imports_pyplot() -> None:
    tree = ast.parse(Path(bot.progress_chart.__file__).read_text(encoding="utf-8"))
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [f"{node.module}.{alias.name}" for alias in node.names]
        )
    }
    assert not any("pyplot" in name for name in imported)
    assert "matplotlib.figure.Figure" in imported
