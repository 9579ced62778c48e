"""PNG charts of achieved versus planned, for a member's targets or a whole unit.

Targets are counted in different units (articles, initiatives, percent...), so every bar shows
achieved as a percent of its own plan. A member's chart writes the exact figures beside each bar
("1.234,5/2.000 bài (61,7%)"); a unit's chart, which compares people by share of plan, writes only
that share ("61,7%"): the exact figures are in the text message the bot sends with it.

Only matplotlib's object API is used (`Figure` + `FigureCanvasAgg`), never pyplot: there is no
global figure registry to leak or to race on, so a chart can be built and rendered in a worker
thread (`asyncio.to_thread`) while the event loop keeps answering. Rendering is CPU-bound
(about 0.12 s for a member, 1 s for 200 members on 2 cores): never on the event loop.

The few fixed words on a chart come from the caller in `ChartTexts`, already translated; this
module only formats numbers, with Babel, for the given locale.
"""

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import offset_copy

from bot.i18n import BABEL_LOCALES

FONT = "DejaVu Sans"  # bundled with matplotlib, and it has every Vietnamese glyph
DPI = 100  # modest on purpose: pixels, file size and render time all grow with its square
WIDTH_INCHES = 8.0  # 800 px: readable on a phone once Telegram scales it to the screen
MEMBER_BAR_INCHES = 0.6  # a member has a handful of targets, with two-line labels
UNIT_BAR_INCHES = 0.28  # a unit lists up to ~200 members, one line each
FULL_HEIGHT_BARS = 200  # beyond this many bars, bars get thinner instead of the image taller
MIN_HEIGHT_INCHES = 3.0
TALL_CHART_BARS = 25  # from this many bars on, the % scale is repeated above the bars
TEXT_GAP_POINTS = 6.0  # between a bar and its label or figures

# Telegram's sendPhoto limits: width + height <= 10,000 px, ratio <= 20, 10 MB.
MAX_SIDES_PX = 10_000
MAX_RATIO = 20.0

LABEL_LIMIT = 40  # characters before a label is cut with "…"
MEMBER_WRAP = 22  # characters per line of a member chart's (two-line) labels
TITLE_WRAP = 60
AXIS_CAP = 250.0  # one outlier at 2,000% must not squash everyone else's bar

PLANNED_COLOUR = "#dde3ea"
ACHIEVED_COLOUR = "#2b6cb0"
EXPECTED_COLOUR = "#d9480f"
GRID_COLOUR = "#c8cdd3"


@dataclass(frozen=True)
class ChartBar:
    """One bar: a target's label (member chart) or a member's name (unit chart)."""

    label: str
    planned: Decimal
    achieved: Decimal
    unit: str = ""

    def __post_init__(self) -> None:
        """Reject what has no percent of plan, rather than draw a misleading bar."""
        if self.planned <= 0:
            raise ValueError(f"planned must be > 0 for {self.label!r}, got {self.planned}")
        if self.achieved < 0:
            raise ValueError(f"achieved must be >= 0 for {self.label!r}, got {self.achieved}")

    @property
    def share(self) -> Decimal:
        """Achieved as a percent of planned: the only scale on which units compare."""
        return self.achieved * 100 / self.planned


@dataclass(frozen=True)
class ChartTexts:
    """The chart's fixed words, translated by the caller (`t(...)`).

    The English defaults exist for tests and benchmarks only; the bot always passes its
    translator's text, so the catalogs stay the single source of what people read.
    """

    planned: str = "Planned"
    achieved: str = "Achieved"
    expected: str = "Expected by today"
    axis: str = "% of plan"
    empty: str = "Nothing to show yet"


def member_figure(
    title: str,
    bars: Sequence[ChartBar],
    expected_share: float | None,
    *,
    locale: str,
    texts: ChartTexts,
) -> Figure:
    """One member's targets: few bars, so roomier bars and labels wrapped on two lines."""
    return _chart(
        title,
        bars,
        expected_share,
        locale=locale,
        texts=texts,
        bar_inches=MEMBER_BAR_INCHES,
        font_size=10.0,
        wrap=MEMBER_WRAP,
        figures=annotation,
    )


def unit_figure(
    title: str,
    bars: Sequence[ChartBar],
    expected_share: float | None,
    *,
    locale: str,
    texts: ChartTexts,
) -> Figure:
    """A unit's members (or targets), up to ~200 bars, one line each.

    Each bar is annotated with its share of plan only ("61,7%"), not the full figures: the
    chart compares people by share, the bot's text message carries the exact numbers, and the
    long annotation doubled the glyphs to draw (the render time is almost all text).

    The image grows 0.28 inch (28 px at DPI 100) per bar. Past 200 bars the bars get thinner
    (and the text smaller) instead, so the image never exceeds the 200-bar height, about
    800 × 5,800 px: within Telegram's photo limits (width + height ≤ 10,000 px, ratio ≤ 20,
    10 MB; 200 bars make about 0.9 MB) and with a bounded render time. Telegram recompresses
    photos to a smaller long side, so send a tall chart with `send_document` to keep it sharp.
    """
    return _chart(
        title,
        bars,
        expected_share,
        locale=locale,
        texts=texts,
        bar_inches=UNIT_BAR_INCHES,
        font_size=8.0,
        wrap=None,
        figures=share_label,
    )


def render_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, at its own size and DPI (never cropped, so limits hold).

    zlib level 1: on these flat-colour charts it is 1% larger than the default level 6 and
    saves about 80 ms on a 200-member chart.
    """
    canvas = (
        figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    )
    buffer = io.BytesIO()
    canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def shorten(label: str, limit: int = LABEL_LIMIT) -> str:
    """One line of at most `limit` characters, cut with "…" so a long name keeps its start."""
    text = " ".join(label.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def annotation(bar: ChartBar, locale: str) -> str:
    """'1.234,5/2.000 bài (61,7%)' in Vietnamese, '1,234.5/2,000 bài (61.7%)' in English."""
    babel_locale = _babel_locale(locale)
    achieved = format_decimal(bar.achieved, locale=babel_locale)
    planned = format_decimal(bar.planned, locale=babel_locale)
    if bar.unit == "%":
        achieved, planned = achieved + "%", planned + "%"
    elif bar.unit:
        planned = f"{planned} {bar.unit}"
    return f"{achieved}/{planned} ({_percent(bar.share, babel_locale)})"


def share_label(bar: ChartBar, locale: str) -> str:
    """'61,7%' in Vietnamese, '61.7%' in English: the unit chart's per-bar figure."""
    return _percent(bar.share, _babel_locale(locale))


@dataclass(frozen=True)
class _Frame:
    """Where things go, in inches: computed, not left to a layout engine (see `_chart`)."""

    width: float
    height: float
    title_top: float  # from the top edge
    legend_top: float  # from the top edge
    axes_top: float  # from the top edge
    axes_bottom: float  # from the bottom edge


def _frame(bar_count: int, bar_inches: float, title_lines: int, labels_on_top: bool) -> _Frame:
    """Grow by `bar_inches` per bar up to FULL_HEIGHT_BARS bars, then stay at that height.

    The final clamp keeps Telegram's photo limits (width + height ≤ 10,000 px, ratio ≤ 20)
    at DPI whatever the constants; with the values above it never bites.
    """
    title_top = 0.12
    legend_top = title_top + 0.24 * title_lines + 0.06
    axes_top = legend_top + 0.36 + (0.22 if labels_on_top else 0.0)
    axes_bottom = 0.62
    bars_height = bar_inches * min(bar_count, FULL_HEIGHT_BARS)
    height = max(MIN_HEIGHT_INCHES, bars_height + axes_top + axes_bottom)
    height = min(height, MAX_SIDES_PX / DPI - WIDTH_INCHES, WIDTH_INCHES * MAX_RATIO)
    return _Frame(WIDTH_INCHES, height, title_top, legend_top, axes_top, axes_bottom)


def _chart(
    title: str,
    bars: Sequence[ChartBar],
    expected_share: float | None,
    *,
    locale: str,
    texts: ChartTexts,
    bar_inches: float,
    font_size: float,
    wrap: int | None,
    figures: Callable[[ChartBar, str], str],
) -> Figure:
    """Planned bar (100%) behind the achieved one, labels on the left, figures on the right.

    Margins are measured from the labels instead of using constrained layout: with 400 labels
    the layout engine measured every text several times, a third of the render time. The
    measurement fills matplotlib's text-metrics cache, so drawing reuses it.
    """
    babel_locale = _babel_locale(locale)
    heading = _title(title)
    count = len(bars)
    labels_on_top = count > TALL_CHART_BARS
    frame = _frame(count, bar_inches, heading.count("\n") + 1, labels_on_top)
    figure = Figure(figsize=(frame.width, frame.height), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(figure)  # its own canvas: nothing registered globally or shared
    figure.text(
        0.5,
        1 - frame.title_top / frame.height,
        heading,
        ha="center",
        va="top",
        fontfamily=FONT,
        fontsize=12,
        fontweight="bold",
    )
    if not bars:
        figure.text(0.5, 0.45, texts.empty, ha="center", va="center", fontfamily=FONT, fontsize=12)
        return figure

    if count > FULL_HEIGHT_BARS:  # thinner bars need smaller text to keep the lines apart
        font_size = min(font_size, bar_inches * FULL_HEIGHT_BARS / count * 72 * 0.65)
    positions = list(range(count))
    shares = [float(bar.share) for bar in bars]
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.add_collection(_bars([100.0] * count, 0.8, PLANNED_COLOUR, texts.planned), autolim=False)
    axes.add_collection(_bars(shares, 0.5, ACHIEVED_COLOUR, texts.achieved), autolim=False)
    right_end = max(110.0, max(shares) + 10.0)
    if expected_share is not None:
        expected = expected_share * 100
        right_end = max(right_end, expected + 10.0)
        axes.axvline(
            expected,
            color=EXPECTED_COLOUR,
            linestyle="--",
            linewidth=1.5,
            label=f"{texts.expected} ({_percent(Decimal(str(expected)), babel_locale)})",
        )
    axes.set_xlim(0, min(right_end, AXIS_CAP))
    axes.set_ylim(count - 0.5, -0.5)  # first bar on top, as the list reads
    axes.set_yticks([])
    for spine in ("top", "right", "left"):
        axes.spines[spine].set_visible(False)
    _x_axis(axes, texts.axis, babel_locale, labels_on_top=labels_on_top)

    labels = [_label(bar.label, wrap) for bar in bars]
    font = FontProperties(family=FONT, size=font_size)  # one object for the 2 × count texts
    left = _column(figure, axes, positions, labels, font, -1)
    notes = [figures(bar, locale) for bar in bars]
    right = _column(figure, axes, positions, notes, font, 1)
    renderer = canvas.get_renderer()
    edge = 0.1 * DPI + TEXT_GAP_POINTS * DPI / 72

    def widest(column: list[Text]) -> float:
        return max(text.get_window_extent(renderer).width for text in column) + edge

    pixels_wide = frame.width * DPI
    axes_left = min(widest(left) / pixels_wide, 0.45)
    axes_right = max(1 - widest(right) / pixels_wide, axes_left + 0.25)
    axes_bottom = frame.axes_bottom / frame.height
    axes_top = 1 - frame.axes_top / frame.height
    axes.set_position((axes_left, axes_bottom, axes_right - axes_left, axes_top - axes_bottom))

    handles, names = axes.get_legend_handles_labels()
    figure.legend(
        handles,
        names,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - frame.legend_top / frame.height),
        ncols=len(handles),
        frameon=False,
        prop=FontProperties(family=FONT, size=9),
    )
    return figure


def _bars(lengths: list[float], thickness: float, colour: str, label: str) -> PolyCollection:
    """All bars of one kind as one artist: 400 `barh` patches added 0.4 s to the render."""
    half = thickness / 2
    outlines = [
        [(0.0, row - half), (length, row - half), (length, row + half), (0.0, row + half)]
        for row, length in enumerate(lengths)
    ]
    return PolyCollection(outlines, facecolors=colour, edgecolors="none", label=label)


def _column(
    figure: Figure,
    axes: Axes,
    positions: list[int],
    lines: list[str],
    font: FontProperties,
    side: int,
) -> list[Text]:
    """Texts level with the bars, just outside the axes: left (side -1) or right (side 1)."""
    place = offset_copy(
        axes.get_yaxis_transform(), fig=figure, x=side * TEXT_GAP_POINTS, units="points"
    )
    x = 0.0 if side < 0 else 1.0
    return [
        axes.text(
            x,
            position,
            line,
            transform=place,
            ha="right" if side < 0 else "left",
            va="center",
            fontproperties=font,
            clip_on=False,
        )
        for position, line in zip(positions, lines, strict=True)
    ]


def _x_axis(axes: Axes, label: str, babel_locale: str, *, labels_on_top: bool) -> None:
    """Percent ticks in the locale's digits, a light grid; repeated on top of a tall chart."""
    axes.set_xlabel(label, fontfamily=FONT, fontsize=9)
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: format_decimal(value, "#,##0", locale=babel_locale))
    )
    axes.tick_params(axis="x", labelfontfamily=FONT, labelsize=8, labeltop=labels_on_top)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.5)
    axes.set_axisbelow(True)


def _label(label: str, wrap: int | None) -> str:
    """Cut at LABEL_LIMIT, then (member chart) wrap onto at most two lines."""
    short = shorten(label)
    if wrap is None:
        return short
    return "\n".join(textwrap.wrap(short, width=wrap, max_lines=2, placeholder="…"))


def _title(title: str) -> str:
    """At most two lines across the width; a longer title ends with "…"."""
    return "\n".join(textwrap.wrap(title, width=TITLE_WRAP, max_lines=2, placeholder="…"))


def _percent(value: Decimal, babel_locale: str) -> str:
    """'85,5%': one decimal, like `Translator.percent` in the bot's messages."""
    return format_decimal(value, format="#,##0.0", locale=babel_locale) + "%"


def _babel_locale(locale: str) -> str:
    """Accept the bot's 'vi'/'en' (as in `Translator.locale`) or a Babel locale."""
    return BABEL_LOCALES.get(locale, locale)
