"""The OpenAPI document matches the live app: every documented example answers as documented."""

from __future__ import annotations

import pytest

from web.openapi import openapi_document

DOCUMENT = openapi_document()
EXAMPLES = [
    (path, method, example)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    for example in operation["x-examples"]
]


def resolve(schema: dict) -> dict:
    if "$ref" in schema:
        return DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def check(value, schema: dict, where: str) -> None:
    """Check a JSON value against the subset of JSON Schema the document uses."""
    schema = resolve(schema)
    types = schema.get("type")
    if types:
        allowed = {types} if isinstance(types, str) else set(types)
        python = {
            "object": dict,
            "array": list,
            "string": str,
            "integer": int,
            "number": (int, float),
            "boolean": bool,
            "null": type(None),
        }
        assert any(isinstance(value, python[t]) for t in allowed), f"{where}: {value!r} is not {allowed}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key!r}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                check(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            check(item, schema["items"], f"{where}[{index}]")


def test_every_operation_documents_examples_and_responses():
    assert {
        "/api/search",
        "/api/search.csv",
        "/api/export.jsonl",
        "/search.atom",
        "/api/articles/{article_id}",
        "/api/articles/{article_id}/related",
        "/healthz",
    } <= set(DOCUMENT["paths"])
    for _path, method, example in EXAMPLES:
        assert method == "get" and str(example["status"]) in DOCUMENT["paths"][_path][method]["responses"]


@pytest.mark.parametrize(("path", "method", "example"), EXAMPLES, ids=[e["request"] for _, _, e in EXAMPLES])
def test_documented_examples_answer_as_documented(client, path, method, example):
    response = client.get(example["request"])
    assert response.status_code == example["status"]
    documented = DOCUMENT["paths"][path][method]["responses"][str(example["status"])]
    content = documented.get("content", {})
    if "application/json" in content and "schema" in content["application/json"]:
        check(response.get_json(), content["application/json"]["schema"], example["request"])
    elif content:
        assert response.mimetype in content


def test_article_examples_with_a_real_id_match_their_schemas(client):
    article_id = client.get("/api/search?q=Blinken").get_json()["results"][0]["id"]
    operations = DOCUMENT["paths"]
    for template, schema in [
        ("/api/articles/{article_id}", "Article"),
        ("/api/articles/{article_id}/related", "Related"),
    ]:
        response = client.get(template.replace("{article_id}", article_id))
        assert response.status_code == 200
        check(
            response.get_json(),
            operations[template]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
            template,
        )
        assert (
            schema in operations[template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        )
