"""Schema-driven fuzzing of the REST API (issue 19): schemathesis draws requests for every
operation of ``/api/schema/`` and sends them with a staff member's token (the tasker's lead:
what the policy refuses must be a documented 403, what it hides a 404), then with an
administrator's (who may read and write everything, so the writes get past the policy to the
forms and services). Every response must be no server error and conform to the schema: a
documented status code, its media type (``application/problem+json`` for errors) and its
body's schema.

Bounded: ``API_FUZZ_EXAMPLES`` examples an operation (default 10; a third of that for the
staff member), derandomized, no shrinking; half of the drawn ids are replaced by a real
record's, so the requests reach records and not only 404s. The requests go through Django's
test client inside the test's transaction (no server, no flush), on SQLite and PostgreSQL
alike; a multipart upload is encoded as ``requests`` would send it.
"""

import json
import os
import time
from urllib.parse import urlencode, urlsplit

import pytest
import requests
import schemathesis
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from execcoord import registry
from tests.api_support import token_for
from tests.test_write_policy import World

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))
STAFF_EXAMPLES = max(1, EXAMPLES // 3)  # the second user: a bounded extra run
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _send(client, case, secret):
    """``case`` through Django's test client, answered as schemathesis' ``Response``."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    url = urlsplit(kwargs["url"])
    params = kwargs.get("params") or {}
    query = params if isinstance(params, str) else urlencode(params, doseq=True)
    path = url.path + (f"?{query}" if query else "")
    body = kwargs.get("json", None)
    data = json.dumps(body) if body is not None else kwargs.get("data") or ""
    content_type = "application/json"
    method = kwargs["method"].lower()
    if kwargs.get("files") is not None:  # a multipart body, encoded as requests sends it
        prepared = requests.Request(
            method, "http://testserver/", files=kwargs["files"], data=kwargs.get("data")
        ).prepare()
        data, content_type = prepared.body, prepared.headers["Content-Type"]
    response = client.generic(
        method.upper(),
        path,
        data=data,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    url = f"http://testserver{path}"
    return Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=b"".join(response.streaming_content) if response.streaming else response.content,
        request=requests.Request(method.upper(), url).prepare(),
        elapsed=0.0,
        message=response.reason_phrase,
        encoding="utf-8",
        http_version="1.1",
        verify=False,
    )


def _real_ids(world):
    """``{api path: a record's id}`` for every model's detail routes."""
    ids = {}
    for views in registry.all_registrations():
        record = world.records[views.label]
        slug = "taskers" if views.label == "actions.executiveaction" else views.slug
        ids[f"/api/v1/{slug}/{{id}}/"] = record.pk
    return ids


def test_every_operation_answers_by_its_schema(settings_fast_throttle):
    world = World()
    _, secret = token_for(world.users["administrator"], "fuzz")
    _, staff_secret = token_for(world.users["staff_lead"], "fuzz")
    client = Client()
    schema_data = client.get(
        "/api/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    schema = schemathesis.openapi.from_dict(schema_data)
    ids = _real_ids(world)
    operations = [result.ok() for result in schema.get_all_operations()]
    # a staff member first (the tasker's lead: the policy refuses much, the forms see the
    # rest), with fewer examples; then the administrator, whom nothing stops before the forms
    for who, token, examples in (
        ("staff", staff_secret, STAFF_EXAMPLES),
        ("administrator", secret, EXAMPLES),
    ):
        started, calls = time.monotonic(), [0]
        for operation in operations:
            _fuzzer(operation, _real_id(ids, operation.path), client, token, calls, examples)()
        elapsed = time.monotonic() - started
        print(
            f"\nschemathesis ({who}): {len(operations)} operations, {calls[0]} requests, "
            f"{elapsed:.0f} s"
        )
    documented = sum(
        method in ("get", "post", "put", "patch", "delete")
        for item in schema_data["paths"].values()
        for method in item
    )
    assert len(operations) == documented > 60


def _real_id(ids, path):
    """A real record's id for an operation on ``path`` (``None`` without ``{id}``)."""
    real = {
        key: value
        for key, value in ids.items()
        if path.startswith(key.rsplit("{id}", 1)[0]) and "{id}" in path
    }
    return next(iter(real.values()), None)


def _fuzzer(operation, real_id, client, secret, calls, examples):
    """The bounded, derandomized Hypothesis test of one operation."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), use_real=st.booleans())
    def fuzz(case, use_real):
        if use_real and real_id is not None and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = real_id
        calls[0] += 1
        response = _send(client, case, secret)
        case.validate_response(response, checks=CHECKS)

    return fuzz


@pytest.fixture
def settings_fast_throttle(settings):
    """The fuzzing sends hundreds of requests with one token: no throttling in the way."""
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()
