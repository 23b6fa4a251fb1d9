"""Starts `samrad serve` on 127.0.0.1 for the end-to-end tests, each server with its own SQLite file."""
import email
import email.header
import glob
import importlib.util
import os
import re
import socket
import subprocess
import time

import shutil

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BIN = os.environ.get("SAMRAD_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "samrad"))
WORK = os.environ.get("SAMRAD_WORK") or "/tmp"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, env=None, demo=False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = os.path.join(WORK, f"{name}.sqlite")
        self.log_path = os.path.join(WORK, f"{name}.log")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.db + suffix):
                os.remove(self.db + suffix)
        self.outbox = os.path.join(WORK, f"{name}-outbox")
        shutil.rmtree(self.outbox, ignore_errors=True)
        environment = dict(os.environ, OUTBOX_DIR=self.outbox, **(env or {}))
        environment.pop("DATABASE_URL", None)
        args = [BIN, "serve", "--db", self.db, "--port", str(self.port)] + (["--demo"] if demo else [])
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(open(self.log_path).read())
            time.sleep(0.2)
        else:
            raise RuntimeError("samrad serve did not start: " + open(self.log_path).read())

    def setup_link(self):
        match = re.search(r"(http://\S+/setup/\S+)", open(self.log_path).read())
        assert match, "the server printed no set-up link"
        return match.group(1)

    def mails(self, to):
        """The text bodies of the .eml files the outbox wrote to this recipient."""
        bodies = []
        for path in glob.glob(os.path.join(self.outbox, "*.eml")):
            with open(path, "rb") as f:
                message = email.message_from_binary_file(f)
            if to in message.get("To", ""):
                text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
                bodies.append(text.get_payload(decode=True).decode("utf-8"))
        return bodies

    def attachments(self, to, content_type="text/calendar"):
        """The attachments of that type in the e-mails to this recipient, as (subject, bytes)."""
        found = []
        for path in glob.glob(os.path.join(self.outbox, "*.eml")):
            with open(path, "rb") as f:
                message = email.message_from_binary_file(f)
            if to in message.get("To", ""):
                subject = str(email.header.make_header(email.header.decode_header(message.get("Subject", ""))))
                found += [(subject, part.get_payload(decode=True)) for part in message.walk() if part.get_content_type() == content_type]
        return found

    def wait_for_mail(self, to, containing, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for body in self.mails(to):
                if containing in body:
                    return body
            time.sleep(0.2)
        raise AssertionError(f"no e-mail to {to} containing {containing!r}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def csrf_session(base):
    session = requests.Session()
    session.get(base + "/")
    return session, session.cookies.get("samrad_csrf")


def make_token(server, session, name="tests"):
    token = session.cookies.get("samrad_csrf")
    page = session.post(server.base + "/profile/tokens", data={"_csrf": token, "name": name}).text
    start = page.index('<code id="new-token">') + len('<code id="new-token">')
    return page[start:page.index("<", start)]


def accept_account_invitation(server, email, name, password="a long test password"):
    """Opens the account invitation mailed to `email` and makes the account."""
    body = server.wait_for_mail(email, "/invitations/")
    link = re.search(r"(http://\S+/invitations/\S+)", body).group(1)
    session = requests.Session()
    session.get(server.base + "/")
    response = session.post(link, data={"_csrf": session.cookies.get("samrad_csrf"), "name": name, "password": password},
                            allow_redirects=False)
    assert response.status_code == 303, response.text[:500]


PASSWORD = "a long test password"


def sign_in(browser, server, email, password=PASSWORD, fresh=False):
    """Signs in through the form; `fresh` drops the browser's cookies first (another person's session)."""
    if fresh:
        browser.delete_all_cookies()
    browser.get(server.base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys(email)
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys(password + Keys.ENTER))
    assert browser.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']"), browser.find_element(By.TAG_NAME, "main").text


def sign_out(browser):
    press(browser, "Sign out")


def press(browser, label):
    """Presses the button whose text is `label` and waits for the next page."""
    quoted = f'"{label}"' if "'" in label else f"'{label}'"
    navigating(browser, lambda: browser.find_element(By.XPATH, f"//button[normalize-space()={quoted}]").click())


def type_into(browser, field, text):
    element = browser.find_element(By.ID, field)
    element.clear()
    element.send_keys(text)


def create_admin(server, email="admin@example.dk", password="a long admin password"):
    session, token = csrf_session(server.base)
    response = session.post(server.setup_link(), data={"_csrf": token, "name": "Admin", "email": email, "password": password}, allow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return session


@pytest.fixture(scope="module")
def browser_server():
    server = Server("browser", demo=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()


@pytest.fixture(scope="module")
def api_server(smtp_port):
    server = Server("api", env={"SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "OUTBOX_INTERVAL": "0.3", "OUTBOX_RETRY_BASE": "1"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tls_smtp():
    """A certificate for localhost made for this run, and a port for an SMTP server that requires
    STARTTLS and a login."""
    folder = os.path.join(WORK, "smtp-tls")
    os.makedirs(folder, exist_ok=True)
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert], check=True, capture_output=True)
    return {"port": free_port(), "cert": cert, "key": key}


@pytest.fixture(scope="module")
def tls_server(tls_smtp):
    url = f"smtp://mailer:s%C3%A6cret@localhost:{tls_smtp['port']}?starttls=true&ca={tls_smtp['cert']}"
    server = Server("tls", env={"SMTP_URL": url, "OUTBOX_INTERVAL": "0.3", "OUTBOX_RETRY_BASE": "1"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en-GB", "--window-size=1280,900"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
    binary = shutil.which("chromium")
    if binary:
        options.binary_location = binary
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def navigating(browser, action):
    """Runs an action that loads a new page and waits until the new page has replaced the old and
    finished loading."""
    old = browser.find_element(By.TAG_NAME, "html")
    action()

    def replaced(driver):
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            # Stale, or (a chromedriver quirk during navigation) no longer in the document.
            return True

    WebDriverWait(browser, 10).until(replaced)
    WebDriverWait(browser, 10).until(lambda driver: driver.execute_script("return document.readyState") == "complete")


def heading(browser):
    return browser.find_element(By.TAG_NAME, "h1").text


# axe-core itself, as the package ships it (only its script is used: Selenium runs it in the page).
AXE = os.path.join(os.path.dirname(importlib.util.find_spec("axe_playwright_python").origin), "axe.min.js")


def accessibility_violations(browser):
    """axe-core's WCAG 2.1 A and AA rules on the page as it stands: the violations, each with its
    rule and the elements it found. (Injected through the driver, so the page's CSP is not in the way.)"""
    with open(AXE, encoding="utf-8") as f:
        browser.execute_script(f.read())
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.html.slice(0, 200))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));")
    return result


def emulating(browser, width, height=900):
    """Lays the page out as a phone or a screen of this width would (headless Chromium keeps its
    window at least 500 px wide, so the viewport is emulated)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def overflows_at(browser, width):
    """Whether the page scrolls sideways at this width (it should reflow instead)."""
    emulating(browser, width)
    try:
        # Against the emulated width, not innerWidth: a mobile viewport widens itself to content
        # that overflows, and would then report no overflow at all.
        return browser.execute_script("return document.documentElement.scrollWidth > arguments[0] + 1", width)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def screenshot(browser, name, width):
    """A picture of the whole page at this width, for people to look at (in SAMRAD_WORK)."""
    emulating(browser, width)
    try:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        emulating(browser, width, min(max(height, 600), 4000))
        browser.save_screenshot(os.path.join(WORK, f"{name}-{width}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
