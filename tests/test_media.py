"""Media storage: content-addressed names, and the S3 settings an environment turns on."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from liveblog import media
from liveblog.images import storage_name


def test_a_file_is_stored_only_under_its_own_digest() -> None:
    data = b"\xff\xd8 not really a jpeg, but bytes"
    name = storage_name(data, "jpg")
    media.store_bytes(name, data)
    media.store_bytes(name, data)  # again: nothing to do
    assert media.read_bytes(name) == data
    with pytest.raises(ValueError, match="not the name"):
        media.store_bytes(name, data + b"!")
    with pytest.raises(ValueError, match="not the name"):
        media.store_bytes("../../settings.py", data)


def test_the_environment_switches_media_to_an_s3_bucket(monkeypatch) -> None:
    import config.settings

    monkeypatch.setenv("LIVEBLOG_MEDIA_STORAGE", "s3")
    monkeypatch.setenv("LIVEBLOG_S3_BUCKET", "newsroom-media")
    monkeypatch.setenv("LIVEBLOG_S3_ENDPOINT_URL", "https://s3.example.net")
    monkeypatch.setenv("LIVEBLOG_S3_CUSTOM_DOMAIN", "media.example.org")
    try:
        reloaded = importlib.reload(config.settings)
        storage = reloaded.STORAGES["default"]
        assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
        from storages.backends.s3 import S3Storage

        s3 = S3Storage(**storage["OPTIONS"])
        name = "ab/" + "a" * 64 + ".jpg"
        # Public, unsigned and long-lived: pages and feeds keep these URLs.
        assert s3.url(name) == f"https://media.example.org/{name}"
        assert s3.object_parameters["CacheControl"] == media.IMMUTABLE_CACHE_CONTROL
        assert s3.bucket_name == "newsroom-media" and s3.endpoint_url == "https://s3.example.net"
        monkeypatch.delenv("LIVEBLOG_S3_BUCKET")
        with pytest.raises(ImproperlyConfigured, match="LIVEBLOG_S3_BUCKET"):
            importlib.reload(config.settings)
        monkeypatch.setenv("LIVEBLOG_MEDIA_STORAGE", "ftp")
        with pytest.raises(ImproperlyConfigured, match="LIVEBLOG_MEDIA_STORAGE"):
            importlib.reload(config.settings)
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)
