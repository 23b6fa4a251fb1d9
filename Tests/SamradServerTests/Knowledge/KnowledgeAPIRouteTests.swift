import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// The knowledge bank's JSON API (issue 26): an association feeds its own website from it. The
/// same rules as the pages: who sees, writes, edits and takes each editorial step.
extension KnowledgeRouteTests {
    func token(_ email: String) async throws -> String {
        let found = try await User.query(on: app.db).filter(\.$email == email).first()
        let user = try XCTUnwrap(found)
        return try await makeToken(app, for: user)
    }

    func api(
        _ token: String?, _ method: HTTPMethod, _ path: String, _ body: String? = nil
    ) async throws -> XCTHTTPResponse {
        try await sendJSON(app, token, method, path, body)
    }

    func testTheKnowledgeBankThroughItsAPI() async throws {
        let teacher = try await token("larare.stockholm@example.se")
        let kiruna = try await token("larare.kiruna@example.se")
        let editor = try await token("redaktor@skr.se")
        let body = """
            {"kind":"article","title":"Läsfrämjande i årskurs 4","summary":"Hur skolorna läser tillsammans.",
             "body":"## Bakgrund\\n\\nVi läser **högt** varje dag.","themes":["Läsning","Läsning"],
             "gradeBands":["middle"],"authors":["Lärare Stockholm"],"language":"sv","licence":"cc-by-4.0",
             "visibility":"public","municipality":"se/0180","collaborationID":"\(network.id!.uuidString)"}
            """
        let visitor = try await api(nil, .POST, "/api/v1/knowledge", body)
        XCTAssertEqual(visitor.status, .unauthorized)
        let bad = try await api(
            teacher, .POST, "/api/v1/knowledge",
            #"{"kind":"poem","title":"","summary":"x","authors":[],"gradeBands":["nursery"],"language":"sv","#
                + #""licence":"cc-by-4.0","visibility":"public","collaborationID":"\#(UUID().uuidString)"}"#)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        let fields = Set(((bad.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
        XCTAssertEqual(fields, ["kind", "title", "authors", "gradeBands", "collaborationID"], "named as the JSON is")
        let written = try await KnowledgeMaterial.query(on: app.db).count()
        XCTAssertEqual(written, 0, "nothing half written")

        let created = try await api(teacher, .POST, "/api/v1/knowledge", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        let slug = try XCTUnwrap(created.json["slug"] as? String)
        XCTAssertEqual(created.headers.first(name: .location), "/api/v1/knowledge/\(slug)")
        XCTAssertEqual(created.json["status"] as? String, "draft")
        XCTAssertEqual(created.json["themes"] as? [String], ["Läsning"])
        let path = "/api/v1/knowledge/\(slug)"

        // A draft is its author's: not found for anybody else, also the editor.
        for other in [nil, kiruna, editor] {
            let hidden = try await api(other, .GET, path)
            XCTAssertEqual(hidden.status, .notFound)
        }
        let changed = try await api(teacher, .PUT, path, body.replacingOccurrences(of: "årskurs 4", with: "årskurs 5"))
        XCTAssertEqual(changed.json["title"] as? String, "Läsfrämjande i årskurs 5", changed.body.string)
        XCTAssertEqual(changed.json["slug"] as? String, slug, "the address stays")

        let noConsent = try await api(teacher, .POST, path + "/steps/submit")
        XCTAssertEqual(noConsent.status, .unprocessableEntity)
        let consenting = body.replacingOccurrences(of: #""kind""#, with: #""consent":true,"kind""#)
        _ = try await api(teacher, .PUT, path, consenting)
        let submitted = try await api(teacher, .POST, path + "/steps/submit")
        XCTAssertEqual(submitted.json["status"] as? String, "submitted", submitted.body.string)
        let selfPublish = try await api(teacher, .POST, path + "/steps/publish")
        XCTAssertEqual(selfPublish.status, .forbidden, "the author does not publish their own")
        let noNote = try await api(editor, .POST, path + "/steps/request-changes", "{}")
        XCTAssertEqual(noNote.status, .unprocessableEntity)
        let asked = try await api(editor, .POST, path + "/steps/request-changes", #"{"note":"Lägg till en källa."}"#)
        XCTAssertEqual(asked.json["status"] as? String, "changes-requested", asked.body.string)
        let seen = try await api(teacher, .GET, path)
        XCTAssertEqual(seen.json["reviewNote"] as? String, "Lägg till en källa.")
        _ = try await api(teacher, .POST, path + "/steps/submit")
        let published = try await api(editor, .POST, path + "/steps/publish")
        XCTAssertEqual(published.json["status"] as? String, "published", published.body.string)
        XCTAssertNotNil(published.json["publishedAt"] as? String)
        let unknownStep = try await api(editor, .POST, path + "/steps/burn")
        XCTAssertEqual(unknownStep.status, .notFound)

        // Published and public: anybody reads and finds it, without the editor's note.
        let read = try await api(nil, .GET, path)
        XCTAssertEqual(read.status, .ok)
        XCTAssertNil(read.json["reviewNote"] as? String)
        XCTAssertEqual((read.json["attachments"] as? [Any])?.count, 0)
        let found = try await api(nil, .GET, "/api/v1/knowledge?q=l%C3%A4ser&theme=L%C3%A4sning")
        XCTAssertEqual(found.status, .ok, found.body.string)
        XCTAssertEqual((found.json["items"] as? [[String: Any]])?.compactMap { $0["slug"] as? String }, [slug])
        XCTAssertEqual(found.json["total"] as? Int, 1)
        let elsewhere = try await api(nil, .GET, "/api/v1/knowledge?country=dk")
        XCTAssertEqual((elsewhere.json["items"] as? [Any])?.count, 0)

        let byOther = try await api(kiruna, .PUT, path, body)
        XCTAssertEqual(byOther.status, .forbidden, "a teacher of another municipality changes nothing")
        let authorDelete = try await api(teacher, .DELETE, path)
        XCTAssertEqual(authorDelete.status, .forbidden, "a published material is not its author's to delete")
        let editorDelete = try await api(editor, .DELETE, path)
        XCTAssertEqual(editorDelete.status, .noContent)
        let gone = try await api(nil, .GET, path)
        XCTAssertEqual(gone.status, .notFound)
    }
}
