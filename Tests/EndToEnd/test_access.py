"""Who acts for a municipality, in a real browser: Aarhus's coordinator records a teacher, gives her
access as a member of Aarhus from the municipality's access page (she has no account, so she is
invited with the role), and she then edits her own record, where she can change her name, title and
phone but not where she belongs. Both pages pass axe-core's WCAG 2.1 AA rules and reflow at 320 px."""
import pytest
from conftest import (Server, accept_account_invitation, accessibility_violations, create_admin, heading,
                      navigating, overflows_at, screenshot, sign_in)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


@pytest.fixture(scope="module")
def server():
    server = Server("access")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def coordinator(server):
    admin = create_admin(server)
    invited = admin.post(server.base + "/admin/invitations", data={"_csrf": admin.cookies.get("samrad_csrf"), "email": "coord@aarhus.dk",
                                                                   "kind": "coordinator", "municipality": "dk/751"}, allow_redirects=False)
    assert invited.status_code == 303, invited.text[:500]
    accept_account_invitation(server, "coord@aarhus.dk", "Aase Aarhus")
    return "coord@aarhus.dk"


def checked(browser, name):
    assert accessibility_violations(browser) == [], name
    assert not overflows_at(browser, 320), f"{name} scrolls sideways at 320 px"
    for width in (390, 1366):
        screenshot(browser, name, width)


def test_a_coordinator_makes_a_member_who_then_keeps_her_own_record(server, coordinator, browser):
    sign_in(browser, server, coordinator, fresh=True)
    # The teacher as a person of Aarhus.
    browser.get(server.base + "/people/new?municipality=dk/751")
    browser.find_element(By.ID, "name").send_keys("Lone Lærer")
    Select(browser.find_element(By.ID, "position")).select_by_value("teacher")
    browser.find_element(By.ID, "email").send_keys("lone@aarhus.dk")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Save']").click())
    assert heading(browser) == "Aarhus"

    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Who acts for the municipality").click())
    assert heading(browser) == "Who acts for Aarhus"
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Aase Aarhus" in main and "Municipal coordinator" in main, main
    checked(browser, "access")
    # Coordinators are made by administrators: the coordinator is offered only "member".
    options = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "kind")).options]
    assert options == ["member"], options
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Give access']").click())
    assert browser.find_element(By.ID, "email").get_attribute("aria-invalid") == "true", "an empty address is named"
    browser.find_element(By.ID, "email").send_keys("lone@aarhus.dk")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Give access']").click())
    assert "lone@aarhus.dk has no account yet and was sent an invitation with the role." in browser.find_element(By.TAG_NAME, "main").text

    accept_account_invitation(server, "lone@aarhus.dk", "Lone Lærer")
    browser.refresh()
    assert "Member of the municipality" in browser.find_element(By.TAG_NAME, "main").text

    # Lone edits her own record: name, title and phone, not where she belongs.
    sign_in(browser, server, "lone@aarhus.dk", fresh=True)
    browser.get(server.base + "/municipalities/dk/751")
    navigating(browser, lambda: browser.find_element(By.CSS_SELECTOR, "main a[href^='/people/']").click())
    navigating(browser, lambda: browser.find_element(By.PARTIAL_LINK_TEXT, "Edit").click())
    assert heading(browser) == "Edit person"
    assert not browser.find_elements(By.ID, "municipality"), "no field to move oneself"
    assert "The municipality's coordinator changes these details." in browser.find_element(By.TAG_NAME, "main").text
    checked(browser, "own-record")
    browser.find_element(By.ID, "title").send_keys("Lektor")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Save']").click())
    assert "Lektor" in browser.find_element(By.TAG_NAME, "main").text
