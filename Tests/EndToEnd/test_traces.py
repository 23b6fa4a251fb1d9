"""Traces for operators: with OTEL_EXPORTER_OTLP_ENDPOINT set, `samrad serve` sends a span per request,
named by its route, with the SQL statements it ran inside, to an OTLP/HTTP collector. This stands in for
the collector on 127.0.0.1 and reads what arrives (as OTLP JSON, OTEL_EXPORTER_OTLP_PROTOCOL=http/json)."""
import base64
import binascii
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from conftest import Server


class Collector(BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Collector.bodies.append((self.path, self.headers.get("Content-Type"), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def collector():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(collector):
    server = Server("traces", env={
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_address[1]}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    })
    yield server
    server.stop()


def attributes(item):
    found = {}
    for attribute in item.get("attributes", []):
        value = attribute["value"]
        found[attribute["key"]] = next(iter(value.values())) if value else None
    return found


def hex_id(value):
    """Trace and span ids as hex: OTLP JSON writes them so, protobuf's JSON mapping as base64."""
    if not value:
        return value
    try:
        if len(value) in (16, 32):
            int(value, 16)
            return value.lower()
    except ValueError:
        pass
    return binascii.hexlify(base64.b64decode(value)).decode()


def received_spans():
    spans = []
    for path, _, body in Collector.bodies:
        assert path == "/v1/traces"
        for resource_spans in json.loads(body).get("resourceSpans", []):
            resource = attributes(resource_spans.get("resource", {}))
            for scope in resource_spans.get("scopeSpans", []):
                for span in scope.get("spans", []):
                    spans.append(dict(span, resource=resource, attrs=attributes(span), traceId=hex_id(span.get("traceId")),
                                      spanId=hex_id(span.get("spanId")),
                                      parentSpanId=hex_id(span.get("parentSpanId"))))
    return spans


def wait_for(predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [span for span in received_spans() if predicate(span)]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("no such span arrived: " + json.dumps([s["name"] for s in received_spans()]))


def test_requests_and_their_queries_arrive_as_spans_without_addresses_or_values(server):
    caller_trace, caller_span = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    secret = "secret-" + uuid.uuid4().hex[:8]
    listed = requests.get(server.base + "/municipalities", params={"q": secret},
                          headers={"traceparent": f"00-{caller_trace}-{caller_span}-01"})
    assert listed.status_code == 200
    missing = requests.get(server.base + f"/meetings/{uuid.uuid4()}", params={"token": secret})
    assert missing.status_code == 404

    [page] = wait_for(lambda s: s["name"] == "GET /municipalities")
    assert page["resource"]["service.name"] == "samrad"
    assert page["attrs"]["http.route"] == "/municipalities"
    assert int(page["attrs"]["http.response.status_code"]) == 200
    # The proxy's trace goes on: same trace, the caller's span is the parent.
    assert page["traceId"] == caller_trace
    assert page["parentSpanId"] == caller_span

    [meeting] = wait_for(lambda s: s["name"] == "GET /meetings/:meeting")
    assert int(meeting["attrs"]["http.response.status_code"]) == 404
    queries = wait_for(lambda s: s.get("parentSpanId") == meeting["spanId"] and s["traceId"] == meeting["traceId"])
    assert all(q["attrs"].get("db.system.name") == "sqlite" for q in queries if "db.query.text" in q["attrs"])
    statements = [q["attrs"]["db.query.text"] for q in queries if "db.query.text" in q["attrs"]]
    assert any(statement.startswith("SELECT") for statement in statements), statements

    # Neither the address with its query nor a bound value ever reaches the collector.
    for _, _, body in Collector.bodies:
        assert secret.encode() not in body
        assert b"url.path" not in body and b"url.query" not in body
