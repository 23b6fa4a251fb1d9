"""Case 1's status questionnaire in a real browser: KL's consultant builds the 2014 status
questionnaire with one question of every kind in Danish, sends it to the six registered
municipalities, Aarhus drafts (saved in the background), leaves and resumes, then submits; Odense
submits; Aalborg answers by its personal link without an account; three more answer by their links.
The consultant follows the response rate, closes and publishes to the participants, and Aarhus's
coordinator reads its own answer against all respondents in charts with tables, also on the
agenda of the first political meeting."""
import re

import pytest
import requests
from conftest import (Server, accept_account_invitation, create_admin, heading, make_token, navigating, press,
                      sign_in, sign_out, type_into)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

MUNICIPALITIES = ["751", "461", "851", "101", "147", "157"]


@pytest.fixture(scope="module")
def survey_server():
    server = Server("questionnaires")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def case(survey_server):
    """KL, its consultant, coordinators for Aarhus and Odense, the collaboration with six registered
    municipalities, and a school chief with an e-mail address in each."""
    base = survey_server.base
    admin = create_admin(survey_server)
    csrf = admin.cookies.get("samrad_csrf")
    created = admin.post(base + "/organisations", data={"_csrf": csrf, "name": "KL", "kind": "association", "country": "dk"}, allow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    kl = created.headers["Location"].rsplit("/", 1)[-1]
    for email, name, role in [("kim@kl.dk", "Kim Konsulent", {"kind": "organiser", "organisationID": kl}),
                              ("coord@aarhus.dk", "Aase Aarhus", {"kind": "coordinator", "municipality": "dk/751"}),
                              ("coord@odense.dk", "Otto Odense", {"kind": "coordinator", "municipality": "dk/461"})]:
        invited = admin.post(base + "/admin/invitations", data={"_csrf": csrf, "email": email, **role}, allow_redirects=False)
        assert invited.status_code == 303, invited.text[:500]
        accept_account_invitation(survey_server, email, name)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(survey_server, admin)
    response = api.post(base + "/api/v1/collaborations", json={
        "title": "Kommunesamarbejde om folkeskolen 2014", "description": "Case 1", "kind": "political_forum", "organiserID": kl,
        "timeZone": "Europe/Copenhagen", "periodStart": "2027-01-01", "periodEnd": "2029-12-31", "deadline": "2030-06-01T12:00",
        "seats": [], "priceKind": "free"})
    assert response.status_code == 201, response.text
    slug = response.json()["slug"]
    assert api.post(f"{base}/api/v1/collaborations/{slug}/status", json={"status": "open"}).status_code == 200
    for code in MUNICIPALITIES:
        registered = api.post(f"{base}/api/v1/collaborations/{slug}/registrations/dk/{code}", json={"seats": []})
        assert registered.status_code == 201, registered.text
        person = api.post(base + "/api/v1/people", json={"name": f"Skolechef {code}", "email": f"skolechef.{code}@example.dk",
                                                         "position": "school_chief", "municipality": f"dk/{code}"})
        assert person.status_code == 201, person.text
    return {"slug": slug, "api": api}


def notice(browser):
    return browser.find_element(By.CSS_SELECTOR, "p.notice").text


def add_question(browser, kind, fields, required=False, condition=None):
    Select(browser.find_element(By.ID, "kind-s1")).select_by_visible_text(kind)
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Add question')]").click())
    assert heading(browser) == "New question"
    for field, text in fields.items():
        type_into(browser, field, text)
    if required:
        browser.find_element(By.ID, "required").click()
    if condition:
        Select(browser.find_element(By.ID, "show_question")).select_by_visible_text(condition[0])
        type_into(browser, "show_values", condition[1])
    press(browser, "Save the question")
    assert notice(browser) == "The question is added.", browser.page_source[:3000]


def choose(browser, element_id):
    browser.find_element(By.ID, element_id).click()


def test_status_questionnaire_from_building_to_results_on_the_agenda(browser, survey_server, case):
    base, slug = survey_server.base, case["slug"]
    sign_in(browser, survey_server, "kim@kl.dk")
    browser.get(f"{base}/collaborations/{slug}")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Questionnaires").click())
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "New questionnaire").click())
    type_into(browser, "title", "Statusundersøgelse 2014")
    type_into(browser, "intro", "Hvor langt er forvaltningen med reformen?")
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "closesAt"), "2029-05-09T23:59")
    type_into(browser, "threshold", "2")
    press(browser, "Save")
    assert "Give a number from 3 to 50." in browser.find_element(By.ID, "error-summary").text
    type_into(browser, "threshold", "3")
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "closesAt"), "2029-05-09T23:59")
    press(browser, "Save")
    assert heading(browser) == "Questions"
    questionnaire = browser.current_url.rsplit("/questions", 1)[0]

    # One question of each kind, in Danish.
    add_question(browser, "Single choice", {"key": "fase", "text_da": "Hvor langt er I med reformen?", "option_0_da": "Vi er begyndt",
                                            "option_1_da": "Midtvejs", "option_2_da": "Gennemført"}, required=True)
    add_question(browser, "Multiple choice", {"key": "omraader", "text_da": "Hvilke områder arbejder I med?", "option_0_da": "Læring",
                                              "option_1_da": "Trivsel", "option_2_da": "Inklusion"})
    add_question(browser, "Scale (e.g. 1-5)", {"key": "parat", "text_da": "Hvor parat er skolerne?", "low_da": "Slet ikke", "high_da": "Helt"}, required=True)
    add_question(browser, "Number", {"key": "timer", "text_da": "Timer til kompetenceudvikling pr. lærer", "number_min": "0", "number_max": "200",
                                     "unit_da": "timer"})
    add_question(browser, "Yes/no", {"key": "plan", "text_da": "Har I en politisk vedtaget plan?"}, required=True)
    add_question(browser, "Long text", {"key": "hvorfor", "text_da": "Hvorfor ikke endnu?"}, condition=("Har I en politisk vedtaget plan?", "no"))
    add_question(browser, "Short text", {"key": "kontakt", "text_da": "Kontaktperson"})
    add_question(browser, "Statements on one scale", {"key": "udsagn", "text_da": "Hvor enige er I?", "statement_0_da": "Lærerne er med",
                                                     "statement_1_da": "Lederne er med", "scale_max": "4"})
    items = browser.find_elements(By.CSS_SELECTOR, "ol.builder-questions > li")
    assert len(items) == 8
    assert "Shown when \"Har I en politisk vedtaget plan?\" is answered No" in items[5].text
    # A wrong number bound is named on its field and nothing is added.
    Select(browser.find_element(By.ID, "kind-s1")).select_by_visible_text("Number")
    navigating(browser, lambda: browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Add question')]").click())
    type_into(browser, "text_da", "Antal skoler")
    type_into(browser, "number_min", "ti")
    press(browser, "Save the question")
    assert "Give a number." in browser.find_element(By.ID, "error-summary").text
    browser.get(questionnaire + "/questions")
    assert len(browser.find_elements(By.CSS_SELECTOR, "ol.builder-questions > li")) == 8

    browser.get(questionnaire)
    press(browser, "Send the questionnaire")
    assert "Sent to 6 respondents (6 e-mails)." in notice(browser)
    sign_out(browser)

    # Aarhus: answers a little, the page saves in the background, leaves and comes back.
    sign_in(browser, survey_server, "coord@aarhus.dk")
    browser.get(questionnaire)
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Aarhus").click())
    assert "Not started" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    assert not browser.find_element(By.ID, "question-hvorfor").is_displayed(), "a conditional question waits for its answer"
    choose(browser, "answers.fase-o2")
    choose(browser, "answers.plan-no")
    assert browser.find_element(By.ID, "question-hvorfor").is_displayed()
    type_into(browser, "answers.hvorfor", "Byrådet behandler planen i juni.")
    type_into(browser, "answers.timer", "35")
    browser.find_element(By.ID, "answers.timer").send_keys(Keys.TAB)
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "answer-form").get_attribute("data-saved") == "yes")
    assert browser.find_element(By.ID, "autosave-status").text.startswith("Saved")
    sign_out(browser)
    sign_in(browser, survey_server, "coord@aarhus.dk")
    browser.get(questionnaire + "/answer/dk/751")
    assert "Draft" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    assert browser.find_element(By.ID, "answers.fase-o2").is_selected()
    assert browser.find_element(By.ID, "answers.timer").get_attribute("value") == "35"
    assert browser.find_element(By.ID, "answers.hvorfor").get_attribute("value") == "Byrådet behandler planen i juni."
    # Submitting without the required scale names it.
    press(browser, "Submit")
    assert "Hvor parat er skolerne?" in browser.find_element(By.ID, "error-summary").text
    choose(browser, "answers.parat-4")
    choose(browser, "answers.omraader")
    choose(browser, "answers.omraader-o2")
    choose(browser, "answers.udsagn.st1-3")
    choose(browser, "answers.udsagn.st2-4")
    press(browser, "Submit")
    assert "the answer is submitted" in notice(browser)
    assert "Submitted" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    sign_out(browser)

    # Odense answers by its account.
    sign_in(browser, survey_server, "coord@odense.dk")
    browser.get(questionnaire + "/answer/dk/461")
    choose(browser, "answers.fase")
    choose(browser, "answers.parat-2")
    choose(browser, "answers.plan")
    type_into(browser, "answers.timer", "500")
    press(browser, "Submit")
    assert "at most 200" in browser.find_element(By.ID, "error-summary").text
    type_into(browser, "answers.timer", "20")
    press(browser, "Submit")
    assert "the answer is submitted" in notice(browser)
    sign_out(browser)

    # Aalborg by the personal link in its school chief's e-mail, without an account.
    body = survey_server.wait_for_mail("skolechef.851@example.dk", "/answer/")
    link = re.search(r"(http://\S+/answer/\S+)", body).group(1)
    browser.get(link)
    assert "Aalborg" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    choose(browser, "answers.fase-o3")
    choose(browser, "answers.parat-5")
    choose(browser, "answers.plan")
    press(browser, "Submit")
    assert "the answer is submitted" in notice(browser)

    # Three more municipalities answer by their links.
    for code, phase, ready in (("101", "o1", "3"), ("147", "o2", "3"), ("157", "o3", "4")):
        session = requests.Session()
        mail = survey_server.wait_for_mail(f"skolechef.{code}@example.dk", "/answer/")
        url = re.search(r"(http://\S+/answer/\S+)", mail).group(1)
        session.get(url)
        sent = session.post(url, data={"_csrf": session.cookies.get("samrad_csrf"), "answers[fase]": phase, "answers[parat]": ready,
                                       "answers[plan]": "yes", "action": "submit"}, allow_redirects=False)
        assert sent.status_code == 303, sent.text[:2000]

    # The consultant follows the response rate, closes and publishes to the participants.
    sign_in(browser, survey_server, "kim@kl.dk")
    browser.get(questionnaire + "/progress")
    assert heading(browser) == "Response rate", browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.ID, "count-submitted").text == "6"
    assert browser.find_element(By.ID, "rate").text == "100 %"
    browser.get(questionnaire)
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Close now").click())
    assert heading(browser) == "Close the questionnaire now?", "asked first, on a page of its own"
    press(browser, "Yes, close it")
    assert notice(browser) == "The questionnaire is closed."
    browser.find_element(By.XPATH, "//label[contains(., 'Show the results')]/input").click()
    Select(browser.find_element(By.ID, "visibility")).select_by_value("participants")
    press(browser, "Save publishing")
    assert notice(browser) == "The results are published."
    # The first political meeting discusses them.
    meeting = case["api"].post(f"{base}/api/v1/collaborations/{slug}/meetings",
                               json={"title": "Første politiske møde", "startsAt": "2029-06-02T10:00", "endsAt": "2029-06-02T13:00"})
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["meeting"]["id"]
    browser.get(f"{base}/meetings/{meeting_id}/agenda")
    form = browser.find_element(By.ID, "new-item")
    form.find_element(By.ID, "title").send_keys("Status på reformen")
    Select(form.find_element(By.ID, "questionnaireID")).select_by_visible_text("Statusundersøgelse 2014")
    press(browser, "Add the item")
    browser.get(f"{base}/meetings/{meeting_id}")
    press(browser, "Publish and invite")
    sign_out(browser)

    # Aarhus's coordinator: its own answer against all respondents, as charts with tables.
    sign_in(browser, survey_server, "coord@aarhus.dk")
    browser.get(questionnaire)
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Results").click())
    assert "6 submitted answers" in browser.find_element(By.CSS_SELECTOR, "p.lead").text
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) >= 6
    first = browser.find_element(By.CSS_SELECTOR, ".question-result")
    assert "Your answer: Midtvejs" in first.text
    assert "All respondents (n = 6)" in first.find_element(By.CSS_SELECTOR, "svg.chart").get_attribute("textContent")
    ready = browser.find_elements(By.CSS_SELECTOR, ".question-result")[2]
    assert "Your answer: 4" in ready.text
    # The table alternative carries the same figures.
    ready.find_element(By.TAG_NAME, "summary").click()
    table = ready.find_element(By.CSS_SELECTOR, "table.results-table").text
    assert "Mean" in table and "All respondents" in table
    # Text answers stay with the organisers.
    assert "Text answers are shown to organisers only." in browser.page_source
    assert "Byrådet behandler" not in browser.page_source
    browser.get(f"{base}/meetings/{meeting_id}")
    assert "Results: Statusundersøgelse 2014" in browser.find_element(By.ID, "agenda").text
    assert browser.find_elements(By.CSS_SELECTOR, "#agenda svg.chart")
    sign_out(browser)
