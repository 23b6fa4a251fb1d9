"""The whole registration flow of case 1 in a real browser: an organiser creates the 2014 programme with
its political track and three professional tracks, invites all 98 Danish municipalities, two
coordinators register (Aarhus for the political track with its three seats, Odense for a paid track),
and the organiser follows the status board and downloads the CSV files."""
import csv
import glob
import io
import os
import time

import openpyxl
import pytest
import requests
from conftest import (Server, WORK, accept_account_invitation, accessibility_violations, create_admin, heading,
                      make_token, navigating, overflows_at, press, sign_in, sign_out, type_into)
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


@pytest.fixture(scope="module")
def flow_server():
    server = Server("flow", env={"OUTBOX_INTERVAL": "0.3"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def accounts(flow_server):
    """KL with one organiser, and a coordinator each for Aarhus and Odense, invited by the administrator."""
    admin = create_admin(flow_server)
    csrf = admin.cookies.get("samrad_csrf")
    created = admin.post(flow_server.base + "/organisations", data={"_csrf": csrf, "name": "KL", "kind": "association", "country": "dk"}, allow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    kl = created.headers["Location"].rsplit("/", 1)[-1]
    for email, name, role in [("kim@kl.dk", "Kim Konsulent", {"kind": "organiser", "organisationID": kl}),
                              ("coord@aarhus.dk", "Aase Aarhus", {"kind": "coordinator", "municipality": "dk/751"}),
                              ("coord@odense.dk", "Otto Odense", {"kind": "coordinator", "municipality": "dk/461"})]:
        invited = admin.post(flow_server.base + "/admin/invitations", data={"_csrf": csrf, "email": email, **role}, allow_redirects=False)
        assert invited.status_code == 303, invited.text[:500]
        accept_account_invitation(flow_server, email, name)
    return admin


def set_date_time(browser, field, value):
    # A datetime-local field's typing order depends on the browser's locale; its value does not.
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field), value)


def follow(browser, text):
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, text).click())


def notice(browser):
    return browser.find_element(By.CSS_SELECTOR, "[role=status]").text


def create_track(browser, title, kind, seats, price=None):
    follow(browser, "New track in this programme")
    assert heading(browser) == "New collaboration"
    type_into(browser, "title", title)
    Select(browser.find_element(By.ID, "kind")).select_by_visible_text(kind)
    set_date_time(browser, "deadline", "2030-05-09T12:00")
    for position in seats:
        type_into(browser, f"seat_{position}", "1")
        browser.find_element(By.ID, f"required_{position}").click()
    if price:
        Select(browser.find_element(By.ID, "priceKind")).select_by_visible_text("Per planned meeting")
        type_into(browser, "priceAmount", price)
        type_into(browser, "priceMeetings", "4")
    press(browser, "Save")
    assert heading(browser) == title
    assert "Kommunesamarbejde om folkeskolen 2014" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    press(browser, "Open for registration")
    assert "Open for registration" in browser.find_element(By.CSS_SELECTOR, ".badge-status").text
    follow(browser, "Kommunesamarbejde om folkeskolen 2014")


def add_person(browser, name, position):
    type_into(browser, "name", name)
    Select(browser.find_element(By.ID, "position")).select_by_visible_text(position)
    press(browser, "Add the person")
    assert "The person is added" in notice(browser)


def download(browser, label, folder, form="csv"):
    """Downloads one of the three forms of the table `label` offers (CSV, Danish Excel's semicolon
    CSV, a workbook) as a browser does, and reads its rows as dictionaries."""
    pattern = {"csv": "*.csv", "semicolon": "*.csv", "xlsx": "*.xlsx"}[form]
    selector = {"csv": "a[href$='.csv']", "semicolon": "a[href*='sep=semicolon']", "xlsx": "a[href$='.xlsx']"}[form]
    # New or written again: Chrome writes a file of the same name over the one already there.
    before = {p: os.path.getmtime(p) for p in glob.glob(os.path.join(folder, pattern))}
    item = browser.find_element(By.XPATH, f"//ul[@class='downloads']/li[span[normalize-space()='{label}']]")
    item.find_element(By.CSS_SELECTOR, selector).click()
    deadline = time.time() + 20
    while time.time() < deadline:
        done = [p for p in glob.glob(os.path.join(folder, pattern))
                if before.get(p) != os.path.getmtime(p) and os.path.getsize(p) > 0]
        if done:
            time.sleep(0.2)
            if form == "xlsx":
                rows = list(openpyxl.load_workbook(done[0]).active.iter_rows(values_only=True))
                return [dict(zip(rows[0], row)) for row in rows[1:]]
            with open(done[0], encoding="utf-8-sig") as f:
                return list(csv.DictReader(io.StringIO(f.read()), delimiter=";" if form == "semicolon" else ","))
        time.sleep(0.2)
    raise AssertionError(f"{label} ({form}) was not downloaded")


def test_programme_invitations_registrations_and_status_board(browser, flow_server, accounts):
    folder = os.path.join(WORK, "downloads")
    os.makedirs(folder, exist_ok=True)
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})

    # The organiser sets up the programme with its political track and three professional tracks.
    sign_in(browser, flow_server, "kim@kl.dk")
    browser.get(flow_server.base + "/collaborations")
    follow(browser, "Programmes")
    follow(browser, "New programme")
    press(browser, "Save")
    assert browser.find_element(By.ID, "title-error").text, "a programme needs a title"
    type_into(browser, "title", "Kommunesamarbejde om folkeskolen 2014")
    type_into(browser, "description", "En **politisk del** og faglige samarbejder, som kommunerne tilmelder sig hver for sig.")
    press(browser, "Save")
    assert heading(browser) == "Kommunesamarbejde om folkeskolen 2014"
    create_track(browser, "Politisk del 2014", "Political forum", ["committee_chair", "committee_member", "administration"])
    for title in ["Økonomi og ressourcestyring", "Målstyring, progression og resultatopfølgning", "Kommunikation"]:
        create_track(browser, title, "Professional collaboration", ["school_chief"], price="12.500")
    tracks = [row.find_element(By.TAG_NAME, "th").text for row in browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")]
    assert sorted(tracks) == sorted(["Politisk del 2014", "Økonomi og ressourcestyring", "Målstyring, progression og resultatopfølgning", "Kommunikation"])
    assert "50,000.00 DKK" in browser.page_source, "4 meetings at 12,500.00 DKK"

    # Every Danish municipality is invited to the political track, addressed to the chair and the administration.
    follow(browser, "Politisk del 2014")
    follow(browser, "Invite municipalities")
    browser.find_element(By.ID, "scope-country").click()
    Select(browser.find_element(By.ID, "country")).select_by_visible_text("Denmark")
    browser.find_element(By.ID, "position-committee_chair").click()
    browser.find_element(By.ID, "position-administration").click()
    press(browser, "Send invitations")
    result = browser.find_element(By.ID, "invitation-result").text
    assert "of 98 municipalities reached" in result, result
    assert "were not reached" in result, "most have nobody to tell yet: said plainly, not as a success"
    sign_out(browser)

    # Aarhus registers for the political track: three seats, with the people added on the spot.
    sign_in(browser, flow_server, "coord@aarhus.dk")
    browser.get(flow_server.base + "/programmes")
    follow(browser, "Kommunesamarbejde om folkeskolen 2014")
    political = browser.find_element(By.XPATH, "//tr[th/a[normalize-space()='Politisk del 2014']]//a[normalize-space()='Aarhus: Not answered']")
    navigating(browser, political.click)
    assert heading(browser) == "Registration for Aarhus"
    press(browser, "Register the municipality")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".field.has-error")) == 3, browser.find_element(By.TAG_NAME, "main").text
    for name, position in [("Mette Sørensen", "Committee chair"), ("Lars Nielsen", "Committee member"), ("Hanne Poulsen", "Administration")]:
        add_person(browser, name, position)
    Select(browser.find_element(By.ID, "seat_committee_chair_0")).select_by_visible_text("Mette Sørensen – Committee chair")
    Select(browser.find_element(By.ID, "seat_committee_member_0")).select_by_visible_text("Lars Nielsen – Committee member")
    Select(browser.find_element(By.ID, "seat_administration_0")).select_by_visible_text("Hanne Poulsen – Administration")
    press(browser, "Register the municipality")
    assert "The registration is saved." in notice(browser)
    assert browser.find_element(By.ID, "registration-status").text == "Status: Registered"
    browser.get(flow_server.base + "/municipalities/dk/751")
    assert "Politisk del 2014" in browser.page_source, "the municipality's page lists its collaborations"
    sign_out(browser)

    # Odense joins a paid professional track, and must accept the price.
    sign_in(browser, flow_server, "coord@odense.dk")
    browser.get(flow_server.base + "/programmes")
    follow(browser, "Kommunesamarbejde om folkeskolen 2014")
    odense_links = browser.find_elements(By.LINK_TEXT, "Odense: Not answered")
    assert len(odense_links) == 4, "each track is joined separately"
    economy = browser.find_element(By.XPATH, "//tr[th/a[normalize-space()='Økonomi og ressourcestyring']]//a[normalize-space()='Odense: Not answered']")
    navigating(browser, economy.click)
    add_person(browser, "Sune Skolechef", "School chief")
    Select(browser.find_element(By.ID, "seat_school_chief_0")).select_by_visible_text("Sune Skolechef – School chief")
    press(browser, "Register the municipality")
    assert browser.find_element(By.ID, "acceptPrice-error").text == "Accept the price to register."
    Select(browser.find_element(By.ID, "seat_school_chief_0")).select_by_visible_text("Sune Skolechef – School chief")
    browser.find_element(By.ID, "acceptPrice").click()
    press(browser, "Register the municipality")
    assert browser.find_element(By.ID, "registration-status").text == "Status: Registered"
    browser.get(flow_server.base + "/collaborations")
    follow(browser, "Politisk del 2014")
    assert not browser.find_elements(By.LINK_TEXT, "Status board"), "the board is for the organiser"
    sign_out(browser)

    # The organiser follows the status board and downloads the CSV files.
    sign_in(browser, flow_server, "kim@kl.dk")
    browser.get(flow_server.base + "/programmes")
    follow(browser, "Kommunesamarbejde om folkeskolen 2014")
    follow(browser, "Politisk del 2014")
    follow(browser, "Status board")
    assert browser.find_element(By.ID, "board-summary").text.startswith("1 of 98 municipalities registered")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")) == 98
    # The table scrolls inside itself on a phone; the rows' hidden words must not widen the page.
    assert browser.find_elements(By.CSS_SELECTOR, "table.list tbody .visually-hidden"), "rows not reached"
    assert not overflows_at(browser, 320) and not overflows_at(browser, 390)
    Select(browser.find_element(By.ID, "status")).select_by_visible_text("Registered")
    press(browser, "Show")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == ["Aarhus"]
    assert "Committee chair: Mette Sørensen" in rows[0].text
    registrations = download(browser, "Registrations", folder)
    assert len(registrations) == 98
    aarhus = next(r for r in registrations if r["code"] == "751")
    assert (aarhus["municipality"], aarhus["status"], aarhus["seats"]) == ("Aarhus", "registered", "3")
    # The same table for Excel: the code stays text, the seats are a number.
    workbook = download(browser, "Registrations", folder, form="xlsx")
    aarhus = next(r for r in workbook if r["code"] == "751")
    assert (aarhus["municipality"], aarhus["seats"]) == ("Aarhus", 3), aarhus
    participants = download(browser, "Participants", folder)
    assert sorted(p["name"] for p in participants) == ["Hanne Poulsen", "Lars Nielsen", "Mette Sørensen"]

    browser.get(flow_server.base + "/collaborations/okonomi-og-ressourcestyring/board")
    assert browser.find_element(By.ID, "board-summary").text.startswith("1 of 1 municipalities registered")
    invoices = download(browser, "Invoice lines", folder)
    assert [(i["municipality"], i["amount"], i["currency"]) for i in invoices] == [("Odense", "50000.00", "DKK")]
    # Danish Excel's form: semicolons and a decimal comma.
    invoices = download(browser, "Invoice lines", folder, form="semicolon")
    assert [(i["municipality"], i["amount"]) for i in invoices] == [("Odense", "50000,00")]


def test_a_professional_tracks_theme_goes_on_the_political_meeting(browser, flow_server, accounts):
    """Case 1: the professional tracks deliver themes for the political meetings. A commitment made at the
    economy track's meeting (Odense's, which joined it) is put on the political track's meeting by the
    organiser of both."""
    base = flow_server.base
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(flow_server, accounts)
    meetings = {}
    for slug, title in (("politisk-del-2014", "Politisk møde"), ("okonomi-og-ressourcestyring", "Netværksmøde om økonomi")):
        made = api.post(f"{base}/api/v1/collaborations/{slug}/meetings",
                        json={"title": title, "startsAt": "2030-05-27T13:00", "endsAt": "2030-05-27T16:00"})
        assert made.status_code == 201, made.text
        meetings[slug] = made.json()["meeting"]["id"]
    committed = api.post(f"{base}/api/v1/meetings/{meetings['okonomi-og-ressourcestyring']}/commitments", json={
        "text": "Odense beskriver sin ressourcemodel", "municipality": "dk/461", "owner": "Skolechefen",
        "dueDate": "2030-09-01"})
    assert committed.status_code == 201, committed.text

    sign_in(browser, flow_server, "kim@kl.dk", fresh=True)
    browser.get(f"{base}/meetings/{meetings['politisk-del-2014']}/agenda")
    source = Select(browser.find_element(By.ID, "source"))
    assert [o.text for o in source.options] == ["Commitment of Odense: Odense beskriver sin ressourcemodel"]
    assert browser.find_element(By.CSS_SELECTOR, "#source optgroup").get_attribute("label") == "Økonomi og ressourcestyring"
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    press(browser, "Put on the agenda")
    assert "The theme is on the agenda." in notice(browser)
    items = browser.find_element(By.CSS_SELECTOR, "ol.agenda-editor").text
    assert "Follow-up: Odense beskriver sin ressourcemodel" in items, items


def test_an_administrator_keeps_the_invoice_addresses(browser, flow_server, accounts):
    """Invoicing the paid tracks: the administrator keeps each municipality's EAN number and CVR number;
    a wrong check digit is named with the municipality, and the invoice lines carry what is kept."""
    sign_in(browser, flow_server, "admin@example.dk", "a long admin password", fresh=True)
    browser.get(flow_server.base + "/admin/accounts")
    follow(browser, "Invoice addresses of the municipalities")
    assert heading(browser) == "Invoice addresses of the municipalities"
    type_into(browser, "m_461_address", "5798000000002")
    type_into(browser, "m_461_number", "29189714")
    press(browser, "Save the invoice addresses")
    summary = browser.find_element(By.ID, "error-summary").text
    assert "Odense: give an EAN number (GLN) of 13 digits with a valid check digit." in summary, summary
    type_into(browser, "m_461_address", "5798000000001")
    press(browser, "Save the invoice addresses")
    assert "The invoice addresses are saved." in notice(browser)
    assert "1 of 98 municipalities have an invoice address." in browser.find_element(By.ID, "invoicing-known").text
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(flow_server, accounts)
    lines = api.get(flow_server.base + "/collaborations/okonomi-og-ressourcestyring/invoices.csv").text.splitlines()
    assert lines[1].startswith("dk,461,Odense,5798000000001,Økonomi og ressourcestyring,50000.00,DKK"), lines


def test_the_organiser_chooses_the_places_among_the_applications(browser, flow_server, accounts):
    """Case 1's "12 kommuner vil få mulighed for at deltage": the municipalities apply, the organiser weighs the
    spread of a choice over regions and sizes, then gives the places and everyone is told at once."""
    sign_in(browser, flow_server, "kim@kl.dk", fresh=True)
    browser.get(flow_server.base + "/collaborations/new")
    type_into(browser, "title", "Udvalgte kommuner 2015")
    Select(browser.find_element(By.ID, "kind")).select_by_visible_text("Political forum")
    set_date_time(browser, "deadline", "2030-05-09T12:00")
    Select(browser.find_element(By.ID, "admission")).select_by_visible_text("The organiser chooses among applications")
    press(browser, "Save")
    assert browser.find_element(By.ID, "admission-error").text == "Choosing among applications needs a number of places."
    type_into(browser, "capacity", "1")
    press(browser, "Save")
    assert heading(browser) == "Udvalgte kommuner 2015"
    press(browser, "Open for registration")
    assert "1 place, given among the applications after the deadline" in browser.find_element(By.ID, "places").text
    sign_out(browser)

    for email, town in [("coord@aarhus.dk", "Aarhus"), ("coord@odense.dk", "Odense")]:
        sign_in(browser, flow_server, email, fresh=True)
        browser.get(flow_server.base + "/collaborations/udvalgte-kommuner-2015")
        follow(browser, f"Registration for {town}")
        assert "chooses the participants among the applications" in browser.find_element(By.ID, "applies").text
        press(browser, "Apply for a place")
        assert "The application is sent." in notice(browser)
        assert browser.find_element(By.ID, "registration-status").text == "Status: Applied"
        sign_out(browser)

    sign_in(browser, flow_server, "kim@kl.dk", fresh=True)
    browser.get(flow_server.base + "/collaborations/udvalgte-kommuner-2015")
    press(browser, "Close registration")
    follow(browser, "Choose the participants")
    assert heading(browser) == "Choose the participants"
    assert "2 municipalities applied. Places: 1." in browser.find_element(By.ID, "selection-state").text
    # Ticked by keyboard: the checkbox has the municipality's name as its label.
    odense = browser.find_element(By.ID, "chosen-dk-461")
    odense.send_keys(Keys.SPACE)
    assert odense.is_selected()
    press(browser, "Show the spread")
    assert browser.find_element(By.ID, "spread-summary").text.startswith("Chosen: 1 for 1 place.")
    regions = browser.find_element(By.XPATH, "//table[caption[normalize-space()='By region']]").text
    assert "Region Syddanmark 1 1" in regions and "Region Midtjylland 0 1" in regions, regions
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320) and not overflows_at(browser, 390)
    press(browser, "Give the places and tell everyone")
    assert "The places are given" in notice(browser)
    state = browser.find_element(By.ID, "selection-state").text
    assert "Chosen: 1. On the waiting list: 1." in state, state
    rows = {r.find_element(By.TAG_NAME, "th").text: r.text for r in browser.find_elements(By.CSS_SELECTOR, "#chosen tbody tr")}
    assert "Registered" in rows["Odense"] and "On the waiting list" in rows["Aarhus"], rows
    assert accessibility_violations(browser) == []

    # The collaboration's own documents: the project description for everybody.
    follow(browser, "Udvalgte kommuner 2015")
    follow(browser, "Documents of the collaboration")
    press(browser, "Add a document")
    assert browser.find_element(By.ID, "file-error").text, "a document needs its file"
    path = os.path.join(WORK, "projektbeskrivelse.pdf")
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    browser.find_element(By.ID, "file").send_keys(path)
    type_into(browser, "title", "Projektbeskrivelse 2015")
    Select(browser.find_element(By.ID, "kind")).select_by_visible_text("Project description")
    press(browser, "Add a document")
    assert "The document is added." in notice(browser)
    assert "Projektbeskrivelse 2015" in browser.find_element(By.CSS_SELECTOR, "table.list").text
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    follow(browser, "Udvalgte kommuner 2015")
    assert browser.find_elements(By.PARTIAL_LINK_TEXT, "Projektbeskrivelse 2015 (Project description · Everybody")

    # Next season: a draft copy, linked, that invites those who took part again in one click.
    follow(browser, "Next season")
    assert browser.find_element(By.ID, "title").get_attribute("value") == "Udvalgte kommuner 2016"
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    press(browser, "Make the next season as a draft")
    assert "The next season is made as a draft" in notice(browser)
    assert heading(browser) == "Udvalgte kommuner 2016"
    seasons = browser.find_element(By.CSS_SELECTOR, "nav.seasons").text
    assert seasons == "Seasons: Udvalgte kommuner 2015 · Udvalgte kommuner 2016", seasons
    press(browser, "Open for registration")
    follow(browser, "Invite municipalities")
    follow(browser, "Fill in the 1 municipality that took part in Udvalgte kommuner 2015")
    assert browser.find_element(By.ID, "scope-list").is_selected()
    assert browser.find_element(By.ID, "list").get_attribute("value") == "dk/461"
    sign_out(browser)
