"""Case 3 in a real browser: 41 municipalities have registered for a cluster programme; the organiser
forms clusters, moves Aarhus to another cluster while seeing the objective change, names the clusters
and saves them."""
import csv
import os

import pytest
import requests
from conftest import Server, create_admin, heading, make_token, navigating, press
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.fixture(scope="module")
def cluster_server():
    server = Server("clusters")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def programme(cluster_server):
    """An open cluster programme with 41 registered Danish municipalities, Aarhus among them."""
    base = cluster_server.base
    admin = create_admin(cluster_server)
    created = admin.post(base + "/organisations", data={"_csrf": admin.cookies.get("samrad_csrf"), "name": "KL", "kind": "association", "country": "dk"}, allow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    kl = created.headers["Location"].rsplit("/", 1)[-1]
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(cluster_server, admin)
    response = api.post(base + "/api/v1/collaborations", json={
        "title": "Læring og trivsel i klynger", "description": "Case 3", "kind": "cluster_programme", "organiserID": kl,
        "timeZone": "Europe/Copenhagen", "deadline": "2030-06-01T12:00", "seats": [], "priceKind": "free"})
    assert response.status_code == 201, response.text
    slug = response.json()["slug"]
    assert api.post(f"{base}/api/v1/collaborations/{slug}/status", json={"status": "open"}).status_code == 200
    with open(os.path.join(ROOT, "Sources/SamradServer/Resources/Directory/dk_municipalities.csv"), encoding="utf-8") as f:
        codes = [row["kommunekode"] for row in csv.DictReader(f)][:40] + ["751"]
    for code in codes:
        registered = api.post(f"{base}/api/v1/collaborations/{slug}/registrations/dk/{code}", json={"seats": []})
        assert registered.status_code == 201, registered.text
    return {"slug": slug, "api": api, "codes": codes}


def test_organiser_forms_moves_and_saves(browser, cluster_server, programme):
    base, slug = cluster_server.base, programme["slug"]
    browser.get(base + "/sign-in")
    browser.find_element(By.ID, "email").send_keys("admin@example.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long admin password" + Keys.ENTER))
    browser.get(f"{base}/collaborations/{slug}")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Clusters").click())
    assert heading(browser) == "Clusters"
    assert "41 municipalities are registered" in browser.page_source
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Form clusters").click())
    assert "Suggested: 6 clusters for 41 municipalities" in browser.find_element(By.ID, "suggested").text
    browser.find_element(By.ID, "apart").send_keys("København, Frederiksberg")
    press(browser, "Propose clusters")
    assert heading(browser) == "Proposed clusters"
    sections = browser.find_elements(By.CSS_SELECTOR, "section.cluster")
    assert len(sections) == 6
    assert browser.find_element(By.CSS_SELECTOR, "svg.cluster-map").get_attribute("role") == "img"
    before = browser.find_element(By.ID, "objective").text

    # Move Aarhus to a cluster it is not in; the page says how the objective changed.
    aarhus_in = next(i for i, s in enumerate(sections) if "Aarhus" in s.text)
    target = (aarhus_in + 1) % 6
    Select(browser.find_element(By.ID, "move_municipality")).select_by_value("dk/751")
    Select(browser.find_element(By.ID, "move_target")).select_by_value(str(target))
    press(browser, "Show the move")
    change = browser.find_element(By.ID, "change").text
    assert "The objective went from" in change and "Not saved yet" in change
    assert browser.find_element(By.ID, "objective").text != before
    assert "Aarhus" in browser.find_elements(By.CSS_SELECTOR, "section.cluster")[target].text

    # Name the clusters, give the last a later wave, and save.
    for index in range(6):
        field = browser.find_element(By.ID, f"name_{index}")
        field.clear()
        field.send_keys("Klynge Aarhus" if index == target else f"Klynge {index + 1}")
    Select(browser.find_element(By.ID, "wave_5")).select_by_value("2")
    press(browser, "Save the clusters")
    assert "The clusters are saved." in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert "Klynge Aarhus" in browser.page_source

    saved = programme["api"].get(f"{base}/api/v1/collaborations/{slug}/clusters").json()
    assert sum(len(c["members"]) for c in saved["clusters"]) == 41
    aarhus = next(c for c in saved["clusters"] if c["name"] == "Klynge Aarhus")
    assert "dk/751" in [m["municipality"] for m in aarhus["members"]]
    assert saved["clusters"][5]["wave"] == 2
    for cluster in saved["clusters"]:
        members = [m["municipality"] for m in cluster["members"]]
        assert not ("dk/101" in members and "dk/147" in members), "apart is honoured"
