"""Notices people choose (issue 26): a person opens their profile, finds the notices, chooses the
Monday e-mail for changed meetings and no minutes, in Swedish, with keyboard-reachable radio buttons,
axe-clean and reflowing at 320 px."""
import pytest
import requests
from conftest import (Server, accessibility_violations, create_admin, heading, make_token, navigating, overflows_at,
                      press, sign_in)
from selenium.webdriver.common.by import By


@pytest.fixture(scope="module")
def notices_server():
    server = Server("notices")
    yield server
    server.stop()


def test_a_person_chooses_what_they_are_told_of_and_how(notices_server, browser):
    admin = create_admin(notices_server, email="karin@skr.se", password="a long admin password")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {make_token(notices_server, admin)}"
    skr = api.post(notices_server.base + "/api/v1/organisations",
                   json={"name": "SKR", "kind": "association", "country": "se"}).json()["id"]
    # The account is linked to the person with its address at the next sign-in.
    person = api.post(notices_server.base + "/api/v1/people",
                      json={"name": "Karin Berg", "email": "karin@skr.se", "position": "consultant",
                            "organisationID": skr})
    assert person.status_code == 201, person.text[:300]
    sign_in(browser, notices_server, "karin@skr.se", "a long admin password", fresh=True)
    browser.get(notices_server.base + "/language/sv?return=/profile")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Aviseringar").click())
    assert heading(browser) == "Aviseringar"
    assert browser.find_element(By.ID, "minutes-immediately").is_selected()
    assert browser.find_element(By.ID, "commitmentDue-weekly").is_selected()
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    browser.find_element(By.CSS_SELECTOR, "label[for='meetingChanged-weekly']").click()
    browser.find_element(By.CSS_SELECTOR, "label[for='minutes-never']").click()
    press(browser, "Spara")
    assert "Dina val är sparade." in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert browser.find_element(By.ID, "meetingChanged-weekly").is_selected()
    assert browser.find_element(By.ID, "minutes-never").is_selected()
    assert accessibility_violations(browser) == []
    choices = api.get(notices_server.base + "/api/v1/profile/notices").json()
    assert choices == {"minutes": "never", "meetingChanged": "weekly", "commitmentDue": "weekly"}
