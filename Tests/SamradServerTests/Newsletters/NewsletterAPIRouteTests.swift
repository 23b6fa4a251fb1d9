import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Newsletters through the JSON API (issue 26): written, scheduled, cancelled and sent with the
/// pages' rules; the archive is readable as JSON so an association's website can show it.
extension NewsletterRouteTests {
    func token(_ email: String) async throws -> String {
        let found = try await User.query(on: app.db).filter(\.$email == email).first()
        return try await makeToken(app, for: try XCTUnwrap(found))
    }

    func testNewslettersThroughTheirAPI() async throws {
        let organiser = try await token("konsulent@kl.dk")
        let member = try await token("anne.aarhus@example.dk")
        let coordinator = try await token("koordinator@aarhus.dk")
        let list = "/api/v1/collaborations/\(political.slug)/newsletters"
        let body = """
            {"subject":"Nyt fra den politiske del","body":"Kære formand\\n\\nVi ses **27. maj**.","language":"da",
             "archive":"public","audience":{"collaborations":["\(political.id!.uuidString)"],
             "positions":["committee_chair"]}}
            """
        for (token, expected) in [(coordinator, HTTPStatus.forbidden), (member, .forbidden), (nil, .unauthorized)] {
            let refused = try await sendJSON(app, token, .POST, list, body)
            XCTAssertEqual(refused.status, expected, "\(token ?? "visitor")")
        }
        let bad = try await sendJSON(
            app, organiser, .POST, list,
            #"{"subject":"","body":"x","language":"xx","archive":"public","#
                + #""audience":{"collaborations":["\#(UUID().uuidString)"],"positions":["king"]}}"#)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        let fields = Set(((bad.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
        XCTAssertTrue(fields.isSuperset(of: ["subject", "language", "audience.collaborations", "audience.positions"]))

        let created = try await sendJSON(app, organiser, .POST, list, body)
        XCTAssertEqual(created.status, .created, created.body.string)
        let id = try XCTUnwrap(created.json["id"] as? String)
        let path = "/api/v1/newsletters/\(id.lowercased())"
        XCTAssertEqual(created.headers.first(name: .location), path)
        XCTAssertEqual(created.json["status"] as? String, "draft")

        // A draft is its writers': the member does not see it, in the list or by itself.
        let hidden = try await sendJSON(app, member, .GET, path)
        XCTAssertEqual(hidden.status, .notFound)
        let memberList = try await sendJSON(app, member, .GET, list)
        XCTAssertEqual((memberList.json["items"] as? [Any])?.count, 0)

        let changed = try await sendJSON(
            app, organiser, .PUT, path, body.replacingOccurrences(of: "Nyt fra", with: "Nyheder fra"))
        XCTAssertEqual(changed.json["subject"] as? String, "Nyheder fra den politiske del", changed.body.string)
        let past = try await sendJSON(app, organiser, .POST, path + "/send", #"{"at":"2020-01-01T10:00:00Z"}"#)
        XCTAssertEqual(past.status, .unprocessableEntity)
        let later = try await sendJSON(app, organiser, .POST, path + "/send", #"{"at":"2031-01-01T10:00:00Z"}"#)
        XCTAssertEqual(later.json["status"] as? String, "scheduled", later.body.string)
        XCTAssertEqual(later.json["sendAt"] as? String, "2031-01-01T10:00:00Z")
        let cancelled = try await sendJSON(app, organiser, .POST, path + "/cancel")
        XCTAssertEqual(cancelled.json["status"] as? String, "draft")
        let now = try await sendJSON(app, organiser, .POST, path + "/send")
        XCTAssertEqual(now.json["status"] as? String, "scheduled")
        _ = try await NewsletterSending.sendDue(application: app)
        let mails = try await OutboxMessage.query(on: app.db).filter(\.$subject == "Nyheder fra den politiske del")
            .all().map(\.recipient).sorted()
        XCTAssertEqual(mails, ["anne.aarhus@example.dk", "ole.odense@example.dk"], "the chairs, once each")

        // Sent to a public archive: anybody reads it, without its audience; it is changed no more.
        let read = try await sendJSON(app, nil, .GET, path)
        XCTAssertEqual(read.json["status"] as? String, "sent", read.body.string)
        XCTAssertNil(read.json["audience"], "whom it went to is for its writers")
        let archive = try await sendJSON(app, nil, .GET, list)
        XCTAssertEqual((archive.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [id])
        let late = try await sendJSON(app, organiser, .PUT, path, body)
        XCTAssertEqual(late.status, .conflict)
        let deleteSent = try await sendJSON(app, organiser, .DELETE, path)
        XCTAssertEqual(deleteSent.status, .conflict)

        let draft = try await sendJSON(app, organiser, .POST, list, body)
        let draftPath = "/api/v1/newsletters/\(try XCTUnwrap(draft.json["id"] as? String).lowercased())"
        let memberDelete = try await sendJSON(app, member, .DELETE, draftPath)
        XCTAssertEqual(memberDelete.status, .notFound)
        let deleted = try await sendJSON(app, organiser, .DELETE, draftPath)
        XCTAssertEqual(deleted.status, .noContent)
    }
}
