"""Case 1's newsletter in a real browser, delivered to a real local SMTP server: the organiser writes
to the committee chairs of the political track, previews it with its recipients and sends it; each
chair gets one mail (text and HTML) with List-Unsubscribe headers, and one click unsubscribes."""
import email
import time

import pytest
import requests
from aiosmtpd.controller import Controller
from conftest import Server, create_admin, free_port, heading, make_token, navigating
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

ADMIN = ("admin@example.dk", "a long admin password")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture(scope="module")
def server(smtp):
    server = Server("newsletters", env={"SMTP_URL": f"smtp://127.0.0.1:{smtp[0]}", "OUTBOX_INTERVAL": "0.3"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def track(server):
    base = server.base
    admin = create_admin(server)
    created = admin.post(base + "/organisations", data={"_csrf": admin.cookies.get("samrad_csrf"), "name": "KL", "kind": "association", "country": "dk"},
                         allow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    kl = created.headers["Location"].rsplit("/", 1)[-1]
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(server, admin)
    response = api.post(base + "/api/v1/collaborations", json={
        "title": "Politisk del", "description": "Case 1", "kind": "standing_network", "organiserID": kl, "timeZone": "Europe/Copenhagen",
        "periodStart": "2027-01-01", "periodEnd": "2029-12-31", "deadline": "2030-06-01T12:00", "priceKind": "free",
        "seats": [{"position": "committee_chair", "count": 1, "required": True}, {"position": "committee_member", "count": 1, "required": False}]})
    assert response.status_code == 201, response.text
    slug = response.json()["slug"]
    assert api.post(f"{base}/api/v1/collaborations/{slug}/status", json={"status": "open"}).status_code == 200
    for code, chair, member in (("751", "Anne Holm", "Bo Lund"), ("461", "Ole Bak", None)):
        seats = []
        for name, position in ((chair, "committee_chair"), (member, "committee_member")):
            if name is None:
                continue
            person = api.post(base + "/api/v1/people", json={"name": name, "email": name.lower().replace(" ", ".") + "@example.dk",
                                                             "position": position, "municipality": f"dk/{code}"})
            assert person.status_code == 201, person.text
            seats.append({"position": position, "personID": person.json()["id"]})
        registered = api.post(f"{base}/api/v1/collaborations/{slug}/registrations/dk/{code}", json={"seats": seats, "acceptedPrice": True})
        assert registered.status_code == 201, registered.text
    return slug


def newsletters(inbox, subject):
    return [m for m in inbox.messages if subject in str(email.header.make_header(email.header.decode_header(email.message_from_bytes(m.content)["Subject"])))]


def test_newsletter_to_the_political_tracks_chairs(server, smtp, track, browser):
    inbox = smtp[1]
    browser.get(server.base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys(ADMIN[0])
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys(ADMIN[1] + Keys.ENTER))
    browser.get(f"{server.base}/collaborations/{track}/newsletters/new")
    assert heading(browser) == "Write a newsletter"
    browser.find_element(By.ID, "subject").send_keys("Nyhedsbrev maj 2027")
    browser.find_element(By.ID, "body").send_keys("Kære udvalgsformand\n\nVi ses til **det politiske møde** den 27. maj.")
    chair = browser.find_element(By.XPATH, "//fieldset[@id='positions']//label[normalize-space()='Committee chair']/input")
    chair.send_keys(Keys.SPACE)
    assert chair.is_selected()
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Save and preview']").click())
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "2 recipients" in main, main
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "iframe.mail-preview"))
    assert browser.find_element(By.TAG_NAME, "strong").text == "det politiske møde"
    browser.switch_to.default_content()
    assert "Afmeld: " in browser.find_element(By.CSS_SELECTOR, ".mail-preview-text").text, "the mail is in the newsletter's language"
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Send the newsletter']").click())
    assert "The newsletter is being sent through the outbox." in browser.find_element(By.TAG_NAME, "main").text

    deadline = time.time() + 30
    while time.time() < deadline and len(newsletters(inbox, "Nyhedsbrev maj 2027")) < 2:
        time.sleep(0.2)
    received = newsletters(inbox, "Nyhedsbrev maj 2027")
    assert sorted(m.rcpt_tos[0] for m in received) == ["anne.holm@example.dk", "ole.bak@example.dk"]
    time.sleep(1)
    assert len(newsletters(inbox, "Nyhedsbrev maj 2027")) == 2, "one copy each"
    message = email.message_from_bytes(received[0].content)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.get_payload()] == ["text/plain", "text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert "/newsletters/unsubscribe/" in link
    assert "<strong>det politiske møde</strong>" in message.get_payload()[1].get_payload(decode=True).decode()

    # One click, as a mail program sends it; the page then says so.
    assert requests.post(link, data="List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 200
    browser.get(link)
    assert "receives no more newsletters from Politisk del" in browser.find_element(By.TAG_NAME, "main").text
    # The archive shows it to everybody.
    browser.delete_all_cookies()
    browser.get(f"{server.base}/collaborations/{track}/newsletters")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Nyhedsbrev maj 2027").click())
    assert heading(browser) == "Nyhedsbrev maj 2027"
