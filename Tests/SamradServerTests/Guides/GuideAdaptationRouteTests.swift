import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Case 4: "KL, DLF, Skolelederforeningen and BKF" publish the guide together, and a municipality
/// copies it to "put it into your local context".
extension GuideRouteTests {
    func testFourPartiesPublishAGuideAndAMunicipalityAdaptsItsOwnCopy() async throws {
        var parties: [Organisation] = []
        for name in ["DLF", "Skolelederforeningen", "BKF"] {
            let o = Organisation(name: name, kind: .association, country: .dk)
            try await o.create(on: app.db)
            parties.append(o)
        }
        let organiser = try await client("konsulent@kl.dk")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        var form = guideForm
        form["audience"] = "public"
        form["collaboration"] = ""
        form["copublisher_\(UUID().uuidString.lowercased())"] = "on"
        let unknown = try await organiser.post("/guides", form: form, headers: en)
        XCTAssertEqual(unknown.status, .unprocessableEntity, "an organisation that does not exist")
        XCTAssertTrue(unknown.body.string.contains(##"href="#copublishers""##))
        form = form.filter { !$0.key.hasPrefix("copublisher_") }
        for party in parties { form["copublisher_\(party.id!.uuidString.lowercased())"] = "on" }
        // The owner is not its own co-publisher.
        form["copublisher_\(kl.id!.uuidString.lowercased())"] = "on"
        let created = try await organiser.post("/guides", form: form, headers: en)
        XCTAssertEqual(created.status, .seeOther, created.body.string)
        let href = try XCTUnwrap(created.headers.first(name: .location))
        let found = try await DiscussionGuide.query(on: app.db).first()
        let g = try XCTUnwrap(found)
        XCTAssertEqual(Set(g.coPublisherIDs ?? []), Set(parties.map { $0.id! }))
        let edit = try await organiser.get(href + "/edit", headers: en).body.string
        XCTAssertTrue(edit.contains(#"name="copublisher_\#(parties[0].id!.uuidString.lowercased())""#))
        let published = try await organiser.post(href + "/publish", form: [:])
        XCTAssertEqual(published.status, .seeOther)

        let visitor = try await Client(app).get(href, headers: en).body.string
        XCTAssertTrue(visitor.contains("KL with BKF, DLF, Skolelederforeningen"), "named together")
        XCTAssertFalse(visitor.contains("Copy and adapt"), "a visitor adapts nothing")
        let list = try await Client(app).get("/guides", headers: en).body.string
        XCTAssertTrue(list.contains("KL with BKF, DLF, Skolelederforeningen"))

        // Kolding's coordinator copies it: the municipality's own draft, with where it came from.
        let kolding = try await client("koordinator@kolding.dk")
        let page = try await kolding.get(href, headers: en).body.string
        XCTAssertTrue(page.contains("Copy and adapt"))
        let elsewhere = try await kolding.post(href + "/adapt", form: ["municipality": "dk/751"])
        XCTAssertEqual(elsewhere.status, .forbidden, "only for a municipality the coordinator coordinates")
        let nowhere = try await kolding.post(href + "/adapt", form: ["municipality": "dk/9999"])
        XCTAssertEqual(nowhere.status, .unprocessableEntity)
        let adapted = try await kolding.post(href + "/adapt", form: ["municipality": "dk/621"], headers: en)
        XCTAssertEqual(adapted.status, .seeOther, adapted.body.string)
        let editCopy = try XCTUnwrap(adapted.headers.first(name: .location))
        XCTAssertTrue(editCopy.hasSuffix("/edit"))
        let copyHref = String(editCopy.dropLast("/edit".count))
        let madeCopy = try await DiscussionGuide.query(on: app.db).filter(\.$adaptedFromID == g.id!).first()
        let copy = try XCTUnwrap(madeCopy)
        XCTAssertEqual(copy.municipality, MunicipalityKey(.dk, "621"))
        XCTAssertFalse(copy.published)
        XCTAssertNil(copy.organisationID)
        XCTAssertEqual(copy.sections.map(\.title), g.sections.map(\.title))
        XCTAssertEqual(copy.coPublisherIDs ?? [], [])
        let copyPage = try await kolding.get(copyHref, headers: en).body.string
        XCTAssertTrue(copyPage.contains("Adapted from:"))
        XCTAssertTrue(copyPage.contains(#"href="\#(href)""#))
        var adaptedForm = GuidePages.formValues(copy)
        adaptedForm["s1_title"] = "Rammen for drøftelsen i Kolding"
        let changed = try await kolding.post(copyHref, form: adaptedForm)
        XCTAssertEqual(changed.status, .seeOther, changed.body.string)
        let original = try await DiscussionGuide.find(g.id, on: app.db)
        XCTAssertEqual(original?.sections.first?.title, g.sections.first?.title, "the original is unchanged")
        // The draft copy is Kolding's: the organiser of the original does not see it.
        let hidden = try await organiser.get(copyHref)
        XCTAssertEqual(hidden.status, .notFound)

        // Through the API as well; a draft guide cannot be copied.
        let user = try await User.query(on: app.db).filter(\.$email == "koordinator@kolding.dk").first()
        let token = try await makeToken(app, for: try XCTUnwrap(user))
        let viaAPI = try await sendJSON(
            app, token, .POST, "/api/v1/guides/\(g.id!.uuidString.lowercased())/adapt", #"{"municipality":"dk/621"}"#)
        XCTAssertEqual(viaAPI.status, .created, viaAPI.body.string)
        XCTAssertEqual((viaAPI.json["adaptedFromID"] as? String)?.lowercased(), g.id!.uuidString.lowercased())
        let ofDraft = try await sendJSON(
            app, token, .POST, "/api/v1/guides/\(copy.id!.uuidString.lowercased())/adapt",
            #"{"municipality":"dk/621"}"#)
        XCTAssertEqual(ofDraft.status, .forbidden, "a draft is adapted by nobody")
        let shown = try await sendJSON(app, token, .GET, "/api/v1/guides/\(g.id!.uuidString.lowercased())")
        XCTAssertEqual((shown.json["coPublisherIDs"] as? [String])?.count, 3)
    }
}
