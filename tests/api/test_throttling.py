"""Rate limits: anonymous readers per address, writers per user, answered 429 in JSON."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from liveblog.models import Blog, Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "write": "2/min", "media": "2/min"},
    }


def test_anonymous_readers_are_throttled(low_rates: None, anon: APIClient, blog: Blog) -> None:
    for _ in range(3):
        assert anon.get(f"/api/blogs/{blog.slug}/").status_code == 200
    response = anon.get(f"/api/blogs/{blog.slug}/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    assert "throttled" in response.json()["message"]


def test_a_forged_forwarded_for_header_gets_no_fresh_budget(
    low_rates: None, anon: APIClient, blog: Blog
) -> None:
    # DRF counts anonymous clients by X-Forwarded-For, whoever sends it; without a trusted
    # proxy in LIVEBLOG_TRUSTED_PROXIES, the connection's own address counts.
    statuses = [
        anon.get(f"/api/blogs/{blog.slug}/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_writes_are_throttled_per_user_and_reads_are_not(
    low_rates: None, token_client: APIClient, entry: Entry
) -> None:
    url = f"/api/blogs/{entry.blog.slug}/entries/{entry.pk}/pin/"
    assert token_client.post(url).status_code == 200
    assert token_client.delete(url).status_code == 200
    refused = token_client.post(url)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert not Entry.objects.get().pinned
    for _ in range(5):
        assert token_client.get(f"/api/blogs/{entry.blog.slug}/").status_code == 200


def test_default_rates_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings

    monkeypatch.setenv("LIVEBLOG_API_THROTTLE_ANON", "5000/min")
    reloaded = importlib.reload(config.settings)
    assert reloaded.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] == "5000/min"
    # "²" passed str.isdigit(), and DRF's int() refused it at the first request: a 500.
    for rate in ("lots", "²/min", "٣/min"):
        monkeypatch.setenv("LIVEBLOG_API_THROTTLE_WRITE", rate)
        with pytest.raises(ImproperlyConfigured, match="LIVEBLOG_API_THROTTLE_WRITE"):
            importlib.reload(config.settings)
    monkeypatch.delenv("LIVEBLOG_API_THROTTLE_ANON")
    monkeypatch.delenv("LIVEBLOG_API_THROTTLE_WRITE")
    importlib.reload(config.settings)
