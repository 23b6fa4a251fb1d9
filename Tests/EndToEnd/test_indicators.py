"""Case 2's follow-up in a real browser: Aarhus's coordinator imports the municipality's own
absence figures from a CSV with one bad line, reads the line-numbered message (nothing imported),
fixes the file and imports it with the column mapping remembered; sees the figures on the
dashboard beside the country, with a chart and its table; sets a goal; and opens the printable
report of the school development dialogue, records a next step, and prints it to PDF."""
import base64
import os
import re

import pytest
import requests
from conftest import (PASSWORD, Server, WORK, accessibility_violations, create_admin, heading, navigating, overflows_at,
                      sign_in)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


@pytest.fixture(scope="module")
def server():
    server = Server("indicators")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def coordinator(server):
    admin = create_admin(server)
    csrf = admin.cookies.get("samrad_csrf")
    invited = admin.post(server.base + "/admin/invitations", data={"_csrf": csrf, "email": "coord@aarhus.dk", "kind": "coordinator",
                                                                   "municipality": "dk/751"}, allow_redirects=False)
    assert invited.status_code == 303, invited.text[:500]
    body = server.wait_for_mail("coord@aarhus.dk", "/invitations/")
    link = re.search(r"(http://\S+/invitations/\S+)", body).group(1)
    session = requests.Session()
    session.get(server.base + "/")
    accepted = session.post(link, data={"_csrf": session.cookies.get("samrad_csrf"), "name": "Aase Aarhus", "password": PASSWORD}, allow_redirects=False)
    assert accepted.status_code == 303, accepted.text[:500]
    return "coord@aarhus.dk"


def write(name, text):
    path = os.path.join(WORK, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def upload(browser, server, path):
    browser.get(server.base + "/indicators/imports")
    assert heading(browser) == "Import figures"
    browser.find_element(By.ID, "file").send_keys(path)
    Select(browser.find_element(By.ID, "country")).select_by_visible_text("Denmark")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Upload and choose columns']").click())
    assert heading(browser).startswith("Columns of"), browser.find_element(By.TAG_NAME, "main").text


def finished(browser):
    WebDriverWait(browser, 60).until(lambda d: "Running" not in d.find_element(By.CSS_SELECTOR, ".import-status").text)
    return browser.find_element(By.TAG_NAME, "main").text


def test_import_goal_and_dialogue_report(server, coordinator, browser):
    browser.get(server.base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys(coordinator)
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER))

    # A file with one bad line: nothing is imported and the line is named.
    bad = write("fravaer.csv", "kommune,skoleår,fravær,elever\n751,2024/25,24.1,3050\n751,2025/26,ca. 23,3100\n751,2026/27,21.0,3120\n")
    upload(browser, server, bad)
    Select(browser.find_element(By.ID, "unit_column")).select_by_visible_text("kommune")
    Select(browser.find_element(By.ID, "year_column")).select_by_visible_text("skoleår")
    Select(browser.find_element(By.ID, "value_column")).select_by_visible_text("fravær")
    Select(browser.find_element(By.ID, "pupils_column")).select_by_visible_text("elever")
    Select(browser.find_element(By.ID, "indicator")).select_by_visible_text("Pupils with more than 10 % absence (dk.high_absence_pct)")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Check and import']").click())
    text = finished(browser)
    assert "Not imported" in text, text
    assert 'Line 3 (fravær): "ca. 23" is not a number.' in text, text
    assert "Nothing was imported." in text

    # The fixed file: the mapping chosen last time is filled in.
    fixed = write("fravaer.csv", "kommune,skoleår,fravær,elever\n751,2024/25,24.1,3050\n751,2025/26,23.0,3100\n751,2026/27,21.0,3120\n")
    upload(browser, server, fixed)
    assert "Your choices from the last file with these columns are filled in." in browser.find_element(By.TAG_NAME, "main").text
    assert Select(browser.find_element(By.ID, "value_column")).first_selected_option.text == "fravær"
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Check and import']").click())
    text = finished(browser)
    assert "Imported" in text and "Values imported\n3" in text, text

    # The dashboard: own figures beside the country, with a chart and a table of the same numbers.
    browser.get(server.base + "/municipalities/dk/751/indicators?category=attendance")
    assert heading(browser) == "Aarhus: learning and well-being"
    article = browser.find_element(By.ID, "dk.high_absence_pct")
    assert "includes your own figures" in article.text
    assert "From 2025/26 to 2026/27: −2.0 percentage points, an improvement." in article.text, article.text
    assert "95 % interval" in article.text
    svg = article.find_element(By.CSS_SELECTOR, "svg.trend")
    assert "Aarhus" in svg.get_attribute("aria-label")
    article.find_element(By.TAG_NAME, "summary").click()
    table = article.find_element(By.TAG_NAME, "table")
    assert table.find_element(By.TAG_NAME, "caption").text.startswith("Pupils with more than 10 % absence")
    assert "21.0" in table.text and "All of Denmark" in table.text

    # A goal, set from the goals page with the keyboard.
    browser.get(server.base + "/municipalities/dk/751/goals")
    Select(browser.find_element(By.ID, "indicator")).select_by_visible_text("Pupils with more than 10 % absence")
    for field, value in [("baseline_year", "2024/25"), ("baseline_value", "24.1"), ("target_year", "2028/29"), ("target_value", "18"),
                         ("reason", "Fewer pupils should miss school"), ("owner", "Head of schools")]:
        element = browser.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Save goal']").send_keys(Keys.ENTER))
    assert "The goal is saved." in browser.find_element(By.TAG_NAME, "main").text
    goal = browser.find_element(By.CSS_SELECTOR, "li.goal")
    assert "24.1 in 2024/25" in goal.text and "18.0 by 2028/29" in goal.text, goal.text
    assert "On track" in goal.text, goal.text

    # The printable report: results, the goal, and room for next steps.
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Dialogue report").click())
    assert heading(browser).startswith("School development dialogue")
    main = browser.find_element(By.TAG_NAME, "main").text
    for part in ["1. Results and how they changed", "2. Goals and progress", "Pupils with more than 10 % absence", "On track"]:
        assert part in main, part
    browser.find_element(By.ID, "text").send_keys("Attendance teams at every school")
    browser.find_element(By.ID, "responsible").send_keys("Head of schools")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Record next step']").click())
    assert "Attendance teams at every school" in browser.find_element(By.ID, "steps-heading").find_element(By.XPATH, "..").text
    # In print the forms go and the ruled lines for the agreed next steps appear.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.ID, "text").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, ".print-only").is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_pages_in_every_language(server, browser):
    for language, word in [("da", "Læring og trivsel"), ("sv", "Lärande och trivsel")]:
        browser.get(f"{server.base}/language/{language}?return=%2Fmunicipalities%2Fse%2F1440")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        navigating(browser, lambda: browser.find_element(By.LINK_TEXT, word).click())
        assert browser.find_elements(By.CSS_SELECTOR, "svg.trend")
    browser.get(f"{server.base}/language/en?return=%2F")


def test_a_day_care_unit_is_kept_beside_the_schools(server, coordinator, browser):
    """Case 3's 0-18 area: the coordinator adds a day-care unit, sees it apart from the schools,
    and opens its own page, which offers the day-care indicators to import figures for."""
    sign_in(browser, server, coordinator, fresh=True)
    browser.get(server.base + "/municipalities/dk/751")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Schools and day care").click())
    assert heading(browser) == "Schools and day care in Aarhus"
    Select(browser.find_element(By.ID, "kind")).select_by_visible_text("Day-care unit")
    browser.find_element(By.ID, "code").send_keys("DT-751-07")
    browser.find_element(By.ID, "name").send_keys("Dagtilbud Hasle")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Add']").click())
    day_care = browser.find_element(By.XPATH, "//h2[normalize-space()='Day-care units']/following-sibling::ul[1]").text
    assert "Dagtilbud Hasle" in day_care
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Dagtilbud Hasle").click())
    assert "Dagtilbud Hasle" in heading(browser)
    assert accessibility_violations(browser) == []

