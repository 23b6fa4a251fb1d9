"""Main flows in a real browser (headless Chromium through Selenium): first-run set-up, sign-in and
sign-out, browsing and filtering municipalities, switching language, keyboard use."""
from conftest import heading, navigating
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select


def test_first_run_setup_sign_out_and_sign_in(browser, browser_server):
    browser.get(browser_server.setup_link())
    assert heading(browser) == "Create the administrator"
    # A wrong form is shown again with the messages at the fields and the values kept.
    browser.find_element(By.ID, "name").send_keys("Ada Admin")
    browser.find_element(By.ID, "email").send_keys("ada@example")
    browser.find_element(By.ID, "password").send_keys("short")
    navigating(browser, lambda: browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click())
    assert browser.find_element(By.ID, "password-error").text == "Use at least 10 characters."
    assert browser.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Ada Admin"
    email = browser.find_element(By.ID, "email")
    email.clear()
    email.send_keys("ada@example.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long enough password" + Keys.ENTER))
    assert "Welcome! You are the administrator." in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert browser.find_element(By.LINK_TEXT, "Administration")

    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click())
    assert browser.find_element(By.LINK_TEXT, "Sign in")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Sign in").click())
    browser.find_element(By.ID, "email").send_keys("ada@example.dk")
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("wrong password" + Keys.ENTER))
    assert "The e-mail address or the password is wrong." in browser.find_element(By.ID, "error-summary").text
    navigating(browser, lambda: browser.find_element(By.ID, "password").send_keys("a long enough password" + Keys.ENTER))
    assert browser.find_element(By.LINK_TEXT, "Ada Admin")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Ada Admin").click())
    assert heading(browser) == "Your profile"


def test_browse_and_filter_municipalities(browser, browser_server):
    browser.get(browser_server.base + "/municipalities")
    assert heading(browser) == "Municipalities"
    assert "1,054 municipalities found" in browser.find_element(By.ID, "result-count").text
    Select(browser.find_element(By.ID, "country")).select_by_visible_text("Sweden")
    navigating(browser, lambda: browser.find_element(By.ID, "q").send_keys("malmo" + Keys.ENTER))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == ["Malmö"]
    navigating(browser, lambda: rows[0].find_element(By.LINK_TEXT, "Malmö").click())
    assert heading(browser) == "Malmö"
    assert browser.find_element(By.ID, "neighbours-heading").text == "Neighbouring municipalities"
    assert "Burlöv" in browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=neighbours-heading]").text

    browser.get(browser_server.base + "/municipalities?country=dk")
    Select(browser.find_element(By.ID, "region")).select_by_visible_text("Region Nordjylland")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[normalize-space()='Show']").click())
    assert "11 municipalities found" in browser.find_element(By.ID, "result-count").text

    browser.get(browser_server.base + "/municipalities?country=se")
    navigating(browser, lambda: browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click())
    assert browser.find_element(By.CSS_SELECTOR, ".pager a[aria-current=page]").text == "2"


def test_switch_language(browser, browser_server):
    browser.get(browser_server.base + "/municipalities?country=dk")
    navigating(browser, lambda: browser.find_element(By.CSS_SELECTOR, "a[hreflang=sv]").click())
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    assert heading(browser) == "Kommuner"
    assert "98 kommuner hittades" in browser.find_element(By.ID, "result-count").text
    assert "country=dk" in browser.current_url, "the picker returns to the same page"
    navigating(browser, lambda: browser.find_element(By.CSS_SELECTOR, "a[hreflang=da]").click())
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "da"
    assert browser.find_element(By.CSS_SELECTOR, "a[hreflang=da]").get_attribute("aria-current") == "true"
    browser.get(browser_server.base + "/municipalities/dk/101")
    assert "671.714" in browser.page_source
    navigating(browser, lambda: browser.find_element(By.CSS_SELECTOR, "a[hreflang=en]").click())
    assert "671,714" in browser.page_source


def test_keyboard_skip_link_and_labels(browser, browser_server):
    browser.get(browser_server.base + "/municipalities")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip-link"
    active.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    # Every visible form field has a label.
    for field in browser.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), select"):
        field_id = field.get_attribute("id")
        assert browser.find_elements(By.CSS_SELECTOR, f"label[for='{field_id}']"), field_id
