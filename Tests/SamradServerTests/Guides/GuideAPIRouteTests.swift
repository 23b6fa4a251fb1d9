import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Case 4 through the JSON API (issue 26): the guide written and published, a municipality's
/// session kept and shared, with the pages' rules and errors named as the JSON names its fields.
extension GuideRouteTests {
    func token(_ email: String) async throws -> String {
        let found = try await User.query(on: app.db).filter(\.$email == email).first()
        return try await makeToken(app, for: try XCTUnwrap(found))
    }

    func testGuidesAndLocalDialoguesThroughTheirAPI() async throws {
        let organiser = try await token("konsulent@kl.dk")
        let aarhusToken = try await token("koordinator@aarhus.dk")
        let koldingToken = try await token("koordinator@kolding.dk")
        let odenseToken = try await token("koordinator@odense.dk")
        let guide = """
            {"title":"Drøftelsesguide: skoleudvikling","introduction":"Til udvalgets drøftelse.","language":"da",
             "audience":"collaboration","organisationID":"\(kl.id!.uuidString)",
             "collaborationID":"\(collaboration.id!.uuidString)",
             "sections":[{"title":"Rammen","purpose":"At forstå rammen.","slides":"1-5",
                          "questions":["Hvad kendetegner vores skoler?"]},
                         {"title":"Mål","purpose":"At sætte mål.","slides":"11-12","questions":["Hvilke mål?"]}]}
            """
        let refused = try await sendJSON(app, aarhusToken, .POST, "/api/v1/guides", guide)
        XCTAssertEqual(refused.status, .unprocessableEntity, "a coordinator writes for no organisation")
        XCTAssertEqual(Set(fieldNames(refused)), ["organisationID", "collaborationID"])
        let bad = try await sendJSON(
            app, organiser, .POST, "/api/v1/guides",
            guide.replacingOccurrences(of: #""purpose":"At sætte mål.""#, with: #""purpose":"""#)
                .replacingOccurrences(of: #""1-5""#, with: #""fem""#))
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertEqual(Set(fieldNames(bad)), ["sections.0.slides", "sections.1.purpose"])

        let created = try await sendJSON(app, organiser, .POST, "/api/v1/guides", guide)
        XCTAssertEqual(created.status, .created, created.body.string)
        let id = try XCTUnwrap(created.json["id"] as? String).lowercased()
        XCTAssertEqual(created.json["published"] as? Bool, false)
        XCTAssertEqual((created.json["sections"] as? [[String: Any]])?.first?["slides"] as? String, "1-5")
        let path = "/api/v1/guides/\(id)"
        let unseen = try await sendJSON(app, aarhusToken, .GET, path)
        XCTAssertEqual(unseen.status, .notFound, "a draft guide is its writers'")
        let early = try await sendJSON(
            app, aarhusToken, .POST, path + "/dialogues", #"{"municipality":"dk/751","heldOn":"2027-09-01"}"#)
        XCTAssertEqual(early.status, .notFound)
        let published = try await sendJSON(app, organiser, .POST, path + "/publish")
        XCTAssertEqual(published.json["published"] as? Bool, true, published.body.string)
        let listed = try await sendJSON(app, aarhusToken, .GET, "/api/v1/guides")
        let ids = (listed.json["items"] as? [[String: Any]])?.compactMap { ($0["id"] as? String)?.lowercased() }
        XCTAssertEqual(ids, [id])

        // Aarhus keeps its session; Odense may not keep one for Aarhus, nor see it; Kolding, outside the
        // collaboration, does not see the guide at all.
        let session = """
            {"municipality":"dk/751","heldOn":"2027-09-01","committee":"Børne- og Ungeudvalget",
             "participants":{"politicians":"9 medlemmer","teachers":"2 lærere"},
             "notes":{"s1":"God drøftelse.","s2q1":"Flere elever skal trives."},
             "agreements":[{"kind":"goal","statement":"Flere elever skal have mindst 02.","responsible":"",
                            "followUp":"2028-01-31","indicator":"dk.fp9_exam_grade"}]}
            """
        let forOther = try await sendJSON(app, odenseToken, .POST, path + "/dialogues", session)
        XCTAssertEqual(forOther.status, .forbidden)
        let outside = try await sendJSON(app, koldingToken, .POST, path + "/dialogues", session)
        XCTAssertEqual(outside.status, .notFound)
        let missing = try await sendJSON(app, aarhusToken, .POST, path + "/dialogues", session)
        XCTAssertEqual(missing.status, .unprocessableEntity)
        XCTAssertEqual(fieldNames(missing), ["agreements.0.responsible"])
        let kept = try await sendJSON(
            app, aarhusToken, .POST, path + "/dialogues",
            session.replacingOccurrences(of: #""responsible":"""#, with: #""responsible":"Udvalget""#))
        XCTAssertEqual(kept.status, .created, kept.body.string)
        let dialogue = "/api/v1/dialogues/\(try XCTUnwrap(kept.json["id"] as? String).lowercased())"
        XCTAssertEqual((kept.json["notes"] as? [String: String])?["s2q1"], "Flere elever skal trives.")
        let organiserView = try await sendJSON(app, organiser, .GET, dialogue)
        XCTAssertEqual(organiserView.status, .notFound, "the session is Aarhus's own until shared")
        let odenseView = try await sendJSON(app, odenseToken, .GET, dialogue)
        XCTAssertEqual(odenseView.status, .notFound)
        let changed = try await sendJSON(
            app, aarhusToken, .PUT, dialogue,
            session.replacingOccurrences(of: #""responsible":"""#, with: #""responsible":"Forvaltningen""#))
        let agreements = changed.json["agreements"] as? [[String: Any]]
        XCTAssertEqual(agreements?.first?["responsible"] as? String, "Forvaltningen")
        let shared = try await sendJSON(app, aarhusToken, .POST, dialogue + "/share")
        XCTAssertNotNil(shared.json["sharedAt"] as? String, shared.body.string)
        let results = try await sendJSON(app, organiser, .GET, path + "/dialogues")
        XCTAssertEqual((results.json["items"] as? [Any])?.count, 1, "shared results reach the collaboration")
        let koldingList = try await sendJSON(app, koldingToken, .GET, path + "/dialogues")
        XCTAssertEqual(koldingList.status, .notFound, "Kolding is not in the collaboration")

        let inUse = try await sendJSON(app, organiser, .DELETE, path)
        XCTAssertEqual(inUse.status, .conflict, "a guide municipalities used is unpublished, not deleted")
        let otherDelete = try await sendJSON(app, organiser, .DELETE, dialogue)
        XCTAssertEqual(otherDelete.status, .forbidden, "the organiser reads a shared session, keeps none")
        let deleted = try await sendJSON(app, aarhusToken, .DELETE, dialogue)
        XCTAssertEqual(deleted.status, .noContent)
    }

    func fieldNames(_ response: XCTHTTPResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }
}
