"""Signing in with a work identity and asking for access, in a real browser, with no administrator
in between: a teacher signs in at an OpenID Connect provider (a small provider on 127.0.0.1 whose ID
tokens joserfc, of the Authlib project, signs with RS256), asks Aarhus for access, Aarhus' coordinator approves, and the
teacher is a member of Aarhus. Then two-step sign-in: a coordinator turns it on from the profile and
signs in with a code. Every page passes axe-core's WCAG 2.1 AA rules and reflows at 320 px."""
import base64
import hashlib
import hmac
import json
import struct
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from conftest import (Server, accept_account_invitation, accessibility_violations, create_admin, heading, navigating,
                      overflows_at, screenshot, sign_in, sign_out, type_into)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CLIENT_ID = "samrad-e2e"
CLIENT_SECRET = "e2e secret"


class Provider:
    """An OpenID Connect provider for one test: discovery, keys, an authorization page with one
    button, a token endpoint that checks the client and the PKCE verifier."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "e2e-1", "alg": "RS256", "use": "sig"})
        self.person = {}
        self.codes = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body, content_type="application/json", headers=None):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    base = provider.base
                    self.answer(200, json.dumps({
                        "issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
                        "jwks_uri": base + "/jwks", "response_types_supported": ["code"],
                        "code_challenge_methods_supported": ["S256"]}))
                elif url.path == "/jwks":
                    self.answer(200, json.dumps({"keys": [provider.key.as_dict(private=False)]}))
                elif url.path == "/authorize":
                    assert query["code_challenge_method"] == "S256" and query["client_id"] == CLIENT_ID
                    code = uuid.uuid4().hex
                    provider.codes[code] = query
                    back = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    page = (f'<!doctype html><html lang="en"><title>Test ID</title><main><h1>Test ID</h1>'
                            f'<a id="continue" href="{back}">Continue as {provider.person["name"]}</a></main></html>')
                    self.answer(200, page, "text/html; charset=utf-8")
                else:
                    self.answer(404, "{}")

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                expected = "Basic " + base64.b64encode(
                    f"{urllib.parse.quote_plus(CLIENT_ID)}:{urllib.parse.quote_plus(CLIENT_SECRET)}".encode()).decode()
                asked = provider.codes.pop(form.get("code", ""), None)
                challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                if (self.path != "/token" or self.headers.get("Authorization") != expected or asked is None
                        or challenge.decode().rstrip("=") != asked["code_challenge"]):
                    self.answer(400, json.dumps({"error": "invalid_grant"}))
                    return
                now = int(time.time())
                claims = {"iss": provider.base, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                          "nonce": asked["nonce"], "amr": ["pwd"], **provider.person}
                token = jwt.encode({"alg": "RS256", "kid": "e2e-1"}, claims, provider.key)
                self.answer(200, json.dumps({"id_token": token, "access_token": uuid.uuid4().hex, "token_type": "Bearer"}))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def provider():
    provider = Provider()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def server(provider):
    server = Server("identity", env={
        "OIDC_PROVIDERS": "testid", "OIDC_TESTID_ISSUER": provider.base, "OIDC_TESTID_CLIENT_ID": CLIENT_ID,
        "OIDC_TESTID_CLIENT_SECRET": CLIENT_SECRET, "OIDC_TESTID_LABEL": "Test ID"})
    admin = create_admin(server)
    invited = admin.post(server.base + "/admin/invitations", data={
        "_csrf": admin.cookies.get("samrad_csrf"), "email": "coord@aarhus.dk", "kind": "coordinator",
        "municipality": "dk/751"}, allow_redirects=False)
    assert invited.status_code == 303, invited.text[:500]
    accept_account_invitation(server, "coord@aarhus.dk", "Aase Aarhus")
    yield server
    server.stop()


def checked(browser, name):
    assert accessibility_violations(browser) == [], name
    assert not overflows_at(browser, 320), f"{name} scrolls sideways at 320 px"
    for width in (390, 1366):
        screenshot(browser, name, width)


def totp(secret, at=None):
    """RFC 6238 with SHA-1 and six digits, as authenticator apps compute it."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def sign_in_with_provider(browser, server, provider, person):
    provider.person = person
    browser.delete_all_cookies()
    browser.get(server.base + "/sign-in")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Sign in with Test ID").click())
    assert heading(browser) == "Test ID"
    navigating(browser, lambda: browser.find_element(By.ID, "continue").click())
    assert browser.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']"), browser.find_element(By.TAG_NAME, "main").text


def test_a_teacher_signs_in_with_her_work_identity_and_is_let_in_by_her_municipality(server, provider, browser):
    browser.delete_all_cookies()
    browser.get(server.base + "/sign-in")
    checked(browser, "sign-in-providers")
    teacher = {"sub": "unilogin-4711", "email": "lone@skole.aarhus.dk", "name": "Lone Lærer"}
    sign_in_with_provider(browser, server, provider, teacher)
    # A new account has no role: it lands where it asks for one.
    assert heading(browser) == "Ask a municipality for access"
    checked(browser, "access-ask")
    # Without the work: the field is named.
    Select(browser.find_element(By.ID, "municipality")).select_by_value("dk/751")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Send the request']").click())
    assert browser.find_element(By.ID, "work-error").is_displayed()
    type_into(browser, "work", "teacher at Skæring Skole")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Send the request']").click())
    assert "Your request has gone to the coordinators of Aarhus" in browser.find_element(By.TAG_NAME, "main").text
    assert server.wait_for_mail("coord@aarhus.dk", "teacher at Skæring Skole")

    sign_in(browser, server, "coord@aarhus.dk", fresh=True)
    browser.get(server.base + "/access/requests")
    assert heading(browser) == "Requests for access"
    checked(browser, "access-requests")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Approve')]").click())
    assert "Approved: the person is now a member of Aarhus." in browser.find_element(By.TAG_NAME, "main").text

    sign_in_with_provider(browser, server, provider, teacher)
    browser.get(server.base + "/profile")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Aarhus" in main.split("Your roles")[1], main
    assert "Test ID: linked" in main
    checked(browser, "profile-providers")


def test_two_step_sign_in_from_the_profile(server, browser):
    sign_in(browser, server, "coord@aarhus.dk", fresh=True)
    browser.get(server.base + "/profile")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Turn on two-step sign-in']").click())
    secret = browser.find_element(By.ID, "two-factor-key").text.replace(" ", "")
    checked(browser, "two-factor-setup")
    type_into(browser, "code", totp(secret))
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Confirm']").click())
    assert len(browser.find_elements(By.CSS_SELECTOR, "li code")) == 10, "ten recovery codes, shown once"
    sign_out(browser)

    browser.get(server.base + "/sign-in")
    type_into(browser, "email", "coord@aarhus.dk")
    type_into(browser, "password", "a long test password")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click())
    assert browser.current_url.endswith("/sign-in/code")
    checked(browser, "sign-in-code")
    # The code of 30 seconds later is taken: one step either side.
    type_into(browser, "code", totp(secret, time.time() + 30))
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click())
    assert browser.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']")
