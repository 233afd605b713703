"""Whole numbers from URLs: ASCII digits only, never more than the database stores."""

from __future__ import annotations

from typing import Any

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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/liveblog/blog/?status__exact=%00",
        "/admin/liveblog/entry/?q=polls%00",
        "/blogs/election-night/?view=%00",
    ],
)
def test_a_nul_in_the_query_string_is_refused_before_any_view(
    client: Any, editor: Any, blog: Any, path: str
) -> None:
    # On PostgreSQL the admin's filter and search would raise on the NUL: a 500.
    client.force_login(editor)
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


@pytest.mark.django_db
def test_a_nul_under_the_api_is_refused_in_the_api_error_shape(client: Any, blog: Any) -> None:
    response = client.get("/api/blogs/?status=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
