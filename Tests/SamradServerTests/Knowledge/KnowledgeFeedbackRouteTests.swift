import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Case 2: participants "get feedback on their concrete work" — a researcher attached to the
/// collaboration and a peer comment on a teacher's material; the feedback stays in the collaboration.
extension KnowledgeRouteTests {
    func testFeedbackOnAMaterialStaysWithinItsCollaborationAndTellsTheAuthor() async throws {
        // A researcher attached to the network (by the collaboration's role, with an account of their own).
        let researcher = Person()
        researcher.name = "Forskare Uppsala"
        researcher.email = "forskare@uu.se"
        researcher.position = Position.researcher.rawValue
        researcher.isExample = false
        try await researcher.create(on: app.db)
        let role = CollaborationRole()
        role.collaborationID = network.id!
        role.personID = researcher.id!
        role.role = CollaborationRole.Role.researcher.rawValue
        try await role.create(on: app.db)
        try await makeUser(app, email: "forskare@uu.se", personID: researcher.id)

        let teacher = try await client("larare.stockholm@example.se")
        let href = try await write(teacher, form("Exit tickets i matematik"))
        let feedbackPath = href + "/feedback"
        let draftFeedback = try await teacher.post(feedbackPath, form: ["body": "Till mig själv"])
        XCTAssertEqual(draftFeedback.status, .forbidden, "a draft is not shown to anybody for feedback")
        do { let r = try await step(teacher, href, "submit"); XCTAssertEqual(r.status, .seeOther) }
        let editor = try await client("redaktor@skr.se")
        do { let r = try await step(editor, href, "publish"); XCTAssertEqual(r.status, .seeOther) }

        // The researcher gives feedback; the author is told by e-mail.
        let uu = try await client("forskare@uu.se")
        let empty = try await uu.post(feedbackPath, form: ["body": " "], headers: ["Accept-Language": "en"])
        XCTAssertEqual(empty.status, .unprocessableEntity)
        XCTAssertTrue(empty.body.string.contains(##"href="#feedback-body""##), "the message leads to the field")
        let given = try await uu.post(feedbackPath, form: ["body": "Fint upplägg.\nPröva att samla in två gånger."])
        XCTAssertEqual(given.status, .seeOther, given.body.string)
        let told = try await outbox(to: "larare.stockholm@example.se").filter { $0.subject.hasPrefix("Återkoppling") }
        XCTAssertEqual(told.count, 1)
        XCTAssertTrue(told.first?.body.contains("Pröva att samla in två gånger.") ?? false)

        // The material is public, the feedback is not: a visitor and a teacher outside the network do
        // not see it, nor give any.
        let visitorPage = try await Client(app).get(href).body.string
        XCTAssertTrue(visitorPage.contains("Exit tickets i matematik"))
        XCTAssertFalse(visitorPage.contains("Fint upplägg"))
        let kiruna = try await client("larare.kiruna@example.se")
        let outsiderPage = try await kiruna.get(href).body.string
        XCTAssertFalse(outsiderPage.contains("Fint upplägg"))
        let outsider = try await kiruna.post(feedbackPath, form: ["body": "Hej"])
        XCTAssertEqual(outsider.status, .forbidden)
        let kirunaToken = try await token("larare.kiruna@example.se")
        let apiPath = "/api/v1" + href + "/feedback"
        let hiddenList = try await api(kirunaToken, .GET, apiPath)
        XCTAssertEqual(hiddenList.status, .forbidden)
        let visitorList = try await api(nil, .GET, apiPath)
        XCTAssertEqual(visitorList.status, .unauthorized)

        // The author answers through the API; the researcher is told, the author is not told of their own.
        let authorToken = try await token("larare.stockholm@example.se")
        let answer = try await api(authorToken, .POST, apiPath, #"{"body":"Tack, vi provar i vår."}"#)
        XCTAssertEqual(answer.status, .created, answer.body.string)
        let researcherTold = try await outbox(to: "forskare@uu.se").count
        XCTAssertEqual(researcherTold, 1)
        let authorTold = try await outbox(to: "larare.stockholm@example.se").filter {
            $0.subject.hasPrefix("Återkoppling")
        }.count
        XCTAssertEqual(authorTold, 1, "not told of their own comment")
        let list = try await api(authorToken, .GET, apiPath)
        XCTAssertEqual(
            (list.json["items"] as? [[String: Any]])?.compactMap { $0["author"] as? String },
            ["Forskare", "Larare.Stockholm"])
        let page = try await teacher.get(href).body.string
        XCTAssertTrue(page.contains("Tack, vi provar i vår."))

        // A comment is taken back by its writer or an editor, by nobody else.
        let first = try XCTUnwrap((list.json["items"] as? [[String: Any]])?.first?["id"] as? String)
        let notTheirs = try await api(authorToken, .DELETE, apiPath + "/" + first.lowercased())
        XCTAssertEqual(notTheirs.status, .forbidden)
        let byEditor = try await editor.post("\(href)/feedback/\(first.lowercased())/delete", form: [:])
        XCTAssertEqual(byEditor.status, .seeOther)
        let left = try await MaterialFeedback.query(on: app.db).count()
        XCTAssertEqual(left, 1)
    }
}
