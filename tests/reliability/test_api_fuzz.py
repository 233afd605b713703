"""Random API input (schemathesis, from the OpenAPI schema) never causes a 500 or a traceback.

Requests are generated from ``/api/schema/`` (valid and invalid by the schema) and sent by a
member of a real blog, with most path parameters pointed at that blog and its entry, so the
writes reach the commands instead of stopping at a 404.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from liveblog import commands
from liveblog.models import Blog, Entry

# Committed data: every generated request is its own request cycle, as in production, and
# Django closes its connection at the end of each one.
pytestmark = pytest.mark.django_db(transaction=True)


# Loaded at collection: serving the schema needs no database. (schemathesis's lazy
# ``from_fixture`` loader does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def target(blog: Blog, settings: Any) -> tuple[Blog, Entry]:
    # Throttling is tested elsewhere; here it would turn most requests into 429s.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "100000/min",
            "write": "100000/min",
            "media": "100000/min",
        },
    }
    entry = commands.entry_publish(blog=blog, body="Polls close at **10pm**.", actor="editor")
    return blog, entry


def _choices(case: schemathesis.Case) -> random.Random:
    # Seeded from the generated case, so a failing example replays with the same choices.
    return random.Random(f"{case.method} {case.path} {case.path_parameters} {case.body!r}")


def _aim(case: schemathesis.Case, blog: Blog, entry: Entry, rng: random.Random) -> None:
    """Point most generated path parameters at the real blog and entry."""
    parameters = case.path_parameters or {}
    if "slug" in parameters and rng.random() < 0.8:
        parameters["slug"] = blog.slug
    if "entry_id" in parameters and rng.random() < 0.8:
        parameters["entry_id"] = str(entry.pk)


@schema.parametrize()
@hypothesis_settings(
    max_examples=20,
    deadline=None,
    # The blog and entry are meant to persist across examples: state builds up, as in use.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_random_api_requests_never_cause_a_server_error(
    case: schemathesis.Case, target: tuple[Blog, Entry], token_key: str
) -> None:
    rng = _choices(case)
    _aim(case, *target, rng)
    headers = {"Authorization": f"Bearer {token_key}"} if rng.random() < 0.8 else {}
    response = case.call(headers=headers)
    said = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]!r}"
    assert response.status_code < 500, said
    assert "Traceback" not in response.text, said
    if response.status_code >= 400:
        # Every API error is one JSON shape with a message written for people.
        try:
            error = json.loads(response.text)
        except ValueError:
            pytest.fail(f"not JSON: {said}")
        assert isinstance(error, dict) and set(error) >= {"message", "code", "errors"}, said
        assert error["message"], said
