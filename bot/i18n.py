"""Translations (gettext catalogs under `locales/`) and locale-aware dates and numbers.

Source strings are English; Vietnamese is the default. Translate first, then format with named
placeholders: `t("Sent {sent} of {total}", sent=3, total=5)`.
"""

import gettext
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal

DOMAIN = "messages"
LOCALES = ("vi", "en")
_Date = date  # the class below has a method named `date`
BABEL_LOCALES = {"vi": "vi_VN", "en": "en_GB"}


class CatalogMissing(RuntimeError):
    """A catalog is absent: the bot refuses to start rather than speak untranslated."""


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


def locales_dir() -> Path:
    """`bot/_locales` in an installed wheel, else the repository's `locales/`."""
    packaged = Path(__file__).parent / "_locales"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "locales"


class Translator:
    """Translates and formats for one locale; handlers get one as `context.t`."""

    def __init__(self, locale: str, translations: gettext.NullTranslations) -> None:
        self.locale = locale
        self.babel_locale = BABEL_LOCALES[locale]
        self._translations = translations

    def __call__(self, message: str, /, **params: object) -> str:
        text = self._translations.gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        text = self._translations.ngettext(singular, plural, count)
        return text.format(count=self.number(count), **params)

    def number(self, value: int | float | Decimal) -> str:
        """1234.5 → '1.234,5' in Vietnamese."""
        return format_decimal(value, locale=self.babel_locale)

    def percent(self, part: int, whole: int) -> str:
        """88.1% style with one decimal, the figure every summary reports."""
        share = Decimal(0) if whole == 0 else Decimal(part * 100) / Decimal(whole)
        return format_decimal(share, format="#,##0.0", locale=self.babel_locale) + "%"

    def share(self, percent: Decimal) -> str:
        """An already computed percentage, in the same one-decimal style: 85,0%."""
        return format_decimal(percent, format="#,##0.0", locale=self.babel_locale) + "%"

    def date(self, value: date) -> str:
        return babel_format_date(value, "dd/MM/yyyy", locale=self.babel_locale)

    def day(self, value: "_Date") -> str:
        """A deadline with its weekday: "thứ Tư, 31/03/2027" (lower-case inside a sentence)."""
        text = babel_format_date(value, "EEEE, dd/MM/yyyy", locale=self.babel_locale)
        return text[:1].lower() + text[1:] if self.locale == "vi" else text

    def datetime(self, value: datetime) -> str:
        return babel_format_datetime(value, "dd/MM/yyyy HH:mm", locale=self.babel_locale)


class Catalogs:
    """All locales' translations, loaded once at start."""

    def __init__(self, directory: Path | None = None, default_locale: str = "vi") -> None:
        self.directory = directory or locales_dir()
        self.default_locale = default_locale
        self._translators = {locale: Translator(locale, self._load(locale)) for locale in LOCALES}

    def _load(self, locale: str) -> gettext.NullTranslations:
        mo_path = self.directory / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        po_path = mo_path.with_suffix(".po")
        if not po_path.exists() and not mo_path.exists():
            raise CatalogMissing(f"no translation catalog for '{locale}' in {self.directory}")
        if not mo_path.exists() or (
            po_path.exists() and po_path.stat().st_mtime > mo_path.stat().st_mtime
        ):
            _compile(po_path, mo_path)
        with mo_path.open("rb") as mo_file:
            return gettext.GNUTranslations(mo_file)

    def get(self, locale: str | None) -> Translator:
        """The translator for `locale`, falling back to the default language."""
        return self._translators.get(locale or "", self._translators[self.default_locale])

    @property
    def default(self) -> Translator:
        return self._translators[self.default_locale]


def _compile(po_path: Path, mo_path: Path) -> None:
    """Compile a stale or missing .mo (a checkout edited after install) before loading it."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog)
