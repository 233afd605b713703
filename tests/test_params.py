"""Whole numbers from URLs: ASCII digits only, never more than the database stores."""

from __future__ import annotations

import pytest

from liveblog.params import MAX_NUMBER, whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("7", 7), ("0042", 42), (str(MAX_NUMBER), MAX_NUMBER)],
)
def test_ascii_digits_are_a_number(text: str, number: int) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "²",  # isdigit() says yes, int() refuses it
        "①",
        "٣",  # int() reads it as 3; a URL should not
        "\uff13",  # fullwidth 3
        " 7",
        "7 ",
        "+7",
        "-1",
        "1_000",
        "1.0",
        "0x10",
        str(MAX_NUMBER + 1),
        "9" * 5000,  # int() refuses more than 4,300 digits
    ],
)
def test_anything_else_is_not(text: str | None) -> None:
    assert whole_number(text) is None


def test_a_maximum_can_be_lower() -> None:
    assert whole_number("100", maximum=100) == 100
    assert whole_number("101", maximum=100) is None
