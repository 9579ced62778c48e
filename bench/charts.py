"""Time to build and render the progress charts: a member's (5 targets) and a unit's (200 members).

Each case is rendered once to warm up (fonts, caches), then timed over --repeat runs with
`time.perf_counter`, figure and PNG together, as the bot does it in a worker thread. The last
image of each case is opened and checked against Telegram's photo limits.

    .venv/bin/python bench/charts.py [--repeat 20] [--members 200]

Prints what it measured and on what machine; asserts nothing.
"""

import argparse
import io
import math
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import babel
import matplotlib
import numpy as np
import PIL
from matplotlib.figure import Figure
from PIL import Image

from bench.throughput import machine
from bot.progress_chart import ChartBar, ChartTexts, member_figure, render_png, unit_figure

MEMBER_TARGET_MS = 300.0
UNIT_TARGET_MS = 1_500.0
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_SIDES = 10_000
PHOTO_MAX_RATIO = 20.0

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLES = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Ngọc", "Đức", "Thanh", "Quốc", "Thị Mỹ"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Mai", "Nam", "Phương", "Quân"]


@dataclass
class Case:
    name: str
    target_ms: float
    build: Callable[[], Figure]


def member_bars() -> list[ChartBar]:
    return [
        ChartBar("Số sáng kiến được công nhận cấp cơ sở", Decimal(2), Decimal(1), "sáng kiến"),
        ChartBar("Bài viết tuyên truyền", Decimal(12), Decimal(7), "bài"),
        ChartBar("Giờ hoạt động tình nguyện", Decimal(40), Decimal("52.5"), "giờ"),
        ChartBar("Tỷ lệ học sinh khá giỏi", Decimal(85), Decimal("78.4"), "%"),
        ChartBar("Đề tài nghiên cứu khoa học", Decimal(1), Decimal(0)),
    ]


def unit_bars(count: int) -> list[ChartBar]:
    """Vietnamese full names, deterministic, with plans of 5–20 articles and all progress."""
    bars = []
    for n in range(count):
        name = (
            f"{SURNAMES[n % len(SURNAMES)]} {MIDDLES[n * 7 % len(MIDDLES)]} "
            f"{GIVEN[n * 5 % len(GIVEN)]}"
        )
        planned = Decimal(5 + n % 16)
        bars.append(ChartBar(name, planned, Decimal(n * 3 % 23), "bài"))
    return bars


def nearest_rank(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(case: Case, repeat: int) -> bytes:
    render_png(case.build())  # warm-up: font loading and matplotlib's caches
    totals: list[float] = []
    figures: list[float] = []
    pngs: list[float] = []
    png = b""
    for _ in range(repeat):
        start = time.perf_counter()
        figure = case.build()
        built = time.perf_counter()
        png = render_png(figure)
        done = time.perf_counter()
        totals.append((done - start) * 1000)
        figures.append((built - start) * 1000)
        pngs.append((done - built) * 1000)
    median = statistics.median(totals)
    p95 = nearest_rank(totals, 0.95)
    verdict = "target met" if p95 <= case.target_ms else "target missed"
    print(
        f"{case.name:<28} median {median:7,.0f} ms  p95 {p95:7,.0f} ms  "
        f"(figure {statistics.median(figures):,.0f} + draw+PNG {statistics.median(pngs):,.0f})"
        f"  target p95 ≤ {case.target_ms:,.0f} ms: {verdict}"
    )
    return png


def check(name: str, png: bytes) -> None:
    image = Image.open(io.BytesIO(png))
    image.load()
    width, height = image.size
    pixels = np.asarray(image.convert("L"))
    drawn = float((pixels < 250).mean())  # share of pixels that are not background white
    within = (
        len(png) <= PHOTO_MAX_BYTES
        and width + height <= PHOTO_MAX_SIDES
        and max(width, height) / min(width, height) <= PHOTO_MAX_RATIO
    )
    print(
        f"{name:<28} {image.format} {width} × {height} px, {len(png) / 1024:,.0f} KB, "
        f"{drawn:.1%} of pixels drawn, "
        f"{'within' if within else 'OUTSIDE'} Telegram's photo limits"
    )


def main(repeat: int, members: int) -> None:
    print(f"machine: {machine()}")
    print(
        f"matplotlib {matplotlib.__version__} (Agg), Pillow {PIL.__version__}, "
        f"Babel {babel.__version__}; {repeat} runs after one warm-up"
    )
    texts = ChartTexts()
    people = unit_bars(members)
    targets = member_bars()
    cases = [
        Case(
            "member chart, 5 targets",
            MEMBER_TARGET_MS,
            lambda: member_figure(
                "Tiến độ của Nguyễn Thị Mai — Phong trào thi đua năm 2026",
                targets,
                0.45,
                locale="vi",
                texts=texts,
            ),
        ),
        Case(
            f"unit chart, {members} members",
            UNIT_TARGET_MS,
            lambda: unit_figure(
                "Chi đoàn Khoa Công nghệ thông tin — Bài viết tuyên truyền",
                people,
                0.45,
                locale="vi",
                texts=texts,
            ),
        ),
    ]
    images = [(case.name, measure(case, repeat)) for case in cases]
    for name, png in images:
        check(name, png)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--members", type=int, default=200)
    arguments = parser.parse_args()
    main(arguments.repeat, arguments.members)
