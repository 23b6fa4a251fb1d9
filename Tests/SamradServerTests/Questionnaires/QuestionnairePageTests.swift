import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// The questionnaire pages: building with the forms, answering by account and by personal link
/// (with and without scripts), the response rate, CSV, results with charts, and the agenda.
extension QuestionnaireRouteTests {
    func signedIn(_ email: String) async throws -> Client {
        let client = Client(app)
        try await client.signIn(email, "correct horse battery")
        return client
    }

    func testBuildingSendingAndAnsweringInTheBrowser() async throws {
        let slug = collaboration.slug
        let browser = try await signedIn("samordnare@skr.se")
        let stockholm = try await signedIn("coord@0180.se")
        do {
            let r = try await stockholm.get("/collaborations/\(slug)/questionnaires/new");
            XCTAssertEqual(r.status, .forbidden)
        }
        let bad = try await browser.post(
            "/collaborations/\(slug)/questionnaires/new",
            form: ["title": "", "closesAt": "2030-05-09T23:59", "audience": "registered", "threshold": "2"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("id=\"title-error\""), "the title's message is on its field")
        let created = try await browser.post(
            "/collaborations/\(slug)/questionnaires/new",
            form: [
                "title": "Statusenkät 2027", "closesAt": "2030-05-09T23:59", "audience": "registered", "threshold": "5",
                "reminderDays": "7, 2",
            ])
        XCTAssertEqual(created.status, .seeOther, created.body.string)
        let q = try await Questionnaire.query(on: app.db).filter(\.$title == "Statusenkät 2027").first()!
        let href = q.href
        XCTAssertEqual(created.headers.first(name: .location), href + "/questions")
        XCTAssertEqual(q.reminderDays, [7, 2])
        XCTAssertEqual(
            ["da", "sv", "en"].map { q.form.sections[0].title.text(Language(rawValue: $0)!) },
            ["Del 1", "Del 1", "Part 1"],
            "the first section is named in every language")

        // A number question with its bounds wrong is refused on its fields; a right one is added.
        do {
            let r = try await browser.get(href + "/questions/new?kind=number"); XCTAssertEqual(r.status, .ok);
            XCTAssertTrue(r.body.string.contains("name=\"number_min\""))
        }
        let wrong = try await browser.post(
            href + "/questions/new",
            form: [
                "kind": "number", "section": "s1", "key": "hours", "text_sv": "Timmar per vecka",
                "number_min": "40", "number_max": "zero",
            ])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertTrue(
            wrong.body.string.contains("Ange ett tal.") || wrong.body.string.contains("Give a number."),
            wrong.body.string)
        for form in [
            [
                "kind": "single_choice", "section": "s1", "key": "phase", "text_sv": "Hur långt har ni kommit?",
                "required": "on",
                "option_0_sv": "Vi har börjat", "option_1_sv": "Mitt i", "option_2_key": "done", "option_2_sv": "Klart",
            ],
            [
                "kind": "number", "section": "s1", "key": "hours", "text_sv": "Timmar per vecka", "number_min": "0",
                "number_max": "40", "whole": "on", "unit_sv": "timmar",
            ],
            [
                "kind": "yes_no", "section": "s1", "key": "plan", "text_sv": "Finns en plan?",
                "text_en": "Is there a plan?",
            ],
            [
                "kind": "long_text", "section": "s1", "key": "why", "text_sv": "Varför inte?", "show_question": "plan",
                "show_values": "no",
            ],
            [
                "kind": "matrix", "section": "s1", "key": "grid", "text_sv": "Påståenden", "scale_min": "1",
                "scale_max": "4", "statement_0_sv": "Ett", "statement_1_sv": "Två",
            ],
        ] {
            let r = try await browser.post(href + "/questions/new", form: form)
            XCTAssertEqual(r.status, .seeOther, "\(form["key"]!): \(r.body.string.prefix(2000))")
        }
        // A condition may only look back.
        let backwards = try await browser.post(
            href + "/questions/phase",
            form: [
                "kind": "single_choice", "section": "s1", "key": "phase", "text_sv": "Hur långt?",
                "option_0_key": "o1", "option_0_sv": "A", "option_1_key": "o2", "option_1_sv": "B",
                "show_question": "plan", "show_values": "yes",
            ])
        XCTAssertEqual(backwards.status, .unprocessableEntity)
        let saved = try await Questionnaire.find(q.id, on: app.db)!
        XCTAssertEqual(saved.form.questions.map(\.key), ["phase", "hours", "plan", "why", "grid"])
        XCTAssertEqual(saved.form.question("phase")?.options.map(\.key), ["o1", "o2", "done"])
        XCTAssertEqual(saved.form.question("why")?.showIf, ShowCondition(question: "plan", values: ["no"]))
        do {
            let r = try await browser.post(href + "/questions/grid/move", form: ["direction": "up"]);
            XCTAssertEqual(r.status, .seeOther)
        }
        do {
            let q = try await Questionnaire.find(q.id, on: app.db)!;
            XCTAssertEqual(q.form.questions.map(\.key), ["phase", "hours", "plan", "grid", "why"])
        }
        do {
            let r = try await browser.get(href + "/questions"); XCTAssertEqual(r.status, .ok);
            XCTAssertTrue(r.body.string.contains("Is there a plan?"), "English texts where given")
        }
        do {
            let r = try await browser.get(href + "/preview"); XCTAssertEqual(r.status, .ok);
            XCTAssertTrue(r.body.string.contains("name=\"matrix[grid][st1]\""))
        }
        // Unsent: no one else sees it; the builder is the organisers'.
        do { let r = try await stockholm.get(href); XCTAssertEqual(r.status, .notFound) }
        do { let r = try await stockholm.get(href + "/questions"); XCTAssertEqual(r.status, .notFound) }

        do { let r = try await browser.post(href + "/send", form: [:]); XCTAssertEqual(r.status, .seeOther) }
        do {
            let r = try await browser.get(href);
            XCTAssertTrue(r.body.string.contains("0 av 10") || r.body.string.contains("0 of 10"), r.body.string)
        }
        // A municipality's coordinator, a participant now, still cannot build, run or read the raw answers.
        for path in [
            "/questions", "/questions/phase", "/questions/new?kind=number", "/sections/s1", "/settings", "/preview",
            "/progress", "/answers.csv",
        ] {
            let r = try await stockholm.get(href + path)
            XCTAssertEqual(r.status, .forbidden, path)
        }
        for path in [
            "/questions/new", "/questions/phase", "/questions/phase/move", "/questions/phase/delete", "/sections",
            "/sections/s1", "/sections/s1/delete",
            "/settings", "/send", "/close", "/copy", "/publication", "/reminders",
        ] {
            let r = try await stockholm.post(
                href + path, form: ["title_sv": "X", "kind": "yes_no", "text_sv": "X", "direction": "up"])
            XCTAssertEqual(r.status, .forbidden, path)
            let anonymous = try await Client(app).post(href + path, form: [:])
            XCTAssertEqual(anonymous.status, .notFound, path)
        }
        do {
            let q = try await Questionnaire.find(q.id, on: app.db)!;
            XCTAssertEqual(q.form.questions.count, 5, "nothing changed")
        }
        // Structure is locked once answers exist; that comes below.
        let page = try await stockholm.get(href)
        XCTAssertEqual(page.status, .ok)
        let answer = href + "/answer/se/0180"
        XCTAssertTrue(page.body.string.contains(answer))
        do {
            let r = try await stockholm.get(answer); XCTAssertEqual(r.status, .ok);
            XCTAssertTrue(r.body.string.contains("Timmar per vecka"))
        }
        // A wrong number is named, nothing is saved, and what was typed stays.
        let outOfBounds = try await stockholm.post(
            answer, form: ["answers[phase]": "o2", "answers[hours]": "41", "action": "save"])
        XCTAssertEqual(outOfBounds.status, .unprocessableEntity)
        XCTAssertTrue(outOfBounds.body.string.contains("Timmar per vecka:"), "the summary names the question")
        XCTAssertEqual(
            outOfBounds.body.string.components(separatedBy: "Timmar per vecka:").count - 1, 1,
            "the message beside the field does not repeat the question")
        XCTAssertTrue(outOfBounds.body.string.contains("value=\"41\""))
        let none = try await QuestionnaireResponse.query(on: app.db).count()
        XCTAssertEqual(none, 0)
        // The background save answers in JSON.
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        headers.add(name: .accept, value: "application/json")
        let autosave = try await stockholm.post(
            answer,
            form: ["answers[phase]": "o2", "answers[plan]": "no", "matrix[grid][st1]": "3", "action": "autosave"])
        XCTAssertEqual(autosave.status, .ok, autosave.body.string)
        XCTAssertEqual(autosave.json["saved"] as? Bool, true)
        // Submitting with a required question unanswered keeps the draft and names it.
        do {
            let r = try await browser.post(
                href + "/questions/why",
                form: [
                    "kind": "long_text", "section": "s1", "key": "why", "text_sv": "Varför inte?", "required": "on",
                    "show_question": "plan", "show_values": "no",
                ])
            XCTAssertEqual(
                r.status, .unprocessableEntity, "making a question required after answers changes what it asks")
            XCTAssertTrue(r.body.string.contains("“Varför inte?”"), "the refusal names the question by its wording")
        }
        // With answers in, the builder offers only what is allowed, numbers each question once and
        // a new question is not offered as a form that cannot be saved.
        do {
            let r = try await browser.get(href + "/questions")
            XCTAssertFalse(r.body.string.contains("what=delete_question"), "no delete once answers exist")
            XCTAssertFalse(r.body.string.contains("/questions/new\""), "no new question once answers exist")
            XCTAssertTrue(r.body.string.contains("<span class=\"number\">1.</span>"))
            let new = try await browser.get(href + "/questions/new?kind=number")
            XCTAssertEqual(new.status, .seeOther)
        }
        let early = try await stockholm.post(
            answer, form: ["answers[phase]": "o2", "answers[plan]": "no", "matrix[grid][st1]": "3", "action": "submit"])
        XCTAssertEqual(early.status, .seeOther, "nothing required is missing")
        let afterSubmit = try await QuestionnaireResponse.query(on: app.db).first()?.status
        XCTAssertEqual(afterSubmit, "submitted")
        do {
            let r = try await stockholm.get(answer);
            XCTAssertTrue(r.body.string.contains("reopen"), "a coordinator may reopen until the deadline")
        }
        do { let r = try await stockholm.post(answer + "/reopen", form: [:]); XCTAssertEqual(r.status, .seeOther) }
        let afterReopen = try await QuestionnaireResponse.query(on: app.db).first()?.status
        XCTAssertEqual(afterReopen, "draft")
        do {
            let r = try await stockholm.post(
                answer,
                form: ["answers[phase]": "o2", "answers[plan]": "yes", "answers[hours]": "12", "action": "submit"]);
            XCTAssertEqual(r.status, .seeOther, r.body.string)
        }
        // Another municipality cannot open it.
        let malmo = try await signedIn("coord@1280.se")
        do { let r = try await malmo.get(answer); XCTAssertEqual(r.status, .forbidden) }
        do {
            let r = try await malmo.post(answer, form: ["answers[phase]": "o1", "action": "save"]);
            XCTAssertEqual(r.status, .forbidden)
        }

        // By the personal link, without an account: Göteborg's school chief drafts.
        let mail = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "skolchef.1480@example.se").first()!
        let token = mail.body.components(separatedBy: "/answer/")[1].prefix { !$0.isWhitespace }
        let visitor = Client(app)
        do {
            let r = try await visitor.get("/answer/\(token)"); XCTAssertEqual(r.status, .ok);
            XCTAssertTrue(r.body.string.contains("Göteborg"))
        }
        do {
            let r = try await visitor.post("/answer/\(token)", form: ["answers[phase]": "o1", "action": "save"]);
            XCTAssertEqual(r.status, .seeOther)
        }
        do { let r = try await visitor.get("/answer/not-a-key"); XCTAssertEqual(r.status, .notFound) }
        // Signing in with the session the link's notice made keeps the sign-in (a fresh session id).
        do { let r = try await visitor.get(href); XCTAssertEqual(r.status, .notFound) }
        let before = visitor.cookies["samrad_session"]
        try await visitor.signIn("coord@1480.se", "correct horse battery")
        XCTAssertNotEqual(visitor.cookies["samrad_session"], before)
        do { let r = try await visitor.get(href); XCTAssertEqual(r.status, .ok, "signed in") }
        // The coordinator asks a colleague, whose link drafts but does not submit.
        let colleague = Person()
        colleague.name = "Utvecklare Stockholm"
        colleague.email = "utv.0180@example.se"
        colleague.position = Position.administration.rawValue
        colleague.municipalityCountry = "se"
        colleague.municipalityCode = "0180"
        colleague.isExample = false
        try await colleague.create(on: app.db)
        do { let r = try await stockholm.post(answer + "/reopen", form: [:]); XCTAssertEqual(r.status, .seeOther) }
        do {
            let r = try await stockholm.post(answer + "/colleague", form: ["person": colleague.id!.uuidString]);
            XCTAssertEqual(r.status, .seeOther)
        }
        let help = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "utv.0180@example.se").first()!
        let helper = help.body.components(separatedBy: "/answer/")[1].prefix { !$0.isWhitespace }
        let link = try await QuestionnaireLink.query(on: app.db).filter(\.$personID == colleague.id!).first()!
        XCTAssertFalse(link.maySubmit)
        do {
            let r = try await Client(app).post(
                "/answer/\(helper)", form: ["answers[phase]": "o2", "answers[plan]": "yes", "action": "submit"])
            XCTAssertEqual(r.status, .seeOther)
        }
        let helped = try await QuestionnaireResponse.query(on: app.db).filter(\.$municipalityCode == "0180").first()?
            .status
        XCTAssertEqual(helped, "draft", "a drafting link cannot submit")
        do {
            let r = try await malmo.post(answer + "/colleague", form: ["person": colleague.id!.uuidString]);
            XCTAssertEqual(r.status, .forbidden)
        }

        // The response rate and the raw answers are the organisers'.
        let progress = try await browser.get(href + "/progress")
        XCTAssertEqual(progress.status, .ok)
        XCTAssertTrue(progress.body.string.contains("Göteborg"), progress.body.string)
        do { let r = try await stockholm.get(href + "/progress"); XCTAssertEqual(r.status, .forbidden) }
        do { let r = try await browser.post(href + "/reminders", form: [:]); XCTAssertEqual(r.status, .seeOther) }
        let csv = try await browser.get(href + "/answers.csv")
        XCTAssertEqual(csv.status, .ok)
        let lines = csv.body.string.split(separator: "\r\n")
        XCTAssertEqual(
            lines.first, "\u{FEFF}unit,name,status,submitted_at,submitted_by,phase,hours,plan,grid.st1,grid.st2,why")
        XCTAssertTrue(lines.contains { $0.hasPrefix("se/1480,Göteborg,draft") })
        do { let r = try await stockholm.get(href + "/answers.csv"); XCTAssertEqual(r.status, .forbidden) }
        do { let r = try await stockholm.get(href + "/results"); XCTAssertEqual(r.status, .forbidden, "not published") }
    }

    func testResultsPageChartsAndTheAgenda() async throws {
        let id = try await create()
        let api = "/api/v1/questionnaires/\(id)"
        _ = try await json(organiser, .POST, api + "/send")
        for (i, code) in network.prefix(7).enumerated() {
            let path = api + "/responses/se/\(code)"
            _ = try await json(
                coordinators[code], .PUT, path,
                #"{"answers":{"phase":"start","ready":\#(1 + i % 5),"plan":true,"hours":\#(10 + i),"grid":{"s1":2,"#
                    + #""s2":3}}}"#
            )
            let s = try await json(coordinators[code], .POST, path + "/submit")
            XCTAssertEqual(s.status, .ok, s.body.string)
        }
        let browser = try await signedIn("samordnare@skr.se")
        let href = "/questionnaires/\(id)"
        do {
            let r = try await browser.post(
                href + "/publication", form: ["published": "on", "visibility": "participants"]);
            XCTAssertEqual(r.status, .seeOther)
        }
        let early = try await Questionnaire.find(UUID(uuidString: id), on: app.db)?.publishedAt
        XCTAssertNil(early, "not while open")
        _ = try await browser.post(href + "/close", form: [:])
        do {
            let r = try await browser.post(
                href + "/publication", form: ["published": "on", "visibility": "participants"]);
            XCTAssertEqual(r.status, .seeOther)
        }
        let late = try await Questionnaire.find(UUID(uuidString: id), on: app.db)?.publishedAt
        XCTAssertNotNil(late)

        let stockholm = try await signedIn("coord@0180.se")
        let results = try await stockholm.get(href + "/results")
        XCTAssertEqual(results.status, .ok)
        let html = results.body.string
        XCTAssertTrue(html.contains("<svg class=\"chart\" role=\"img\""))
        XCTAssertTrue(html.contains("Ert svar: 1") || html.contains("Your answer: 1"), "the own answer is shown")
        XCTAssertTrue(html.contains("<table class=\"list results-table\">"), "every chart has a table")
        XCTAssertTrue(
            html.contains("dold (färre än 5)") || html.contains("hidden (fewer than 5)"),
            "the region of one respondent is hidden")
        // Every page of the questionnaire in each language.
        for (language, word) in [("da", "Jeres svar"), ("sv", "Ert svar"), ("en", "Your answer")] {
            var headers = HTTPHeaders()
            headers.add(name: .acceptLanguage, value: language)
            let reader = Client(app)
            try await reader.signIn("coord@0180.se", "correct horse battery")
            for path in [href, href + "/results", href + "/answer/se/0180"] {
                let r = try await reader.get(path, headers: headers)
                XCTAssertEqual(r.status, .ok, "\(language) \(path)")
                XCTAssertTrue(r.body.string.contains("<html lang=\"\(language)\">"), "\(language) \(path)")
            }
            let results = try await reader.get(href + "/results", headers: headers)
            XCTAssertTrue(results.body.string.contains(word), language)
            for path in [href + "/questions", href + "/progress", href + "/settings", href + "/preview"] {
                let r = try await browser.get(path, headers: headers)
                XCTAssertEqual(r.status, .ok, "\(language) \(path)")
            }
        }
        let csv = try await stockholm.get(href + "/results.csv")
        XCTAssertEqual(csv.status, .ok)
        XCTAssertTrue(csv.body.string.contains("ready,,all,"))
        XCTAssertFalse(csv.body.string.contains(",own,"), "the own answer is no group in the file")
        do { let r = try await Client(app).get(href + "/results"); XCTAssertEqual(r.status, .notFound) }

        // On the agenda of a meeting: each participant sees the results as on the results page.
        let meeting = try await json(
            organiser, .POST, "/api/v1/collaborations/\(collaboration.slug)/meetings",
            #"{"title":"Politiskt möte","startsAt":"2029-09-02T11:00","endsAt":"2029-09-02T14:00"}"#)
        XCTAssertEqual(meeting.status, .created, meeting.body.string)
        let meetingID =
            meeting.json["id"] as? String ?? ((meeting.json["meeting"] as? [String: Any])?["id"] as? String ?? "")
        let agenda = try await json(
            organiser, .PUT, "/api/v1/meetings/\(meetingID)/agenda",
            #"{"items":[{"title":"Statusenkäten","durationMinutes":45,"questionnaireID":"\#(id)"}]}"#)
        XCTAssertEqual(agenda.status, .ok, agenda.body.string)
        XCTAssertEqual(
            (agenda.json["agenda"] as? [[String: Any]])?.first?["questionnaireID"] as? String, id.uppercased())
        let other = try await json(
            organiser, .PUT, "/api/v1/meetings/\(meetingID)/agenda",
            #"{"items":[{"title":"X","durationMinutes":45,"questionnaireID":"\#(UUID().uuidString)"}]}"#)
        XCTAssertEqual(other.status, .unprocessableEntity)
        _ = try await json(organiser, .POST, "/api/v1/meetings/\(meetingID)/status", #"{"status":"published"}"#)
        let shown = try await stockholm.get("/meetings/\(meetingID)")
        XCTAssertEqual(shown.status, .ok)
        XCTAssertTrue(shown.body.string.contains("class=\"agenda-results\""), String(shown.body.string.prefix(200)))
        XCTAssertTrue(shown.body.string.contains("<svg class=\"chart\""))
    }
}
