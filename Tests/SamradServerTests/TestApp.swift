import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import SQLKit
import Vapor
import XCTest
import XCTVapor

/// A configured application on a fresh database: in-memory SQLite, or the PostgreSQL named by
/// SAMRAD_TEST_DATABASE_URL (scripts/test runs the suite once more that way).
/// `sqliteFile` asks for a SQLite file instead of memory, where concurrent writers behave as in
/// production (WAL, two connections that wait for each other).
func makeTestApp(
    outboxDirectory: String? = nil, sqliteFile: String? = nil, indicators: Bool = false,
    publicBaseURL: String = "http://127.0.0.1:8080", sessions: SessionTerms = .standard,
    requiresTwoFactorForRoles: Bool = false, openIDProviders: [OpenIDProvider] = [],
    passwordSignIn: Settings.PasswordSignIn = .everyone
) async throws -> Application {
    let url = ProcessInfo.processInfo.environment["SAMRAD_TEST_DATABASE_URL"]
    let storage: Settings.Storage =
        url.map { .postgres(url: $0) } ?? sqliteFile.map { .sqlite(path: $0) } ?? .sqliteInMemory
    if case .postgres = storage {
        let cleaner = try await Application.make(.testing)
        try SamradApp.configureDatabase(cleaner, storage)
        let sql = cleaner.db.sql
        try await sql.raw("DROP SCHEMA public CASCADE").run()
        try await sql.raw("CREATE SCHEMA public").run()
        try await cleaner.asyncShutdown()
    }
    let app = try await Application.make(.testing)
    let settings = Settings(
        storage: storage, publicBaseURL: publicBaseURL,
        outboxDirectory: outboxDirectory ?? NSTemporaryDirectory() + "samrad-outbox-\(UUID().uuidString)",
        runsScheduledWork: false, loadsIndicatorData: indicators, bcryptCost: 4, sessions: sessions,
        requiresTwoFactorForRoles: requiresTwoFactorForRoles, openIDProviders: openIDProviders,
        passwordSignIn: passwordSignIn)
    do {
        try await SamradApp.configure(app, settings)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    return app
}

/// A browser-like client: keeps cookies and sends the CSRF token with forms.
final class Client: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]

    init(_ app: Application) { self.app = app }

    var csrf: String { cookies["samrad_csrf"] ?? cookies["__Host-samrad_csrf"] ?? "" }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> XCTHTTPResponse {
        try await send(.GET, path, headers: headers)
    }

    @discardableResult
    func post(
        _ path: String, form: [String: String], withCSRF: Bool = true, headers extra: HTTPHeaders = [:]
    ) async throws -> XCTHTTPResponse {
        if csrf.isEmpty { try await get("/") }
        var fields = form
        if withCSRF { fields["_csrf"] = csrf }
        let body = fields.map { "\($0.key.urlEncoded)=\($0.value.urlEncoded)" }.joined(separator: "&")
        var headers = extra
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// A form with one file, as a browser sends it (multipart, with the CSRF token).
    @discardableResult
    func upload(
        _ path: String, fields: [String: String], file: (name: String, data: Data),
        token: String? = nil
    ) async throws -> XCTHTTPResponse {
        if cookies["samrad_csrf"] == nil { try await get("/") }
        let boundary = "samrad-test-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields.merging(["_csrf": token ?? csrf], uniquingKeysWith: { a, _ in a }) {
            body.append(
                Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(
            Data(
                ("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; "
                    + "filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n")
                    .utf8))
        body.append(file.data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(data: body))
    }

    func send(
        _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil
    ) async throws -> XCTHTTPResponse {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let response = try await app.testable().sendRequest(method, path, headers: headers, body: body)
        for value in response.headers[.setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 {
                let (name, cookie) = (String(pair[0]), String(pair[1]))
                if cookie.isEmpty || value.contains("Expires=Thu, 01 Jan 1970") {
                    cookies[name] = nil
                } else {
                    cookies[name] = cookie
                }
            }
        }
        return response
    }

    func signIn(_ email: String, _ password: String) async throws {
        let response = try await post("/sign-in", form: ["email": email, "password": password])
        XCTAssertEqual(response.status, .seeOther, "sign-in failed: \(response.body.string.prefix(300))")
    }
}

extension String {
    var urlEncoded: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? self }
}

/// Creates an account with roles directly, as an administrator's invitation would end.
@discardableResult
func makeUser(
    _ app: Application, email: String, password: String = "correct horse battery", grants: [RoleGrant] = [],
    personID: UUID? = nil
) async throws -> User {
    let user = User(
        email: email, name: email.components(separatedBy: "@")[0].capitalized,
        passwordHash: try app.password.hash(password))
    user.personID = personID
    try await user.create(on: app.db)
    for grant in grants { try await RoleAssignment(userID: user.requireID(), grant: grant).create(on: app.db) }
    return user
}

/// Creates a personal access token and returns its secret.
func makeToken(_ app: Application, for user: User) async throws -> String {
    let secret = "smr_" + Secret.make()
    try await AccessToken(
        userID: user.requireID(), name: "test", tokenHash: Secret.hash(secret), prefix: String(secret.prefix(10))
    ).create(on: app.db)
    return secret
}

func bearer(_ token: String, json: Bool = false) -> HTTPHeaders {
    var headers = HTTPHeaders()
    headers.bearerAuthorization = BearerAuthorization(token: token)
    if json { headers.contentType = .json }
    return headers
}

extension XCTHTTPResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
    var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [[String: Any]] ?? []
    }
}

func send(
    _ app: Application, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil
) async throws -> XCTHTTPResponse {
    try await app.testable().sendRequest(method, path, headers: headers, body: body)
}

/// A JSON request with a bearer token (or none, as a visitor).
func sendJSON(
    _ app: Application, _ token: String?, _ method: HTTPMethod, _ path: String, _ body: String? = nil
) async throws -> XCTHTTPResponse {
    var headers = HTTPHeaders()
    if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
    if body != nil { headers.contentType = .json }
    return try await send(app, method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
}

/// M4 and H3 for one upload route: a 2 MB file passes the size check and one over the route's own
/// limit (`limitMB`, as its message says) is refused with its message (413); a form whose token
/// does not match is refused (403); a visitor, even with a self-made CSRF cookie, is turned away as
/// not signed in or not found (not for the token, which would mean the body had been read first).
func checkUploadLimits(
    _ app: Application, _ client: Client, _ path: String, fields: [String: String] = [:], name: String,
    head: String, limitMB: Int, file: StaticString = #filePath, line: UInt = #line
) async throws {
    func padded(_ bytes: Int) -> Data {
        var data = Data(head.utf8)
        data.append(Data(repeating: 0x20, count: bytes - data.count))
        return data
    }
    let small = try await client.upload(path, fields: fields, file: (name, padded(2_000_000)))
    XCTAssertTrue(
        small.status.code < 400 || small.status == .unprocessableEntity, "2 MB: \(small.status)", file: file, line: line
    )
    let big = try await client.upload(path, fields: fields, file: (name, padded((limitMB + 2) * 1_000_000)))
    XCTAssertEqual(big.status, .payloadTooLarge, file: file, line: line)
    XCTAssertTrue(big.body.string.contains("larger than \(limitMB) MB"), big.body.string, file: file, line: line)
    let forged = try await client.upload(
        path, fields: fields, file: (name, padded(1000)), token: String(repeating: "x", count: 43))
    XCTAssertEqual(forged.status, .forbidden, "a wrong CSRF token", file: file, line: line)
    let visitor = Client(app)
    visitor.cookies["samrad_csrf"] = String(repeating: "a", count: 43)
    let refused = try await visitor.upload(path, fields: fields, file: (name, padded(2_000_000)))
    XCTAssertTrue(
        [.unauthorized, .seeOther, .notFound].contains(refused.status), "visitor: \(refused.status)", file: file,
        line: line)
}

extension String {
    /// The page with each run of whitespace as one space, as a browser reads it: templates break
    /// long lines between attributes and elements.
    var collapsingWhitespace: String {
        replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
    }
}

/// An open standing network that SKR organises, with Swedish municipalities registered in the order given;
/// the fixture of the meeting and questionnaire tests (case 5's network).
struct TestNetwork {
    let skr: Organisation
    let organiser: String
    let collaboration: Collaboration
    let registrations: [Registration]
}

func makeNetwork(_ app: Application, registered codes: [String], description: String) async throws -> TestNetwork {
    let skr = Organisation(name: "SKR", kind: .association, country: .se)
    try await skr.create(on: app.db)
    let organiser = try await makeToken(
        app,
        for: try await makeUser(
            app, email: "samordnare@skr.se", grants: [RoleGrant(kind: .organiser, organisationID: skr.id)]))
    let body = """
        {"title":"Nätverk för skolutveckling","description":"\(description)","kind":"standing_network",
         "organiserID":"\(skr.id!.uuidString)","timeZone":"Europe/Stockholm","periodStart":"2027-01-01",
         "periodEnd":"2029-12-31","deadline":"2030-06-01T12:00","seats":[],"priceKind":"free"}
        """
    let created = try await sendJSON(app, organiser, .POST, "/api/v1/collaborations", body)
    XCTAssertEqual(created.status, .created, created.body.string)
    let slug = try XCTUnwrap(created.json["slug"] as? String)
    let opened = try await sendJSON(
        app, organiser, .POST, "/api/v1/collaborations/\(slug)/status", #"{"status":"open"}"#)
    XCTAssertEqual(opened.status, .ok, opened.body.string)
    let found = try await Collaboration.query(on: app.db).filter(\.$slug == slug).first()
    let collaboration = try XCTUnwrap(found)
    var registrations: [Registration] = []
    for (index, code) in codes.enumerated() {
        let registration = Registration()
        registration.collaborationID = collaboration.id!
        registration.municipalityCountry = "se"
        registration.municipalityCode = code
        registration.status = RegistrationStatus.registered.rawValue
        registration.sequence = index + 1
        try await registration.create(on: app.db)
        registrations.append(registration)
    }
    return TestNetwork(skr: skr, organiser: organiser, collaboration: collaboration, registrations: registrations)
}

/// A form with one file, as an API client sends it (multipart, with a bearer token).
func sendMultipart(
    _ app: Application, _ token: String?, _ path: String, fields: [String: String], file: (String, Data)
) async throws -> XCTHTTPResponse {
    let boundary = "samrad-test-\(UUID().uuidString)"
    var body = Data()
    for (name, value) in fields {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }
    body.append(
        Data(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; "
                + "filename=\"\(file.0)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .utf8))
    body.append(file.1)
    body.append(Data("\r\n--\(boundary)--\r\n".utf8))
    var headers = token.map { bearer($0) } ?? HTTPHeaders()
    headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
    return try await send(app, .POST, path, headers: headers, body: ByteBuffer(data: body))
}
