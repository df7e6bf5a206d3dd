"""A request head Django cannot build a request from is answered in words, not an empty 500."""

import json

import pytest
from django.test import RequestFactory

from dateline.ops.serving.bulkhead import application as served
from dateline.wsgi import django_application

pytestmark = pytest.mark.django_db
TOO_LONG = "text/plain; x=" + "b" * 10_100


def call(application, path: str, method: str = "get", **extra) -> tuple[str, dict, bytes]:
    # The environ alone: building Django's request from it is what fails.
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD=method.upper(),
                                             **extra)
    said = {}

    def start_response(status, headers, exc_info=None):
        said.update(status=status, headers=dict(headers))

    body = b"".join(application(environ, start_response))
    return said["status"], said["headers"], body


@pytest.mark.parametrize("application", [django_application, served])
def test_a_content_type_past_djangos_limit_is_a_400_in_words(application):
    for path, method in (("/", "get"), ("/search/", "get"), ("/report/", "post")):
        status, headers, body = call(application, path, method, CONTENT_TYPE=TOO_LONG)
        assert status == "400 Bad Request", path
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert b"Content-Type header is longer than 10,000 characters" in body
    status, headers, body = call(application, "/api/search", CONTENT_TYPE=TOO_LONG,
                                 QUERY_STRING="q=oil")
    assert status == "400 Bad Request" and headers["Content-Type"] == "application/json"
    assert json.loads(body)["status"] == 400


def test_a_content_type_within_the_limit_reaches_the_site(client):
    response = client.generic("GET", "/", content_type="text/plain; x=" + "b" * 9_000)
    assert response.status_code == 200
