"""Vietnamese text keys: matching without diacritics and sorting names by Tên."""

import unicodedata

# Vietnamese alphabet order; a letter's rank comes before its tone in the sort key.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
# Combining marks for the five tones, in the customary order (ngang first, then these).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def collapse_spaces(value: str) -> str:
    return " ".join(value.split())


def without_controls(value: str) -> str:
    """The text without control characters other than line breaks and tabs: PostgreSQL refuses
    NUL in text, and the others are invisible in a chat or a report."""
    if value.isprintable():
        return value
    return "".join(char for char in value if char in "\n\t" or unicodedata.category(char) != "Cc")


def shortened(value: str, limit: int = 40) -> str:
    """What someone typed, to quote in an error: without control characters, and cut so that a
    reply never repeats a whole essay."""
    value = without_controls(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def ascii_digits(value: str) -> bool:
    """Only 0–9: `str.isdigit` also accepts '²' and '٣', and `int()` refuses '²'."""
    return value.isascii() and value.isdigit()


def match_key(value: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces: 'Trưởng  Khối' → 'truong khoi'."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return collapse_spaces(stripped.casefold())


def _letter_key(char: str) -> tuple[int, int]:
    decomposed = unicodedata.normalize("NFD", char.lower())
    tone = 0
    base = ""
    for part in decomposed:
        if part in _TONES:
            tone = _TONES[part]
        else:
            base += part
    letter = unicodedata.normalize("NFC", base)
    return (_RANK.get(letter, 100 + ord(letter[0]) if letter else 0), tone)


def _word_key(word: str) -> tuple[tuple[int, int], ...]:
    return tuple(_letter_key(char) for char in unicodedata.normalize("NFC", word))


def name_sort_key(full_name: str) -> tuple[object, ...]:
    """Sort 'Họ Đệm Tên' by Tên, then by the whole name, in Vietnamese alphabet order."""
    words = collapse_spaces(full_name).split(" ")
    given = words[-1] if words else ""
    return (_word_key(given), tuple(_word_key(word) for word in words))
