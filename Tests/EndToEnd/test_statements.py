"""The statements and files a public body needs, in the browser and as files: the accessibility
statement lists exactly the pages checked here (axe-core's WCAG 2.1 A and AA rules and a 320 px
screen, in Danish, Swedish and English); the privacy notice, a person's own data and its erasure;
every .xlsx download opens in openpyxl with typed cells and matches its CSV twin; a workbook made
by openpyxl and a Windows-1252 semicolon file come in as people."""
import csv
import io
import json
import os
import re
from urllib.parse import quote

import openpyxl
import pytest
import requests
from selenium.webdriver.common.by import By

from selenium.webdriver.common.keys import Keys

from conftest import (
    Server, accept_account_invitation, accessibility_violations, create_admin, make_token, navigating, overflows_at,
    press, screenshot, sign_in,
)

CHECKS = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "SamradServer", "Resources", "Accessibility",
                      "checks.json")
ADMIN = ("admin@example.dk", "a long admin password")


@pytest.fixture(scope="module")
def server():
    server = Server("statements", demo=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin(server):
    return create_admin(server, *ADMIN)


def resolve(session, base, entry):
    """A checked page's path: given, or the first link on `from` that matches `link`."""
    if "path" in entry:
        return entry["path"]
    page = session.get(base + entry["from"]).text
    for href in re.findall(r'href="([^"]+)"', page):
        if re.match(entry["link"], href):
            return href
    raise AssertionError(f"no link like {entry['link']} on {entry['from']}")


def test_every_page_the_statement_names_passes_axe_and_reflows_in_three_languages(browser, server, admin):
    checks = json.load(open(CHECKS))["pages"]
    assert len(checks) >= 15
    browser.delete_all_cookies()
    sign_in(browser, server, *ADMIN)
    problems = []
    for entry in checks:
        path = resolve(admin, server.base, entry)
        for language in ("da", "sv", "en"):
            browser.get(f"{server.base}/language/{language}?return={quote(path)}")
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language, path
            status_ok = browser.find_elements(By.TAG_NAME, "h1")
            if not status_ok:
                problems.append(f"{path} ({language}): no heading")
            if overflows_at(browser, 320):
                problems.append(f"{path} ({language}) scrolls sideways at 320 px")
            violations = accessibility_violations(browser)
            if violations:
                problems.append(f"{path} ({language}): {violations}")
    browser.get(f"{server.base}/language/en?return=/")
    assert problems == [], "\n".join(problems)


STATEMENT = {
    "country": "dk", "body": "KL – Kommunernes Landsforening", "service": "KL's Samrad", "status": "partial",
    "nonCompliant": "Diagrammer på dashboardet mangler tekstalternativ (1.1.1).\nRettes i foråret 2027.",
    "exemptions": "", "assessedOn": "2026-11-30", "method": "third_party", "methodNote": "Gennemgået af en ekstern part",
    "email": "tilgaengelighed@kl.dk", "phone": "+45 3370 3370", "wasURL": "https://was.digst.dk/samrad-kl-dk",
}
NOTICE = {
    "country": "dk", "controller": "KL – Kommunernes Landsforening", "address": "Weidekampsgade 10\n2300 København S",
    "email": "kl@kl.dk", "phone": "+45 3370 3370", "protectionOfficer": "Databeskyttelsesrådgiver, dpo@kl.dk",
    "purposes": "At drive kommunesamarbejder om folkeskolen", "legalBasis": "Artikel 6, stk. 1, litra e",
    "recipients": "Deltagende kommuner; databehandleren, der driver serveren", "outboxDays": "60", "auditDays": "730",
}


def test_the_statements_in_danish_and_swedish_filled_in_by_the_administrator(browser, server, admin):
    token = admin.cookies.get("samrad_csrf")
    for path, form in (("/accessibility/edit", STATEMENT), ("/privacy/edit", NOTICE)):
        response = admin.post(server.base + path, data=dict(form, _csrf=token), allow_redirects=False)
        assert response.status_code == 303, response.text[:400]
    assert requests.get(server.base + "/was", allow_redirects=False).headers["location"] == STATEMENT["wasURL"]
    browser.delete_all_cookies()
    for language, texts in (
        ("da", ["Delvist i overensstemmelse", "Vurdering foretaget af en ekstern part", "Digitaliseringsstyrelsen",
                "+45 3370 3370", "Testede sider"]),
        ("sv", ["Delvis förenlig med lagkraven", "Granskning av extern part", "Tillsyn", "Testade sidor"]),
    ):
        browser.get(f"{server.base}/language/{language}?return=/accessibility")
        main = browser.find_element(By.TAG_NAME, "main").text
        for text in texts:
            assert text in main, (language, text)
        screenshot(browser, f"statement-accessibility-{language}", 390)
        screenshot(browser, f"statement-accessibility-{language}", 1366)
        browser.get(f"{server.base}/language/{language}?return=/privacy")
        main = browser.find_element(By.TAG_NAME, "main").text
        assert "KL – Kommunernes Landsforening" in main and "Datatilsynet" in main, main[:500]
        assert ("60 dage efter afsendelse" if language == "da" else "60 dagar efter utskick") in main
        screenshot(browser, f"statement-privacy-{language}", 390)
        screenshot(browser, f"statement-privacy-{language}", 1366)
    browser.get(f"{server.base}/language/en?return=/privacy/record")
    assert "Record of processing activities" in browser.find_element(By.TAG_NAME, "h1").text
    assert not overflows_at(browser, 320)
    assert accessibility_violations(browser) == []
    footer = browser.find_element(By.CSS_SELECTOR, "footer").text
    assert "Privacy notice" in footer and "Accessibility statement" in footer


def test_a_person_takes_their_data_and_erases_it(browser, server, admin):
    token = admin.cookies.get("samrad_csrf")
    # An account for a teacher, made by the administrator's invitation.
    response = admin.post(server.base + "/admin/invitations", data={
        "_csrf": token, "email": "laerer@aarhus.dk", "kind": "member", "municipality": "dk/751"}, allow_redirects=False)
    assert response.status_code == 303, response.text[:400]
    accept_account_invitation(server, "laerer@aarhus.dk", "Lærer Aarhus")
    browser.delete_all_cookies()
    sign_in(browser, server, "laerer@aarhus.dk")
    browser.get(server.base + "/profile/data")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Your data"
    assert not overflows_at(browser, 320)
    assert accessibility_violations(browser) == []
    screenshot(browser, "statement-personal-data", 390)
    screenshot(browser, "statement-personal-data", 1366)
    session = requests.Session()
    for cookie in browser.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    archive = session.get(server.base + "/profile/data.zip")
    assert archive.status_code == 200 and archive.content[:2] == b"PK"
    # Erasing without ticking the box is refused with the field named; ticked, the account is gone.
    press(browser, "Erase my data")
    assert "Tick the box" in browser.find_element(By.ID, "error-summary").text
    browser.find_element(By.NAME, "confirm").click()
    press(browser, "Erase my data")
    assert "Your data are erased" in browser.find_element(By.TAG_NAME, "h1").text
    browser.get(server.base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys("laerer@aarhus.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long test password" + Keys.ENTER))
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']"), "the account is gone"


def crawl(session, base, limit=400):
    """The .xlsx links reachable from the front page and the pages an administrator works on."""
    seen, queue, workbooks = set(), ["/", "/municipalities", "/collaborations"], set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = session.get(base + path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.text.replace("&amp;", "&")):
            if ".xlsx" in href:
                workbooks.add(href)
            elif (href.startswith(("/collaborations/", "/meetings/", "/questionnaires/", "/programmes/")) and
                  "." not in href.split("?")[0].split("/")[-1] and "page=" not in href):
                queue.append(href)
    return sorted(workbooks)


def test_every_workbook_opens_with_typed_cells_and_matches_its_csv(server, admin):
    workbooks = crawl(admin, server.base)
    kinds = {re.sub(r"/[0-9a-f-]{36}|/[a-z0-9-]+-eksempel|/[a-z0-9-]+-exempel|\?.*", "", w) for w in workbooks}
    print("\n".join(sorted(kinds)))
    assert {"/municipalities.xlsx", "/collaborations/registrations.xlsx", "/collaborations/participants.xlsx"} <= kinds, \
        workbooks
    for href in workbooks:
        response = admin.get(server.base + href)
        assert response.status_code == 200, href
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats"), href
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book.active
        assert sheet.freeze_panes == "A2", href
        header = [cell.value for cell in sheet[1]]
        assert all(cell.font.b for cell in sheet[1]), href
        twin = admin.get(server.base + href.replace(".xlsx", ".csv"))
        assert twin.text.startswith("\ufeff"), href
        rows = list(csv.reader(io.StringIO(twin.text.lstrip("\ufeff"))))
        assert rows[0] == header, href
        assert sheet.max_row == len(rows), href
        semicolon = admin.get(server.base + href.replace(".xlsx", ".csv") + ("&" if "?" in href else "?")
                              + "sep=semicolon")
        assert semicolon.text.lstrip("\ufeff").split("\r\n")[0] == ";".join(header), href
        # A number in the CSV is a number cell in the workbook; a code stays text.
        for r, row in enumerate(rows[1:], start=2):
            for c, value in enumerate(row):
                cell = sheet.cell(row=r, column=c + 1).value
                if re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", value) and not re.search(
                        r"code|country|phone|number|ean|id$|question|statement|option", header[c]):
                    assert isinstance(cell, (int, float)), (href, header[c], value, cell)
                if header[c] in ("code", "region_code") and value:
                    assert cell == value, (href, header[c], value, cell)


def test_people_come_in_from_an_openpyxl_workbook_and_a_windows_1252_semicolon_file(server, admin):
    token = make_token(server, admin, "imports")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["kommune", "navn", "funktion", "e-mail", "telefon"])
    sheet.append([101, "Åse Ødegård", "school_chief", "ase@kk.dk", "+45 33 66 33 66"])
    sheet.append([147, "Bjørn Ærø", "school_leader", "bjorn@frederiksberg.dk", None])
    data = io.BytesIO()
    book.save(data)
    headers = {"Authorization": f"Bearer {token}",
               "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    response = requests.post(f"{server.base}/api/v1/people/import?country=dk", data=data.getvalue(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    text = "kommune;navn;funktion;e-mail\r\n751;Søren Højbjerg;school_chief;soren@aarhus.dk\r\n"
    headers["Content-Type"] = "text/csv"
    response = requests.post(f"{server.base}/api/v1/people/import?country=dk", data=text.encode("cp1252"),
                             headers=headers)
    assert response.status_code == 200, response.text
    people = requests.get(f"{server.base}/api/v1/people?municipality=dk/751",
                          headers={"Authorization": f"Bearer {token}"}).json()
    names = [p["name"] for p in (people["items"] if isinstance(people, dict) else people)]
    assert "Søren Højbjerg" in names, names
