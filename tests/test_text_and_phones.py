"""Phone normalisation, name keys and Vietnamese name order."""

import pytest

from bot.phones import InvalidPhone, display_phone, normalise_phone
from bot.replies import split_message
from bot.text import match_key, name_sort_key


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 678",
        "0912345678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "0084912345678",
        "091.234.5678",
        "(091) 234-5678",
        912345678,
        912345678.0,
    ],
)
def test_every_form_of_a_number_is_the_same_person(raw: object) -> None:
    assert normalise_phone(raw) == "+84912345678"  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", "abc", "123", "0912", "+1", "09123456789012345"])
def test_garbage_is_not_a_phone(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


def test_display_is_the_vietnamese_way() -> None:
    assert display_phone("+84912345678") == "0912 345 678"
    assert display_phone("+842438253535") == "024 3825 3535"


def test_match_key_ignores_case_diacritics_and_spacing() -> None:
    assert match_key("  Họ  VÀ tên ") == "ho va ten"
    assert match_key("Đơn vị") == match_key("don vi") == "don vi"
    assert match_key("Trưởng Khối") == "truong khoi"


def test_names_sort_by_given_name_in_vietnamese_order() -> None:
    names = [
        "Nguyễn Văn Bình",
        "Trần Thị An",
        "Lê Văn Ân",
        "Phạm Đức Dũng",
        "Hoàng Văn Đạt",
        "Đỗ Văn Anh",
        "Vũ Thị Ánh",
    ]
    ordered = sorted(names, key=name_sort_key)
    assert ordered == [
        "Trần Thị An",
        "Đỗ Văn Anh",
        "Vũ Thị Ánh",
        "Lê Văn Ân",
        "Nguyễn Văn Bình",
        "Phạm Đức Dũng",
        "Hoàng Văn Đạt",
    ]


def test_long_messages_split_on_lines_without_losing_text() -> None:
    lines = [f"{index}. Nguyễn Thị Hồng Nhung — Chuyên viên" for index in range(400)]
    text = "\n".join(lines)
    chunks = split_message(text)
    assert len(chunks) > 1
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert "\n".join(chunks) == text
