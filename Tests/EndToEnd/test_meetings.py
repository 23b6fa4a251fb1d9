"""Case 5 in a real browser, and calendars read by a real iCalendar parser. The Swedish network of 14
municipalities plans its series (spring at a host in rotation, autumn at SKR in Stockholm), builds
the first meeting's agenda with a guest speaker and a material, registers two people, checks one in,
writes minutes with a commitment and sees the commitment on the next meeting's agenda."""
import csv
import datetime
import os
import time
import zoneinfo

import icalendar
import pytest
import requests
from conftest import (Server, accessibility_violations, create_admin, heading, make_token, navigating, overflows_at, press,
                      screenshot)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.fixture(scope="module")
def meeting_server():
    server = Server("meetings")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def network(meeting_server):
    base = meeting_server.base
    admin = create_admin(meeting_server)
    created = admin.post(base + "/organisations", data={"_csrf": admin.cookies.get("samrad_csrf"), "name": "SKR", "kind": "association", "country": "se"}, allow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    skr = created.headers["Location"].rsplit("/", 1)[-1]
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(meeting_server, admin)
    response = api.post(base + "/api/v1/collaborations", json={
        "title": "Nätverk för skolutveckling", "description": "Case 5", "kind": "standing_network", "organiserID": skr,
        "timeZone": "Europe/Stockholm", "periodStart": "2026-01-01", "periodEnd": "2029-12-31", "deadline": "2030-06-01T12:00",
        "seats": [], "priceKind": "free"})
    assert response.status_code == 201, response.text
    slug = response.json()["slug"]
    assert api.post(f"{base}/api/v1/collaborations/{slug}/status", json={"status": "open"}).status_code == 200
    with open(os.path.join(ROOT, "Sources/SamradServer/Resources/Directory/se_municipalities.csv"), encoding="utf-8") as f:
        codes = [row["kommunkod"] for row in csv.DictReader(f)]
    codes = ["0180", "1480", "1280"] + [c for c in codes if c not in ("0180", "1480", "1280")][:11]
    for code in codes:
        registered = api.post(f"{base}/api/v1/collaborations/{slug}/registrations/se/{code}", json={"seats": []})
        assert registered.status_code == 201, registered.text
    people = {}
    for name, code in (("Karin Malm", "1280"), ("Johan Berg", "1480")):
        person = api.post(base + "/api/v1/people", json={"name": name, "email": name.lower().replace(" ", ".") + "@example.se",
                                                         "position": "school_chief", "municipality": f"se/{code}"})
        assert person.status_code == 201, person.text
        people[name] = person.json()["id"]
    return {"slug": slug, "api": api, "codes": codes, "people": people}


def local(browser, field, value):
    # A datetime-local field's typing order depends on the browser's locale; its value does not.
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field), value)


def test_network_plans_its_series_runs_the_first_meeting_and_follows_up(browser, meeting_server, network, tmp_path):
    base, slug = meeting_server.base, network["slug"]
    browser.get(base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys("admin@example.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long admin password" + Keys.ENTER))
    browser.get(f"{base}/collaborations/{slug}")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Meetings").click())
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Plan a series").click())
    assert heading(browser) == "Plan a series"
    assert "14 municipalities take turns hosting" in browser.page_source
    browser.find_element(By.ID, "title").send_keys("Nätverksmöte")
    local(browser, "firstStart", "2027-04-20T10:00")
    for field, value in (("durationMinutes", "360"), ("count", "4"), ("every", "6")):
        browser.find_element(By.ID, field).clear()
        browser.find_element(By.ID, field).send_keys(value)
    Select(browser.find_element(By.ID, "pattern")).select_by_value("rotation_then_fixed")
    browser.find_element(By.ID, "venueName").send_keys("SKR")
    browser.find_element(By.ID, "venueAddress").send_keys("Hornsgatan 20, Stockholm")
    press(browser, "Plan the meetings")
    assert "The series is planned" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    rows = browser.find_elements(By.CSS_SELECTOR, "#main table.meetings tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["Nätverksmöte 1", "Nätverksmöte 2", "Nätverksmöte 3", "Nätverksmöte 4"]
    places = [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows]
    assert places[0].startswith("Hosted by") and places[2].startswith("Hosted by") and places[0] != places[2]
    assert places[1] == places[3] == "SKR, Hornsgatan 20, Stockholm"
    assert "20 April 2027, 10:00–16:00" in rows[0].text

    # The first meeting's agenda: a welcome and a guest speaker with slides.
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Nätverksmöte 1").click())
    first = browser.current_url
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Build the agenda").click())
    for title, minutes, speaker in (("Välkommen", "15", None), ("Återkoppling i klassrummet", "45", ("Anna Lind", "Malmö universitet"))):
        form = browser.find_element(By.ID, "new-item")
        form.find_element(By.ID, "title").send_keys(title)
        form.find_element(By.ID, "durationMinutes").clear()
        form.find_element(By.ID, "durationMinutes").send_keys(minutes)
        if speaker:
            form.find_element(By.ID, "speakerName").send_keys(speaker[0])
            form.find_element(By.ID, "speakerAffiliation").send_keys(speaker[1])
            form.find_element(By.ID, "questions").send_keys("Vad gör vi redan?\nVad prövar vi nu?")
        press(browser, "Add the item")
        assert "The agenda is saved" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    slides = tmp_path / "aterkoppling.pdf"
    slides.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    browser.find_element(By.ID, "file").send_keys(str(slides))
    browser.find_element(By.ID, "material-title").send_keys("Bilder om återkoppling")
    Select(browser.find_element(By.ID, "agendaItemID")).select_by_visible_text("Återkoppling i klassrummet")
    press(browser, "Upload a material")
    assert "The material is uploaded" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.get(first)
    agenda = browser.find_element(By.ID, "agenda").text
    assert "10:00" in agenda and "10:15" in agenda and "The agenda ends at 11:00" in agenda
    assert "Anna Lind, Malmö universitet" in agenda and "Vad prövar vi nu?" in agenda
    material = browser.find_element(By.LINK_TEXT, "Bilder om återkoppling").get_attribute("href")
    assert requests.get(material, allow_redirects=False).status_code == 404, "a planned meeting is hidden"
    assert network["api"].get(material).headers["Content-Type"] == "application/pdf"
    press(browser, "Publish and invite")
    assert "Published" in browser.find_element(By.CSS_SELECTOR, ".badge-status").text
    visitor = requests.get(material, allow_redirects=False)
    assert visitor.status_code in (303, 401) and "pdf" not in visitor.headers.get("Content-Type", ""), "materials are for participants"

    # Two people come; one is checked in on the day.
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Who comes").click())
    for name in ("Karin Malm", "Johan Berg"):
        select = Select(browser.find_element(By.ID, "personID"))
        select.select_by_value(network["people"][name])
        press(browser, "Register")
    assert "2 registered, 0 arrived, 0 on the waiting list." in browser.find_element(By.ID, "attendance-summary").text
    karin = browser.find_element(By.ID, "p-" + network["people"]["Karin Malm"].upper())
    navigating(browser, lambda: karin.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Check in')]").click())
    assert "2 registered, 1 arrived, 0 on the waiting list." in browser.find_element(By.ID, "attendance-summary").text
    assert "Arrived" in browser.find_element(By.ID, "p-" + network["people"]["Karin Malm"].upper()).text
    meeting_server.wait_for_mail("karin.malm@example.se", "Du är anmäld till Nätverksmöte 1")

    # Minutes with a commitment of Malmö.
    browser.get(first)
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Minutes, decisions and commitments").click())
    browser.find_element(By.ID, "minutes").send_keys("Vi talade om återkoppling och exit tickets.")
    browser.find_element(By.ID, "decisions").send_keys("Alla kommuner prövar exit tickets under hösten")
    press(browser, "Save the minutes")
    assert "The minutes are saved" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Minutes, decisions and commitments").click())
    Select(browser.find_element(By.ID, "municipality")).select_by_visible_text("Malmö")
    browser.find_element(By.ID, "text").send_keys("Pröva exit tickets i två klasser")
    browser.find_element(By.ID, "owner").send_keys("Karin Malm")
    browser.execute_script("arguments[0].value = '2027-09-30'", browser.find_element(By.ID, "dueDate"))
    press(browser, "Add a commitment")
    assert "The commitment is saved" in browser.find_element(By.CSS_SELECTOR, ".notice").text

    # The next meeting's agenda shows it, and so does Malmö's page for those who take part.
    browser.get(f"{base}/collaborations/{slug}/meetings")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Nätverksmöte 2").click())
    open_commitments = browser.find_element(By.ID, "open-commitments").text
    assert "Malmö" in open_commitments and "Pröva exit tickets i två klasser" in open_commitments and "Karin Malm" in open_commitments
    browser.get(base + "/municipalities/se/1280")
    assert "Pröva exit tickets i två klasser" in browser.find_element(By.ID, "commitments").text
    assert "Pröva exit tickets" not in requests.get(base + "/municipalities/se/1280").text

    # The printable agenda has the print stylesheet and the times.
    browser.get(first + "/print")
    assert browser.find_element(By.CSS_SELECTOR, "link[href='/css/print.css']")
    assert "10:15" in browser.find_element(By.CSS_SELECTOR, "table.agenda-print").text


def wait_for_attachment(server, to, subject_prefix, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [data for subject, data in server.attachments(to) if subject.startswith(subject_prefix)]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no calendar entry in an e-mail to {to} about {subject_prefix!r}")


def event_of(data):
    calendar = icalendar.Calendar.from_ical(data)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return calendar, events[0]


def test_calendars_parse_and_follow_a_change_and_a_cancellation(meeting_server, network):
    base, api, slug = meeting_server.base, network["api"], network["slug"]
    created = api.post(f"{base}/api/v1/collaborations/{slug}/meetings", json={
        "title": "Politiskt möte, vår 2027; del 1", "startsAt": "2027-05-27T13:00", "endsAt": "2027-05-27T16:00",
        "venueName": "Scandic Continental", "venueAddress": "Vasagatan 22, Stockholm",
        "description": "Dagordning: läget i kommunerna, statusenkätens resultat och dialogen med staten. " * 3})
    assert created.status_code == 201, created.text
    meeting = created.json()["meeting"]
    href = base + meeting["href"]
    assert api.post(f"{base}/api/v1{meeting['href']}/status", json={"status": "published"}).status_code == 200
    karin = network["people"]["Karin Malm"]
    assert api.post(f"{base}/api/v1{meeting['href']}/attendees", json={"personID": karin}).status_code == 201

    calendar, event = event_of(requests.get(href + "/calendar.ics").content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    uid = str(event["UID"])
    assert uid.startswith(meeting["id"].lower() + "@")
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(event["DTSTART"].params["TZID"]) == "Europe/Stockholm"
    assert start.astimezone(datetime.timezone.utc) == datetime.datetime(2027, 5, 27, 11, 0, tzinfo=datetime.timezone.utc)
    assert str(event["SUMMARY"]) == "Politiskt möte, vår 2027; del 1"
    assert "Vasagatan 22" in str(event["LOCATION"])
    assert int(event["SEQUENCE"]) == 1
    assert any(c.name == "VTIMEZONE" for c in calendar.walk())

    # A change: same UID, higher SEQUENCE, the new time; the e-mail carries the same entry.
    changed = api.put(f"{base}/api/v1{meeting['href']}", json={
        "title": "Politiskt möte, vår 2027; del 1", "startsAt": "2027-05-28T13:00", "endsAt": "2027-05-28T16:30",
        "venueName": "Scandic Continental", "venueAddress": "Vasagatan 22, Stockholm"})
    assert changed.status_code == 200, changed.text
    _, moved = event_of(requests.get(href + "/calendar.ics").content)
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 2
    assert moved.decoded("DTEND").astimezone(datetime.timezone.utc) == datetime.datetime(2027, 5, 28, 14, 30, tzinfo=datetime.timezone.utc)
    mailed = wait_for_attachment(meeting_server, "karin.malm@example.se", "Ändrat")
    assert mailed, "the change was e-mailed with its calendar entry"
    _, mailed_event = event_of(mailed[0])
    assert str(mailed_event["UID"]) == uid and int(mailed_event["SEQUENCE"]) == 2

    # A cancellation: METHOD:CANCEL, STATUS:CANCELLED, higher SEQUENCE; the feed keeps it as cancelled.
    assert api.post(f"{base}/api/v1{meeting['href']}/status", json={"status": "cancelled"}).status_code == 200
    calendar, cancelled = event_of(requests.get(href + "/calendar.ics").content)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 3 and str(cancelled["UID"]) == uid
    notices = wait_for_attachment(meeting_server, "karin.malm@example.se", "Inställt")
    assert notices and str(icalendar.Calendar.from_ical(notices[0])["METHOD"]) == "CANCEL"
    feed = icalendar.Calendar.from_ical(requests.get(f"{base}/collaborations/{slug}/calendar.ics").content)
    assert "METHOD" not in feed
    in_feed = [e for e in feed.walk() if e.name == "VEVENT" and str(e["UID"]) == uid]
    assert len(in_feed) == 1 and str(in_feed[0]["STATUS"]) == "CANCELLED"


def signed_in_as_admin(browser, base):
    browser.get(base + "/sign-in")
    if browser.find_elements(By.ID, "password"):
        browser.find_element(By.ID, "email").send_keys("admin@example.dk")
        navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long admin password" + Keys.ENTER))


def test_a_hybrid_meetings_join_link_reaches_those_registered_only(browser, meeting_server, network):
    """The organiser plans a hybrid political meeting in the form (keyboard-usable radios, WCAG 2.1
    AA, reflowing on a phone); the public page and calendar say it is hybrid but not how to get in;
    a registered participant gets the link in the e-mail and its calendar entry."""
    base, slug = meeting_server.base, network["slug"]
    link = "https://teams.example.se/l/meetup-join/hemligt-4711"
    signed_in_as_admin(browser, base)
    browser.get(f"{base}/collaborations/{slug}/meetings/new")
    assert heading(browser) == "New meeting"
    assert overflows_at(browser, 320) is False, "the form reflows on a phone"
    assert accessibility_violations(browser) == []
    screenshot(browser, "meeting-form", 390)
    browser.find_element(By.ID, "title").send_keys("Politiskt möte, hybrid")
    local(browser, "startsAt", "2027-06-10T13:00")
    local(browser, "endsAt", "2027-06-10T16:00")
    hybrid = browser.find_element(By.ID, "mode-hybrid")
    hybrid.send_keys(Keys.SPACE)  # a radio is chosen from the keyboard
    assert hybrid.is_selected() and not browser.find_element(By.ID, "mode-in_person").is_selected()
    browser.find_element(By.ID, "venueName").send_keys("SKR")
    browser.find_element(By.ID, "onlineURL").send_keys(link)
    browser.find_element(By.ID, "dialIn").send_keys("+46 8 505 000 00, id 4711")
    press(browser, "Save the meeting")
    page = browser.current_url
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "Hybrid (in the room or online)" in facts and link in facts and "4711" in facts, facts
    assert accessibility_violations(browser) == []
    screenshot(browser, "meeting-hybrid-organiser", 390)
    press(browser, "Publish and invite")

    visitor = requests.get(page, headers={"Accept-Language": "en"}).text
    assert "Hybrid (in the room or online)" in visitor and "The link goes to registered participants" in visitor
    assert "hemligt-4711" not in visitor and "505 000" not in visitor
    _, event = event_of(requests.get(page + "/calendar.ics").content)
    assert "hemligt" not in str(event.get("DESCRIPTION", "")) and "hemligt" not in str(event["LOCATION"])
    assert "SKR" in str(event["LOCATION"])

    api = network["api"]
    meeting = page.rsplit("/", 1)[-1]
    karin = network["people"]["Karin Malm"]
    assert api.post(f"{base}/api/v1/meetings/{meeting}/attendees", json={"personID": karin}).status_code == 201
    mail = meeting_server.wait_for_mail("karin.malm@example.se", link)
    assert "Du är anmäld" in mail and "4711" in mail
    entries = wait_for_attachment(meeting_server, "karin.malm@example.se", "Anmäld: Politiskt möte, hybrid")
    _, mailed = event_of(entries[0])
    assert link in str(mailed["DESCRIPTION"])



def test_the_report_tells_the_funder_what_was_held_and_who_came(browser, meeting_server, network):
    """The annual report of the network: a meeting about to begin with two registered and one
    arrived, its decision and a commitment; once it has begun it is in the year's report, read in the
    browser, on a phone, and as a PDF."""
    base, slug, api = meeting_server.base, network["slug"], network["api"]
    # A meeting is held once it has begun, and registration closes then: it begins in a minute.
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Stockholm")).replace(second=0, microsecond=0)
    starts = now + datetime.timedelta(minutes=1)
    year = str(starts.year)
    created = api.post(f"{base}/api/v1/collaborations/{slug}/meetings", json={
        "title": "Vårmöte", "description": "",
        "startsAt": starts.strftime("%Y-%m-%dT%H:%M"),
        "endsAt": (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "timeZone": "Europe/Stockholm", "mode": "in_person", "venueName": "Rådhuset", "host": "se/1280"})
    assert created.status_code == 201, created.text
    meeting = created.json()["meeting"]["id"]
    assert api.post(f"{base}/api/v1/meetings/{meeting}/status", json={"status": "published"}).status_code == 200
    for name in ("Karin Malm", "Johan Berg"):
        registered = api.post(f"{base}/api/v1/meetings/{meeting}/attendees", json={"personID": network["people"][name]})
        assert registered.status_code in (200, 201), registered.text
    arrived = api.post(f"{base}/api/v1/meetings/{meeting}/attendees/{network['people']['Karin Malm']}/check-in",
                       json={"arrived": True})
    assert arrived.status_code == 200, arrived.text
    minutes = api.put(f"{base}/api/v1/meetings/{meeting}/minutes",
                      json={"minutes": "Vi gick igenom läsåret.", "decisions": ["Nätverket fortsätter 2027"]})
    assert minutes.status_code == 200, minutes.text
    committed = api.post(f"{base}/api/v1/meetings/{meeting}/commitments", json={
        "text": "Malmö delar sin läsplan", "municipality": "se/1280", "owner": "Karin Malm",
        "dueDate": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%d")})
    assert committed.status_code == 201, committed.text
    time.sleep(max(0.0, (starts - datetime.datetime.now(starts.tzinfo)).total_seconds()) + 1)

    browser.get(base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys("admin@example.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long admin password" + Keys.ENTER))
    browser.get(f"{base}/collaborations/{slug}")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Annual and final report").click())
    assert heading(browser).startswith("Nätverk för skolutveckling")
    Select(browser.find_element(By.ID, "year")).select_by_visible_text(year)
    press(browser, "Show")
    assert f"Annual report {year}" in heading(browser)
    figures = browser.find_element(By.CSS_SELECTOR, "dl.figures").text
    assert "Municipalities taking part\n14" in figures and "Meetings held\n1" in figures, figures
    assert "50 %" in figures and "1 of 2 registered people came" in figures, figures
    assert "1 open commitment is past its date" in figures, figures
    meetings = browser.find_element(By.ID, "meetings-heading").find_element(By.XPATH, "..").text
    assert "Vårmöte" in meetings and "hosted by Malmö" in meetings, meetings
    assert "Nätverket fortsätter 2027" in meetings and "Malmö delar sin läsplan" in meetings, meetings
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320) and not overflows_at(browser, 390)

    # The PDF is the same page printed by the server, for the session that may read it only.
    pdf = browser.find_element(By.LINK_TEXT, "Download as PDF").get_attribute("href")
    assert pdf.endswith(f"/report.pdf?year={year}")
    session = requests.Session()
    for cookie in browser.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    printed = session.get(pdf)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF"), printed.text[:300]
    assert requests.get(pdf, allow_redirects=False).status_code in (303, 401)

    # The network's own page tells everyone who takes part, its meetings with their hosts and its history.
    browser.delete_all_cookies()
    browser.get(f"{base}/collaborations/{slug}")
    assert browser.find_element(By.ID, "participants-heading").text == "14 municipalities take part"
    assert browser.find_element(By.LINK_TEXT, "Malmö").get_attribute("href").endswith("/municipalities/se/1280")
    meetings = browser.find_element(By.ID, "network-meetings-heading").find_element(By.XPATH, "..").text
    assert "Vårmöte (hosted by Malmö)" in meetings, meetings
    history = browser.find_element(By.ID, "history-heading").find_element(By.XPATH, "..").text
    assert f"{year}\n1 meeting – hosted by Malmö" in history, history
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
