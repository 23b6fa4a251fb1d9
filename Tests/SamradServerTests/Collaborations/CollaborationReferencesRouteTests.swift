import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// What an association's records refer to (issue 26): the body that owns a collaboration ("KL's
/// children and culture committee") on its page, the case number of the collaboration and the
/// document number of the invitation letter in the registrations' export.
extension CollaborationRouteTests {
    func testTheHostBodyCaseNumberAndInvitationDocumentReachThePageAndTheExport() async throws {
        let tooLong = String(repeating: "9", count: 101)
        let refused = try await json(
            organiser, .POST, "/api/v1/collaborations",
            #"{"title":"Politisk del","kind":"political_forum","organiserID":"\#(kl.id!.uuidString)","#
                + #""timeZone":"Europe/Copenhagen","seats":[],"priceKind":"free","caseNumber":"\#(tooLong)"}"#)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        let fields = (refused.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
        XCTAssertEqual(fields, ["caseNumber"])

        let slug = try await politicalTrack(
            price: #""priceKind":"free","hostBody":"KL's Børne- og Kulturudvalg","caseNumber":"2026-0412""#)
        let shown = try await json(organiser, .GET, "/api/v1/collaborations/\(slug)")
        XCTAssertEqual(shown.json["hostBody"] as? String, "KL's Børne- og Kulturudvalg")
        XCTAssertEqual(shown.json["caseNumber"] as? String, "2026-0412")
        let page = try await Client(app).get("/collaborations/\(slug)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(page.body.string.contains("Owned by"), page.body.string)
        XCTAssertTrue(page.body.string.contains("KL&#39;s Børne- og Kulturudvalg"), "escaped like every text")

        let badDocument = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"list","list":"dk/751","positions":["committee_chair"],"documentNumber":"\#(tooLong)"}"#)
        XCTAssertEqual(badDocument.status, .unprocessableEntity)
        let invitations = try await Invitation.query(on: app.db).count()
        XCTAssertEqual(invitations, 0, "nothing sent, nothing half written")
        let sent = try await json(
            organiser, .POST, "/api/v1/collaborations/\(slug)/invitations",
            #"{"scope":"list","list":"dk/751, dk/461","positions":["committee_chair"],"#
                + #""documentNumber":"2026-0412-17"}"#)
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        let numbers = try await Invitation.query(on: app.db).all().map(\.documentNumber)
        XCTAssertEqual(numbers, ["2026-0412-17", "2026-0412-17"])

        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let csv = try await web.get("/collaborations/\(slug)/registrations.csv").body.string
        let header = try XCTUnwrap(csv.split(whereSeparator: \.isNewline).first)
        XCTAssertTrue(header.hasSuffix("seats,case_number,invitation_document"), String(header))
        XCTAssertTrue(csv.contains(",2026-0412,2026-0412-17"), csv)
        let form = try await web.get("/collaborations/\(slug)/edit").body.string
        XCTAssertTrue(form.contains(#"name="caseNumber" type="text""#) && form.contains(#"value="2026-0412""#))
    }
}
