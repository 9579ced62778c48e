"""Every text a person can see is in the catalogs, translated in Vietnamese and English."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"t": None, "N_": None, "plural": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _source_messages() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "storage"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords=KEYWORDS, comment_tags=()
        ):
            found.update([message] if isinstance(message, str) else list(message))
    return found


def _catalog(locale: str) -> dict[str, str]:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and not message.fuzzy
    }


def test_source_strings_were_found() -> None:
    assert len(_source_messages()) > 50


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_source_string_is_translated(locale: str) -> None:
    catalog = _catalog(locale)
    missing = sorted(message for message in _source_messages() if not catalog.get(message))
    assert missing == [], f"untranslated in {locale}: run `make messages` and translate"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_translations_keep_the_placeholders(locale: str) -> None:
    for source, translated in _catalog(locale).items():
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(translated)), source


def test_vietnamese_is_really_vietnamese() -> None:
    """Guard against a catalog filled with English: most entries must differ from the source."""
    catalog = _catalog("vi")
    changed = sum(1 for source, text in catalog.items() if source != text)
    assert changed / len(catalog) > 0.9


def test_vietnamese_formats_numbers_dates_and_rates() -> None:
    from datetime import date, datetime

    t = Catalogs().get("vi")
    assert t.number(1234.5) == "1.234,5"
    assert t.percent(37, 42) == "88,1%"
    assert t.date(date(2027, 3, 31)) == "31/03/2027"
    assert t.datetime(datetime(2026, 11, 22, 8, 5)) == "22/11/2026 08:05"
    assert Catalogs().get("en").number(1234.5) == "1,234.5"


def test_unknown_locale_falls_back_to_vietnamese() -> None:
    catalogs = Catalogs()
    assert catalogs.get("fr").locale == "vi"
    assert catalogs.get(None)("Welcome, {name}!", name="An") == "Chào mừng An!"


def test_a_missing_catalog_refuses_to_start(tmp_path: Path) -> None:
    from bot.i18n import CatalogMissing

    with pytest.raises(CatalogMissing):
        Catalogs(directory=tmp_path)
