"""The OpenAPI schema: committed as api/schema.yaml, validated, and changed only on purpose."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import translation
from drf_spectacular.validation import validate_schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "api" / "schema.yaml"
UPDATE = (
    "DJANGO_SETTINGS_MODULE=minex.settings.test uv run --frozen python manage.py spectacular "
    "--validate --fail-on-warn --file api/schema.yaml"
)


def generated(tmp_path) -> str:
    target = tmp_path / "schema.yaml"
    with translation.override("en"):
        call_command("spectacular", "--fail-on-warn", "--file", str(target))
    return target.read_text(encoding="utf-8")


def test_the_schema_is_valid_openapi(tmp_path):
    validate_schema(yaml.safe_load(generated(tmp_path)))


def test_the_committed_schema_is_the_generated_one(tmp_path):
    if generated(tmp_path) != COMMITTED.read_text(encoding="utf-8"):
        pytest.fail(f"api/schema.yaml is out of date. If the change is meant, run:\n  {UPDATE}")


@pytest.mark.django_db
def test_the_schema_and_the_documentation_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/registrations/{id}/check-in/" in schema.content
    assert docs.status_code == 200
    policy = docs["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert b"<script>" not in docs.content and b"cdn" not in docs.content.lower()
    assert b"api/vendor/swagger-ui/swagger-ui-bundle" in docs.content
