"""Signing in with a work identity and asking for access, in a real browser, with no administrator
in between, against a real OpenID Connect provider: Django OAuth Toolkit with OIDC turned on
(`identity_provider/`), on 127.0.0.1 behind a small pass-through that can hold back its keys or put
another application's token in its answer. A teacher signs in, asks Aarhus for access, Aarhus'
coordinator approves, and the teacher is a member of Aarhus. What the provider answers wrongly
(another audience, an expired token, a key it does not publish) and a replayed state are refused
with a page and no account; a key rotation is followed. Then two-step sign-in: a coordinator turns
it on from the profile and signs in with a code; a code from minutes ago is refused. Every page
passes axe-core's WCAG 2.1 AA rules and reflows at 320 px."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import secrets
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from conftest import (WORK, Server, accept_account_invitation, accessibility_violations, create_admin, free_port,
                      heading, navigating, overflows_at, screenshot, sign_in, sign_out, type_into)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

PROVIDER_DIR = os.path.join(os.path.dirname(__file__), "identity_provider")
CLIENT_SECRET = "samrad: secret+1"
PROVIDER_PASSWORD = "provider password"


def new_key(name):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = os.path.join(WORK, f"identity-{name}.pem")
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return path


class PassThrough:
    """Forwards every request to the provider unchanged (the Host too, so its addresses are this
    one's), but can answer its keys with an older set or its token endpoint with another token."""

    def __init__(self):
        self.upstream = None
        self.keys = None
        self.token = None
        through = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                connection = http.client.HTTPConnection("127.0.0.1", through.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                if self.path.startswith("/o/.well-known/jwks.json") and through.keys is not None:
                    data = json.dumps(through.keys).encode()
                if self.path.startswith("/o/token/") and through.token is not None:
                    data, through.token = json.dumps(through.token).encode(), None
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Provider:
    """Django OAuth Toolkit, started and restarted with a signing key, older keys and a token lifetime."""

    def __init__(self, through, redirect):
        self.through = through
        self.db = os.path.join(WORK, "identity-provider.sqlite")
        if os.path.exists(self.db):
            os.remove(self.db)
        self.process = None
        self.key = new_key("first")
        self.env = dict(os.environ, PYTHONPATH=PROVIDER_DIR, DJANGO_SETTINGS_MODULE="settings", PROVIDER_DB=self.db,
                        PROVIDER_ISSUER=through.base + "/o", PROVIDER_KEY=self.key, SAMRAD_CLIENT_SECRET=CLIENT_SECRET)
        for args in (["-m", "django", "migrate", "-v", "0"], [os.path.join(PROVIDER_DIR, "seed.py"), redirect]):
            subprocess.run([sys.executable] + args, env=self.env, check=True, cwd=PROVIDER_DIR)
        self.start()

    def start(self, key=None, old_keys=(), token_seconds=300):
        self.stop()
        env = dict(self.env, PROVIDER_KEY=key or self.key, PROVIDER_OLD_KEYS=",".join(old_keys),
                   PROVIDER_ID_TOKEN_SECONDS=str(token_seconds))
        port = free_port()
        self.log = open(os.path.join(WORK, "identity-provider.log"), "a")
        self.process = subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                        env=env, cwd=PROVIDER_DIR, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/o/.well-known/jwks.json", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        self.through.upstream = port

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture(scope="module")
def through():
    return PassThrough()


@pytest.fixture(scope="module")
def server(through):
    server = Server("identity", env={
        "OIDC_PROVIDERS": "testid", "OIDC_TESTID_ISSUER": through.base + "/o", "OIDC_TESTID_CLIENT_ID": "samrad",
        "OIDC_TESTID_CLIENT_SECRET": CLIENT_SECRET, "OIDC_TESTID_LABEL": "Test ID"})
    admin = create_admin(server)
    invited = admin.post(server.base + "/admin/invitations", data={
        "_csrf": admin.cookies.get("samrad_csrf"), "email": "coord@aarhus.dk", "kind": "coordinator",
        "municipality": "dk/751"}, allow_redirects=False)
    assert invited.status_code == 303, invited.text[:500]
    accept_account_invitation(server, "coord@aarhus.dk", "Aase Aarhus")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provider(through, server):
    provider = Provider(through, server.base + "/sign-in/oidc/testid/callback")
    yield provider
    provider.stop()


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


def sign_in_with_provider(browser, server, username):
    """Through the sign-in page's button and the provider's own sign-in form, back to Samrad."""
    browser.delete_all_cookies()
    browser.get(server.base + "/sign-in")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Sign in with Test ID").click())
    assert heading(browser) == "Test ID"
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(PROVIDER_PASSWORD)
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click())
    assert browser.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']"), browser.find_element(By.TAG_NAME, "main").text


def at_provider(through, username):
    """A browser signed in at the provider (not at Samrad)."""
    session = requests.Session()
    session.get(through.base + "/accounts/login/")
    signed = session.post(through.base + "/accounts/login/", data={
        "csrfmiddlewaretoken": session.cookies["csrftoken"], "username": username, "password": PROVIDER_PASSWORD,
        "next": "/o/"}, allow_redirects=False)
    assert signed.status_code == 302, signed.text[:300]
    return session


def samrad_sign_in(server, provider_session, tamper=lambda address: address):
    """Samrad sends the browser to the provider, which sends it back with a code; the answer to that."""
    samrad = requests.Session()
    start = samrad.get(server.base + "/sign-in/oidc/testid", allow_redirects=False)
    assert start.status_code == 303, start.text[:300]
    back = provider_session.get(tamper(start.headers["Location"]), allow_redirects=False)
    assert back.status_code == 302, back.text[:300]
    callback = back.headers["Location"]
    assert callback.startswith(server.base + "/sign-in/oidc/testid/callback?"), callback
    return samrad, samrad.get(callback, allow_redirects=False), callback


def accounts(server, email):
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT count(*) FROM users WHERE email = ?", (email,)).fetchone()[0]


def refused(answer):
    return answer.status_code == 400 and "not signed in" in answer.text or "did not finish" in answer.text


def test_a_teacher_signs_in_with_her_work_identity_and_is_let_in_by_her_municipality(server, provider, browser):
    browser.delete_all_cookies()
    browser.get(server.base + "/sign-in")
    checked(browser, "sign-in-providers")
    sign_in_with_provider(browser, server, "lone")
    # A new account has no role: it lands where it asks for one.
    assert heading(browser) == "Ask for access"
    checked(browser, "access-ask")
    # Without the work: the field is named.
    Select(browser.find_element(By.ID, "municipality")).select_by_value("dk/751")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Send the request']").click())
    assert browser.find_element(By.ID, "work-error").is_displayed()
    type_into(browser, "work", "teacher at Skæring Skole")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Send the request']").click())
    assert "Your request has gone to Aarhus" in browser.find_element(By.TAG_NAME, "main").text
    assert server.wait_for_mail("coord@aarhus.dk", "teacher at Skæring Skole")

    sign_in(browser, server, "coord@aarhus.dk", fresh=True)
    browser.get(server.base + "/access/requests")
    assert heading(browser) == "Requests for access"
    checked(browser, "access-requests")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Approve')]").click())
    assert "Approved: the person now has access to Aarhus." in browser.find_element(By.TAG_NAME, "main").text

    # Signed in again, the same subject finds the same account, now a member of Aarhus.
    sign_in_with_provider(browser, server, "lone")
    browser.get(server.base + "/profile")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Aarhus" in main.split("Your roles")[1], main
    assert "Test ID: linked" in main
    checked(browser, "profile-providers")
    assert accounts(server, "lone@skole.aarhus.dk") == 1

    # And writes a draft article: no administrator was involved at any step.
    browser.get(server.base + "/knowledge/new")
    assert heading(browser) == "Write a material"
    type_into(browser, "title", "Læsebånd på Skæring Skole")
    type_into(browser, "summary", "Sådan arbejder vi med læsebånd hver morgen i indskolingen.")
    type_into(browser, "body", "## Baggrund\n\nLærerne læser med eleverne hver morgen.")
    type_into(browser, "themes", "Læsning")
    Select(browser.find_element(By.ID, "language")).select_by_visible_text("Dansk")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Save']").click())
    assert heading(browser) == "Læsebånd på Skæring Skole", browser.find_element(By.TAG_NAME, "main").text[:500]


def test_what_the_provider_must_not_be_believed(server, provider, through):
    kim = at_provider(through, "kim")
    # A nonce other than Samrad's (the provider signs what it was sent).
    def other_nonce(address):
        return address.replace("nonce=", "nonce=x", 1)
    _, answer, _ = samrad_sign_in(server, kim, other_nonce)
    assert refused(answer), answer.text[:300]

    # A replayed state: the answer is used once, and only by the browser that asked.
    lone = at_provider(through, "lone")
    samrad, answer, callback = samrad_sign_in(server, lone)
    assert answer.status_code == 303
    assert samrad.get(callback, allow_redirects=False).status_code == 400
    assert requests.get(callback, allow_redirects=False).status_code == 400

    # A token the provider issued to another application, with Samrad's nonce.
    def for_other_app(address):
        nonce = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(address).query))["nonce"]
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        redirect = server.base + "/sign-in/oidc/testid/callback"
        asked = kim.get(through.base + "/o/authorize/?" + urllib.parse.urlencode({
            "response_type": "code", "client_id": "other-app", "redirect_uri": redirect, "scope": "openid email profile",
            "state": "s", "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"}),
            allow_redirects=False)
        code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(asked.headers["Location"]).query))["code"]
        tokens = requests.post(through.base + "/o/token/", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier},
            auth=("other-app", "other secret"))
        assert tokens.status_code == 200, tokens.text
        through.token = tokens.json()
        return address
    _, answer, _ = samrad_sign_in(server, kim, for_other_app)
    assert refused(answer), answer.text[:300]

    # An expired token.
    provider.start(token_seconds=-600)
    _, answer, _ = samrad_sign_in(server, kim)
    assert refused(answer), answer.text[:300]

    # A token signed with a key the provider does not publish (its keys still show only the first).
    published = requests.get(through.base + "/o/.well-known/jwks.json").json()
    second = new_key("second")
    provider.start(key=second)
    through.keys = published
    _, answer, _ = samrad_sign_in(server, kim)
    assert refused(answer), answer.text[:300]
    assert "could not be accepted" in answer.text
    assert accounts(server, "kim@skole.aarhus.dk") == 0, "no account from a refused answer"

    # The provider rotates: the new key is published beside the old one, and Samrad follows.
    through.keys = None
    provider.start(key=second, old_keys=[provider.key])
    samrad, answer, _ = samrad_sign_in(server, at_provider(through, "lone"))
    assert answer.status_code == 303, answer.text[:300]
    assert samrad.get(server.base + "/api/v1/me", headers={"Accept": "application/json"}).json()["email"] == \
        "lone@skole.aarhus.dk"
    assert accounts(server, "lone@skole.aarhus.dk") == 1


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
    # A code from three minutes ago is refused, with the field named.
    type_into(browser, "code", totp(secret, time.time() - 180))
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click())
    assert browser.find_element(By.ID, "code-error").is_displayed()
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']")
    # The code of 30 seconds later is taken: one step either side.
    type_into(browser, "code", totp(secret, time.time() + 30))
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click())
    assert browser.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']")
