"""Schemathesis against /api/openapi.json: generated requests, through the real WSGI app.

Each operation gets the schema's own examples, then requests the schema allows (positive),
then requests it forbids (negative), all with a partner's key as the document says to send
it. The checks: no 5xx; status code, content type, headers and body as documented; and every
request the schema forbids is refused with a 4xx.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from dateline.newsroom.models import Tag
from dateline.syndication.models import ApiKey, Partner
from dateline.wsgi import application

from .ninjs_schema import GEOJSON_URI, load
from .ninjs_schema import schema as ninjs_schema

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# Enough to meet every parameter's edges and stay within a minute on two shared cores.
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 25}


@pytest.fixture
def newsroom(make_article, make_section, make_tag, make_author):
    """Stories the schema's examples find: business/markets, place:usa, "inflation" (as the
    demo's archive does: the examples are for newcomers to try on it)."""
    markets = make_section("Markets", parent=make_section("Business"))
    usa = make_tag("USA", Tag.Kind.PLACE)
    make_article("Inflation slows in the USA", section=markets, tags=[usa],
                 authors=[make_author("Ana Ivanova")], age=timedelta(days=2))
    make_article("Markets rally on inflation data", section=markets, age=timedelta(hours=3))


@pytest.fixture
def token(db) -> str:
    partner = Partner.objects.create(name="Agency", contact_email="desk@agency.example")
    key = ApiKey(partner=partner, rate_limit=100_000)
    secret = key.issue_token()
    key.save()
    return secret


def keeping_the_connection(app):
    """Run the real WSGI app as Django's test client runs its handler: the request signals'
    close_old_connections would close the test's connection, which is inside its transaction."""

    def run(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            answer = app(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                if hasattr(answer, "close"):
                    answer.close()  # sends request_finished, as the server would
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return run


def as_schemathesis_reads(schema: dict) -> dict:
    """IPTC's ninjs 2.1 says "no other property" with draft 2020-12's unevaluatedProperties
    beside a root $ref, which schemathesis's validator does not follow through the $ref: it
    refused every property of items jsonschema finds valid. The same rule in the form it
    reads (held equal on IPTC's own samples below)."""
    name = schema.get("$ref", "").removeprefix("#/$defs/")
    if schema.get("unevaluatedProperties") is not False or name not in schema.get("$defs", {}):
        return schema
    inner = schema["$defs"][name]
    assert set(inner) <= {"description", "type", "properties"}, "a rule this form would drop"
    plain = {k: v for k, v in schema.items() if k not in ("$ref", "unevaluatedProperties")}
    return {**plain, "properties": inner["properties"], "additionalProperties": False}


@pytest.mark.parametrize("version", ["3.1", "2.1", "1.6", "1.5"])
def test_the_form_given_to_schemathesis_judges_items_as_iptcs_schema(version, newsroom):
    import json

    from jsonschema import validators
    from referencing import Registry, Resource

    from dateline.newsroom.models import Article

    from .ninjs_schema import suite
    from .test_ninjs_versions import formatter

    original = ninjs_schema(version)
    plain = as_schemathesis_reads(original)
    registry = Registry().with_resource(GEOJSON_URI, Resource.from_contents(
        load("GeoJSON-schema.json")))
    judges = [validators.validator_for(original)(s, registry=registry)
              for s in (original, plain)]
    ours = formatter(version).format_all(list(Article.objects.all()))
    items = [json.loads(sample.read_text()) for sample in suite(version).rglob("*.json")]
    items += [*ours, {**ours[0], "notANinjsProperty": 1}, {**ours[0], "headline": 7},
              {k: v for k, v in ours[0].items() if k != "uri"}]
    verdicts = [[not list(judge.iter_errors(item)) for item in items] for judge in judges]
    assert verdicts[0] == verdicts[1]
    assert True in verdicts[0] and False in verdicts[0]


@pytest.fixture
def api_schema(client):
    """The document the API serves, with IPTC's ninjs and GeoJSON schemas (which it names
    by URL) given in full under their own $id, as no test may fetch them."""
    document = client.get("/api/openapi.json").json()
    geojson = {**load("GeoJSON-schema.json"), "$id": GEOJSON_URI}
    document["components"]["schemas"].update(
        {f"IptcNinjs{v.replace('.', '')}": as_schemathesis_reads(ninjs_schema(v))
         for v in ("3.1", "2.1", "1.6", "1.5")})
    document["components"]["schemas"]["GeoJSON"] = geojson
    schema = schemathesis.openapi.from_dict(document)
    schema.app = keeping_the_connection(application)
    return schema


def exercise(operation, strategy, token: str, checks, examples: int) -> int:
    sent = []

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        sent.append(case)
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)

    run()
    return len(sent)


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_answers_as_documented(api_schema, newsroom, token):
    for operation in operations(api_schema):
        for example in operation.get_strategies_from_examples():
            exercise(operation, example, token, CHECKS, 5)
        for mode, count in EXAMPLES.items():
            checks = [*CHECKS, negative_data_rejection] if mode.is_negative else CHECKS
            assert exercise(operation, operation.as_strategy(generation_mode=mode), token,
                            checks, count) > 0


def test_a_real_story_and_a_full_page_answer_as_documented(api_schema, newsroom, token):
    """Generated ids rarely name a story: ask for real ones, so that items are checked too."""
    from dateline.newsroom.models import Article

    by_path = {operation.path: operation for operation in operations(api_schema)}
    for pk in Article.objects.values_list("pk", flat=True):
        case = by_path["/ninjs/{id}"].Case(path_parameters={"id": pk})
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                          checks=CHECKS)
        assert response.status_code == 200
    response = by_path["/ninjs/"].Case(query={"limit": 1}).call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    assert response.status_code == 200 and response.json()["next"]


def test_the_schemas_own_examples_are_accepted(client, newsroom, token):
    document = client.get("/api/openapi.json").json()
    tried = set()
    for path, item in document["paths"].items():
        parameters = item["get"]["parameters"]
        query = {p["name"]: p["schema"]["examples"][0] for p in parameters
                 if p["in"] == "query" and "examples" in p["schema"]}
        if not query:
            continue
        tried.add(path)
        response = client.get(f"/api{path}", query,
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, query, response.content)
        body = response.json()
        assert body.get("items") or body.get("results"), (path, query)
    assert tried == {"/ninjs/", "/search"}


@pytest.mark.parametrize("path", ["/api/ninjs/", "/api/ninjs/changes"])
def test_an_empty_cursor_is_no_cursor(client, newsroom, token, path):
    """Clients that fill in every parameter the document names send `cursor=`."""
    since = f"{timezone.now() - timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"
    response = client.get(path, {"since": since, "cursor": "", "limit": 1},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    assert response.json()["next"]  # where to go on from, as without a cursor


def test_methods_the_document_does_not_name_are_a_json_405(api_schema, token, client):
    for operation in operations(api_schema):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            ids = {"id": 1} if "{id}" in operation.path else {}
            case = operation.Case(method=method, path_parameters=ids, query={"q": "x"})
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                   checks=[not_a_server_error, unsupported_method])
            response = client.generic(method, "/api" + operation.path.replace("{id}", "1"))
            assert response.status_code == 405
            assert response["Allow"] == "GET, HEAD" and response.json()["status"] == 405


def test_every_moment_parameter_is_documented_as_a_date_time(client):
    """/api/search's until was any string: a generated client sent "" and "yesterday", which
    the document allowed and the view refused (schemathesis's positive_data_acceptance)."""
    document = client.get("/api/openapi.json").json()
    moments = [(path, parameter) for path, operations in document["paths"].items()
               for operation in operations.values() if isinstance(operation, dict)
               for parameter in operation.get("parameters", [])
               if parameter.get("name") in ("since", "until")]
    assert len(moments) >= 3
    for path, parameter in moments:
        assert parameter["schema"].get("format") == "date-time", (path, parameter["name"])
