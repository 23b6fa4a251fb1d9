"""Surveys of many (issue 27): a pupil survey answered by class code on a phone. The organiser sends
a well-being survey to the registered municipalities; a teacher's class code for Katrinedals Skole is
typed on a 390 px phone as read off the board; the pupil reads what is kept about them before the
questions, misses a required one, answers, and the next pupil gets a fresh form. Every page passes
axe and reflows at 320 px."""
import re

import pytest
import requests
from conftest import (Server, accessibility_violations, create_admin, emulating, heading, make_token, navigating,
                      overflows_at, press, sign_in, type_into)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


@pytest.fixture(scope="module")
def surveys_server():
    server = Server("surveys")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def case(surveys_server):
    """KL's consultant (an administrator here), a collaboration with København registered and its
    school Katrinedals Skole, and a pupil survey of four questions, sent."""
    base = surveys_server.base
    admin = create_admin(surveys_server, email="kim@kl.dk", password="a long admin password")
    csrf = admin.cookies.get("samrad_csrf")
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(surveys_server, admin)
    kl = api.post(base + "/api/v1/organisations", json={"name": "KL", "kind": "association", "country": "dk"}).json()["id"]
    created = api.post(base + "/api/v1/collaborations", json={
        "title": "Børns læring og trivsel", "description": "Case 3", "kind": "cluster_programme", "organiserID": kl,
        "timeZone": "Europe/Copenhagen", "periodStart": "2027-01-01", "periodEnd": "2029-12-31",
        "deadline": "2030-06-01T12:00", "seats": [], "priceKind": "free"})
    assert created.status_code == 201, created.text
    slug = created.json()["slug"]
    assert api.post(f"{base}/api/v1/collaborations/{slug}/status", json={"status": "open"}).status_code == 200
    assert api.post(f"{base}/api/v1/collaborations/{slug}/registrations/dk/101", json={"seats": []}).status_code == 201
    school = admin.post(base + "/municipalities/dk/101/schools",
                        data={"_csrf": csrf, "code": "280001", "name": "Katrinedals Skole"}, allow_redirects=False)
    assert school.status_code == 303, school.text[:500]
    survey = api.post(f"{base}/api/v1/collaborations/{slug}/questionnaires", json={
        "title": "Trivselsmåling 2027", "audience": "pupils", "closesAt": "2030-05-09T23:59",
        "form": {"sections": [{"key": "s", "title": {"da": "Trivsel", "en": "Well-being"}, "questions": [
            {"key": "safe", "kind": "likert", "required": True, "scale": {"min": 1, "max": 5},
             "text": {"da": "Jeg føler mig tryg i skolen", "en": "I feel safe at school"}},
            {"key": "friends", "kind": "yes_no", "required": True,
             "text": {"da": "Har du en god ven i klassen?", "en": "Do you have a good friend in your class?"}},
            {"key": "class", "kind": "matrix", "scale": {"min": 1, "max": 4},
             "text": {"da": "Min klasse", "en": "My class"},
             "statements": [{"key": "calm", "label": {"da": "Der er ro", "en": "It is calm"}},
                            {"key": "kind", "label": {"da": "Vi er gode ved hinanden", "en": "We are kind to each other"}}]},
            {"key": "wish", "kind": "long_text", "text": {"da": "Hvad vil du ændre?", "en": "What would you change?"}}]}]}})
    assert survey.status_code == 201, survey.text
    href = "/questionnaires/" + survey.json()["id"].lower()
    sent = api.post(f"{base}/api/v1{href}/send")
    assert sent.status_code == 200, sent.text
    return {"api": api, "slug": slug, "href": href}


def test_a_pupil_answers_a_well_being_survey_on_a_phone_with_the_class_code(surveys_server, browser, case):
    base, href = surveys_server.base, case["href"]
    # The organiser makes the class code in the browser, as a teacher would.
    sign_in(browser, surveys_server, "kim@kl.dk", "a long admin password", fresh=True)
    browser.get(base + href + "/class-codes")
    assert heading(browser) == "Class codes"
    Select(browser.find_element(By.ID, "school")).select_by_visible_text("Katrinedals Skole (København)")
    Select(browser.find_element(By.ID, "grade")).select_by_visible_text("grade 6")
    type_into(browser, "capacity", "24")
    press(browser, "Make a class code")
    made = browser.find_element(By.CSS_SELECTOR, "p.notice").text
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", made).group(0)
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    browser.delete_all_cookies()

    # The pupil, on a phone, without an account.
    emulating(browser, 390, 844)
    try:
        browser.get(base + "/class")
        assert heading(browser) == "Answer with a class code"
        assert accessibility_violations(browser) == []
        type_into(browser, "code", code.lower())
        navigating(browser, lambda: press(browser, "Start"))
        assert heading(browser) == "Trivselsmåling 2027"
        assert "Katrinedals Skole, grade 6" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
        promise = browser.find_element(By.CSS_SELECTOR, ".survey-promise").text
        assert "anonymously" in promise and "at least 5 pupils" in promise
        assert browser.execute_script("return document.documentElement.scrollWidth <= 391")
        assert accessibility_violations(browser) == []
        # Only the first question answered: the required second is named.
        browser.find_element(By.CSS_SELECTOR, "label:has(#answers\\.safe-4)").click()
        type_into(browser, "answers.wish", "Længere frikvarter")
        navigating(browser, lambda: press(browser, "Send answers"))
        summary = browser.find_element(By.ID, "error-summary").text
        assert "Do you have a good friend in your class?" in summary
        assert browser.find_element(By.ID, "answers.wish").get_attribute("value") == "Længere frikvarter"
        assert accessibility_violations(browser) == []
        browser.find_element(By.CSS_SELECTOR, "label:has(#answers\\.friends)").click()
        browser.find_element(By.ID, "answers.class.calm-3").click()
        navigating(browser, lambda: press(browser, "Send answers"))
        assert heading(browser) == "Thank you"
        assert accessibility_violations(browser) == []
        assert browser.execute_script("return document.documentElement.scrollWidth <= 391")
        # The next pupil on the same tablet starts on an empty form.
        navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Fresh form for the next pupil").click())
        assert not browser.find_element(By.ID, "answers.safe").is_selected()
        assert browser.find_element(By.ID, "answers.wish").get_attribute("value") == ""
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not overflows_at(browser, 320)

    # The class code shows one answer of its 24.
    sign_in(browser, surveys_server, "kim@kl.dk", "a long admin password", fresh=True)
    browser.get(base + href + "/class-codes")
    assert "1 of 24" in browser.find_element(By.CSS_SELECTOR, "table.list").text


def test_a_school_leader_answers_a_confidential_staff_survey_by_link(surveys_server, browser, case):
    """The organiser sets up a staff survey of school leaders in the settings form (confidential,
    each naming their school) and sends it; a school leader opens the e-mailed link on a phone,
    reads the promise, names the school and answers; the link then answers no more, and the
    organiser sees that she answered, never what."""
    base, api, slug = surveys_server.base, case["api"], case["slug"]
    sign_in(browser, surveys_server, "kim@kl.dk", "a long admin password", fresh=True)
    leader = api.post(base + "/api/v1/people", json={"name": "Lone Leder", "email": "lone@kk.dk",
                                                    "position": "school_leader", "municipality": "dk/101"})
    assert leader.status_code == 201, leader.text[:300]
    browser.get(f"{base}/collaborations/{slug}/questionnaires/new")
    type_into(browser, "title", "Skoleledernes vilkår")
    Select(browser.find_element(By.ID, "audience")).select_by_visible_text(
        "Staff of chosen positions in the registered municipalities, by one-time link")
    browser.find_element(By.ID, "anonymity-confidential").click()
    browser.find_element(By.CSS_SELECTOR, "input[name='position_school_leader']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name='asksSchool']").click()
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "closesAt"), "2030-05-09T23:59")
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    press(browser, "Save")
    assert heading(browser) == "Questions", browser.find_element(By.TAG_NAME, "main").text[:500]
    questionnaire = browser.current_url.rsplit("/questions", 1)[0]
    qid = questionnaire.rsplit("/", 1)[-1]
    shown = api.get(f"{base}/api/v1/questionnaires/{qid}").json()
    assert shown["survey"]["anonymity"] == "confidential" and shown["survey"]["positions"] == ["school_leader"]
    form = {"sections": [{"key": "s", "title": {"da": "Vilkår"}, "questions": [
        {"key": "tid", "kind": "likert", "required": True, "scale": {"min": 1, "max": 5},
         "text": {"da": "Jeg har tid til pædagogisk ledelse"}}]}]}
    updated = api.put(f"{base}/api/v1/questionnaires/{qid}", json={
        "title": "Skoleledernes vilkår", "closesAt": "2030-05-09T23:59", "audience": "staff", "form": form})
    assert updated.status_code == 200, updated.text
    sent = api.post(f"{base}/api/v1/questionnaires/{qid}/send")
    assert sent.status_code == 200 and sent.json()["recipients"] == 1, sent.text
    link = re.search(r"http://\S+/survey/\S+", surveys_server.wait_for_mail("lone@kk.dk", "/survey/")).group(0)

    browser.delete_all_cookies()
    emulating(browser, 390, 844)
    try:
        browser.get(link)
        assert heading(browser) == "Skoleledernes vilkår"
        assert "confidential" in browser.find_element(By.CSS_SELECTOR, ".survey-promise").text
        assert accessibility_violations(browser) == []
        Select(browser.find_element(By.ID, "school")).select_by_visible_text("Katrinedals Skole")
        browser.find_element(By.CSS_SELECTOR, "label:has(#answers\\.tid-3)").click()
        navigating(browser, lambda: press(browser, "Send answers"))
        assert heading(browser) == "Thank you"
        assert "no longer works" in browser.find_element(By.TAG_NAME, "main").text
        browser.get(link)
        assert "used or is not valid" in browser.find_element(By.TAG_NAME, "main").text
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    progress = api.get(f"{base}/api/v1/questionnaires/{qid}/progress").json()
    assert progress["submitted"] == 1
    assert progress["units"] == [{"unit": "survey/lone@kk.dk", "name": "Lone Leder (lone@kk.dk)", "status": "submitted"}]



def test_a_municipality_surveys_its_own_schools_outside_any_collaboration(surveys_server, browser, case):
    """From København's page to its own surveys: a new pupil survey in the settings form on a phone,
    without clusters, meetings or municipalities to choose; it is København's, not a collaboration's."""
    base, api = surveys_server.base, case["api"]
    sign_in(browser, surveys_server, "kim@kl.dk", "a long admin password", fresh=True)
    browser.get(base + "/municipalities/dk/101")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Own surveys").click())
    assert heading(browser) == "Own surveys"
    assert "outside any collaboration" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "New questionnaire").click())
    emulating(browser, 390, 844)
    try:
        audiences = [o.text for o in Select(browser.find_element(By.ID, "audience")).options]
        assert audiences == ["Pupils of the municipality's schools, anonymously by class code",
                             "Staff of chosen positions in the municipality, by one-time link",
                             "A list of e-mail addresses, by one-time link"], audiences
        assert not browser.find_elements(By.ID, "clusterID") and not browser.find_elements(By.ID, "meetingID")
        assert "Europe/Copenhagen" in browser.find_element(By.TAG_NAME, "main").text
        type_into(browser, "title", "Trivsel i Københavns skoler")
        browser.execute_script(
            "arguments[0].value = arguments[1]", browser.find_element(By.ID, "closesAt"), "2030-05-09T23:59")
        assert accessibility_violations(browser) == []
        assert browser.execute_script("return document.documentElement.scrollWidth <= 391")
        press(browser, "Save")
        assert heading(browser) == "Questions", browser.find_element(By.TAG_NAME, "main").text[:500]
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    qid = browser.current_url.rsplit("/questions", 1)[0].rsplit("/", 1)[-1]
    shown = api.get(f"{base}/api/v1/questionnaires/{qid}").json()
    assert shown["municipality"] == "dk/101" and shown.get("collaboration") is None, shown
    assert shown["audience"] == "pupils"
    listed = api.get(base + "/api/v1/municipalities/dk/101/surveys").json()["questionnaires"]
    assert [q["title"] for q in listed] == ["Trivsel i Københavns skoler"]
    browser.get(base + "/municipalities/dk/101/surveys")
    assert "Trivsel i Københavns skoler" in browser.find_element(By.CSS_SELECTOR, "table.list").text
