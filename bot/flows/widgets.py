"""Keyboards and bits of text the flows share: toggle lists with pages, keep/skip buttons."""

from telegram import InlineKeyboardButton

from bot.flow_engine import FlowState
from bot.text import ascii_digits

PAGE_SIZE = 8  # a phone screen shows about this many buttons without scrolling
LABEL_LENGTH = 40

Rows = list[list[InlineKeyboardButton]]


def short(label: str, limit: int = LABEL_LENGTH) -> str:
    """Button labels are cut so they stay readable on a phone."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def toggle_rows(
    state: FlowState, items: list[tuple[int, str]], chosen: set[int], page: int
) -> Rows:
    """One ✅/▫️ button per item (`t:<id>`), PAGE_SIZE a page, with ◀️ ▶️ (`p:<page>`)."""
    page = min(max(page, 0), page_count(len(items)) - 1)
    shown = items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows: Rows = [
        [state.button(("✅ " if item_id in chosen else "▫️ ") + short(label), f"t:{item_id}")]
        for item_id, label in shown
    ]
    nav = []
    if page > 0:
        nav.append(state.button("◀️", f"p:{page - 1}"))
    if page < page_count(len(items)) - 1:
        nav.append(state.button("▶️", f"p:{page + 1}"))
    if nav:
        rows.append(nav)
    return rows


def parse_int(value: str, prefix: str) -> int | None:
    """`t:12` → 12 for prefix `t:`; None for anything else (a forged or broken button).

    At most 9 digits: ids are 32-bit columns, and PostgreSQL refuses a bigger number in a query.
    """
    text = value.removeprefix(prefix) if value.startswith(prefix) else ""
    return int(text) if ascii_digits(text) and len(text) <= 9 else None
