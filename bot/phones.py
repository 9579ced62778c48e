"""Phone numbers as people write them (`0912 345 678`, `+84 912 345 678`, `84912345678`)."""

import phonenumbers

REGION = "VN"


class InvalidPhone(ValueError):
    """The text is not a valid phone number."""


def normalise_phone(raw: str | int | float) -> str:
    """Return E.164 (`+84912345678`) or raise InvalidPhone.

    Spreadsheets often store phones as numbers, which drops the leading zero (912345678) or
    adds `.0`; contacts shared on Telegram come as `84912345678` without the plus.
    """
    text = _as_text(raw)
    digits = "".join(char for char in text if char.isdigit())
    if not digits:
        raise InvalidPhone(text)
    if text.startswith("+") or text.startswith("00"):
        candidate = "+" + digits.removeprefix("00") if text.startswith("00") else "+" + digits
    elif digits.startswith("84") and len(digits) >= 11:
        candidate = "+" + digits
    elif len(digits) == 9 and not digits.startswith("0"):
        candidate = "0" + digits
    else:
        candidate = digits
    try:
        number = phonenumbers.parse(candidate, REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(text) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """`+84912345678` → `0912 345 678` for Vietnamese numbers, international format otherwise."""
    number = phonenumbers.parse(e164, REGION)
    if number.country_code == 84:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _as_text(raw: str | int | float) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text
