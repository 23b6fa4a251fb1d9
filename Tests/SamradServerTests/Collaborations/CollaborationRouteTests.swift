import Fluent
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

final class CollaborationRouteTests: XCTestCase {
    var app: Application!
    var file: String?
    var kl: Organisation!
    var organiser: String!, aarhus: String!, odense: String!, member: String!
    var people: [String: UUID] = [:]

    override func setUp() async throws {
        file = NSTemporaryDirectory() + "samrad-collab-\(UUID().uuidString).sqlite"
        app = try await makeTestApp(sqliteFile: file)
        kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        organiser = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "consultant@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)]))
        aarhus = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@aarhus.dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "751"))]))
        odense = try await makeToken(
            app,
            for: try await makeUser(
                app, email: "coord@odense.dk",
                grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "461"))]))
        member = try await makeToken(app, for: try await makeUser(app, email: "member@example.dk"))
        for (code, town) in [("751", "aarhus"), ("461", "odense")] {
            for position in [Position.committeeChair, .committeeMember, .administration] {
                let person = Person()
                person.name = "\(town) \(position.rawValue)"
                person.email = "\(position.rawValue)@\(town).dk"
                person.position = position.rawValue
                person.municipalityCountry = "dk"
                person.municipalityCode = code
                person.isExample = false
                try await person.create(on: app.db)
                people["\(town).\(position.rawValue)"] = person.id
            }
        }
    }

    override func tearDown() async throws {
        try await app.asyncShutdown()
        if let file {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
    }

    func json(
        _ token: String?, _ method: HTTPMethod, _ path: String, _ body: String? = nil
    ) async throws -> XCTHTTPResponse {
        try await sendJSON(app, token, method, path, body)
    }

    /// Case 1's political track: three required seats, free, deadline in the future.
    func politicalTrack(
        capacity: Int? = nil, price: String = #""priceKind":"free""#, deadline: String = "2030-05-09T12:00"
    ) async throws -> String {
        let body = """
            {"title":"Politisk del 2014","description":"**To møder** om året.","kind":"political_forum",
                "organiserID":"\(kl.id!.uuidString)",
             "themes":["folkeskolereformen"],"targetGroups":["committee_chair"],"timeZone":"Europe/Copenhagen",
                 "deadline":"\(deadline)",
             \(capacity.map { "\"capacity\":\($0)," } ?? "")
             "seats":[{"position":"committee_chair","count":1,"required":true},{"position":"committee_member","count":1,
                 "required":true},
                      {"position":"administration","count":1,"required":true}],
             \(price)}
            """
        let created = try await json(organiser, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        let slug = try XCTUnwrap(created.json["slug"] as? String)
        let opened = try await json(organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
        XCTAssertEqual(opened.status, .ok, opened.body.string)
        return slug
    }

    func seats(_ town: String) -> String {
        let p = { (position: String) in self.people["\(town).\(position)"]!.uuidString }
        return """
            {"acceptPrice":true,"seats":[{"position":"committee_chair","personID":"\(p("committee_chair"))"},
            {"position":"committee_member","personID":"\(p("committee_member"))"},{"position":"administration",
                "personID":"\(p("administration"))"}]}
            """
    }

    func testDraftsAreForOrganisersOnly() async throws {
        let body =
            #"{"title":"Faglige spor","kind":"professional_collaboration","organiserID":"\#(kl.id!.uuidString)"}"#
        let forbidden = try await json(aarhus, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(forbidden.status, .forbidden, "a coordinator organises for no organisation")
        let created = try await json(organiser, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(created.status, .created)
        let slug = created.json["slug"] as! String
        XCTAssertEqual(slug, "faglige-spor")
        let hidden = try await json(nil, .GET, "/api/v1/collaborations/\(slug)")
        XCTAssertEqual(hidden.status, .notFound)
        let hiddenPage = try await send(app, .GET, "/collaborations/\(slug)")
        XCTAssertEqual(hiddenPage.status, .notFound)
        let coordinatorView = try await json(aarhus, .GET, "/api/v1/collaborations/\(slug)")
        XCTAssertEqual(coordinatorView.status, .notFound)
        let own = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)")
        XCTAssertEqual(own.status, .ok)
        let draftInvitation = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"country","country":"dk","positions":["administration"]}"#)
        XCTAssertEqual(draftInvitation.status, .conflict, "no links to a page nobody can see yet")
        let noDeadline = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
        XCTAssertEqual(noDeadline.status, .unprocessableEntity)
        let wrongStep = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"concluded"}"#)
        XCTAssertEqual(wrongStep.status, .conflict)
        let byOther = try await json(aarhus, .PUT, "/api/v1/collaborations/\(slug)", body)
        XCTAssertEqual(byOther.status, .notFound)
        let list = try await json(nil, .GET, "/api/v1/collaborations")
        XCTAssertEqual((list.json["items"] as? [Any])?.count, 0)
    }

    func testRegistrationRulesAndPermissions() async throws {
        let slug = try await politicalTrack()
        let path = "/api/v1/collaborations/\(slug)/registrations"
        let other = try await json(aarhus, .POST, "\(path)/dk/461", seats("odense"))
        XCTAssertEqual(other.status, .forbidden, "Aarhus cannot register Odense")
        let visitor = try await json(nil, .POST, "\(path)/dk/751", seats("aarhus"))
        XCTAssertEqual(visitor.status, .unauthorized)
        let memberTry = try await json(member, .POST, "\(path)/dk/751", seats("aarhus"))
        XCTAssertEqual(memberTry.status, .forbidden)

        let missing = try await json(
            aarhus, .POST, "\(path)/dk/751",
            #"{"seats":[{"position":"committee_chair","personID":"\#(people["aarhus.committee_chair"]!)"}]}"#)
        XCTAssertEqual(missing.status, .unprocessableEntity)
        let fields = (missing.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }.sorted()
        XCTAssertEqual(fields, ["seats.administration", "seats.committee_member"])
        let stranger = try await json(
            aarhus, .POST, "\(path)/dk/751",
            seats("aarhus").replacingOccurrences(
                of: people["aarhus.administration"]!.uuidString, with: people["odense.administration"]!.uuidString))
        XCTAssertEqual(stranger.status, .unprocessableEntity)
        XCTAssertTrue(stranger.body.string.contains("This person does not belong to the municipality."))
        let registrations = try await Registration.query(on: app.db).count()
        XCTAssertEqual(registrations, 0, "nothing half written")

        let ok = try await json(aarhus, .POST, "\(path)/dk/751", seats("aarhus"))
        XCTAssertEqual(ok.status, .created, ok.body.string)
        XCTAssertEqual(ok.json["status"] as? String, "registered")
        let twice = try await json(aarhus, .POST, "\(path)/dk/751", seats("aarhus"))
        XCTAssertEqual(twice.status, .conflict)
        let mine = try await json(aarhus, .GET, "\(path)/dk/751")
        XCTAssertEqual((mine.json["seats"] as? [Any])?.count, 3)
        let notMine = try await json(aarhus, .GET, "\(path)/dk/461")
        XCTAssertEqual(notMine.status, .forbidden)
        let declined = try await json(odense, .POST, "\(path)/dk/461/decline")
        XCTAssertEqual(declined.json["status"] as? String, "declined")
        let aarhusList = try await json(aarhus, .GET, "/api/v1/me/registrations")
        XCTAssertEqual(
            (aarhusList.json["items"] as? [[String: Any]])?.map { "\($0["municipality"]!) \($0["status"]!)" },
            ["dk/751 registered"])
        let odenseList = try await json(odense, .GET, "/api/v1/me/registrations")
        XCTAssertEqual(
            (odenseList.json["items"] as? [[String: Any]])?.map { "\($0["municipality"]!) \($0["status"]!)" },
            ["dk/461 declined"], "only its own")
        let visitorList = try await json(nil, .GET, "/api/v1/me/registrations")
        XCTAssertEqual(visitorList.status, .unauthorized)

        // After the deadline nothing changes, except by the organiser.
        let sql = app.db.sql
        try await sql.update("collaborations").set("deadline", to: Date().addingTimeInterval(-60)).run()
        let late = try await json(odense, .POST, "\(path)/dk/461", seats("odense"))
        XCTAssertEqual(late.status, .conflict)
        XCTAssertEqual(late.json["detail"] as? String, "The registration deadline has passed.")
        let lateWithdraw = try await json(aarhus, .POST, "\(path)/dk/751/withdraw")
        XCTAssertEqual(lateWithdraw.status, .conflict)
        let organiserWithdraw = try await json(organiser, .POST, "\(path)/dk/751/withdraw")
        XCTAssertEqual(organiserWithdraw.json["status"] as? String, "withdrawn")
        // M5: every step is in the audit log, with who took it.
        let entries = try await AuditEntry.query(on: app.db).sort(\.$at).all()
        let actions = entries.map(\.action)
        for action in [
            "collaboration:create", "collaboration:status", "registration:register", "registration:withdraw",
        ] {
            XCTAssertTrue(actions.contains(action), "\(action) in \(actions)")
        }
        let withdrawal = entries.last { $0.action == "registration:withdraw" }!
        XCTAssertEqual(withdrawal.summary, "dk/751 by the organiser")
        XCTAssertNotEqual(withdrawal.actorName, "—")
        XCTAssertTrue(
            entries.contains { $0.action == "registration:register" && $0.summary.hasPrefix("dk/751: registered") })
    }

    func testWaitingListCapacityAndPrice() async throws {
        let slug = try await politicalTrack(
            capacity: 1, price: #""priceKind":"per_municipality","priceAmount":"12.500,00","currency":"DKK""#)
        let path = "/api/v1/collaborations/\(slug)/registrations"
        let noPrice = try await json(
            aarhus, .POST, "\(path)/dk/751",
            seats("aarhus").replacingOccurrences(of: "\"acceptPrice\":true", with: "\"acceptPrice\":false"))
        XCTAssertEqual(noPrice.status, .unprocessableEntity)
        let first = try await json(aarhus, .POST, "\(path)/dk/751", seats("aarhus"))
        XCTAssertEqual(first.json["status"] as? String, "registered")
        let waiting = try await json(odense, .POST, "\(path)/dk/461", seats("odense"))
        XCTAssertEqual(waiting.json["status"] as? String, "waitlisted")
        XCTAssertEqual(waiting.json["acceptedPriceMinor"] as? Int, 1_250_000)

        // The organiser cannot lower the places below the registered, nor change the price now.
        let current = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)")
        var edited = current.json
        edited["organiserID"] = kl.id!.uuidString
        edited["capacity"] = 0
        edited["deadline"] = "2030-05-09T12:00"
        edited["priceKind"] = "per_municipality"
        edited["priceAmount"] = "15000"
        let body = String(data: try JSONSerialization.data(withJSONObject: edited), encoding: .utf8)!
        let refused = try await json(organiser, .PUT, "/api/v1/collaborations/\(slug)", body)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertEqual(
            Set((refused.json["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []),
            ["capacity", "priceKind"])

        let withdrawn = try await json(aarhus, .POST, "\(path)/dk/751/withdraw")
        XCTAssertEqual(withdrawn.json["status"] as? String, "withdrawn")
        let promoted = try await json(odense, .GET, "\(path)/dk/461")
        XCTAssertEqual(promoted.json["status"] as? String, "registered")
        let mails = try await OutboxMessage.query(on: app.db).all().filter { !$0.subject.hasPrefix("Samrad: ") }
        XCTAssertEqual(
            Set(mails.map(\.recipient)),
            ["committee_chair@odense.dk", "committee_member@odense.dk", "administration@odense.dk"])
        XCTAssertTrue(mails.allSatisfy { $0.subject.hasPrefix("Der er plads til jer") })

        let board = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)/board")
        XCTAssertEqual((board.json["counts"] as? [String: Int])?["registered"], 1)
        XCTAssertEqual((board.json["counts"] as? [String: Int])?["withdrawn"], 1)
        let forbiddenBoard = try await json(odense, .GET, "/api/v1/collaborations/\(slug)/board")
        XCTAssertEqual(forbiddenBoard.status, .forbidden)
        var lines = try await send(app, .GET, "/collaborations/\(slug)/invoices.csv", headers: bearer(organiser))
            .body.string.split(separator: "\r\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].hasPrefix("dk,461,Odense,,Politisk del 2014,12500.00,DKK"), "no address known yet")
        // With the invoice address an administrator keeps, the line is addressed.
        let address = MunicipalityInvoiceAddress()
        address.municipalityCountry = "dk"
        address.municipalityCode = "461"
        address.electronicAddress = "5798000000001"
        address.organisationNumber = "29189714"
        try await address.create(on: app.db)
        lines = try await send(app, .GET, "/collaborations/\(slug)/invoices.csv", headers: bearer(organiser))
            .body.string.split(separator: "\r\n")
        XCTAssertTrue(lines[0].hasSuffix(",organisation_number,case_number"))
        XCTAssertTrue(
            lines[1].hasPrefix("dk,461,Odense,5798000000001,Politisk del 2014,12500.00,DKK"), String(lines[1]))
        XCTAssertTrue(lines[1].contains(",29189714,"))
    }

    /// 98 municipalities register at once for 12 places: exactly 12 get a place, the rest wait in
    /// the order they were numbered, on SQLite (a file, as in production) and on PostgreSQL.
    func testConcurrentRegistrationsNeverExceedTheCapacity() async throws {
        let slug = try await politicalTrack(capacity: 12)
        // No seats to fill: the race is about places, not people.
        let collaboration = try await Collaboration.query(on: app.db).filter(\.$slug == slug).first()!
        collaboration.seats = []
        try await collaboration.save(on: app.db)
        let danish = app.municipalities.all.filter { $0.country == .dk }
        XCTAssertEqual(danish.count, 98)
        let path = "/api/v1/collaborations/\(slug)/registrations"
        let app = self.app!, token = self.organiser!
        let statuses = try await withThrowingTaskGroup(of: (String, UInt).self) { group in
            for m in danish {
                group.addTask {
                    var headers = HTTPHeaders()
                    headers.bearerAuthorization = BearerAuthorization(token: token)
                    headers.contentType = .json
                    let response = try await app.testable().sendRequest(
                        .POST, "\(path)/dk/\(m.code)", headers: headers, body: ByteBuffer(string: #"{"seats":[]}"#))
                    return (m.code, response.status.code)
                }
            }
            var result: [String: UInt] = [:]
            for try await (code, status) in group { result[code] = status }
            return result
        }
        XCTAssertEqual(statuses.values.filter { $0 == 201 }.count, 98, "\(statuses.filter { $0.value != 201 })")
        let registrations = try await Registration.query(on: app.db).all()
        let registered = registrations.filter { $0.status == "registered" }
        let waitlisted = registrations.filter { $0.status == "waitlisted" }
        XCTAssertEqual(registered.count, 12)
        XCTAssertEqual(waitlisted.count, 86)
        XCTAssertEqual(Set(registrations.map(\.sequence)).count, 98, "every arrival has its own number")
        XCTAssertLessThan(
            registered.map(\.sequence).max()!, waitlisted.map(\.sequence).min()!, "places go in order of arrival")

        // The first on the waiting list moves up when a place frees.
        let first = waitlisted.min { $0.sequence < $1.sequence }!
        let leaving = registered[0]
        let withdrawn = try await json(organiser, .POST, "\(path)/dk/\(leaving.municipalityCode)/withdraw")
        XCTAssertEqual(withdrawn.status, .ok)
        let moved = try await Registration.find(first.id, on: app.db)
        XCTAssertEqual(moved?.status, "registered")
        let count = try await RegistrationDesk.registeredCount(first.collaborationID, on: app.db)
        XCTAssertEqual(count, 12)
    }

    /// Ten requests for the same municipality at once, decided in the same batches: one registration,
    /// nine conflicts, and a refused request in a batch does not stop the others.
    func testSimultaneousDuplicatesAndRefusalsInOneBatch() async throws {
        let slug = try await politicalTrack(capacity: 12)
        let path = "/api/v1/collaborations/\(slug)/registrations"
        let app = self.app!, token = self.aarhus!, body = seats("aarhus"), odenseBody = seats("odense")
        let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await app.testable().sendRequest(
                        .POST, "\(path)/dk/751", headers: bearer(token, json: true), body: ByteBuffer(string: body)
                    ).status.code
                }
                // Aarhus may not register Odense: refused, whatever batch it lands in.
                group.addTask {
                    try await app.testable().sendRequest(
                        .POST, "\(path)/dk/461", headers: bearer(token, json: true),
                        body: ByteBuffer(string: odenseBody)
                    ).status.code
                }
            }
            var result: [UInt] = []
            for try await status in group { result.append(status) }
            return result
        }
        XCTAssertEqual(statuses.filter { $0 == 201 }.count, 1)
        XCTAssertEqual(statuses.filter { $0 == 409 }.count, 9)
        XCTAssertEqual(statuses.filter { $0 == 403 }.count, 10)
        let registrations = try await Registration.query(on: app.db).all()
        XCTAssertEqual(registrations.map(\.municipalityCode), ["751"])
        let seatCount = try await RegistrationSeat.query(on: app.db).count()
        XCTAssertEqual(seatCount, 3, "the refused left nothing behind")
    }

    /// Page forms of programmes, members and adding a person: the forbidden case for each, by a
    /// coordinator's token (API tokens skip the CSRF check).
    func testPageFormsRefuseThoseWhoMayNot() async throws {
        let slug = try await politicalTrack()
        func form(_ token: String, _ path: String, _ fields: [String: String]) async throws -> XCTHTTPResponse {
            var headers = bearer(token)
            headers.contentType = .urlEncodedForm
            let body = fields.map { "\($0.key.urlEncoded)=\($0.value.urlEncoded)" }.joined(separator: "&")
            return try await send(app, .POST, path, headers: headers, body: ByteBuffer(string: body))
        }
        let newProgramme = try await send(app, .GET, "/programmes/new", headers: bearer(aarhus))
        XCTAssertEqual(newProgramme.status, .forbidden)
        let programme = try await form(
            aarhus, "/programmes", ["title": "Mit program", "organiserID": kl.id!.uuidString])
        XCTAssertEqual(programme.status, .forbidden)
        let ownProgramme = try await form(
            organiser, "/programmes", ["title": "KL-program", "organiserID": kl.id!.uuidString])
        XCTAssertEqual(ownProgramme.status, .seeOther)
        let renamed = try await form(
            aarhus, "/programmes/kl-program", ["title": "Overtaget", "organiserID": kl.id!.uuidString])
        XCTAssertEqual(renamed.status, .notFound, "a programme without published tracks is hidden from others")

        let partner = try await form(aarhus, "/collaborations/\(slug)/partners", ["organisationID": kl.id!.uuidString])
        XCTAssertEqual(partner.status, .forbidden)
        let role = try await form(
            aarhus, "/collaborations/\(slug)/roles",
            ["personID": people["aarhus.administration"]!.uuidString, "role": "contact"])
        XCTAssertEqual(role.status, .forbidden)
        let removal = try await form(aarhus, "/collaborations/\(slug)/roles/\(UUID().uuidString)/delete", [:])
        XCTAssertEqual(removal.status, .forbidden)
        let badRemoval = try await form(organiser, "/collaborations/\(slug)/partners/not-a-uuid/delete", [:])
        XCTAssertEqual(badRemoval.status, .notFound)

        let elsewhere = try await form(
            odense, "/collaborations/\(slug)/registrations/dk/751/people",
            ["name": "Ole", "position": "committee_member"])
        XCTAssertEqual(elsewhere.status, .forbidden, "Odense adds nobody to Aarhus")
        let own = try await form(
            aarhus, "/collaborations/\(slug)/registrations/dk/751/people",
            ["name": "Ulla", "position": "committee_member", "municipality": "dk/461"])
        XCTAssertEqual(own.status, .seeOther)
        let ulla = try await Person.query(on: app.db).filter(\.$name == "Ulla").first()
        XCTAssertEqual(
            ulla?.municipality, MunicipalityKey(.dk, "751"), "the page's municipality, whatever the form says")
        let persons = try await Person.query(on: app.db).count()
        XCTAssertEqual(persons, 7, "only Ulla was added")
    }

    /// Session passes last as long as their link, and the newest is kept when the session is full.
    func testSessionPassesExpireAndKeepTheNewest() throws {
        let session = Session()
        let now = Date()
        let aarhus = MunicipalityKey(.dk, "751")
        let expired = RegistrationPass(collaborationID: UUID(), municipality: aarhus, personID: UUID())
        RegistrationPasses.add(expired, until: now.addingTimeInterval(60), to: session, now: now)
        XCTAssertEqual(RegistrationPasses.read(session, now: now), [expired])
        XCTAssertEqual(
            RegistrationPasses.read(session, now: now.addingTimeInterval(61)), [], "the link's expiry ends the pass")
        var passes: [RegistrationPass] = []
        for _ in 0..<(RegistrationPasses.limit + 5) {
            let pass = RegistrationPass(collaborationID: UUID(), municipality: aarhus, personID: UUID())
            passes.append(pass)
            RegistrationPasses.add(pass, until: now.addingTimeInterval(3600), to: session, now: now)
        }
        let kept = RegistrationPasses.read(session, now: now)
        XCTAssertEqual(kept.count, RegistrationPasses.limit)
        XCTAssertTrue(kept.contains(passes.last!), "the newest is never the one dropped")
        XCTAssertFalse(kept.contains(passes.first!), "the oldest goes first")
    }

    /// P4: adding a person on the spot keeps the seats chosen and seats the new person; declining and
    /// withdrawing ask first on a page; registering and declining tell the coordinators and organisers.
    func testTheRegistrationPageKeepsChoicesAsksBeforeDecliningAndTellsPeople() async throws {
        let slug = try await politicalTrack()
        let page = "/collaborations/\(slug)/registrations/dk/751"
        let web = Client(app)
        try await web.signIn("coord@aarhus.dk", "correct horse battery")
        let chair = people["aarhus.committee_chair"]!.uuidString
        // The chair is chosen, the member seat is still empty; a new member is added on the spot.
        let added = try await web.post(
            page + "/people",
            form: [
                "name": "Ny Medlem", "position": "committee_member",
                "email": "ny.medlem@aarhus.dk",
                "seat_committee_chair_0": chair, "seat_committee_member_0": "",
                "seat_administration_0": "",
            ])
        XCTAssertEqual(added.status, .seeOther, added.body.string)
        let newPerson = try await Person.query(on: app.db).filter(\.$email == "ny.medlem@aarhus.dk").first()
        let newID = try XCTUnwrap(newPerson?.id)
        let shown = try await web.get(page, headers: ["Accept-Language": "en"]).body.string.collapsingWhitespace
        XCTAssertTrue(shown.contains(#"<option value="\#(chair)" selected>"#), "the chosen chair is kept")
        XCTAssertTrue(
            shown.contains(#"<option value="\#(newID.uuidString)" selected>"#), "the new person takes the member seat")
        let again = try await web.get(page, headers: ["Accept-Language": "en"]).body.string
        XCTAssertFalse(again.contains(#"<option value="\#(newID.uuidString)" selected>"#), "kept for that page once")

        // Submitting with an empty seat names the position.
        let missing = try await web.post(
            page, form: ["seat_committee_chair_0": chair, "seat_committee_member_0": newID.uuidString],
            headers: ["Accept-Language": "en"])
        XCTAssertEqual(missing.status, .unprocessableEntity)
        XCTAssertTrue(missing.body.string.contains("Choose 1 person as Administration."), missing.body.string)

        // Declining asks first, on a page of its own that posts the decline.
        let before = try await web.get(page, headers: ["Accept-Language": "en"]).body.string
        XCTAssertTrue(before.contains("/confirm?what=decline&amp;action=\(page)/decline&amp;back=\(page)"))
        let ask = try await web.get(
            "/confirm?what=decline&action=\(page)/decline&back=\(page)", headers: ["Accept-Language": "en"])
        XCTAssertEqual(ask.status, .ok)
        XCTAssertTrue(ask.body.string.contains("Decline the invitation?"))
        XCTAssertTrue(ask.body.string.contains(#"action="\#(page)/decline""#))
        for bad in [
            "/confirm?what=decline&action=\(page)/withdraw", "/confirm?what=drop_tables&action=\(page)/decline",
            "/confirm?what=decline&action=//evil.example/decline",
            "/confirm?what=decline&action=https://evil.example/x/decline",
        ] {
            let refused = try await web.get(bad)
            XCTAssertEqual(refused.status, .notFound, bad)
        }
        let declined = try await web.post(page + "/decline", form: [:])
        XCTAssertEqual(declined.status, .seeOther)
        let told = try await OutboxMessage.query(on: app.db).filter(\.$body ~~ "har meldt fra").all()
        XCTAssertEqual(
            Set(told.map(\.recipient)), ["coord@aarhus.dk", "consultant@kl.dk"], "the coordinator and the organiser")
        XCTAssertTrue(
            told.allSatisfy { $0.body.contains("Aarhus har meldt fra til Politisk del 2014.") },
            told.map(\.body).joined())

        // Registering over the API tells them too.
        let registered = try await json(
            odense, .POST, "/api/v1/collaborations/\(slug)/registrations/dk/461", seats("odense"))
        XCTAssertEqual(registered.status, .created, registered.body.string)
        let odenseTold = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "coord@odense.dk")
            .filter(\.$subject == "Samrad: Odense er tilmeldt Politisk del 2014.").count()
        XCTAssertEqual(odenseTold, 1)
    }

    /// A programme is invited as a whole: every open track records the invitation, and each
    /// recipient gets one e-mail naming the tracks, each with its own link.
    func testAProgrammeIsInvitedAsAWholeInOneEMail() async throws {
        let created = try await json(
            organiser, .POST, "/api/v1/programmes",
            #"{"title":"Folkeskolen 2027","organiserID":"\#(kl.id!.uuidString)"}"#)
        let programme = try XCTUnwrap(created.json["slug"] as? String)
        let programmeID = try XCTUnwrap(created.json["id"] as? String)
        var tracks: [String] = []
        for title in ["Politisk del", "Faglig del"] {
            let track = try await json(
                organiser, .POST, "/api/v1/collaborations",
                """
                {"title":"\(title)","kind":"political_forum","organiserID":"\(kl.id!.uuidString)",
                    "programmeID":"\(programmeID)",
                 "deadline":"2030-05-09T12:00","seats":[{"position":"administration","count":1,"required":true}],
                     "priceKind":"free"}
                """)
            XCTAssertEqual(track.status, .created, track.body.string)
            tracks.append(try XCTUnwrap(track.json["slug"] as? String))
        }
        let closed = try await json(
            organiser, .POST, "/api/v1/programmes/\(programme)/invitations",
            #"{"scope":"list","list":"dk/751","positions":["administration"]}"#)
        XCTAssertEqual(closed.status, .conflict, "no track open yet")
        for slug in tracks {
            let opened = try await json(
                organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
            XCTAssertEqual(opened.status, .ok, opened.body.string)
        }
        let refused = try await json(
            aarhus, .POST, "/api/v1/programmes/\(programme)/invitations",
            #"{"scope":"list","list":"dk/751","positions":["administration"]}"#)
        XCTAssertEqual(refused.status, .forbidden)
        let sent = try await json(
            organiser, .POST, "/api/v1/programmes/\(programme)/invitations",
            #"{"scope":"list","list":"dk/751, dk/461","positions":["administration"]}"#)
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        XCTAssertEqual(sent.json["recipients"] as? Int, 4, "the administration and the coordinator of each, once each")
        let mails = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "administration@aarhus.dk").all()
        XCTAssertEqual(mails.count, 1, "one e-mail for the whole programme")
        let body = try XCTUnwrap(mails.first?.body)
        XCTAssertEqual(mails.first?.subject, "Invitation: Folkeskolen 2027")
        XCTAssertTrue(body.contains("Politisk del") && body.contains("Faglig del"), body)
        XCTAssertEqual(body.components(separatedBy: "/registration-links/").count - 1, 2, "a link per track")
        for slug in tracks {
            let board = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)/board")
            XCTAssertEqual((board.json["counts"] as? [String: Any])?["invited"] as? Int, 2, slug)
        }
        // Each link answers for its own track.
        let second = try XCTUnwrap(
            body.components(separatedBy: "/registration-links/").last?.prefix { !$0.isWhitespace })
        let visitor = Client(app)
        let opened = try await visitor.get("/registration-links/\(second)")
        XCTAssertEqual(
            opened.headers.first(name: .location), "/collaborations/\(tracks.sorted().last!)/registrations/dk/751",
            "the tracks come by title")
        // The page does the same, and the programme page links to it.
        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let page = try await web.get("/programmes/\(programme)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(page.body.string.contains("/programmes/\(programme)/invitations"))
        let form = try await web.get("/programmes/\(programme)/invitations", headers: ["Accept-Language": "en"])
        XCTAssertEqual(form.status, .ok)
        // Municipalities are written by name, as people know them; the pickers' list comes from the directory.
        let names = try await web.get("/municipalities/names.json")
        XCTAssertTrue(names.body.string.contains(#""Aarhus (dk\/751)""#), names.body.string.prefix(200).description)
        let unknown = try await web.post(
            "/programmes/\(programme)/invitations",
            form: ["scope": "list", "list": "Aarhus, Atlantis", "positions[]": "administration"],
            headers: ["Accept-Language": "en"])
        XCTAssertEqual(unknown.status, .unprocessableEntity)
        XCTAssertTrue(
            unknown.body.string.contains("Samrad knows no municipality called “Atlantis”"), unknown.body.string)
        XCTAssertTrue(unknown.body.string.contains("Aarhus, Atlantis"), "what was typed stays")
        let again = try await web.post(
            "/programmes/\(programme)/invitations",
            form: ["scope": "list", "list": "Aarhus Kommune", "positions[]": "administration"],
            headers: ["Accept-Language": "en"])
        XCTAssertEqual(again.status, .ok)
        XCTAssertTrue(again.body.string.contains("Every invited municipality was reached."), again.body.string)
    }

    func testInvitationsAndReminders() async throws {
        let slug = try await politicalTrack()
        let bad = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"list","list":"dk/751, xx","positions":[]}"#)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertEqual(
            Set((bad.json["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []), ["positions", "list"])
        let byCoordinator = try await json(
            aarhus, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"country","country":"dk","positions":["committee_chair"]}"#)
        XCTAssertEqual(byCoordinator.status, .forbidden)
        let sent = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"country","country":"dk","positions":["committee_chair","administration"]}"#)
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        XCTAssertEqual(sent.json["municipalities"] as? Int, 98)
        XCTAssertEqual(
            sent.json["recipients"] as? Int, 6, "two in the positions and the coordinator, in Aarhus and Odense")
        XCTAssertEqual(sent.json["reached"] as? Int, 2)
        XCTAssertEqual((sent.json["withoutRecipient"] as? [String])?.count, 96)
        let invitations = try await Invitation.query(on: app.db).count()
        XCTAssertEqual(invitations, 98)
        let mail = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "committee_chair@aarhus.dk").first()
        XCTAssertEqual(mail?.subject, "Invitation: Politisk del 2014")
        XCTAssertTrue(mail?.body.contains("/registration-links/") ?? false, "the personal link")
        XCTAssertTrue(mail?.body.contains("9. maj 2030 kl. 12.00") ?? false, mail?.body ?? "")

        // Odense answers; Aarhus does not. 10 days before the deadline the 14-day reminder is due.
        _ = try await json(odense, .POST, "/api/v1/collaborations/\(slug)/registrations/dk/461/decline")
        let deadline = DateText.parseLocal("2030-05-09T12:00", zone: "Europe/Copenhagen")!
        let before = try await OutboxMessage.query(on: app.db).count()
        let reminded = try await InvitationReminders.sendDue(
            application: app, now: deadline.addingTimeInterval(-10 * 86_400))
        XCTAssertEqual(reminded, 97)
        let after = try await OutboxMessage.query(on: app.db).count()
        XCTAssertEqual(
            after - before, 3, "only Aarhus, its two in the positions and its coordinator, among those not answering")
        let again = try await InvitationReminders.sendDue(
            application: app, now: deadline.addingTimeInterval(-9 * 86_400))
        XCTAssertEqual(again, 0, "each offset is sent once")
        let board = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)/board")
        XCTAssertEqual(
            board.json["summary"] as? String,
            "0 of 98 municipalities registered, 0 waitlisted, 1 declined, 97 not answered, 0 withdrawn.")
    }

    func testPagesInEveryLanguage() async throws {
        let slug = try await politicalTrack(capacity: 12)
        _ = try await json(aarhus, .POST, "/api/v1/collaborations/\(slug)/registrations/dk/751", seats("aarhus"))
        let client = Client(app)
        try await makeUser(app, email: "kim@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        try await client.signIn("kim@kl.dk", "correct horse battery")
        for (language, word) in [("da", "Statusoversigt"), ("sv", "Statusöversikt"), ("en", "Status board")] {
            let board = try await client.get("/collaborations/\(slug)/board", headers: ["Accept-Language": language])
            XCTAssertEqual(board.status, .ok)
            XCTAssertTrue(board.body.string.contains(word), language)
        }
        // The rows, written in Swift: each municipality with its link, status and seats.
        let english = try await client.get("/collaborations/\(slug)/board", headers: ["Accept-Language": "en"])
        let html = english.body.string
        XCTAssertTrue(html.contains(#"<tr class="status-registered"><th scope="row"><a "#), html)
        XCTAssertTrue(html.contains(#"href="/collaborations/\#(slug)/registrations/dk/751">Aarhus</a></th>"#))
        XCTAssertTrue(html.contains(#"<span class="tag status-registered">Registered</span>"#))
        XCTAssertTrue(html.contains("Committee chair: aarhus committee_chair<br>"))
        XCTAssertEqual(html.components(separatedBy: "<tr class=\"status-").count - 1, 1, "one row per municipality")
        let detail = try await client.get("/collaborations/\(slug)", headers: ["Accept-Language": "da"])
        XCTAssertTrue(detail.body.string.contains("<strong>To møder</strong>"))
        XCTAssertTrue(detail.body.string.contains("11 af 12 pladser tilbage"))
        XCTAssertTrue(detail.body.string.contains("9. maj 2030 kl. 12.00"))
        for path in [
            "/collaborations", "/collaborations/new", "/collaborations/\(slug)/edit",
            "/collaborations/\(slug)/invitations",
            "/collaborations/\(slug)/registrations/dk/751", "/collaborations/\(slug)/participants.csv",
        ] {
            let page = try await client.get(path)
            XCTAssertEqual(page.status, .ok, path)
        }
        let aarhusPage = try await send(app, .GET, "/municipalities/dk/751")
        XCTAssertTrue(aarhusPage.body.string.contains("Politisk del 2014"), "a registration is public")
        let odensePage = try await send(app, .GET, "/municipalities/dk/461")
        XCTAssertFalse(odensePage.body.string.contains("Politisk del 2014"))
        XCTAssertFalse(aarhusPage.body.string.contains("aarhus committee_chair"), "visitors see no names")
        let aarhusForMember = try await client.get("/municipalities/dk/751", headers: ["Accept-Language": "en"])
        XCTAssertTrue(
            aarhusForMember.body.string.contains("Committee chair: aarhus committee_chair"),
            "members see who sits in the seats")
        let chair = try await client.get(
            "/people/\(people["aarhus.committee_chair"]!.uuidString)", headers: ["Accept-Language": "sv"])
        XCTAssertTrue(chair.body.string.contains("Deltar i"))
        XCTAssertTrue(chair.body.string.contains("Politisk del 2014"))
        let anonymousPerson = try await send(app, .GET, "/people/\(people["aarhus.committee_chair"]!.uuidString)")
        XCTAssertEqual(anonymousPerson.status, .seeOther, "people are for signed-in members")
        let visitorBoard = try await send(app, .GET, "/collaborations/\(slug)/board")
        XCTAssertEqual(visitorBoard.status, .seeOther, "visitors are sent to sign in")
        let invalid = try await client.post(
            "/collaborations",
            form: ["title": "", "kind": "political_forum", "organiserID": kl.id!.uuidString, "deadline": "tomorrow"])
        XCTAssertEqual(invalid.status, .unprocessableEntity)
        XCTAssertTrue(invalid.body.string.contains("id=\"title-error\""))
        XCTAssertTrue(invalid.body.string.contains("id=\"deadline-error\""))
        let created = try await client.post(
            "/collaborations",
            form: [
                "title": "Økonomi og ressourcestyring", "kind": "professional_collaboration",
                "organiserID": kl.id!.uuidString,
                "deadline": "2030-05-09T12:00", "seat_school_chief": "1", "required_school_chief": "on",
                "priceKind": "per_meeting",
                "priceAmount": "12.500", "priceMeetings": "4", "currency": "DKK", "reminderDays": "14, 3",
            ])
        XCTAssertEqual(created.status, .seeOther, created.body.string)
        XCTAssertEqual(created.headers.first(name: .location), "/collaborations/okonomi-og-ressourcestyring")
        let track = try await Collaboration.query(on: app.db).filter(\.$slug == "okonomi-og-ressourcestyring").first()
        XCTAssertEqual(track?.price, .perMeeting(Money(minorUnits: 1_250_000, currency: .dkk), meetings: 4))
        XCTAssertEqual(track?.seats, [SeatRequirement(position: .schoolChief, count: 1, required: true)])
    }

    func testProgrammesGroupTracksJoinedSeparately() async throws {
        let body =
            #"{"title":"Kommunesamarbejde om folkeskolen 2014","description":"En **politisk del** og faglige "#
            + #"spor.","organiserID":"\#(kl.id!.uuidString)"}"#
        let refused = try await json(aarhus, .POST, "/api/v1/programmes", body)
        XCTAssertEqual(refused.status, .forbidden, "a coordinator organises nothing")
        let anonymous = try await json(nil, .POST, "/api/v1/programmes", body)
        XCTAssertEqual(anonymous.status, .unauthorized)
        let invalid = try await json(
            organiser, .POST, "/api/v1/programmes", #"{"title":"","organiserID":"\#(kl.id!.uuidString)"}"#)
        XCTAssertEqual(invalid.status, .unprocessableEntity)
        XCTAssertEqual((invalid.json["errors"] as? [[String: String]])?.first?["field"], "title")
        let created = try await json(organiser, .POST, "/api/v1/programmes", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        let slug = try XCTUnwrap(created.json["slug"] as? String)
        XCTAssertEqual(slug, "kommunesamarbejde-om-folkeskolen-2014")
        let programmeID = try XCTUnwrap(created.json["id"] as? String)

        // Without a published track the programme is the organiser's alone.
        let hidden = try await json(nil, .GET, "/api/v1/programmes/\(slug)")
        XCTAssertEqual(hidden.status, .notFound)
        let hiddenList = try await json(aarhus, .GET, "/api/v1/programmes")
        XCTAssertEqual((hiddenList.json["items"] as? [Any])?.count, 0)

        let political = try await politicalTrack()
        for (title, price) in [("Økonomi og ressourcestyring", "12500"), ("Kommunikation", "9000")] {
            let track = try await json(
                organiser, .POST, "/api/v1/collaborations",
                """
                {"title":"\(title)","kind":"professional_collaboration","organiserID":"\(kl.id!.uuidString)",
                    "programmeID":"\(programmeID)",
                 "deadline":"2030-05-09T12:00","seats":[{"position":"school_chief","count":1,"required":true}],
                 "priceKind":"per_meeting","priceAmount":"\(price)","priceMeetings":4,"currency":"DKK"}
                """)
            XCTAssertEqual(track.status, .created, track.body.string)
        }
        let unknownProgramme = try await json(
            organiser, .POST, "/api/v1/collaborations",
            #"{"title":"X","kind":"conference","organiserID":"\#(kl.id!.uuidString)","#
                + #""programmeID":"\#(UUID().uuidString)"}"#
        )
        XCTAssertEqual(unknownProgramme.status, .unprocessableEntity)
        // Attach the political track, then open it: the programme becomes public with that one track.
        var edited = try await json(organiser, .GET, "/api/v1/collaborations/\(political)").json
        edited["programmeID"] = programmeID
        edited["deadline"] = "2030-05-09T12:00"
        let attached = try await json(
            organiser, .PUT, "/api/v1/collaborations/\(political)",
            String(data: try JSONSerialization.data(withJSONObject: edited), encoding: .utf8)!)
        XCTAssertEqual(attached.status, .ok, attached.body.string)
        let visible = try await json(nil, .GET, "/api/v1/programmes/\(slug)")
        XCTAssertEqual(visible.status, .ok)
        XCTAssertEqual(
            (visible.json["collaborations"] as? [[String: Any]])?.compactMap { $0["slug"] as? String }, [political],
            "drafts stay hidden")
        let own = try await json(organiser, .GET, "/api/v1/programmes/\(slug)")
        XCTAssertEqual((own.json["collaborations"] as? [Any])?.count, 3)

        let renamed = try await json(
            organiser, .PUT, "/api/v1/programmes/\(slug)", body.replacingOccurrences(of: "2014\"", with: "2014/15\""))
        XCTAssertEqual(renamed.json["title"] as? String, "Kommunesamarbejde om folkeskolen 2014/15")
        let byCoordinator = try await json(aarhus, .PUT, "/api/v1/programmes/\(slug)", body)
        XCTAssertEqual(byCoordinator.status, .forbidden)

        // Aarhus registers for the political track; the programme page shows where Aarhus stands.
        _ = try await json(aarhus, .POST, "/api/v1/collaborations/\(political)/registrations/dk/751", seats("aarhus"))
        let client = Client(app)
        try await makeUser(
            app, email: "kirsten@aarhus.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "751"))])
        try await client.signIn("kirsten@aarhus.dk", "correct horse battery")
        for (language, words) in [
            ("da", ["Dele og spor", "Aarhus: Tilmeldt"]), ("sv", ["Spår", "Aarhus: Anmäld"]),
            ("en", ["Tracks", "Aarhus: Registered"]),
        ] {
            let page = try await client.get("/programmes/\(slug)", headers: ["Accept-Language": language])
            XCTAssertEqual(page.status, .ok, language + page.body.string)
            for word in words { XCTAssertTrue(page.body.string.contains(word), "\(language): \(word)") }
            XCTAssertTrue(page.body.string.contains("<strong>politisk del</strong>"))
        }
        let list = try await send(app, .GET, "/programmes")
        XCTAssertTrue(list.body.string.contains("Kommunesamarbejde om folkeskolen 2014/15"))
        let detail = try await send(app, .GET, "/collaborations/\(political)")
        XCTAssertTrue(detail.body.string.contains("href=\"/programmes/\(slug)\""), "a track names its programme")

        let organiserClient = Client(app)
        try await makeUser(app, email: "kim@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        try await organiserClient.signIn("kim@kl.dk", "correct horse battery")
        let newTrack = try await organiserClient.get("/collaborations/new?programme=\(programmeID)")
        XCTAssertTrue(
            newTrack.body.string.collapsingWhitespace.contains("<option value=\"\(programmeID)\" selected>"),
            "the programme is chosen")
        let badForm = try await organiserClient.post(
            "/programmes", form: ["title": "", "organiserID": kl.id!.uuidString])
        XCTAssertEqual(badForm.status, .unprocessableEntity)
        XCTAssertTrue(badForm.body.string.contains("id=\"title-error\""))
        let goodForm = try await organiserClient.post(
            "/programmes", form: ["title": "Skoleudvikling 2016", "organiserID": kl.id!.uuidString])
        XCTAssertEqual(goodForm.status, .seeOther)
        XCTAssertEqual(goodForm.headers.first(name: .location), "/programmes/skoleudvikling-2016")
        let edit = try await organiserClient.get("/programmes/skoleudvikling-2016/edit")
        XCTAssertEqual(edit.status, .ok)
        let coordinatorEdit = try await client.get("/programmes/\(slug)/edit")
        XCTAssertEqual(coordinatorEdit.status, .forbidden)
    }

    func testPartnersAndAttachedPeople() async throws {
        let slug = try await politicalTrack()
        let foundation = Organisation(name: "Fonden", kind: .foundation, country: .dk)
        try await foundation.create(on: app.db)
        let researcher = Person()
        researcher.name = "Rita Researcher"
        researcher.position = Position.researcher.rawValue
        researcher.organisationID = foundation.id
        researcher.isExample = false
        try await researcher.create(on: app.db)
        let path = "/api/v1/collaborations/\(slug)"

        let byCoordinator = try await json(
            aarhus, .POST, "\(path)/partners", #"{"organisationID":"\#(foundation.id!.uuidString)"}"#)
        XCTAssertEqual(byCoordinator.status, .forbidden)
        let organiserAsPartner = try await json(
            organiser, .POST, "\(path)/partners", #"{"organisationID":"\#(kl.id!.uuidString)"}"#)
        XCTAssertEqual(organiserAsPartner.status, .unprocessableEntity)
        let unknown = try await json(
            organiser, .POST, "\(path)/partners", #"{"organisationID":"\#(UUID().uuidString)"}"#)
        XCTAssertEqual(unknown.status, .unprocessableEntity)
        let added = try await json(
            organiser, .POST, "\(path)/partners", #"{"organisationID":"\#(foundation.id!.uuidString)"}"#)
        XCTAssertEqual(added.status, .created, added.body.string)
        let twice = try await json(
            organiser, .POST, "\(path)/partners", #"{"organisationID":"\#(foundation.id!.uuidString)"}"#)
        XCTAssertEqual(twice.status, .conflict)

        let badRole = try await json(
            organiser, .POST, "\(path)/roles", #"{"personID":"\#(researcher.id!.uuidString)","role":"boss"}"#)
        XCTAssertEqual(badRole.status, .unprocessableEntity)
        XCTAssertEqual((badRole.json["errors"] as? [[String: String]])?.first?["field"], "role")
        let role = try await json(
            organiser, .POST, "\(path)/roles", #"{"personID":"\#(researcher.id!.uuidString)","role":"researcher"}"#)
        XCTAssertEqual(role.status, .created, role.body.string)
        let following = try await json(
            organiser, .POST, "\(path)/roles",
            #"{"personID":"\#(people["aarhus.administration"]!.uuidString)","role":"following_group"}"#)
        XCTAssertEqual(following.status, .created)
        let roleTwice = try await json(
            organiser, .POST, "\(path)/roles", #"{"personID":"\#(researcher.id!.uuidString)","role":"researcher"}"#)
        XCTAssertEqual(roleTwice.status, .conflict)

        // Visitors see partners and how many are attached, not who.
        let public_ = try await json(nil, .GET, "\(path)/members")
        XCTAssertEqual((public_.json["partners"] as? [[String: Any]])?.first?["name"] as? String, "Fonden")
        XCTAssertEqual((public_.json["roleCounts"] as? [String: Int])?["researcher"], 1)
        XCTAssertEqual((public_.json["people"] as? [Any])?.count, 0)
        let page = try await send(app, .GET, "/collaborations/\(slug)")
        XCTAssertTrue(page.body.string.contains("Fonden"))
        XCTAssertFalse(page.body.string.contains("Rita Researcher"))
        let members = try await json(odense, .GET, "\(path)/members")
        let names = (members.json["people"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        XCTAssertEqual(names, ["aarhus administration", "Rita Researcher"])

        let client = Client(app)
        try await makeUser(app, email: "kim@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        try await client.signIn("kim@kl.dk", "correct horse battery")
        for (language, word) in [("da", "Følgegruppe"), ("sv", "Referensgrupp"), ("en", "Following group")] {
            let manage = try await client.get("/collaborations/\(slug)/members", headers: ["Accept-Language": language])
            XCTAssertEqual(manage.status, .ok)
            XCTAssertTrue(manage.body.string.contains(word), language)
        }
        let detail = try await client.get("/collaborations/\(slug)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(detail.body.string.contains("Rita Researcher"), "members see the names")
        let researcherPage = try await client.get(
            "/people/\(researcher.id!.uuidString)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(researcherPage.body.string.contains("Researchers"))
        let formTwice = try await client.post(
            "/collaborations/\(slug)/roles", form: ["personID": researcher.id!.uuidString, "role": "researcher"])
        XCTAssertEqual(formTwice.status, .conflict)
        XCTAssertTrue(formTwice.body.string.contains("Rita Researcher already has this role"))
        let coordinatorPage = try await send(app, .GET, "/collaborations/\(slug)/members", headers: bearer(aarhus))
        XCTAssertEqual(coordinatorPage.status, .forbidden)

        let roleID = try XCTUnwrap(
            (members.json["people"] as? [[String: Any]])?.first { $0["name"] as? String == "Rita Researcher" }?["id"]
                as? String)
        let removedByOther = try await json(aarhus, .DELETE, "\(path)/roles/\(roleID)")
        XCTAssertEqual(removedByOther.status, .forbidden)
        let removed = try await json(organiser, .DELETE, "\(path)/roles/\(roleID)")
        XCTAssertEqual(removed.status, .noContent)
        let removedAgain = try await json(organiser, .DELETE, "\(path)/roles/\(roleID)")
        XCTAssertEqual(removedAgain.status, .notFound)
        let partnerRemoved = try await json(organiser, .DELETE, "\(path)/partners/\(foundation.id!.uuidString)")
        XCTAssertEqual(partnerRemoved.status, .noContent)
        let audit = try await AuditEntry.query(on: app.db).filter(
            \.$action ~~ [
                "collaboration:partner_add", "collaboration:role_add", "collaboration:role_remove",
                "collaboration:partner_remove",
            ]
        ).count()
        XCTAssertEqual(audit, 5)
    }

    /// The invited person registers through the personal link in the e-mail, without an account,
    /// and adds a missing person on the spot; the link answers for that municipality only.
    func testInvitationLinkRegistersWithoutAnAccount() async throws {
        let slug = try await politicalTrack()
        let sent = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"list","list":"dk/751, dk/461","positions":["administration"]}"#)
        XCTAssertEqual(sent.json["recipients"] as? Int, 4, "the administration and the coordinator of each")
        let mail = try await OutboxMessage.query(on: app.db).filter(\.$recipient == "administration@aarhus.dk").first()
        let body = try XCTUnwrap(mail?.body)
        let start = try XCTUnwrap(body.range(of: "http://127.0.0.1:8080"))
        let link = String(body[start.upperBound...].prefix { !$0.isWhitespace })
        XCTAssertTrue(
            link.hasPrefix("/registration-links/"), "the key in the path, out of access logs' queries: \(link)")
        let key = String(link.split(separator: "/").last!)
        XCTAssertEqual(RequestLog.redacted(link), "/registration-links/…")
        let stored = try await InvitationLink.query(on: app.db).all()
        XCTAssertEqual(stored.count, 4)
        XCTAssertFalse(stored.contains { $0.tokenHash == key }, "only the hash is kept")

        let invited = Client(app)
        let wrongMunicipality = try await invited.get("/collaborations/\(slug)/registrations/dk/461?key=\(key)")
        XCTAssertEqual(wrongMunicipality.status, .notFound)
        let forged = try await invited.get(
            "/collaborations/\(slug)/registrations/dk/751?key=not-a-key", headers: ["Accept-Language": "da"])
        XCTAssertEqual(forged.status, .notFound)
        XCTAssertTrue(forged.body.string.contains("Dette invitationslink er ugyldigt eller udløbet"))
        let opened = try await invited.get(link)
        XCTAssertEqual(opened.status, .seeOther)
        XCTAssertEqual(
            opened.headers.first(name: .location), "/collaborations/\(slug)/registrations/dk/751",
            "the key leaves the address")
        do { let r = try await Client(app).get("/registration-links/not-a-key"); XCTAssertEqual(r.status, .notFound) }
        // A link mailed before the key moved into the path still opens.
        do {
            let r = try await Client(app).get("/collaborations/\(slug)/registrations/dk/751?key=\(key)")
            XCTAssertEqual(r.headers.first(name: .location), "/collaborations/\(slug)/registrations/dk/751")
        }
        let page = try await invited.get(
            "/collaborations/\(slug)/registrations/dk/751", headers: ["Accept-Language": "en"])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("You answer for Aarhus through the personal link"))
        let odensePage = try await invited.get("/collaborations/\(slug)/registrations/dk/461")
        XCTAssertEqual(odensePage.status, .seeOther, "the pass is for Aarhus only: sign in")
        XCTAssertTrue(odensePage.headers.first(name: .location)?.hasPrefix("/sign-in") ?? false)

        // Nobody of Aarhus is a committee member yet: add one on the spot, with a bad e-mail first.
        try await Person.query(on: app.db).filter(\.$id == people["aarhus.committee_member"]!).delete()
        let bad = try await invited.post(
            "/collaborations/\(slug)/registrations/dk/751/people",
            form: ["name": "Bo Bak", "position": "committee_member", "email": "bo@"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.string.contains("id=\"email-error\""))
        let elsewhere = try await invited.post(
            "/collaborations/\(slug)/registrations/dk/461/people",
            form: ["name": "Eva", "position": "committee_member"])
        XCTAssertEqual(elsewhere.status, .unauthorized)
        let added = try await invited.post(
            "/collaborations/\(slug)/registrations/dk/751/people",
            form: ["name": "Bo Bak", "position": "committee_member", "email": "bo@aarhus.dk"])
        XCTAssertEqual(added.status, .seeOther, added.body.string)
        let bo = try await Person.query(on: app.db).filter(\.$name == "Bo Bak").first()
        XCTAssertEqual(bo?.municipality, MunicipalityKey(.dk, "751"))

        let registered = try await invited.post(
            "/collaborations/\(slug)/registrations/dk/751",
            form: [
                "seat_committee_chair_0": people["aarhus.committee_chair"]!.uuidString,
                "seat_committee_member_0": bo!.id!.uuidString,
                "seat_administration_0": people["aarhus.administration"]!.uuidString,
            ])
        XCTAssertEqual(registered.status, .seeOther, registered.body.string)
        let registration = try await Registration.query(on: app.db).first()
        XCTAssertEqual(registration?.status, "registered")
        XCTAssertNil(registration?.registeredBy, "no account was needed")
        let board = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)/board")
        XCTAssertEqual((board.json["counts"] as? [String: Int])?["registered"], 1)
        // The pass is no account: the API and other pages still ask for one.
        let people = try await invited.get("/api/v1/people")
        XCTAssertEqual(people.status, .unauthorized)
    }
}
