"""Cases 4 and 5 in a real browser: the organiser writes a discussion guide from the 2022 slide
guide's structure (slides 1-5, 6-8, 9-10, 11-12 and 13, each with its purpose) and publishes it;
Aarhus's coordinator records the committee's session, agrees two goals and shares them; the
organiser reads them side by side and puts them on the meeting's agenda. Then the coordinator
writes an article, is told that consent is missing, submits it, and the organiser publishes it and
gives feedback on it, which the author is told of; search finds it by another form of a word, with
the hit marked."""
import re

import pytest
import requests
from conftest import (PASSWORD, Server, accessibility_violations, create_admin, heading, make_token, navigating,
                      overflows_at, press, sign_in, type_into)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

ADMIN = ("admin@example.dk", "a long admin password")

SECTIONS = [
    ("Hvorfor drøfte skoleudvikling nu", "At forstå baggrunden og udvalgets rolle.", "1-5", "Hvad kendetegner vores skoler i dag?"),
    ("Elevernes læring og trivsel", "At se på resultaterne sammen.", "6-8", "Hvad viser tallene?\nHvad overrasker os?"),
    ("Inddragelse", "At aftale, hvordan skoleledere, lærere og forældre inddrages.", "9-10", "Hvem skal være med?"),
    ("Mål og rammer", "At formulere udvalgets mål og rammer for skolerne.", "11-12", "Hvilke mål sætter vi?"),
    ("Opfølgning", "At aftale, hvornår udvalget følger op.", "13", "Hvornår ser vi på det igen?"),
]


@pytest.fixture(scope="module")
def server():
    server = Server("guides")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def setting(server):
    base = server.base
    admin = create_admin(server)
    csrf = admin.cookies.get("samrad_csrf")
    created = admin.post(base + "/organisations", data={"_csrf": csrf, "name": "KL", "kind": "association", "country": "dk"}, allow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    kl = created.headers["Location"].rsplit("/", 1)[-1]
    dlf = admin.post(base + "/organisations", data={"_csrf": csrf, "name": "DLF", "kind": "association", "country": "dk"},
                     allow_redirects=False)
    assert dlf.status_code == 303, dlf.text[:500]
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + make_token(server, admin)
    response = api.post(base + "/api/v1/collaborations", json={
        "title": "Skoleudvikling i kommunerne", "description": "Case 4", "kind": "standing_network", "organiserID": kl,
        "timeZone": "Europe/Copenhagen", "periodStart": "2027-01-01", "periodEnd": "2029-12-31", "deadline": "2030-06-01T12:00",
        "seats": [], "priceKind": "free"})
    assert response.status_code == 201, response.text
    slug = response.json()["slug"]
    assert api.post(f"{base}/api/v1/collaborations/{slug}/status", json={"status": "open"}).status_code == 200
    for code in ("751", "461"):
        assert api.post(f"{base}/api/v1/collaborations/{slug}/registrations/dk/{code}", json={"seats": []}).status_code == 201
    meeting = api.post(f"{base}/api/v1/collaborations/{slug}/meetings", json={"title": "Politisk møde", "startsAt": "2027-05-27T13:00", "endsAt": "2027-05-27T16:00"})
    assert meeting.status_code == 201, meeting.text
    invited = admin.post(base + "/admin/invitations", data={"_csrf": csrf, "email": "coord@aarhus.dk", "kind": "coordinator", "municipality": "dk/751"},
                         allow_redirects=False)
    assert invited.status_code == 303, invited.text[:500]
    link = re.search(r"(http://\S+/invitations/\S+)", server.wait_for_mail("coord@aarhus.dk", "/invitations/")).group(1)
    session = requests.Session()
    session.get(base + "/")
    accepted = session.post(link, data={"_csrf": session.cookies.get("samrad_csrf"), "name": "Aase Aarhus", "password": PASSWORD}, allow_redirects=False)
    assert accepted.status_code == 303, accepted.text[:500]
    return {"kl": kl, "slug": slug}


def day(browser, field, value):
    # Date inputs take typed digits in the browser's locale; the value is set as the form sends it.
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field), value)


def test_guide_session_shared_goals_and_an_article(server, setting, browser):
    sign_in(browser, server, *ADMIN, fresh=True)
    browser.get(server.base + "/guides/new")
    assert heading(browser) == "Write a discussion guide"
    type_into(browser, "title", "Drøftelsesguide: skoleudvikling i kommunen")
    type_into(browser, "introduction", "Til udvalgets drøftelse af **skoleudvikling**.")
    Select(browser.find_element(By.ID, "owner")).select_by_visible_text("KL")
    Select(browser.find_element(By.ID, "collaboration")).select_by_visible_text("Skoleudvikling i kommunerne")
    Select(browser.find_element(By.ID, "language")).select_by_visible_text("Dansk")
    # Published together with DLF (case 4's parties), ticked by keyboard.
    browser.find_element(By.XPATH, "//fieldset[@id='copublishers']//label[normalize-space()='DLF']/input").send_keys(Keys.SPACE)
    # Saving with no section names the problem and keeps what was typed.
    press(browser, "Save the guide")
    summary = browser.find_element(By.ID, "error-summary").text
    assert "A guide needs at least one section with a heading and a purpose." in summary, summary
    assert browser.find_element(By.ID, "title").get_attribute("value") == "Drøftelsesguide: skoleudvikling i kommunen"
    for n, (title, purpose, slides, questions) in enumerate(SECTIONS, start=1):
        type_into(browser, f"s{n}_title", title)
        type_into(browser, f"s{n}_purpose", purpose)
        type_into(browser, f"s{n}_slides", slides)
        type_into(browser, f"s{n}_questions", questions)
    press(browser, "Save the guide")
    assert heading(browser) == "Drøftelsesguide: skoleudvikling i kommunen"
    guide = browser.current_url
    sections = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".guide-section h2")]
    assert sections == [f"{n}. {s[0]}" for n, s in enumerate(SECTIONS, start=1)], sections
    assert "Slides 9-10" in browser.find_element(By.ID, "section-3").text
    press(browser, "Publish")
    assert "The guide is published." in browser.find_element(By.TAG_NAME, "main").text
    assert "KL with DLF" in browser.find_element(By.CSS_SELECTOR, "article.guide .note").text

    # Aarhus records the committee's session and agrees two goals.
    sign_in(browser, server, "coord@aarhus.dk", PASSWORD, fresh=True)
    browser.get(guide)
    assert Select(browser.find_element(By.ID, "municipality")).first_selected_option.text == "Aarhus"
    press(browser, "Record a session")
    assert heading(browser) == "Record a session: Drøftelsesguide: skoleudvikling i kommunen"
    day(browser, "held_on", "2027-03-14")
    type_into(browser, "committee", "Børne- og Ungeudvalget")
    type_into(browser, "p_politicians", "9 udvalgsmedlemmer")
    type_into(browser, "p_school-leaders", "3 skoleledere")
    type_into(browser, "p_parents", "Formand for skolebestyrelsen")
    type_into(browser, "n_s2q1", "Karaktererne er steget, men trivslen er faldet i udskolingen.")
    type_into(browser, "a1_statement", "Trivslen i udskolingen skal op.")
    day(browser, "a1_follow_up", "2028-01-31")
    type_into(browser, "a2_statement", "Skolelederne inddrages hvert halvår.")
    type_into(browser, "a2_responsible", "Skolechefen")
    day(browser, "a2_follow_up", "2027-12-01")
    Select(browser.find_element(By.ID, "a2_kind")).select_by_visible_text("Frame")
    press(browser, "Save the session")
    # The first goal has no responsible person: the message leads to the field.
    summary = browser.find_element(By.ID, "error-summary")
    assert "Name who is responsible for the agreement." in summary.text, summary.text
    link = summary.find_element(By.LINK_TEXT, "Name who is responsible for the agreement.")
    assert link.get_attribute("href").endswith("#a1_responsible")
    responsible = browser.find_element(By.ID, "a1_responsible")
    assert "has-error" in responsible.find_element(By.XPATH, "..").get_attribute("class")
    responsible.send_keys("Børne- og Ungeudvalget")
    day(browser, "held_on", "2027-03-14")
    day(browser, "a1_follow_up", "2028-01-31")
    day(browser, "a2_follow_up", "2027-12-01")
    press(browser, "Save the session")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Trivslen i udskolingen skal op." in main and "Skolechefen" in main, main
    press(browser, "Share the result with Skoleudvikling i kommunerne")
    assert "The result is shared with Skoleudvikling i kommunerne." in browser.find_element(By.TAG_NAME, "main").text

    # Aarhus copies the parties' guide to put it into its own context; the copy says where it came from.
    browser.get(guide)
    assert accessibility_violations(browser) == []
    press(browser, "Copy and adapt")
    assert "A copy for the municipality is made as a draft." in browser.find_element(By.TAG_NAME, "main").text
    type_into(browser, "s1_title", "Hvorfor drøfte skoleudvikling i Aarhus nu")
    press(browser, "Save the guide")
    assert heading(browser) == "Drøftelsesguide: skoleudvikling i kommunen"
    assert browser.current_url != guide
    note = browser.find_element(By.CSS_SELECTOR, "article.guide").text
    assert "Aarhus" in note and "Draft" in note and "Adapted from: Drøftelsesguide: skoleudvikling i kommunen (KL with DLF)" in note, note
    assert "1. Hvorfor drøfte skoleudvikling i Aarhus nu" in note
    assert not overflows_at(browser, 320)

    # The coordinator writes an article; consent is asked for before it can be submitted.
    browser.get(server.base + "/knowledge/new")
    assert heading(browser) == "Write a material"
    type_into(browser, "title", "Læsebånd i indskolingen på Frydenlund Skole")
    type_into(browser, "summary", "Sådan fik lærerne læsebåndet til at løfte elevernes læsning.")
    type_into(browser, "body", "## Baggrund\n\nLærerne på skolen arbejdede med **læsebånd** hver morgen. <script>alert(1)</script>")
    type_into(browser, "themes", "Læsning")
    Select(browser.find_element(By.ID, "language")).select_by_visible_text("Dansk")
    Select(browser.find_element(By.ID, "collaboration")).select_by_visible_text("Skoleudvikling i kommunerne")
    press(browser, "Save")
    article = browser.current_url
    press(browser, "Submit for publication")
    assert "Tick the consent to publication" in browser.find_element(By.ID, "error-summary").text
    browser.get(article + "/edit")
    consent = browser.find_element(By.ID, "consent")
    consent.send_keys(Keys.SPACE)
    assert consent.is_selected()
    press(browser, "Save")
    press(browser, "Submit for publication")
    assert "The material is submitted; an editor will review it." in browser.find_element(By.TAG_NAME, "main").text

    # The organiser reads the results side by side, puts them on the agenda, and publishes the article.
    sign_in(browser, server, *ADMIN, fresh=True)
    browser.get(guide + "/results")
    columns = browser.find_element(By.CSS_SELECTOR, ".side-by-side").text
    assert "Aarhus" in columns and "Trivslen i udskolingen skal op." in columns, columns
    press(browser, "Put on the meeting's agenda")
    assert "Lokale drøftelser: Drøftelsesguide: skoleudvikling i kommunen" in browser.find_element(By.TAG_NAME, "main").get_attribute("innerHTML")
    browser.get(server.base + "/knowledge/review")
    navigating(browser, lambda: browser.find_element(By.LINK_TEXT, "Læsebånd i indskolingen på Frydenlund Skole").click())
    assert "<script>" not in browser.find_element(By.CSS_SELECTOR, ".markdown").get_attribute("innerHTML")
    press(browser, "Publish")
    assert "The material is published." in browser.find_element(By.TAG_NAME, "main").text

    # Feedback on the participant's work (case 2): an empty comment is named, a real one is told to the author.
    article_page = browser.current_url
    press(browser, "Give feedback")
    assert browser.find_element(By.ID, "feedback-body-error").text
    assert accessibility_violations(browser) == []
    type_into(browser, "feedback-body", "Godt eksempel. Beskriv gerne, hvordan I målte læsningen.")
    press(browser, "Give feedback")
    assert "Your feedback is given; the author is told." in browser.find_element(By.TAG_NAME, "main").text
    assert "hvordan I målte læsningen" in browser.find_element(By.ID, "feedback").text
    assert "hvordan I målte" in server.wait_for_mail("coord@aarhus.dk", "hvordan I målte læsningen")
    assert accessibility_violations(browser) == []
    assert not overflows_at(browser, 320)
    assert "hvordan I målte" not in requests.get(article_page).text, "the feedback is not public"

    # Anybody finds it by another form of a word, the hit marked.
    browser.delete_all_cookies()
    browser.get(server.base + "/knowledge")
    search = browser.find_element(By.ID, "q")
    navigating(browser, lambda: search.send_keys("lærernes" + Keys.ENTER))
    result = browser.find_element(By.CSS_SELECTOR, ".search-result")
    assert "Læsebånd i indskolingen på Frydenlund Skole" in result.text
    assert {m.text.lower() for m in result.find_elements(By.TAG_NAME, "mark")} == {"lærerne"}
    feed = requests.get(server.base + "/knowledge/feed.atom")
    assert "Læsebånd i indskolingen på Frydenlund Skole" in feed.text
