import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

final class IndicatorRouteTests: XCTestCase {
    var app: Application!
    let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461")

    override func setUp() async throws {
        app = try await makeTestApp(indicators: true)
        try await makeUser(app, email: "admin@samrad.dk", grants: [RoleGrant(kind: .administrator)])
        try await makeUser(
            app, email: "koordinator@aarhus.dk", grants: [RoleGrant(kind: .coordinator, municipality: aarhus)])
        try await makeUser(
            app, email: "koordinator@odense.dk", grants: [RoleGrant(kind: .coordinator, municipality: odense)])
    }

    override func tearDown() async throws { try await app?.asyncShutdown() }

    func client(_ email: String?) async throws -> Client {
        let client = Client(app)
        if let email { try await client.signIn(email, "correct horse battery") }
        return client
    }

    func testAnImportRunningOnAnotherInstanceShowsItsProgress() async throws {
        // As the instance running it would have written it: nothing of it is in this one's memory.
        let admin = try await User.query(on: app.db).filter(\.$email == "admin@samrad.dk").first()!
        let record = ObservationImportRecord()
        record.userID = admin.id
        record.scope = ""; record.fileName = "stort.csv"; record.format = "csv"; record.country = "dk";
        record.level = "school"
        record.status = "running"; record.rows = 0; record.imported = 0; record.rejected = 0; record.skipBadRows = false
        record.problems = []
        record.progressPhase = "writing"; record.progressDone = 250_000; record.progressTotal = 1_000_000
        try await record.create(on: app.db)
        let page = try await client("admin@samrad.dk").get(record.href).body.string
        XCTAssertTrue(page.contains("250000 / 1000000") || page.contains("250,000 / 1,000,000"), page)
        XCTAssertTrue(page.contains("value=\"25\""), "a quarter of the bar")
    }

    func count(_ sql: String) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await app.db.sql.raw(SQLQueryString(sql)).first(decoding: Row.self)?.n ?? -1
    }

    /// Runs an import through the pages and waits for it to finish; returns its status page.
    func importCSV(
        _ client: Client, _ csv: String, name: String = "tal.csv", mapping: [String: String],
        level: String = "municipality", file: Data? = nil
    ) async throws -> (String, XCTHTTPResponse) {
        let uploaded = try await client.upload(
            "/indicators/imports", fields: ["format": "csv", "country": "dk", "level": level],
            file: (name, file ?? Data(csv.utf8)))
        XCTAssertEqual(uploaded.status, .seeOther, uploaded.body.string)
        let form = uploaded.headers.first(name: .location)!
        let mappingPage = try await client.get(form)
        XCTAssertEqual(mappingPage.status, .ok)
        let started = try await client.post(form, form: mapping)
        XCTAssertEqual(started.status, .seeOther, started.body.string)
        let status = started.headers.first(name: .location)!
        for _ in 0..<200 {
            let page = try await client.get(status)
            if page.headers.first(name: "Refresh") == nil { return (form, page) }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("the import did not finish")
        return (form, try await client.get(status))
    }

    func testTheShippedDataSetIsLoadedOnceAndDashboardsShowItInEveryLanguage() async throws {
        let observations = try await count("SELECT count(*) AS n FROM observations")
        XCTAssertGreaterThan(observations, 40_000)
        do {
            let value = try await count("SELECT count(*) AS n FROM observations WHERE indicator = 'dk.fp9_exam_grade'");
            XCTAssertEqual(value, 1_568)
        }
        do { let value = try await count("SELECT count(*) AS n FROM schools"); XCTAssertEqual(value, 670) }
        // Suppressed Swedish values are kept as such, with no value.
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE status = 'suppressed' AND value IS NOT NULL");
            XCTAssertEqual(value, 0)
        }
        do {
            let value = try await count("SELECT count(*) AS n FROM observations WHERE status = 'suppressed'");
            XCTAssertGreaterThan(value, 0)
        }
        let again = try await ShippedIndicators.load(
            on: app.db, folder: app.resources.url("Indicators"), directory: app.municipalities, logger: app.logger)
        XCTAssertFalse(again.imported)
        do {
            let value = try await count("SELECT count(*) AS n FROM observations"); XCTAssertEqual(value, observations)
        }

        let visitor = Client(app)
        for (language, word) in [
            ("da", "Gennemsnit i de obligatoriske 9.-klasseprøver"),
            ("sv", "Genomsnittsbetyg i de obligatoriska proven"), ("en", "Average grade, mandatory grade-9 exams"),
        ] {
            var headers = HTTPHeaders()
            headers.add(name: .acceptLanguage, value: language)
            for path in [
                "/indicators", "/municipalities/dk/751/indicators", "/municipalities/se/1440/indicators",
                "/schools/se/44227469",
                "/municipalities/se/0114/schools", "/municipalities/dk/751/indicators?category=learning",
            ] {
                let r = try await visitor.get(path, headers: headers)
                XCTAssertEqual(r.status, .ok, "\(language) \(path)")
                XCTAssertTrue(r.body.string.contains("<html lang=\"\(language)\">"), "\(language) \(path)")
            }
            let aarhusPage = try await visitor.get("/municipalities/dk/751/indicators", headers: headers).body.string
            XCTAssertTrue(aarhusPage.contains(word), language)
        }
        let page = try await visitor.get("/municipalities/dk/751/indicators").body.string
        XCTAssertTrue(page.contains("<svg class=\"trend\""))
        XCTAssertTrue(page.contains("All of Denmark"))
        XCTAssertTrue(page.contains("Region Midtjylland"))
        XCTAssertTrue(page.contains("Similar municipalities"))
        XCTAssertTrue(page.contains("the number of pupils is not known"), "Danish grades carry no pupil counts")
        // Swedish shares carry their grade-9 pupils: changes are tested.
        let ale = try await visitor.get("/municipalities/se/1440/indicators?category=learning").body.string
        XCTAssertTrue(ale.contains("95 % interval"), "a share's change is tested")
        XCTAssertTrue(ale.contains("not how widely single pupils"), "a mean's change needs the spread")
        // A school with a suppressed value shows the word, not zero.
        let suppressed = try await app.db.sql.raw(
            "SELECT unit_code FROM observations WHERE level = 'school' AND status = 'suppressed' AND indicator = "
                + "'se.school.merit_value' LIMIT 1"
        )
        .first(decoding: [String: String].self)!["unit_code"]!
        let school = try await visitor.get("/schools/se/\(suppressed)").body.string
        XCTAssertTrue(school.contains("suppressed (too few pupils)"))
        do { let value = try await visitor.get("/schools/se/99999999").status; XCTAssertEqual(value, .notFound) }
        do {
            let value = try await visitor.get("/municipalities/dk/751/indicators?category=nonsense").status;
            XCTAssertEqual(value, .unprocessableEntity)
        }
    }

    func testTheCatalogueIsKeptByAdministrators() async throws {
        let coordinator = try await client("koordinator@aarhus.dk")
        do { let value = try await coordinator.get("/indicators/new").status; XCTAssertEqual(value, .forbidden) }
        do {
            let value = try await coordinator.post("/indicators", form: ["code": "dk.x"]).status;
            XCTAssertEqual(value, .forbidden)
        }
        do {
            let value = try await Client(app).get("/indicators/new").status;
            XCTAssertEqual(value, .seeOther, "asked to sign in")
        }
        let admin = try await client("admin@samrad.dk")
        let bad = try await admin.post(
            "/indicators",
            form: [
                "code": "Læsning 3", "name_da": "", "unit": "furlongs", "direction": "higher", "level": "municipality",
                "category": "learning", "source": "x", "licence": "y", "decimals": "9",
            ])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        for message in ["Use lower-case letters", "Choose one of the options", "Give a whole number from 0 to 3"] {
            XCTAssertTrue(bad.body.string.contains(message), message)
        }
        let good = try await admin.post(
            "/indicators",
            form: [
                "code": "dk.reading_grade3", "name_da": "Læsning 3. klasse", "name_sv": "Läsning årskurs 3",
                "name_en": "Reading, grade 3", "unit": "percent", "direction": "higher", "level": "municipality",
                "category": "learning", "country": "dk", "source": "Kommunens egen test", "licence": "Intern",
                "decimals": "1",
            ])
        XCTAssertEqual(good.status, .seeOther, good.body.string)
        let taken = try await admin.post(
            "/indicators",
            form: [
                "code": "dk.reading_grade3", "name_da": "a", "name_sv": "b", "name_en": "c", "unit": "percent",
                "direction": "higher", "level": "municipality", "category": "learning", "source": "x", "licence": "y",
            ])
        XCTAssertEqual(taken.status, .unprocessableEntity)
        let edited = try await admin.post(
            "/indicators/catalogue/dk.reading_grade3",
            form: [
                "name_da": "Læsning 3. kl.", "name_sv": "Läsning åk 3", "name_en": "Reading, grade 3",
                "unit": "percent", "direction": "higher", "level": "municipality", "category": "learning",
                "country": "dk", "source": "Kommunens egen test", "licence": "Intern", "pupil_sd": "abc",
            ])
        XCTAssertEqual(edited.status, .unprocessableEntity)
        do {
            let value = try await Client(app).get("/indicators").body.string.contains("dk.reading_grade3");
            XCTAssertTrue(value)
        }
    }

    func testAnImportWithABadLineWritesNothingAndTheFixedFileImportsWithTheSavedMapping() async throws {
        let admin = try await client("admin@samrad.dk")
        let mapping = [
            "unit_column": "kommune", "year_column": "skoleår", "value_column": "karakter",
            "indicator": "dk.fp9_exam_grade",
        ]
        let before = try await count("SELECT count(*) AS n FROM observations")
        let bad =
            "kommune,skoleår,karakter\n751,2026/27,7.9\n999,2026/27,7.1\n461,2026/27,syv\n147,2026/27,14\n101,"
            + "2026/27,7.0\n101,2026/27,7.2\n"
        let (form, rejected) = try await importCSV(admin, bad, mapping: mapping)
        let page = rejected.body.string
        XCTAssertTrue(page.contains("Not imported"), page)
        for message in [
            "Line 3 (kommune):</strong> Unknown municipality code &quot;999&quot;",
            "Line 4 (karakter):</strong> &quot;syv&quot; is not a number",
            "Line 5 (karakter):</strong> The value 14 cannot be right", "Line 7:</strong> Repeats line 6",
        ] {
            XCTAssertTrue(page.contains(message), message)
        }
        do {
            let value = try await count("SELECT count(*) AS n FROM observations");
            XCTAssertEqual(value, before, "nothing half-imported")
        }
        // A mapping that names no such column is refused on the form itself.
        let wrong = try await admin.post(
            form,
            form: [
                "unit_column": "kommune", "year_column": "year", "value_column": "karakter",
                "indicator": "dk.fp9_exam_grade",
            ])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertTrue(wrong.body.string.contains("The file has no column &quot;year&quot;"))

        let fixed = "kommune,skoleår,karakter\n751,2026/27,7.9\n461,2026/27,7.4\n147,2026/27,8.1\n101,2026/27,7.2\n"
        let uploaded = try await admin.upload(
            "/indicators/imports", fields: ["format": "csv", "country": "dk", "level": "municipality"],
            file: ("tal.csv", Data(fixed.utf8)))
        let mappingPage = try await admin.get(uploaded.headers.first(name: .location)!).body.string.collapsingWhitespace
        XCTAssertTrue(mappingPage.contains("Your choices from the last file with these columns are filled in."))
        XCTAssertTrue(mappingPage.contains("<option value=\"karakter\" selected>"))
        let (_, done) = try await importCSV(admin, fixed, mapping: mapping)
        XCTAssertTrue(done.body.string.contains("Imported"), done.body.string)
        do { let value = try await count("SELECT count(*) AS n FROM observations"); XCTAssertEqual(value, before + 4) }
        let aarhus = try await Client(app).get("/municipalities/dk/751/indicators").body.string
        XCTAssertTrue(aarhus.contains("2026/27"), "the new year is on the dashboard")
        // Importing the same file again replaces, not duplicates.
        _ = try await importCSV(admin, fixed.replacingOccurrences(of: "7.9", with: "8.0"), mapping: mapping)
        do { let value = try await count("SELECT count(*) AS n FROM observations"); XCTAssertEqual(value, before + 4) }
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE unit_code = '751' AND year = 2027 AND value = 8.0");
            XCTAssertEqual(value, 1)
        }
        // The same figures from an Excel workbook, and from Danish Excel's semicolon CSV in
        // Windows-1252 ("skoleår" with its å as the byte E5) with decimal commas.
        var table = CSVWriter(header: ["kommune", "skoleår", "karakter"])
        for (code, grade) in [("751", "8.1"), ("461", "7.4"), ("147", "8.1"), ("101", "7.2")] {
            table.append([code, "2026/27", grade])
        }
        let workbook = try XLSXWorkbook(title: "Karakterer", table: table, zone: .gmt).data()
        func aarhusGrades(_ value: String) async throws -> Int {
            try await count(
                "SELECT count(*) AS n FROM observations WHERE unit_code = '751' AND year = 2027 AND value = \(value)")
        }
        _ = try await importCSV(admin, "", name: "tal.xlsx", mapping: mapping, file: workbook)
        do { let value = try await aarhusGrades("8.1"); XCTAssertEqual(value, 1, "the workbook's 8.1") }
        let semicolon = Array("kommune;skole".utf8) + [0xE5] + Array("r;karakter\r\n751;2026/27;8,2\r\n".utf8)
        _ = try await importCSV(admin, "", name: "tal.csv", mapping: mapping, file: Data(semicolon))
        do { let value = try await aarhusGrades("8.2"); XCTAssertEqual(value, 1, "the semicolon file's 8,2") }
        do { let value = try await count("SELECT count(*) AS n FROM observations"); XCTAssertEqual(value, before + 4) }
    }

    func testACoordinatorsImportStaysTheMunicipalitysOwn() async throws {
        let csv = "kommune,år,andel,elever\n751,2026,42.5,3100\n461,2026,40.0,2000\n"
        let mapping = [
            "unit_column": "kommune", "year_column": "år", "value_column": "andel", "pupils_column": "elever",
            "indicator": "dk.high_absence_pct",
        ]
        let coordinator = try await client("koordinator@aarhus.dk")
        let (_, rejected) = try await importCSV(coordinator, csv, mapping: mapping)
        XCTAssertTrue(
            rejected.body.string.contains(
                "You may import figures only for your own municipality, not for &quot;461&quot;"))
        var skipping = mapping
        skipping["skip_bad_rows"] = "on"
        let (_, done) = try await importCSV(coordinator, csv, mapping: skipping)
        XCTAssertTrue(done.body.string.contains("1 bad rows were skipped"), done.body.string)
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE scope = 'dk/751' AND unit_code = '751'");
            XCTAssertEqual(value, 1)
        }
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE unit_code = '461' AND indicator = "
                    + "'dk.high_absence_pct' AND year = 2026"
            ); XCTAssertEqual(value, 0)
        }
        // Aarhus sees its own figure; the public and Odense do not.
        do {
            let value = try await coordinator.get("/municipalities/dk/751/indicators?category=attendance").body.string
                .contains("42.5");
            XCTAssertTrue(value)
        }
        do {
            let value = try await Client(app).get("/municipalities/dk/751/indicators?category=attendance").body.string
                .contains("42.5");
            XCTAssertFalse(value)
        }
        let odense = try await client("koordinator@odense.dk")
        do {
            let value = try await odense.get("/municipalities/dk/751/indicators?category=attendance").body.string
                .contains("42.5");
            XCTAssertFalse(value)
        }
        // Another person's import and upload are not found.
        let importPath = try await ObservationImportRecord.query(on: app.db).first()!.href
        do { let value = try await odense.get(importPath).status; XCTAssertEqual(value, .notFound) }
        do {
            let value = try await Client(app).get("/indicators/imports").status;
            XCTAssertEqual(value, .seeOther, "asked to sign in")
        }
        let person = try await client(nil)
        do { let value = try await person.get(importPath).status; XCTAssertEqual(value, .seeOther, "asked to sign in") }
    }

    /// H1: a person without a role who moves their own record into Aarhus (by the API or the form),
    /// or whom an organiser records as of Aarhus, sees nothing of Aarhus' own; a member that Aarhus'
    /// coordinator makes does.
    func testMovingOneselfIntoAnotherMunicipalityOpensNothing() async throws {
        let csv = "kommune,år,andel,elever\n751,2026,42.5,3100\n"
        let mapping = [
            "unit_column": "kommune", "year_column": "år", "value_column": "andel", "pupils_column": "elever",
            "indicator": "dk.high_absence_pct",
        ]
        let coordinator = try await client("koordinator@aarhus.dk")
        _ = try await importCSV(coordinator, csv, mapping: mapping)
        let teacher = Person()
        teacher.name = "Lærer Odense"; teacher.email = "laerer@odense.dk"; teacher.position = Position.teacher.rawValue
        teacher.municipalityCountry = "dk"; teacher.municipalityCode = "461"; teacher.isExample = false
        try await teacher.create(on: app.db)
        let account = try await makeUser(app, email: "laerer@odense.dk", personID: teacher.id)
        let token = try await makeToken(app, for: account)
        let id = teacher.id!.uuidString
        let move = #"{"name":"Lærer Odense","position":"teacher","email":"laerer@odense.dk","municipality":"dk/751"}"#
        do {
            let r = try await sendJSON(app, token, .PUT, "/api/v1/people/\(id)", move);
            XCTAssertEqual(r.status, .forbidden, r.body.string)
        }
        let browser = try await client("laerer@odense.dk")
        do {
            let r = try await browser.post(
                "/people/\(id)", form: ["name": "Lærer Odense", "position": "teacher", "municipality": "dk/751"])
            XCTAssertEqual(r.status, .forbidden)
        }
        // Their own details they do keep; where they belong stays.
        do {
            let r = try await sendJSON(
                app, token, .PUT, "/api/v1/people/\(id)",
                #"{"name":"Lærer Odense","phone":"+45 11 22 33 44","title":"Lektor"}"#)
            XCTAssertEqual(r.status, .ok, r.body.string)
        }
        let stored = try await Person.find(teacher.id, on: app.db)!
        XCTAssertEqual(stored.municipality, odense)
        XCTAssertEqual(stored.title, "Lektor")
        let form = try await browser.get("/people/\(id)/edit")
        XCTAssertEqual(form.status, .ok)
        XCTAssertTrue(form.body.string.contains("coordinator changes these details."), form.body.string)
        XCTAssertFalse(form.body.string.contains("name=\"municipality\""), "no field to move oneself")

        // Nothing of Aarhus' own opens, in pages or the API.
        func seesAarhus(_ client: Client, _ bearer: String) async throws -> Bool {
            let page = try await client.get("/municipalities/dk/751/indicators?category=attendance")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.string.contains("Pupils with more than 10 % absence"), "the public part is shown")
            let api = try await sendJSON(
                app, bearer, .GET, "/api/v1/municipalities/dk/751/indicators?category=attendance")
            XCTAssertEqual(api.status, .ok)
            XCTAssertTrue(api.body.string.contains("dk.high_absence_pct"))
            XCTAssertEqual(page.body.string.contains("42.5"), api.body.string.contains("42.5"))
            return page.body.string.contains("42.5")
        }
        do { let value = try await seesAarhus(browser, token); XCTAssertFalse(value) }
        do { let r = try await browser.get("/municipalities/dk/751/dialogues").status; XCTAssertEqual(r, .forbidden) }
        do { let r = try await browser.get("/municipalities/dk/751/access").status; XCTAssertEqual(r, .forbidden) }

        // An organiser records a person of Aarhus with an account's address: the account gets nothing by it.
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let organiser = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "konsulent@kl.dk",
                grants: [RoleGrant(kind: .organiser, organisationID: kl.id)]))
        let other = try await makeUser(app, email: "ny@aarhus.dk")
        let recorded = try await sendJSON(
            app, organiser, .POST, "/api/v1/people",
            #"{"name":"Ny","position":"teacher","email":"ny@aarhus.dk","municipality":"dk/751","#
                + #""organisationID":"\#(kl.id!.uuidString)"}"#
        )
        XCTAssertEqual(recorded.status, .created, recorded.body.string)
        let linked = try await client("ny@aarhus.dk")
        let linkedPerson = try await User.find(other.id, on: app.db)?.personID
        XCTAssertNotNil(linkedPerson, "the account is linked to the record at sign-in")
        let otherToken = try await makeToken(app, for: other)
        do { let value = try await seesAarhus(linked, otherToken); XCTAssertFalse(value) }

        // Aarhus' coordinator makes the teacher a member; Odense's coordinator and the teacher cannot.
        let odenseCoordinator = try await client("koordinator@odense.dk")
        do {
            let r = try await odenseCoordinator.post(
                "/municipalities/dk/751/access", form: ["email": "laerer@odense.dk"])
            XCTAssertEqual(r.status, .forbidden)
        }
        do {
            let r = try await browser.post("/municipalities/dk/751/access", form: ["email": "laerer@odense.dk"]);
            XCTAssertEqual(r.status, .forbidden)
        }
        do {
            let r = try await coordinator.post(
                "/municipalities/dk/751/access", form: ["email": "laerer@odense.dk", "kind": "coordinator"])
            XCTAssertEqual(r.status, .forbidden, "coordinators are made by administrators")
        }
        let access = try await coordinator.get("/municipalities/dk/751/access")
        XCTAssertTrue(access.body.string.contains("ny@aarhus.dk"), "a linked account without access is offered")
        do {
            let r = try await coordinator.post(
                "/municipalities/dk/751/access", form: ["email": "laerer@odense.dk", "kind": "member"])
            XCTAssertEqual(r.status, .seeOther, r.body.string)
        }
        do {
            let value = try await seesAarhus(browser, token);
            XCTAssertTrue(value, "a member reads the municipality's own figures")
        }
        do { let r = try await browser.get("/municipalities/dk/751/dialogues").status; XCTAssertEqual(r, .ok) }
        let entries = try await AuditEntry.query(on: app.db).filter(\.$action == "role:grant").all()
        XCTAssertEqual(entries.map(\.summary), ["laerer@odense.dk: member dk/751"])
        // Taken back through the API: closed again.
        let coordinatorToken = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "koordinator@aarhus.dk").first()!)
        let roles = try await sendJSON(app, coordinatorToken, .GET, "/api/v1/municipalities/dk/751/roles")
        XCTAssertEqual(roles.status, .ok)
        let member = (roles.json["items"] as! [[String: Any]]).first { $0["email"] as? String == "laerer@odense.dk" }!
        let roleID = member["id"] as! String
        do {
            let r = try await sendJSON(app, token, .DELETE, "/api/v1/municipalities/dk/751/roles/\(roleID)");
            XCTAssertEqual(r.status, .forbidden)
        }
        do {
            let r = try await sendJSON(app, coordinatorToken, .DELETE, "/api/v1/municipalities/dk/751/roles/\(roleID)");
            XCTAssertEqual(r.status, .noContent)
        }
        do { let value = try await seesAarhus(browser, token); XCTAssertFalse(value) }
    }

    /// M8: a municipality's clusters (their names, the collaboration's title and the members) are
    /// shown on its dashboard only to those `ClusterPolicy` lets see them, and never from a draft.
    func testDashboardsShowClustersOnlyToThoseWhoMaySeeThem() async throws {
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let collaboration = Collaboration()
        collaboration.title = "Klyngeforløb om trivsel"; collaboration.slug = "klyngeforloeb";
        collaboration.description = ""
        collaboration.kind = "cluster_programme"; collaboration.organiserID = kl.id!;
        collaboration.status = CollaborationStatus.draft.rawValue
        collaboration.timeZone = "Europe/Copenhagen"; collaboration.themes = []; collaboration.targetGroups = []
        collaboration.seats = []; collaboration.priceKind = "free"; collaboration.currency = "DKK";
        collaboration.registrationSequence = 0
        collaboration.isExample = false; collaboration.reminderDays = []; collaboration.funding = []
        try await collaboration.create(on: app.db)
        let cluster = Cluster()
        cluster.collaborationID = collaboration.id!; cluster.name = "Klynge Midt"; cluster.position = 0;
        cluster.wave = 1
        try await cluster.create(on: app.db)
        for code in ["751", "461"] {
            let member = ClusterMember()
            member.clusterID = cluster.id!; member.collaborationID = collaboration.id!
            member.municipalityCountry = "dk"; member.municipalityCode = code
            try await member.create(on: app.db)
        }
        let coordinator = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "koordinator@aarhus.dk").first()!)
        try await makeUser(
            app, email: "koordinator@vejle.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "630"))])
        let vejle = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "koordinator@vejle.dk").first()!)
        func clusterGroups(_ token: String?) async throws -> [[String: Any]] {
            let r = try await sendJSON(app, token, .GET, "/api/v1/municipalities/dk/751/indicators")
            XCTAssertEqual(r.status, .ok)
            XCTAssertNotNil(r.json["series"], "the dashboard itself is there")
            return (r.json["groups"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "cluster" }
        }
        do {
            let groups = try await clusterGroups(coordinator);
            XCTAssertTrue(groups.isEmpty, "a draft's clusters are for its organisers")
        }
        collaboration.status = CollaborationStatus.running.rawValue
        try await collaboration.save(on: app.db)
        do { let groups = try await clusterGroups(nil); XCTAssertTrue(groups.isEmpty, "visitors see no cluster") }
        do { let groups = try await clusterGroups(vejle); XCTAssertTrue(groups.isEmpty, "nor another municipality") }
        do {
            let groups = try await clusterGroups(coordinator)
            XCTAssertEqual(groups.count, 1)
            XCTAssertEqual(groups.first?["members"] as? [String], ["461"], "the cluster's other municipality")
        }
        let page = try await Client(app).get("/municipalities/dk/751/indicators")
        XCTAssertEqual(page.status, .ok)
        XCTAssertFalse(page.body.string.contains("Klynge Midt"))
        XCTAssertFalse(page.body.string.contains("Klyngeforløb om trivsel"))
    }

    /// M9: public statistics are imported by administrators only, and a file never writes over the
    /// shipped official statistics; the import says how many values it kept.
    func testPublicFiguresAreAdministratorsAndTheShippedOnesStay() async throws {
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        try await makeUser(app, email: "konsulent@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        let organiser = try await client("konsulent@kl.dk")
        do { let r = try await organiser.get("/indicators/imports").status; XCTAssertEqual(r, .forbidden) }
        let refused = try await organiser.upload(
            "/indicators/imports", fields: ["format": "csv", "country": "dk", "level": "municipality"],
            file: ("tal.csv", Data("kommune,skoleår,karakter\n751,2010/11,9.9\n".utf8)))
        XCTAssertEqual(refused.status, .forbidden)
        let mapping = [
            "unit_column": "kommune", "year_column": "skoleår", "value_column": "karakter",
            "indicator": "dk.fp9_exam_grade",
        ]
        let (_, done) = try await importCSV(
            try await client("admin@samrad.dk"), "kommune,skoleår,karakter\n751,2010/11,9.9\n751,2026/27,7.0\n",
            mapping: mapping)
        XCTAssertTrue(done.body.string.contains("They were kept: a file does not replace them."), done.body.string)
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE indicator = 'dk.fp9_exam_grade' AND unit_code = '751' "
                    + "AND year = 2011 AND value = 7.2"
            )
            XCTAssertEqual(value, 1, "the shipped 7.2 stays")
        }
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE indicator = 'dk.fp9_exam_grade' AND unit_code = '751' "
                    + "AND year = 2027 AND value = 7.0"
            )
            XCTAssertEqual(value, 1, "a new year is written")
        }
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "import:done").first()
        XCTAssertEqual(audit?.summary, "public: 1 values written, 1 shipped values kept")
    }

    /// L5: through the API too, a municipality's own figure is its own: not shown to a visitor or
    /// another municipality, and counted in no one else's comparison means.
    func testAPrivateFigureIsInNoOneElsesAPIOrMeans() async throws {
        func absence(_ path: String, _ token: String?) async throws -> [[String: Any]] {
            let r = try await sendJSON(app, token, .GET, path)
            XCTAssertEqual(r.status, .ok)
            let series = r.json["series"] as? [[String: Any]] ?? []
            return series.first { $0["indicator"] as? String == "dk.high_absence_pct" }?["years"] as? [[String: Any]]
                ?? []
        }
        let odense = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "koordinator@odense.dk").first()!)
        let before = try await absence("/api/v1/municipalities/dk/461/indicators?category=attendance", odense)
        XCTAssertFalse(before.isEmpty, "Odense's series is there")
        let mapping = [
            "unit_column": "kommune", "year_column": "år", "value_column": "andel", "indicator": "dk.high_absence_pct",
        ]
        let (_, done) = try await importCSV(
            try await client("koordinator@aarhus.dk"), "kommune,år,andel\n751,2024,99.0\n", mapping: mapping)
        XCTAssertTrue(done.body.string.contains("Imported"), done.body.string)
        for token in [nil, odense] as [String?] {
            let aarhus = try await absence("/api/v1/municipalities/dk/751/indicators?category=attendance", token)
            XCTAssertFalse(aarhus.isEmpty)
            XCTAssertFalse(
                aarhus.contains { $0["value"] as? Double == 99.0 },
                "Aarhus' own 99.0 is not shown to \(token == nil ? "a visitor" : "Odense")")
        }
        let after = try await absence("/api/v1/municipalities/dk/461/indicators?category=attendance", odense)
        XCTAssertEqual(before.count, after.count)
        for (b, a) in zip(before, after) {
            XCTAssertEqual(b["year"] as? Int, a["year"] as? Int)
            XCTAssertNotNil(b["means"] as? [Any])
            XCTAssertEqual("\(b["means"] ?? "")", "\(a["means"] ?? "")", "means unchanged for \(b["year"] ?? "")")
        }
    }

    func testGoalsAreKeptByTheMunicipalityAndShowProgress() async throws {
        let coordinator = try await client("koordinator@aarhus.dk")
        let goalsPage = try await coordinator.get("/municipalities/dk/751/goals?indicator=dk.fp9_exam_grade")
        XCTAssertEqual(goalsPage.status, .ok)
        XCTAssertTrue(
            goalsPage.body.string.collapsingWhitespace.contains(
                "name=\"baseline_year\" type=\"text\" class=\"narrow\" value=\"2026\""),
            "baseline from the latest value")
        let bad = try await coordinator.post(
            "/municipalities/dk/751/goals",
            form: [
                "indicator": "dk.fp9_exam_grade", "baseline_year": "2026", "baseline_value": "7.5",
                "target_year": "2024", "target_value": "7.0", "reason": "", "owner": "",
            ])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        for message in ["The target year must come after the baseline year", "The target is worse than the baseline"] {
            XCTAssertTrue(bad.body.string.contains(message), message)
        }
        do { let value = try await Goal.query(on: app.db).count(); XCTAssertEqual(value, 0) }
        let made = try await coordinator.post(
            "/municipalities/dk/751/goals",
            form: [
                "indicator": "dk.fp9_exam_grade", "baseline_year": "2022", "baseline_value": "7.0",
                "target_year": "2028", "target_value": "8.0", "reason": "Flere skal videre", "owner": "Skolechefen",
            ])
        XCTAssertEqual(made.status, .seeOther, made.body.string)
        let page = try await coordinator.get("/municipalities/dk/751/goals").body.string
        XCTAssertTrue(page.contains("Skolechefen"))
        XCTAssertTrue(page.contains("<progress max=\"100\""))
        XCTAssertTrue(page.contains("On track") || page.contains("Behind the line") || page.contains("Achieved"), page)
        let goal = try await Goal.query(on: app.db).first()!
        let path = "/municipalities/dk/751/goals/\(goal.id!.uuidString.lowercased())"
        // Others: a visitor is asked to sign in, another municipality is refused, also for changes.
        do {
            let value = try await Client(app).get("/municipalities/dk/751/goals").status;
            XCTAssertEqual(value, .seeOther, "asked to sign in")
        }
        let odense = try await client("koordinator@odense.dk")
        do {
            let value = try await odense.get("/municipalities/dk/751/goals").status; XCTAssertEqual(value, .forbidden)
        }
        do { let value = try await odense.post(path + "/delete", form: [:]).status; XCTAssertEqual(value, .forbidden) }
        do {
            let value = try await odense.post("/municipalities/dk/751/goals", form: ["indicator": "dk.fp9_exam_grade"])
                .status;
            XCTAssertEqual(value, .forbidden)
        }
        do {
            let value = try await odense.get("/municipalities/dk/461/goals/\(goal.id!.uuidString)/edit").status;
            XCTAssertEqual(value, .notFound, "a goal belongs to its unit")
        }
        do { let value = try await coordinator.get(path + "/edit").status; XCTAssertEqual(value, .ok) }
        let edited = try await coordinator.post(
            path,
            form: [
                "indicator": "dk.fp9_exam_grade", "baseline_year": "2022", "baseline_value": "7.0",
                "target_year": "2028",
                "target_value": "8.5", "reason": "Flere skal videre", "owner": "Skolechefen",
            ])
        XCTAssertEqual(edited.status, .seeOther)
        do { let value = try await Goal.query(on: app.db).first()!.targetValue; XCTAssertEqual(value, 8.5) }
        do {
            let value = try await coordinator.post(path + "/delete", form: [:]).status; XCTAssertEqual(value, .seeOther)
        }
        do { let value = try await Goal.query(on: app.db).count(); XCTAssertEqual(value, 0) }
    }

    func testACollaborationAsksForGoalsAndSeesThemSideBySide() async throws {
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let organiser = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "konsulent@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)]))
        let created = try await sendJSON(
            app, organiser, .POST, "/api/v1/collaborations",
            """
            {"title":"Læring og trivsel","description":"Case 3","kind":"standing_network",
                "organiserID":"\(kl.id!.uuidString)",
             "timeZone":"Europe/Copenhagen","periodStart":"2027-01-01","periodEnd":"2029-12-31",
                 "deadline":"2030-06-01T12:00","seats":[],"priceKind":"free"}
            """)
        XCTAssertEqual(created.status, .created, created.body.string)
        let slug = created.json["slug"] as! String
        _ = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
        let collaboration = try await Collaboration.query(on: app.db).filter(\.$slug == slug).first()!
        for (i, code) in ["751", "461"].enumerated() {
            let r = Registration()
            r.collaborationID = collaboration.id!
            r.municipalityCountry = "dk"
            r.municipalityCode = code
            r.status = RegistrationStatus.registered.rawValue
            r.sequence = i + 1
            try await r.create(on: app.db)
        }
        try await makeUser(app, email: "organiser@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        let klClient = try await client("organiser@kl.dk")
        let empty = try await klClient.post("/collaborations/\(slug)/goals", form: ["message": ""])
        XCTAssertEqual(empty.status, .unprocessableEntity)
        XCTAssertTrue(empty.body.string.contains("Choose at least one indicator."))
        let asked = try await klClient.post(
            "/collaborations/\(slug)/goals",
            form: [
                "indicators[]": "dk.fp9_exam_grade", "message": "Sæt et mål for karaktererne", "due_on": "2027-03-01",
            ])
        XCTAssertEqual(asked.status, .seeOther, asked.body.string)
        // A coordinator sees the request and answers it.
        let coordinator = try await client("koordinator@aarhus.dk")
        let goals = try await coordinator.get("/municipalities/dk/751/goals").body.string
        XCTAssertTrue(goals.contains("Sæt et mål for karaktererne"))
        let request = try await GoalRequest.query(on: app.db).first()!
        let answered = try await coordinator.post(
            "/municipalities/dk/751/goals",
            form: [
                "indicator": "dk.fp9_exam_grade", "baseline_year": "2026", "baseline_value": "7.5",
                "target_year": "2029", "target_value": "8.0", "reason": "Netværkets mål", "owner": "Skolechef",
                "request": request.id!.uuidString,
            ])
        XCTAssertEqual(answered.status, .seeOther, answered.body.string)
        let side = try await klClient.get("/collaborations/\(slug)/goals")
        XCTAssertEqual(side.status, .ok)
        XCTAssertTrue(side.body.string.contains("Aarhus"))
        XCTAssertTrue(side.body.string.contains("8.0 by 2028/29"), side.body.string)
        XCTAssertTrue(side.body.string.contains("not set"), "Odense has not answered")
        // Participants see the table; an outsider does not; a coordinator cannot ask.
        do { let value = try await coordinator.get("/collaborations/\(slug)/goals").status; XCTAssertEqual(value, .ok) }
        do {
            let value = try await coordinator.post(
                "/collaborations/\(slug)/goals", form: ["indicators[]": "dk.fp9_exam_grade", "message": "x"]
            ).status; XCTAssertEqual(value, .forbidden)
        }
        try await makeUser(
            app, email: "koordinator@kobenhavn.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))])
        do {
            let value = try await client("koordinator@kobenhavn.dk").get("/collaborations/\(slug)/goals").status;
            XCTAssertEqual(value, .forbidden)
        }
        do {
            let value = try await Client(app).get("/collaborations/\(slug)/goals").status;
            XCTAssertEqual(value, .seeOther, "asked to sign in")
        }
    }

    func testTheDialogueReportRecordsNextStepsAndShowsThemTheYearAfter() async throws {
        let coordinator = try await client("koordinator@aarhus.dk")
        let bad = try await coordinator.post(
            "/municipalities/dk/751/report/steps?year=2025", form: ["text": "", "responsible": "", "follow_up": "soon"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("Give a date as 2014-05-27."))
        let added = try await coordinator.post(
            "/municipalities/dk/751/report/steps?year=2025",
            form: ["text": "Læsevejledere på alle skoler", "responsible": "Skolechefen", "follow_up": "2026-03-01"])
        XCTAssertEqual(added.status, .seeOther, added.body.string)
        let step = try await NextStep.query(on: app.db).first()!
        XCTAssertEqual(step.year, 2025)
        let report = try await coordinator.get("/municipalities/dk/751/report?year=2026")
        XCTAssertEqual(report.status, .ok)
        XCTAssertTrue(report.body.string.contains("Next steps agreed in 2024/25 and how they went"))
        XCTAssertTrue(report.body.string.contains("Læsevejledere på alle skoler"))
        XCTAssertTrue(report.body.string.contains("<svg class=\"trend\""))
        let updated = try await coordinator.post(
            "/municipalities/dk/751/report/steps/\(step.id!.uuidString.lowercased())?year=2026",
            form: ["status": "done"])
        XCTAssertEqual(updated.status, .seeOther)
        do { let value = try await NextStep.query(on: app.db).first()!.status; XCTAssertEqual(value, "done") }
        do {
            let value = try await coordinator.post(
                "/municipalities/dk/751/report/steps/\(step.id!.uuidString)?year=2026", form: ["status": "forgotten"]
            ).status; XCTAssertEqual(value, .unprocessableEntity)
        }
        // Printed to PDF on the server where Chromium is installed; the page offers it then.
        let pdf = try await coordinator.get("/municipalities/dk/751/report.pdf?year=2026")
        if ReportPDF.tool != nil {
            XCTAssertEqual(pdf.status, .ok, pdf.body.string.prefix(300).description)
            XCTAssertEqual(pdf.headers.first(name: .contentType), "application/pdf")
            XCTAssertTrue(pdf.body.string.hasPrefix("%PDF"))
            XCTAssertTrue(report.body.string.contains("report.pdf?year=2026"))
        } else {
            XCTAssertEqual(pdf.status, .notFound)
        }
        // L8: who may read the PDF is decided with or without a printer on the machine.
        do {
            let value = try await Client(app).get("/municipalities/dk/751/report.pdf");
            XCTAssertEqual(value.status, .seeOther)
        }
        do {
            let value = try await client("koordinator@odense.dk").get("/municipalities/dk/751/report.pdf");
            XCTAssertEqual(value.status, .forbidden)
        }
        // The report is the municipality's own.
        do {
            let value = try await Client(app).get("/municipalities/dk/751/report").status;
            XCTAssertEqual(value, .seeOther, "asked to sign in")
        }
        let odense = try await client("koordinator@odense.dk")
        do {
            let value = try await odense.get("/municipalities/dk/751/report").status; XCTAssertEqual(value, .forbidden)
        }
        do {
            let value = try await odense.post(
                "/municipalities/dk/751/report/steps?year=2026", form: ["text": "x", "responsible": "y"]
            ).status; XCTAssertEqual(value, .forbidden)
        }
        do {
            let value = try await odense.post(
                "/municipalities/dk/461/report/steps/\(step.id!.uuidString)?year=2026", form: ["status": "done"]
            ).status; XCTAssertEqual(value, .notFound)
        }
        // A school's report, in every language.
        try await makeUser(
            app, email: "samordnare@upplandsvasby.se",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "0114"))])
        let swedish = try await client("samordnare@upplandsvasby.se")
        for language in ["da", "sv", "en"] {
            var headers = HTTPHeaders()
            headers.add(name: .acceptLanguage, value: language)
            for path in ["/schools/se/44227469/report", "/schools/se/44227469/goals", "/municipalities/se/0114/report"]
            {
                let r = try await swedish.get(path, headers: headers)
                XCTAssertEqual(r.status, .ok, "\(language) \(path)")
                XCTAssertTrue(r.body.string.contains("<html lang=\"\(language)\">"), "\(language) \(path)")
            }
        }
        // Schools are added by the municipality's coordinator only.
        do {
            let value = try await odense.post("/municipalities/se/0114/schools", form: ["code": "1", "name": "x"])
                .status;
            XCTAssertEqual(value, .forbidden)
        }
        do {
            let value = try await swedish.post(
                "/municipalities/se/0114/schools", form: ["code": "44227469", "name": "Grimstaskolan"]
            ).status; XCTAssertEqual(value, .unprocessableEntity)
        }
        do {
            let value = try await swedish.post(
                "/municipalities/se/0114/schools", form: ["code": "99990001", "name": "Nya skolan"]
            ).status; XCTAssertEqual(value, .seeOther)
        }
        do { let value = try await Client(app).get("/schools/se/99990001").status; XCTAssertEqual(value, .ok) }
    }

    func testTheAPIGivesTheDashboardsFiguresAsData() async throws {
        let catalogue = try await sendJSON(app, nil, .GET, "/api/v1/indicators")
        XCTAssertEqual(catalogue.status, .ok)
        let items = catalogue.json["items"] as! [[String: Any]]
        XCTAssertTrue(
            items.contains { $0["code"] as? String == "se.merit_value_17" && $0["unit"] as? String == "merit_points" })
        let ale = try await sendJSON(app, nil, .GET, "/api/v1/municipalities/se/1440/indicators?category=learning")
        XCTAssertEqual(ale.status, .ok, ale.body.string)
        let groups = (ale.json["groups"] as! [[String: Any]]).map { $0["kind"] as! String }
        XCTAssertEqual(groups, ["similar", "region", "country"])
        let series = ale.json["series"] as! [[String: Any]]
        let passed = series.first { $0["indicator"] as? String == "se.passed_all_subjects_pct" }!
        let years = passed["years"] as! [[String: Any]]
        XCTAssertEqual(years.count, 10)
        XCTAssertEqual(years.last?["schoolYear"] as? String, "2024/25")
        XCTAssertNotNil(years.last?["pupils"] as? Int)
        XCTAssertNotNil((passed["yearOnYear"] as? [String: Any])?["low"])
        // Suppressed values are null with their status, never zero.
        let flagged = try await app.db.sql.raw(
            "SELECT unit_code, year FROM observations WHERE level = 'municipality' AND status = 'suppressed' AND "
                + "indicator = 'se.passed_all_subjects_pct' LIMIT 1"
        )
        .first(decoding: [String: String].self)
        if let code = flagged?["unit_code"] {
            let other = try await sendJSON(
                app, nil, .GET, "/api/v1/municipalities/se/\(code)/indicators?category=learning")
            let cells =
                ((other.json["series"] as! [[String: Any]]).first {
                    $0["indicator"] as? String == "se.passed_all_subjects_pct"
                }!["years"] as! [[String: Any]])
            XCTAssertTrue(cells.contains { $0["status"] as? String == "suppressed" && $0["value"] == nil })
        }
        let bad = try await sendJSON(app, nil, .GET, "/api/v1/municipalities/se/1440/indicators?category=nonsense")
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.headers.first(name: .contentType)?.hasPrefix("application/problem+json") ?? false)
        do {
            let value = try await sendJSON(app, nil, .GET, "/api/v1/municipalities/se/9999/indicators");
            XCTAssertEqual(value.status, .notFound)
        }
        do {
            let value = try await sendJSON(app, nil, .GET, "/api/v1/schools/se/44227469/indicators");
            XCTAssertEqual(value.status, .ok)
        }
        do {
            let value = try await sendJSON(app, nil, .GET, "/api/v1/schools/se/1/indicators");
            XCTAssertEqual(value.status, .notFound)
        }
    }

    func testSchoolListsAreImportedWholeOrNotAtAll() async throws {
        try await makeUser(
            app, email: "samordnare@ale.se",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "1440"))])
        let ale = try await client("samordnare@ale.se")
        let before = try await School.query(on: app.db).count()
        let bad = try await ale.upload(
            "/municipalities/se/1440/schools/import", fields: [:],
            file: (
                "skolor.csv",
                Data("code,name\n90000001,Nolskolan\n90000001,Igen\n44227469,Grimstaskolan\n,Utan kod\n".utf8)
            ))
        XCTAssertEqual(bad.status, .unprocessableEntity)
        for message in ["Line 3 repeats line 2.", "Line 5: column code is empty."] {
            XCTAssertTrue(bad.body.string.contains(message), message)
        }
        let elsewhere = try await ale.upload(
            "/municipalities/se/1440/schools/import", fields: [:],
            file: ("skolor.csv", Data("code,name\n90000001,Nolskolan\n44227469,Grimstaskolan\n".utf8)))
        XCTAssertTrue(
            elsewhere.body.string.contains(
                "Line 3: the school 44227469 is registered under another municipality (0114)."))
        do {
            let value = try await School.query(on: app.db).count();
            XCTAssertEqual(value, before, "nothing half-imported")
        }
        let good = try await ale.upload(
            "/municipalities/se/1440/schools/import", fields: [:],
            file: (
                "skolor.csv",
                Data("code,name,organiser_type\n90000001,Nolskolan,Kommunal\n90000002,Kronängsskolan,\n".utf8)
            ))
        XCTAssertEqual(good.status, .seeOther, good.body.string)
        do { let value = try await School.query(on: app.db).count(); XCTAssertEqual(value, before + 2) }
        do {
            let value = try await ale.get("/municipalities/se/1440/schools");
            XCTAssertTrue(value.body.string.contains("Kronängsskolan"))
        }
        do { let value = try await Client(app).get("/schools/se/90000002"); XCTAssertEqual(value.status, .ok) }
        let odense = try await client("koordinator@odense.dk")
        do {
            let value = try await odense.upload(
                "/municipalities/se/1440/schools/import", fields: [:], file: ("s.csv", Data("code,name\n1,x\n".utf8)));
            XCTAssertEqual(value.status, .forbidden)
        }
        try await checkUploadLimits(
            app, ale, "/municipalities/se/1440/schools/import", name: "skolor.csv", head: "code,name\n", limitMB: 5)
    }

    func testImportFilesUpTo200MBAndOnlyFromThoseWhoImport() async throws {
        let admin = try await client("admin@samrad.dk")
        try await checkUploadLimits(
            app, admin, "/indicators/imports", fields: ["format": "csv", "country": "dk", "level": "municipality"],
            name: "tal.csv", head: "kommune,år,værdi\n", limitMB: 200)
        // Signed in without the right to import: refused before the file is read.
        try await makeUser(app, email: "laerer@aarhus.dk")
        let teacher = try await client("laerer@aarhus.dk")
        let r = try await teacher.upload(
            "/indicators/imports", fields: ["format": "csv"], file: ("tal.csv", Data("a\n".utf8)), token: "wrong")
        XCTAssertEqual(r.status, .forbidden)
        XCTAssertFalse(r.body.string.contains("The form has expired"), "refused for who they are, not for the token")
    }

    func testKoladaDataIsImportedWithItsKPIsMappedToTheCatalogue() async throws {
        let admin = try await client("admin@samrad.dk")
        let json =
            #"{"values":[{"kpi":"N15419","municipality":"0180","period":2026,"values":[{"gender":"T","status":"","#
            + #""value":252.4,"count":1}]},{"kpi":"N15419","municipality":"1480","period":2026,"#
            + #""values":[{"gender":"T","status":"Missing","value":null,"count":0}]}]}"#
        let uploaded = try await admin.upload(
            "/indicators/imports", fields: ["format": "kolada", "country": "se", "level": "municipality"],
            file: ("kolada.json", Data(json.utf8)))
        XCTAssertEqual(uploaded.status, .seeOther, uploaded.body.string)
        let form = uploaded.headers.first(name: .location)!
        let page = try await admin.get(form)
        XCTAssertTrue(page.body.string.contains("N15419"))
        let started = try await admin.post(
            form,
            form: [
                "unit_column": "municipality", "year_column": "period", "value_column": "value",
                "kpi_N15419": "se.merit_value_17",
            ])
        XCTAssertEqual(started.status, .seeOther, started.body.string)
        var done = ""
        for _ in 0..<100 {
            let status = try await admin.get(started.headers.first(name: .location)!)
            if status.headers.first(name: "Refresh") == nil { done = status.body.string; break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTAssertTrue(done.contains("Imported"), done)
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE indicator = 'se.merit_value_17' AND year = 2026");
            XCTAssertEqual(value, 2)
        }
        do {
            let value = try await count(
                "SELECT count(*) AS n FROM observations WHERE indicator = 'se.merit_value_17' AND year = 2026 AND "
                    + "status = 'missing' AND value IS NULL"
            ); XCTAssertEqual(value, 1)
        }
        let broken = try await admin.upload(
            "/indicators/imports", fields: ["format": "kolada", "country": "se", "level": "municipality"],
            file: ("x.json", Data("[1,2]".utf8)))
        let mapping = try await admin.get(broken.headers.first(name: .location)!)
        XCTAssertEqual(mapping.status, .unprocessableEntity)
        XCTAssertTrue(mapping.body.string.contains("Kolada"))
    }

    /// The write is all or nothing: a failure after thousands of rows leaves none of them.
    func testAWriteThatFailsHalfwayLeavesNothing() async throws {
        struct Interrupted: Error { var written: Int }
        let before = try await count("SELECT count(*) AS n FROM observations")
        let rows = (0..<7_000).map { i in
            Observation(
                indicator: "dk.high_absence_pct", unit: UnitKey(.municipality, .dk, "751"), year: 3_000 + i, value: 20,
                status: .reported)
        }
        do {
            try await app.db.transaction { tx in
                try await ObservationWriter.write(rows, scope: "", importID: nil, on: tx)
                let written =
                    try await tx.sql.raw("SELECT count(*) AS n FROM observations").first(
                        decoding: [String: Int].self)?["n"] ?? 0
                throw Interrupted(written: written)
            }
            XCTFail("the transaction should have failed")
        } catch let interrupted as Interrupted {
            XCTAssertEqual(interrupted.written, before + 7_000, "written inside the transaction")
        }
        do {
            let value = try await count("SELECT count(*) AS n FROM observations");
            XCTAssertEqual(value, before, "and gone after it failed")
        }
    }
}
