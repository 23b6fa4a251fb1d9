import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor
import ZIPFoundation

/// A person's export and erasure (GDPR articles 15, 17, 20): Karin in Lund holds a seat, answered the
/// status questionnaire for Lund and wrote a material. She and the administrators may take her data
/// out; after erasure her name and address are nowhere in the database, also not in the file.
final class PersonalDataRouteTests: XCTestCase {
    var app: Application!
    var network: TestNetwork!
    var karin: Person!
    var karinUser: User!
    var karinToken: String!
    var adminToken: String!
    var file: String!
    let karinName = "Karin Sjöberg-Lind"
    let karinEmail = "karin.sjoberg-lind@lund.se"

    override func setUp() async throws {
        file = NSTemporaryDirectory() + "samrad-erasure-\(UUID().uuidString).sqlite"
        app = try await makeTestApp(sqliteFile: file)
        let admin = try await makeUser(app, email: "admin@example.se", grants: [RoleGrant(kind: .administrator)])
        adminToken = try await makeToken(app, for: admin)
        network = try await makeNetwork(app, registered: ["1281", "0180"], description: "Nätverket")
        karin = Person()
        karin.name = karinName
        karin.email = karinEmail
        karin.phone = "+46 46 35 50 00"
        karin.position = "school_chief"
        karin.municipalityCountry = "se"
        karin.municipalityCode = "1281"
        karin.isExample = false
        try await karin.create(on: app.db)
        karinUser = try await makeUser(
            app, email: karinEmail, grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "1281"))],
            personID: karin.id)
        karinUser.name = karinName
        try await karinUser.save(on: app.db)
        karinToken = try await makeToken(app, for: karinUser)
        let seat = RegistrationSeat()
        seat.registrationID = try network.registrations[0].requireID()
        seat.position = "school_chief"
        seat.personID = try karin.requireID()
        try await seat.create(on: app.db)
        // Her answer for Lund, through the API as she would give it.
        let created = try await sendJSON(
            app, network.organiser, .POST, "/api/v1/collaborations/\(network.collaboration.slug)/questionnaires",
            #"{"title":"Statusenkät","audience":"registered","closesAt":"2030-05-09T23:59","form":"#
                + #"{"sections":[{"key":"s","title":{"sv":"S"},"questions":[{"key":"why","kind":"long_text","#
                + #""text":{"sv":"Varför?"}}]}]}}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let questionnaire = try XCTUnwrap(created.json["id"] as? String).lowercased()
        _ = try await sendJSON(app, network.organiser, .POST, "/api/v1/questionnaires/\(questionnaire)/send")
        let saved = try await sendJSON(
            app, karinToken, .PUT, "/api/v1/questionnaires/\(questionnaire)/responses/se/1281",
            #"{"answers":{"why":"Vi läser mer i alla klasser"}}"#)
        XCTAssertEqual(saved.status, .ok, saved.body.string)
        let material = KnowledgeMaterial()
        material.slug = "lasning-i-lund"
        material.kind = MaterialKind.article.rawValue
        material.title = "Läsning i Lund"
        material.summary = "Hur Lund läser, berättat av \(karinName)."
        material.body = "Skolchefen \(karinName) berättar."
        material.themes = ["Läsning"]
        material.gradeBands = []
        material.authors = [karinName, "Per Ek"]
        material.contact = karinEmail
        material.language = "sv"
        material.country = "se"
        material.licence = MaterialLicence.ccBy.rawValue
        material.consent = true
        material.visibility = MaterialVisibility.public.rawValue
        material.status = EditorialStatus.published.rawValue
        material.createdBy = karinUser.id
        material.publishedAt = Date()
        try await app.db.transaction { db in
            try await material.save(on: db)
            try await KnowledgeSearch.index(material, on: db)
        }
        // Lund's own survey asks her by link: who was asked is personal, what she answers is not.
        let survey = try await sendJSON(
            app, karinToken, .POST, "/api/v1/municipalities/se/1281/surveys",
            #"{"title":"Lunds skolledarenkät","audience":"addresses","addresses":["\#(karinEmail)"],"#
                + #""anonymity":"confidential","closesAt":"2030-05-09T23:59","form":{"sections":[{"key":"s","#
                + #""title":{"sv":"S"},"questions":[{"key":"tid","kind":"yes_no","text":{"sv":"Har du tid?"}}]}]}}"#)
        XCTAssertEqual(survey.status, .created, survey.body.string)
        let surveyID = try XCTUnwrap(survey.json["id"] as? String).lowercased()
        let surveySent = try await sendJSON(app, karinToken, .POST, "/api/v1/questionnaires/\(surveyID)/send")
        XCTAssertEqual(surveySent.status, .ok, surveySent.body.string)
        try await Outbox.enqueue(
            to: karinEmail, subject: "Välkommen", body: "Hej \(karinName)!", settings: app.settings, on: app.db)
        try await Outbox.enqueue(
            to: "per.ek@lund.se", subject: "Ny plats", body: "\(karinName) <\(karinEmail)> har nu en plats.",
            settings: app.settings, on: app.db)
    }

    override func tearDown() async throws {
        try await app.asyncShutdown()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
    }

    func unzip(_ response: XCTHTTPResponse) throws -> [String: String] {
        let archive = try Archive(data: Data(response.body.readableBytesView), accessMode: .read)
        var files: [String: String] = [:]
        for entry in archive {
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            files[entry.path] = String(decoding: bytes, as: UTF8.self)
        }
        return files
    }

    func testThePersonTakesAllTheirDataOutAsCSVAndJSON() async throws {
        let response = try await send(app, .GET, "/api/v1/me/export", headers: bearer(karinToken))
        XCTAssertEqual(response.status, .ok, response.body.string)
        XCTAssertEqual(response.headers.contentType?.subType, "zip")
        let files = try unzip(response)
        for file in [
            "manifest.json", "data.json", "person.csv", "account.csv", "roles.csv", "seats.csv",
            "questionnaire_answers.csv", "knowledge_materials.csv", "emails.csv", "audit_entries.csv",
            "survey_invitations.csv",
        ] {
            XCTAssertNotNil(files[file], file)
        }
        XCTAssertTrue(files["person.csv"]!.contains(karinEmail))
        XCTAssertTrue(files["seats.csv"]!.contains("Nätverk för skolutveckling"), files["seats.csv"]!)
        XCTAssertTrue(files["questionnaire_answers.csv"]!.contains("Vi läser mer i alla klasser"))
        XCTAssertTrue(files["knowledge_materials.csv"]!.contains("Läsning i Lund"))
        XCTAssertTrue(files["survey_invitations.csv"]!.contains("Lunds skolledarenkät"))
        XCTAssertTrue(files["emails.csv"]!.contains("Välkommen"))
        XCTAssertFalse(files["emails.csv"]!.contains("Ny plats"), "another person's e-mail")
        XCTAssertFalse(files["account.csv"]!.contains("$2"), "no password hash")
        let manifest = try JSONSerialization.jsonObject(with: Data(files["manifest.json"]!.utf8)) as? [String: Any]
        XCTAssertEqual((manifest?["files"] as? [[String: Any]])?.count, files.count - 1)
        let data = try JSONSerialization.jsonObject(with: Data(files["data.json"]!.utf8)) as? [String: Any]
        XCTAssertEqual(((data?["person"] as? [[String: String]])?.first)?["email"], karinEmail)
    }

    func testAdministratorsExportAnyoneAuditedOthersMayNot() async throws {
        let path = "/api/v1/people/\(karin.id!.uuidString)/export"
        let lundOther = try await makeToken(
            app, for: try await makeUser(
                app, email: "samordnare@lund.se",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "1281"))]))
        let stockholm = try await makeToken(
            app, for: try await makeUser(
                app, email: "samordnare@stockholm.se",
                grants: [RoleGrant(kind: .member, municipality: MunicipalityKey(.se, "0180"))]))
        let value1 = try await send(app, .GET, path).status
        XCTAssertEqual(value1, .unauthorized)
        let value2 = try await send(app, .GET, path, headers: bearer(stockholm)).status
        XCTAssertEqual(value2, .forbidden)
        let value3 = try await send(app, .GET, path, headers: bearer(lundOther)).status
        XCTAssertEqual(value3, .forbidden)
        let value4 = try await send(app, .GET, path, headers: bearer(karinToken)).status
        XCTAssertEqual(value4, .ok, "her own")
        let admin = try await send(app, .GET, path, headers: bearer(adminToken))
        XCTAssertEqual(admin.status, .ok)
        XCTAssertTrue(try unzip(admin)["person.csv"]!.contains(karinEmail))
        let audited = try await AuditEntry.query(on: app.db).filter(\.$action == "person:export").count()
        XCTAssertEqual(audited, 2)
    }

    func testAPersonHoldingASeatIsNotDeletedButRefusedWithAConflict() async throws {
        let response = try await send(
            app, .DELETE, "/api/v1/people/\(karin.id!.uuidString)", headers: bearer(adminToken))
        XCTAssertEqual(response.status, .conflict, response.body.string)
        XCTAssertEqual(response.headers.contentType?.description, "application/problem+json; charset=utf-8")
        let value5 = try await Person.find(karin.id, on: app.db)
        XCTAssertNotNil(value5)
    }

    func testOnlyAdministratorsAndThePersonErase() async throws {
        let path = "/api/v1/people/\(karin.id!.uuidString)/erase"
        let lundOther = try await makeToken(
            app, for: try await makeUser(
                app, email: "samordnare@lund.se",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.se, "1281"))]))
        // A visitor's POST has no session and no CSRF token: refused before anything else.
        let value6 = try await send(app, .POST, path).status
        XCTAssertEqual(value6, .forbidden)
        let value7 = try await send(app, .POST, path, headers: bearer(lundOther)).status
        XCTAssertEqual(value7, .forbidden)
        let value8 = try await send(app, .POST, path, headers: bearer(network.organiser)).status
        XCTAssertEqual(value8, .forbidden)
        let own = try await send(app, .POST, path, headers: bearer(karinToken))
        XCTAssertEqual(own.status, .ok, own.body.string)
        XCTAssertEqual(own.json["pseudonym"] as? String, "Raderad person #1")
        let value9 = try await send(app, .POST, path, headers: bearer(adminToken)).status
        XCTAssertEqual(value9, .notFound, "erased")
    }

    func testAnAdministratorErasesFromThePersonsPageAfterTheConfirmation() async throws {
        let admin = Client(app)
        try await admin.signIn("admin@example.se", "correct horse battery")
        let page = try await admin.get("/people/\(karin.id!.uuidString)")
        let confirm = "/confirm?what=erase_person&amp;action=/people/\(karin.id!.uuidString)/erase"
        XCTAssertTrue(page.body.string.contains(confirm), "the page offers erasure through the confirmation")
        let asked = try await admin.get(confirm.replacingOccurrences(of: "&amp;", with: "&"))
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(asked.body.string.contains("Erase the person&#39;s data?"), asked.body.string)
        let erased = try await admin.post("/people/\(karin.id!.uuidString)/erase", form: [:])
        XCTAssertEqual(erased.status, .seeOther)
        XCTAssertEqual(erased.headers.first(name: .location), "/municipalities/se/1281")
        let record = try await Person.find(karin.id, on: app.db)
        XCTAssertEqual(record?.name, "Raderad person #1")
    }

    func testTheLastAdministratorIsNotErased() async throws {
        let admin = try await User.query(on: app.db).filter(\.$email == "admin@example.se").first()!
        let person = Person()
        person.name = "Ada Admin"
        person.position = "administration"
        person.isExample = false
        try await person.create(on: app.db)
        admin.personID = person.id
        try await admin.save(on: app.db)
        let response = try await send(
            app, .POST, "/api/v1/people/\(person.id!.uuidString)/erase", headers: bearer(adminToken))
        XCTAssertEqual(response.status, .conflict, response.body.string)
        let value10 = try await User.find(admin.id, on: app.db)
        XCTAssertNotNil(value10)
    }

    func testAfterErasureTheNameAndAddressAreNowhereAndWhatMustRemainRemains() async throws {
        let response = try await send(
            app, .POST, "/api/v1/people/\(karin.id!.uuidString)/erase", headers: bearer(adminToken))
        XCTAssertEqual(response.status, .ok, response.body.string)
        let pseudonym = "Raderad person #1"
        // What must remain points at the pseudonymised record.
        let seat = try await RegistrationSeat.query(on: app.db).filter(\.$personID == karin.id!).first()
        XCTAssertNotNil(seat, "the seat is kept")
        let record = try await Person.find(karin.id, on: app.db)
        XCTAssertEqual(record?.name, pseudonym)
        XCTAssertNil(record?.email)
        XCTAssertNil(record?.phone)
        XCTAssertNotNil(record?.erasedAt)
        let answer = try await QuestionnaireResponse.query(on: app.db).filter(\.$municipalityCode == "1281").first()
        XCTAssertEqual(answer?.submittedBy ?? answer?.updatedBy, pseudonym)
        let material = try await KnowledgeMaterial.query(on: app.db).filter(\.$slug == "lasning-i-lund").first()
        XCTAssertEqual(material?.authors, [pseudonym, "Per Ek"])
        XCTAssertEqual(material?.contact, pseudonym)
        // Who Lund's survey asked still counts, without her; her link went.
        let invitation = try await SurveyInvitation.query(on: app.db).first()
        XCTAssertTrue(invitation?.email.hasPrefix("erased-") ?? false)
        XCTAssertNil(invitation?.personID)
        let surveyLinks = try await SurveyToken.query(on: app.db).count()
        XCTAssertEqual(surveyLinks, 0)
        let list = try await SurveySettings.query(on: app.db).first()
        XCTAssertEqual(list?.addresses, [], "no later round asks her again")
        // What must go is gone.
        let value11 = try await User.find(karinUser.id, on: app.db)
        XCTAssertNil(value11)
        let value12 = try await AccessToken.query(on: app.db).filter(\.$userID == karinUser.id!).count()
        XCTAssertEqual(value12, 0)
        let outbox = try await OutboxMessage.query(on: app.db).all()
        XCTAssertEqual(outbox.map(\.recipient), ["per.ek@lund.se"])
        XCTAssertTrue(outbox[0].body.contains(pseudonym), outbox[0].body)
        let value13 = try await send(app, .GET, "/api/v1/me/export", headers: bearer(karinToken)).status
        XCTAssertEqual(value13, .unauthorized)
        // She is no longer in Lund's list of people; the seat shows the pseudonym.
        let people = try await send(app, .GET, "/api/v1/people?municipality=se/1281", headers: bearer(adminToken))
        XCTAssertFalse(people.body.string.contains(pseudonym), people.body.string)
        // The audit entry of the erasure names no one.
        let entry = try await AuditEntry.query(on: app.db).filter(\.$action == "person:erase").first()
        XCTAssertEqual(entry?.summary, "\(pseudonym) (administrator)")
        // The whole database, as stored: the file (with its log) on SQLite, a dump on PostgreSQL.
        for text in [karinName, karinEmail, "Sjöberg-Lind"] {
            let stored = try await storedDatabase()
            XCTAssertNil(stored.range(of: Data(text.utf8)), "\(text) is still in the database")
        }
        let value14 = try await storedDatabase().range(of: Data("Per Ek".utf8)) != nil
        XCTAssertTrue(value14, "the check can find text")
    }

    /// The bytes of the database as an attacker with the disk (SQLite) or a dump (PostgreSQL) sees them.
    func storedDatabase() async throws -> Data {
        if let url = ProcessInfo.processInfo.environment["SAMRAD_TEST_DATABASE_URL"] {
            let candidates = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
            let dump = candidates.sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin/pg_dump" }
                .first { FileManager.default.isExecutableFile(atPath: $0) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try XCTUnwrap(dump, "pg_dump is installed with PostgreSQL"))
            process.arguments = ["--data-only", "--dbname", url.replacingOccurrences(of: "?sslmode=disable", with: "")]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            return data
        }
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: file + "-wal")) { data.append(wal) }
        return data
    }

    func testAPersonErasesThemselvesFromTheProfileAfterConfirming() async throws {
        let browser = Client(app)
        try await browser.signIn(karinEmail, "correct horse battery")
        let page = try await browser.get("/profile/data")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("/profile/data.zip"))
        let unconfirmed = try await browser.post("/profile/data/erase", form: [:])
        XCTAssertEqual(unconfirmed.status, .unprocessableEntity)
        let value15 = try await User.find(karinUser.id, on: app.db)
        XCTAssertNotNil(value15)
        let confirmed = try await browser.post("/profile/data/erase", form: ["confirm": "yes"])
        XCTAssertEqual(confirmed.status, .seeOther)
        XCTAssertEqual(confirmed.headers.first(name: .location), "/profile/data/erased")
        let landing = try await browser.get("/profile/data/erased")
        XCTAssertTrue(landing.body.string.contains("Your data are erased"))
        let value16 = try await User.find(karinUser.id, on: app.db)
        XCTAssertNil(value16)
        let value17 = try await browser.get("/profile/data").status
        XCTAssertEqual(value17, .seeOther, "signed out")
        let register = try await Erasure.ErasureRecord.query(on: app.db).all()
        XCTAssertEqual(register.map(\.requestedBy), ["self"])
    }
}
