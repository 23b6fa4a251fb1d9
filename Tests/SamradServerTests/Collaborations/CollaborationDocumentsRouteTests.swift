import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// A collaboration carries its own documents (issue 26): the project description for everybody,
/// the agreement for its members; kept by its organisers only.
extension CollaborationRouteTests {
    func testACollaborationsDocumentsArePublicOrForItsMembers() async throws {
        let slug = try await politicalTrack()
        let path = "/api/v1/collaborations/\(slug)/documents"
        let pdf = Data("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)
        let byCoordinator = try await sendMultipart(
            app, aarhus, path, fields: ["kind": "report", "visibility": "public"], file: ("rapport.pdf", pdf))
        XCTAssertEqual(byCoordinator.status, .forbidden, "a coordinator keeps no collaboration's documents")
        let byVisitor = try await sendMultipart(
            app, nil, path, fields: ["kind": "report", "visibility": "public"], file: ("rapport.pdf", pdf))
        XCTAssertEqual(byVisitor.status, .unauthorized)
        let bad = try await sendMultipart(
            app, organiser, path, fields: ["kind": "poem", "visibility": "secret"], file: ("x.pdf", pdf))
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertEqual(Set(fieldNames(bad)), ["kind", "visibility"])
        let fake = try await sendMultipart(
            app, organiser, path, fields: ["kind": "report", "visibility": "public"],
            file: ("rapport.pdf", Data("<script>alert(1)</script>".utf8)))
        XCTAssertEqual(fake.status, .unprocessableEntity, "a PDF in name only")
        let none = try await CollaborationDocument.query(on: app.db).count()
        XCTAssertEqual(none, 0, "nothing half written")

        let description = try await sendMultipart(
            app, organiser, path,
            fields: ["title": "Projektbeskrivelse 2014", "kind": "project_description", "visibility": "public"],
            file: ("projekt.pdf", pdf))
        XCTAssertEqual(description.status, .created, description.body.string)
        let agreement = try await sendMultipart(
            app, organiser, path, fields: ["title": "Samarbejdsaftale", "kind": "agreement", "visibility": "members"],
            file: ("aftale.pdf", pdf))
        XCTAssertEqual(agreement.status, .created, agreement.body.string)
        let agreementHref = try XCTUnwrap(agreement.json["href"] as? String)
        let publicHref = try XCTUnwrap(description.json["href"] as? String)

        // The public reads the project description; the agreement is for members.
        let visitorList = try await json(nil, .GET, path)
        XCTAssertEqual(
            (visitorList.json["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String },
            ["Projektbeskrivelse 2014"])
        let hidden = try await send(app, .GET, agreementHref)
        XCTAssertEqual(hidden.status, .notFound)
        let shown = try await send(app, .GET, publicHref)
        XCTAssertEqual(shown.status, .ok)
        XCTAssertEqual(shown.headers.contentType?.description, "application/pdf")
        let page = try await Client(app).get("/collaborations/\(slug)", headers: ["Accept-Language": "en"])
        XCTAssertTrue(page.body.string.contains("Projektbeskrivelse 2014 (Project description · Everybody"))
        XCTAssertFalse(page.body.string.contains("Samarbejdsaftale"))

        // Aarhus registers and so belongs to the collaboration: its coordinator reads the agreement.
        let registered = try await json(
            aarhus, .POST, "/api/v1/collaborations/\(slug)/registrations/dk/751", seats("aarhus"))
        XCTAssertEqual(registered.status, .created)
        let member = try await send(app, .GET, agreementHref, headers: bearer(aarhus))
        XCTAssertEqual(member.status, .ok)
        XCTAssertEqual(member.headers.first(name: .cacheControl), "private, no-store")
        let outsider = try await send(app, .GET, agreementHref, headers: bearer(odense))
        XCTAssertEqual(outsider.status, .notFound, "Odense has not registered")

        let notTheirs = try await json(aarhus, .DELETE, "/api/v1" + agreementHref)
        XCTAssertEqual(notTheirs.status, .forbidden)
        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let manage = try await web.get("/collaborations/\(slug)/documents", headers: ["Accept-Language": "en"])
        XCTAssertTrue(manage.body.string.contains("Samarbejdsaftale"), manage.body.string)
        let viaPage = try await web.upload(
            "/collaborations/\(slug)/documents", fields: ["kind": "report", "visibility": "members"],
            file: ("rapport.pdf", pdf))
        XCTAssertEqual(viaPage.status, .seeOther, viaPage.body.string)
        let deleted = try await web.post(agreementHref + "/delete", form: [:])
        XCTAssertEqual(deleted.status, .seeOther)
        let remaining = try await CollaborationDocument.query(on: app.db).count()
        XCTAssertEqual(remaining, 2)
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action ~~ "collaboration:document").count()
        XCTAssertEqual(audit, 4, "three added, one deleted")
    }
}
