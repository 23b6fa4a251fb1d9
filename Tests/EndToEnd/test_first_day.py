"""The first day of case 1 in a real browser, with e-mail delivered to an SMTP server: an organiser
brings 300 contacts in from a spreadsheet (one bad line named, fixed, imported), every Danish
municipality without a contact gets its official mailbox, the invitation to all 98 reaches each
through a position holder, its coordinator or its mailbox, and a committee chair without an account
registers for a meeting from the e-mailed link."""
import csv
import email
import os
import re
import time

import pytest
import requests
from aiosmtpd.controller import Controller
from conftest import (Server, accessibility_violations, create_admin, free_port, heading, make_token, navigating,
                      overflows_at, press, screenshot)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
# What the first test made, for the page sweep after it.
MADE = {}
POSITIONS = ["committee_chair", "committee_member", "administration", "school_chief", "school_leader"]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        self.messages.append((envelope.rcpt_tos[0], part.get_payload(decode=True).decode("utf-8")))
        return "250 OK"

    def to(self, address):
        return [body for recipient, body in self.messages if recipient == address]


@pytest.fixture(scope="module")
def inbox():
    port = free_port()
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def day_server(inbox):
    server = Server("firstday", env={"SMTP_URL": f"smtp://127.0.0.1:{inbox.port}", "OUTBOX_INTERVAL": "0.3"})
    yield server
    server.stop()


def danish_codes():
    with open(os.path.join(ROOT, "Sources/SamradServer/Resources/Directory/dk_municipalities.csv"), encoding="utf-8") as f:
        return [row["kommunekode"] for row in csv.DictReader(f)]


def wait_until(condition, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_every_municipality_is_reached_and_a_chair_registers_from_the_link(browser, day_server, inbox, tmp_path):
    base = day_server.base
    admin = create_admin(day_server)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(day_server, admin)
    created = admin.post(base + "/organisations", data={"_csrf": admin.cookies.get("samrad_csrf"), "name": "KL",
                                                        "kind": "association", "country": "dk"}, allow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    kl = created.headers["Location"].rsplit("/", 1)[-1]
    codes = danish_codes()
    assert len(codes) == 98
    with_people, with_mailbox = codes[:60], codes[60:]

    # 300 contacts for 60 municipalities, as a spreadsheet writes them; line 151 has a bad address.
    lines = ["kommune;navn;funktion;e-mail"]
    for code in with_people:
        for position in POSITIONS:
            lines.append(f"{code};Kontakt {position} {code};{position};{position}.{code}@kommune.example.dk")
    assert len(lines) == 301
    good = "\n".join(lines) + "\n"
    bad_lines = list(lines)
    bad_lines[150] = bad_lines[150].replace("@kommune.example.dk", "-at-kommune")
    bad, fixed = tmp_path / "kontakter.csv", tmp_path / "kontakter-rettet.csv"
    bad.write_text("\ufeff" + "\n".join(bad_lines) + "\n", encoding="utf-8")
    fixed.write_text("\ufeff" + good, encoding="utf-8")

    browser.get(base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys("admin@example.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long admin password" + Keys.ENTER))
    browser.get(base + "/people/import")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    press(browser, "Check and bring in")
    summary = browser.find_element(By.ID, "error-summary").text
    assert "151" in summary, summary
    assert api.get(base + "/api/v1/people").json()["items"] == [], "nothing is written while a line is wrong"
    browser.find_element(By.ID, "file").send_keys(str(fixed))
    press(browser, "Check and bring in")
    assert "300 new people" in browser.find_element(By.CSS_SELECTOR, "main .notice").text

    # The other 38 have only their official mailbox, brought in by the administrator.
    mailboxes = "municipality,email\n" + "".join(f"{code},post.{code}@kommune.example.dk\n" for code in with_mailbox)
    imported = api.post(base + "/api/v1/municipalities/mailboxes?country=dk", data=mailboxes.encode(),
                        headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 38

    collaboration = api.post(base + "/api/v1/collaborations", json={
        "title": "Politisk del 2027", "kind": "political_forum", "organiserID": kl, "timeZone": "Europe/Copenhagen",
        "deadline": "2030-05-09T12:00", "priceKind": "free",
        "seats": [{"position": "committee_chair", "count": 1, "required": True}]})
    assert collaboration.status_code == 201, collaboration.text
    slug = collaboration.json()["slug"]
    assert api.post(f"{base}/api/v1/collaborations/{slug}/status", json={"status": "open"}).status_code == 200

    browser.get(f"{base}/collaborations/{slug}/invitations")
    browser.find_element(By.ID, "scope-country").click()
    Select(browser.find_element(By.ID, "country")).select_by_value("dk")
    browser.find_element(By.ID, "position-committee_chair").click()
    press(browser, "Send invitations")
    result = browser.find_element(By.ID, "invitation-result").text
    assert "Every invited municipality was reached." in result, result
    assert "98 of 98 municipalities reached" in result
    assert "38 municipalities were reached only through their official mailbox" in result

    expected = {f"committee_chair.{code}@kommune.example.dk" for code in with_people} \
        | {f"post.{code}@kommune.example.dk" for code in with_mailbox}
    assert wait_until(lambda: expected <= {recipient for recipient, _ in inbox.messages}), \
        sorted(expected - {recipient for recipient, _ in inbox.messages})[:10]
    mailbox_mail = inbox.to(f"post.{with_mailbox[0]}@kommune.example.dk")[0]
    assert "officielle postkasse" in mailbox_mail and "/registration-links/" in mailbox_mail

    board = api.get(f"{base}/api/v1/collaborations/{slug}/board").json()
    assert board["counts"]["notReached"] == 0
    assert all(item["reach"] == "reached" for item in board["items"])

    # A meeting for the chairs; the chair of the first municipality has no account and registers
    # from the e-mailed personal link.
    meeting = api.post(f"{base}/api/v1/collaborations/{slug}/meetings", json={
        "title": "Første politiske møde", "startsAt": "2029-06-02T10:00", "endsAt": "2029-06-02T13:00",
        "audience": "open", "audiencePositions": ["committee_chair"]})
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["meeting"]["id"].lower()
    MADE.update(slug=slug, meeting=meeting_id, code=with_people[0])
    agenda = api.put(f"{base}/api/v1/meetings/{meeting_id}/agenda", json={"items": [
        {"title": "Velkomst", "durationMinutes": 15},
        {"title": "Status på folkeskolen i kommunerne", "durationMinutes": 60, "speakerName": "Anne Forsker",
         "speakerAffiliation": "Aarhus Universitet", "questions": ["Hvad virker?", "Hvad prøver vi nu?"]},
        {"title": "Næste skridt", "durationMinutes": 30}]})
    assert agenda.status_code == 200, agenda.text
    assert api.post(f"{base}/api/v1/meetings/{meeting_id}/status", json={"status": "published"}).status_code == 200
    chair = f"committee_chair.{with_people[0]}@kommune.example.dk"
    assert wait_until(lambda: any("/meeting-links/" in body for body in inbox.to(chair)))
    body = next(body for body in inbox.to(chair) if "/meeting-links/" in body)
    link = re.search(r"(http://\S+/meeting-links/\S+)", body).group(1)
    browser.delete_all_cookies()
    navigating(browser, lambda: browser.get(link))
    assert heading(browser) == "Første politiske møde"
    assert "through your personal link" in browser.find_element(By.ID, "attend-heading").find_element(By.XPATH, "..").text
    press(browser, "Register for the meeting")
    assert browser.find_element(By.CSS_SELECTOR, "main .notice").text == "You are registered."
    assert browser.find_elements(By.ID, "cancel-registration"), "and may cancel the same way"
    attendees = api.get(f"{base}/api/v1/meetings/{meeting_id}/attendees").json()
    assert [a["name"] for a in attendees["attendees"]] == [f"Kontakt committee_chair {with_people[0]}"], attendees


def test_the_first_days_pages_reflow_on_a_phone_and_pass_axe(browser, day_server):
    """Every page of the first day, signed out and signed in: no sideways scrolling at 320 and 390 px
    (WCAG 1.4.10), no WCAG 2.1 AA violation found by axe-core; screenshots for people to look at."""
    base, slug, meeting, code = day_server.base, MADE["slug"], MADE["meeting"], MADE["code"]
    public = ["/", "/collaborations", f"/collaborations/{slug}", f"/meetings/{meeting}", "/municipalities",
              "/indicators", "/knowledge", "/guides", "/sign-in", "/municipalities/dk/751/indicators",
              "/municipalities/se/0680/indicators"]
    signed_in = [f"/collaborations/{slug}/invitations", f"/collaborations/{slug}/board",
                 f"/collaborations/{slug}/registrations/dk/{code}", "/collaborations/new", "/programmes/new",
                 f"/meetings/{meeting}/agenda", "/people/import", "/admin/mailboxes", "/profile",
                 f"/confirm?what=decline&action=/collaborations/{slug}/registrations/dk/{code}/decline"]
    browser.delete_all_cookies()
    problems = []

    def sweep(paths, who):
        for path in paths:
            browser.get(base + path)
            name = f"firstday-{who}-" + (path.strip("/").replace("/", "-").split("?")[0] or "home")
            for width in (320, 390):
                if overflows_at(browser, width):
                    problems.append(f"{path} ({who}) scrolls sideways at {width} px")
            violations = accessibility_violations(browser)
            if violations:
                problems.append(f"{path} ({who}): {violations}")
            for width in (390, 1366):
                screenshot(browser, name, width)

    sweep(public, "visitor")
    browser.get(base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys("admin@example.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long admin password" + Keys.ENTER))
    sweep(public + signed_in, "admin")
    assert problems == [], "\n".join(problems)
