"""asyncapi.yml is a valid AsyncAPI 3.0 document, and says what the consumer really does."""
import json

import jsonschema
import pytest
import yaml

from realtime.consumers import FRAME_TOO_LARGE, SIGNED_OUT, TOKEN_EXPIRED, TOO_MANY_SOCKETS
from testing import BASE_DIR

SPEC_SCHEMA = BASE_DIR / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0-without-$id.json"
EVENTS_SENT = {
    "message.created", "message.updated", "message.deleted", "conversation.read",
    "notification.created", "notification.deleted", "notification.read", "typing", "error",
}


@pytest.fixture(scope="module")
def document():
    return yaml.safe_load((BASE_DIR / "asyncapi.yml").read_text())


def test_the_document_is_valid_asyncapi_3(document):
    assert SPEC_SCHEMA.exists(), "npm ci installs @asyncapi/specs (package.json)"
    jsonschema.validate(document, json.loads(SPEC_SCHEMA.read_text()))


def test_every_event_the_server_sends_is_documented_with_its_close_code(document):
    messages = document["components"]["messages"]
    sent = {
        messages[ref["$ref"].rsplit("/", 1)[-1]]["payload"]["properties"]["type"]["const"]
        for ref in document["operations"]["pushEvents"]["messages"]
    }
    assert sent == EVENTS_SENT
    for code in (TOKEN_EXPIRED, SIGNED_OUT, TOO_MANY_SOCKETS, FRAME_TOO_LARGE):
        assert f"`{code}`" in document["info"]["description"]


def test_every_example_matches_its_payload_schema(document):
    schemas = document["components"]["schemas"]
    for name, message in document["components"]["messages"].items():
        payload = json.loads(json.dumps(message["payload"]).replace("#/components/schemas/", "#/$defs/"))
        payload["$defs"] = schemas
        for example in message.get("examples", []):
            jsonschema.validate(example["payload"], payload, cls=jsonschema.Draft202012Validator)
        assert message.get("examples") or "$ref" in json.dumps(payload["properties"]["data"]), name
