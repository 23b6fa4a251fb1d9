import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Every route, called as every kind of person, compared with the rules the policies state. The
/// routes come from the application itself, so a new route is checked from the day it is added:
/// - nobody ever gets a server error, whatever the route and however empty the request;
/// - a visitor changes nothing, except through the public forms listed here;
/// - the administration is the administrators';
/// - what belongs to organisation A's collaboration (its meetings, questionnaires, registrations,
///   newsletters) is changed by A's organisers and the administrators, not by another organisation's
///   organiser, another municipality's coordinator or a person without roles;
/// - A's organiser and the administrators are let in where the rules allow them.
final class AuthorizationMatrixTests: XCTestCase {
    var app: Application!
    var tokens: [Role: String] = [:]
    var slug = "", meetingID = "", questionnaireID = "", organisationID = ""
    var itemID = "", commitmentID = "", personID = "", coordinatorUserID = "", programmeSlug = "", coordinatorRoleID = ""

    enum Role: String, CaseIterable {
        case visitor, plain, memberElsewhere, coordinatorElsewhere, organiserElsewhere, organiser, administrator, coordinator
    }

    /// Route parameters this test fills with an object it made (or a value of its kind).
    static let seeded: Set<String> = [":slug", ":meeting", ":questionnaire", ":country", ":code", ":organisation", ":organisationID",
                                      ":token", ":key", ":item", ":commitment", ":person", ":id", ":role"]
    /// Parameters of objects it does not make yet: those routes are called with ids that name
    /// nothing (the review's M2 asks for one object of every kind). A parameter in neither list
    /// fails the test, so a new kind of object is looked at the day its route is added.
    static let unseeded: Set<String> = [":guide", ":section", ":material", ":goal", ":upload", ":step",
                                        ":roleID", ":indicator", ":attachment", ":newsletter", ":import", ":dialogue",
                                        ":collaboration"]

    /// Reads that are a municipality's own (dk/101 here): never for another municipality's people.
    static let municipalitysOwnReads: Set<String> = [
        "GET /municipalities/:country/:code/dialogues", "GET /municipalities/:country/:code/access",
        "GET /municipalities/:country/:code/export.zip", "GET /api/v1/municipalities/:country/:code/roles",
    ]

    /// Posted without a CSRF token by a signed-in person, only these are taken (a mail program's
    /// one-click unsubscribe, whose link is its own authority).
    static let csrfExempt: Set<String> = ["POST /newsletters/unsubscribe/:token"]


    static func email(_ role: Role) -> String { "\(role.rawValue.lowercased())@example.dk" }

    /// What a municipality answers is its own: its coordinator submits it, nobody on its behalf.
    static func isMunicipalitysOwn(_ pattern: String) -> Bool {
        pattern.contains("/responses/:country/:code") || pattern.contains("/answer/:country/:code")
    }

    /// Changes a visitor may make: signing in and out, and what a secret link in an e-mail allows.
    static let publicChanges: Set<String> = [
        "POST /sign-in", "POST /sign-out", "POST /password/forgot", "POST /password/reset/:token", "POST /setup/:token",
        "POST /invitations/:token", "POST /answer/:token", "POST /answer/:token/reopen", "POST /newsletters/unsubscribe/:token",
    ]

    /// Changes any signed-in person may make on their own behalf.
    static let ownChanges: Set<String> = [
        "POST /profile", "POST /profile/tokens", "POST /profile/tokens/:id/revoke", "POST /profile/newsletters/:collaboration",
        "POST /me/calendar-feed", "POST /knowledge", "POST /meetings/:meeting/register",
    ]

    override func setUp() async throws {
        app = try await makeTestApp()
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let other = Organisation(name: "SKR", kind: .association, country: .se)
        try await other.create(on: app.db)
        organisationID = kl.id!.uuidString
        let grants: [Role: [RoleGrant]] = [
            .plain: [], .coordinatorElsewhere: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "147"))],
            .memberElsewhere: [RoleGrant(kind: .member, municipality: MunicipalityKey(.dk, "147"))],
            .organiserElsewhere: [RoleGrant(kind: .organiser, organisationID: other.id)], .organiser: [RoleGrant(kind: .organiser, organisationID: kl.id)],
            .administrator: [RoleGrant(kind: .administrator)], .coordinator: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "101"))],
        ]
        for (role, grant) in grants {
            let user = try await makeUser(app, email: Self.email(role), grants: grant)
            tokens[role] = try await makeToken(app, for: user)
            if role == .coordinator { coordinatorUserID = user.id!.uuidString.lowercased() }
        }
        let organiser = tokens[.organiser]!
        let created = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations", """
            {"title":"Skoleudvikling i samarbejde","kind":"standing_network","organiserID":"\(organisationID)","timeZone":"Europe/Copenhagen",
             "deadline":"2099-06-01T12:00","seats":[],"priceKind":"free"}
            """)
        XCTAssertEqual(created.status, .created, created.body.string)
        slug = created.json["slug"] as! String
        _ = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
        _ = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations/\(slug)/registrations/dk/101", #"{"seats":[]}"#)
        let meeting = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations/\(slug)/meetings", """
            {"title":"Netværksmøde","kind":"meeting","startsAt":"2099-03-01T10:00","endsAt":"2099-03-01T15:00","venueName":"Aarhus"}
            """)
        XCTAssertEqual(meeting.status, .created, meeting.body.string)
        meetingID = ((meeting.json["meeting"] as? [String: Any])?["id"] as? String ?? "").lowercased()
        let questionnaire = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations/\(slug)/questionnaires", """
            {"title":"Status","audience":"registered","closesAt":"2099-05-01T23:59","form":{"sections":[{"key":"s","title":{"da":"Status"},
             "questions":[{"key":"plan","kind":"yes_no","text":{"da":"Har I en plan?"}}]}]}}
            """)
        XCTAssertEqual(questionnaire.status, .created, questionnaire.body.string)
        questionnaireID = (questionnaire.json["id"] as! String).lowercased()
        XCTAssertFalse(meetingID.isEmpty)
        // More kinds of object, so their routes reach their policies: an agenda item, a commitment
        // and a person of Copenhagen.
        let agenda = try await sendJSON(app, organiser, .PUT, "/api/v1/meetings/\(meetingID)/agenda",
                                        #"{"items":[{"title":"Velkommen","durationMinutes":15}]}"#)
        XCTAssertEqual(agenda.status, .ok, agenda.body.string)
        itemID = ((agenda.json["agenda"] as? [[String: Any]])?.first?["id"] as? String ?? "").lowercased()
        let commitment = try await sendJSON(app, organiser, .POST, "/api/v1/meetings/\(meetingID)/commitments",
                                            #"{"text":"Prøve exit tickets","owner":"Skolechefen","municipality":"dk/101"}"#)
        XCTAssertEqual(commitment.status, .created, commitment.body.string)
        commitmentID = (commitment.json["id"] as? String ?? "").lowercased()
        let person = try await sendJSON(app, tokens[.coordinator], .POST, "/api/v1/people",
                                        #"{"name":"Lærer København","position":"teacher","municipality":"dk/101","email":"laerer@kk.dk"}"#)
        XCTAssertEqual(person.status, .created, person.body.string)
        personID = (person.json["id"] as? String ?? "").lowercased()
        let programme = try await sendJSON(app, organiser, .POST, "/api/v1/programmes",
                                           #"{"title":"Folkeskolereformen","organiserID":"\#(organisationID)"}"#)
        XCTAssertEqual(programme.status, .created, programme.body.string)
        programmeSlug = programme.json["slug"] as? String ?? ""
        // Copenhagen's coordinator's role: its removal is the administrators' (and never another's).
        let role = try await RoleAssignment.query(on: app.db).filter(\.$kind == RoleKind.coordinator.rawValue)
            .filter(\.$municipalityCode == "101").first()
        coordinatorRoleID = role?.id?.uuidString.lowercased() ?? ""
        XCTAssertFalse(itemID.isEmpty || commitmentID.isEmpty || personID.isEmpty || programmeSlug.isEmpty || coordinatorRoleID.isEmpty)
    }

    override func tearDown() async throws { try await app.asyncShutdown() }

    struct Route { var method: HTTPMethod; var pattern: String; var path: String }

    /// The application's routes with their parameters filled from the collaboration above; other
    /// parameters get values that name nothing.
    func routes() -> [Route] {
        app.routes.all.map { route in
            let path = route.path.map { component -> String in
                switch component.description {
                case ":slug" where route.path.contains("programmes"): programmeSlug
                case ":slug": slug
                case ":role": coordinatorRoleID
                case ":meeting": meetingID
                case ":questionnaire": questionnaireID
                case ":country": "dk"
                case ":code": "101"
                case ":organisation", ":organisationID": organisationID
                case ":token": "not-a-valid-token-at-all-0000000000"
                case ":item": itemID
                case ":commitment": commitmentID
                case ":person": personID
                case ":id" where route.path.contains("people"): personID
                case ":id" where route.path.contains("organisations"): organisationID
                case ":id" where route.path.contains("accounts"): coordinatorUserID
                case ":key", ":section", ":step", ":indicator": "x"
                case let other where other.hasPrefix(":"): UUID().uuidString.lowercased()
                default: component.description
                }
            }
            return Route(method: route.method, pattern: route.method.rawValue + " /" + route.path.map(\.description).joined(separator: "/"),
                         path: "/" + path.joined(separator: "/"))
        }
        .sorted { ($0.path.hasSuffix("delete") || $0.method == .DELETE ? 1 : 0, $0.pattern) < ($1.path.hasSuffix("delete") || $1.method == .DELETE ? 1 : 0, $1.pattern) }
    }

    /// A page form with a session's CSRF token, or an API call with the role's bearer token.
    func call(_ route: Route, as role: Role, clients: inout [Role: Client]) async throws -> XCTHTTPResponse {
        if route.path.hasPrefix("/api/") {
            let body: String? = route.method == .GET || route.method == .DELETE ? nil : "{}"
            return try await sendJSON(app, tokens[role], route.method, route.path, body)
        }
        if clients[role] == nil {
            let client = Client(app)
            if role != .visitor { try await client.signIn(Self.email(role), "correct horse battery") }
            clients[role] = client
        }
        let client = clients[role]!
        if route.method == .GET { return try await client.get(route.path) }
        if route.method == .POST { return try await client.post(route.path, form: [:]) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: "X-CSRF-Token", value: client.csrf)
        return try await client.send(route.method, route.path, headers: headers)
    }

    func refused(_ response: XCTHTTPResponse) -> Bool {
        [.unauthorized, .forbidden, .notFound].contains(response.status)
            || (response.status == .seeOther && (response.headers.first(name: .location) ?? "").hasPrefix("/sign-in"))
    }

    func testEveryRouteAsEveryRole() async throws {
        var clients: [Role: Client] = [:]
        let routes = routes()
        XCTAssertGreaterThan(routes.count, 250)
        var problems: [String] = []
        let owned = [":slug", ":meeting", ":questionnaire", ":newsletter"]
        let outsiders: [Role] = [.plain, .memberElsewhere, .coordinatorElsewhere, .organiserElsewhere]
        for route in app.routes.all {
            for component in route.path.map(\.description) where component.hasPrefix(":") {
                if !Self.seeded.contains(component) && !Self.unseeded.contains(component) {
                    problems.append("\(route.method.rawValue) /\(route.path.map(\.description).joined(separator: "/")): parameter \(component) is not filled")
                }
            }
        }
        // Those who may not: first, while everything is still there.
        for route in routes {
            for role in [Role.visitor] + outsiders {
                // Signing out ends the client's session; the next call would be a visitor's.
                if route.pattern == "POST /sign-out" && role != .visitor { continue }
                let response = try await call(route, as: role, clients: &clients)
                if response.status.code >= 500 { problems.append("\(route.pattern) as \(role): \(response.status.code)") }
                guard route.method != .GET else {
                    if route.pattern.contains("/admin/") || route.pattern.hasSuffix("/audit"), !refused(response) {
                        problems.append("\(route.pattern) as \(role) read the administration: \(response.status.code)")
                    }
                    if Self.municipalitysOwnReads.contains(route.pattern), !refused(response) {
                        problems.append("\(route.pattern) as \(role) read Copenhagen's own: \(response.status.code)")
                    }
                    continue
                }
                if role != .visitor, route.pattern.contains("people/:id"), !refused(response) {
                    problems.append("\(route.pattern) as \(role) changed a person of Copenhagen: \(response.status.code)")
                }
                if role != .visitor, route.pattern.contains("/municipalities/:country/:code/"), !refused(response) {
                    problems.append("\(route.pattern) as \(role) changed Copenhagen's own: \(response.status.code) \(response.body.string.prefix(120))")
                }
                if role == .visitor, !Self.publicChanges.contains(route.pattern), !refused(response) {
                    problems.append("\(route.pattern) as a visitor: \(response.status.code) \(response.body.string.prefix(120))")
                }
                if role != .visitor, owned.contains(where: route.pattern.contains), !Self.ownChanges.contains(route.pattern), !refused(response) {
                    problems.append("\(route.pattern) as \(role) on organisation A's collaboration: \(response.status.code) \(response.body.string.prefix(120))")
                }
                if role != .visitor, route.pattern.contains("/admin/"), !refused(response) {
                    problems.append("\(route.pattern) as \(role) changed the administration: \(response.status.code)")
                }
            }
        }
        // Those who may: A's organiser and the administrators are not turned away.
        for route in routes where route.method != .GET && owned.contains(where: route.pattern.contains) {
            for role in Self.isMunicipalitysOwn(route.pattern) ? [Role.coordinator] : [Role.organiser, .administrator] {
                let response = try await call(route, as: role, clients: &clients)
                if response.status.code >= 500 { problems.append("\(route.pattern) as \(role): \(response.status.code)") }
                if [.unauthorized, .forbidden].contains(response.status) {
                    problems.append("\(route.pattern) as \(role) was refused: \(response.status.code) \(response.body.string.prefix(120))")
                }
            }
        }
        XCTAssertTrue(problems.isEmpty, "\(problems.count) problems:\n" + problems.joined(separator: "\n"))
    }

    /// Every change a signed-in person could make through a form or a session's API call needs the
    /// CSRF token: without it, each is refused before anything happens.
    func testEveryChangeWithoutTheCSRFTokenIsRefused() async throws {
        let client = Client(app)
        try await client.signIn(Self.email(.administrator), "correct horse battery")
        var problems: [String] = []
        var checked = 0
        for route in routes() where route.method != .GET && !Self.csrfExempt.contains(route.pattern) && route.pattern != "POST /sign-out" {
            let response: XCTHTTPResponse
            if route.path.hasPrefix("/api/") {
                var headers = HTTPHeaders()
                headers.contentType = .json
                response = try await client.send(route.method, route.path, headers: headers, body: ByteBuffer(string: "{}"))
            } else {
                response = try await client.post(route.path, form: ["name": "x"], withCSRF: false)
            }
            checked += 1
            if response.status != .forbidden { problems.append("\(route.pattern): \(response.status.code) \(response.body.string.prefix(100))") }
        }
        XCTAssertGreaterThan(checked, 150)
        XCTAssertTrue(problems.isEmpty, "\(problems.count) taken without a token:\n" + problems.joined(separator: "\n"))
    }
}
