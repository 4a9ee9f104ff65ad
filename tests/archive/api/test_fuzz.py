"""Schema-driven fuzzing: schemathesis generates requests from the OpenAPI schema and sends
them through the WSGI app. Valid requests must be answered as the schema documents; invalid
ones (negative mode) with a 4xx; nothing with a server error. Examples are bounded per
operation so the whole run takes seconds.

The run is driven with Hypothesis directly: schemathesis's pytest integration reads a
pytest internal that pytest 9 no longer has.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def api_schema(reindex, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

    # Throttling is tested on its own; here it would only turn requests into 429s.
    for throttle in (AnonRateThrottle, UserRateThrottle):
        monkeypatch.setattr(throttle, "allow_request", lambda self, request, view: True)
    wire = make_source("Caspian Wire")
    wind = make_tag("wind power")
    spic = make_entity("State Power Investment Corporation", aliases=["SPIC"])
    for n in range(5):
        make_article(f"Wind farm {n} <opens>", f"The wind farm {n} opened near Astana.", source=wire, tags=[wind],
                     mentions=[spic], published=f"202{n}-03-0{n + 1}", dateline="ASTANA")
    reindex()
    # As Django's test client does: the app must not close the database connection after
    # each request, or the test's transaction (and on PostgreSQL the connection) is gone.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 9  # articles, entities, sources, tags (list and detail) and search
    return found


def fuzz(operation, mode: GenerationMode, checks) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(checks=checks)

    run()


def test_valid_requests_are_answered_as_documented(api_schema):
    for operation in operations(api_schema):
        fuzz(operation, GenerationMode.POSITIVE, [not_a_server_error, status_code_conformance,
                                                  response_schema_conformance])


def test_invalid_requests_never_give_a_server_error(api_schema):
    for operation in operations(api_schema):
        fuzz(operation, GenerationMode.NEGATIVE, [not_a_server_error])
