import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

final class ClusterRouteTests: XCTestCase {
    var app: Application!
    var file: String?
    var kl: Organisation!
    var organiser: String!, aarhus: String!, odense: String!
    var slug: String!
    /// 19 municipalities of the capital region and Aarhus: 20, so three clusters of 6-8.
    let codes = [
        "101", "147", "151", "153", "155", "157", "159", "161", "163", "165", "167", "169", "173", "175", "183", "185",
        "187", "190", "201", "751",
    ]

    override func setUp() async throws {
        file = NSTemporaryDirectory() + "samrad-clusters-\(UUID().uuidString).sqlite"
        app = try await makeTestApp(sqliteFile: file)
        kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        try await makeUser(app, email: "consultant@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        organiser = try await makeToken(
            app, for: try await User.query(on: app.db).filter(\.$email == "consultant@kl.dk").first()!)
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
        let body = """
            {"title":"Klynger om læring og trivsel","description":"Case 3","kind":"cluster_programme",
                "organiserID":"\(kl.id!.uuidString)",
             "timeZone":"Europe/Copenhagen","deadline":"2030-06-01T12:00","seats":[],"priceKind":"free"}
            """
        let created = try await json(organiser, .POST, "/api/v1/collaborations", body)
        XCTAssertEqual(created.status, .created, created.body.string)
        slug = created.json["slug"] as? String
        let opened = try await json(organiser, .POST, "/api/v1/collaborations/\(slug!)/status", #"{"status":"open"}"#)
        XCTAssertEqual(opened.status, .ok, opened.body.string)
        let collaboration = try await Collaboration.query(on: app.db).filter(\.$slug == slug).first()!
        for (index, code) in codes.enumerated() {
            let registration = Registration()
            registration.collaborationID = collaboration.id!
            registration.municipalityCountry = "dk"
            registration.municipalityCode = code
            registration.status = RegistrationStatus.registered.rawValue
            registration.sequence = index + 1
            try await registration.create(on: app.db)
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

    func testProposeSaveAndWhoSeesWhat() async throws {
        let plans = "/api/v1/collaborations/\(slug!)/cluster-plans"
        let visitor = try await json(nil, .POST, plans, "{}")
        XCTAssertEqual(visitor.status, .unauthorized)
        let coordinator = try await json(aarhus, .POST, plans, "{}")
        XCTAssertEqual(coordinator.status, .forbidden)

        let proposal = try await json(
            organiser, .POST, plans, #"{"seed":7,"apart":[["dk/101","dk/147"]],"pinned":{"dk/751":"Klynge Vest"}}"#)
        XCTAssertEqual(proposal.status, .ok, proposal.body.string)
        let clusters = try XCTUnwrap(proposal.json["clusters"] as? [[String: Any]])
        XCTAssertEqual(clusters.count, 3)
        let members = clusters.map { ($0["members"] as! [[String: Any]]).map { $0["municipality"] as! String } }
        XCTAssertEqual(members.flatMap { $0 }.sorted(), codes.map { "dk/\($0)" }.sorted())
        XCTAssertTrue(members.allSatisfy { (6...8).contains($0.count) })
        XCTAssertFalse(members.contains { $0.contains("dk/101") && $0.contains("dk/147") }, "apart is honoured")
        let west = try XCTUnwrap(clusters.first { $0["name"] as? String == "Klynge Vest" })
        XCTAssertTrue((west["members"] as! [[String: Any]]).contains { $0["municipality"] as? String == "dk/751" })
        let total = clusters.reduce(0.0) { $0 + ($1["cost"] as! Double) }
        XCTAssertEqual(proposal.json["objective"] as! Double, total, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(proposal.json["objective"] as! Double, proposal.json["baselineObjective"] as! Double)
        XCTAssertEqual((west["hosts"] as! [String]).count, 6)

        // Bad input: a 4xx naming the field, never a 500.
        let malformed = try await json(organiser, .POST, plans, #"{"minSize":"six"}"#)
        XCTAssertEqual(malformed.status.code / 100, 4)
        XCTAssertEqual(malformed.headers.contentType?.description.hasPrefix("application/problem+json"), true)
        let tooMany = try await json(organiser, .POST, plans, #"{"clusterCount":5}"#)
        XCTAssertEqual(tooMany.status, .unprocessableEntity)
        XCTAssertTrue(
            tooMany.body.string.contains("5 clusters of 6 to 8 members hold between 30 and 40 municipalities, not 20."),
            tooMany.body.string)
        let contradiction = try await json(
            organiser, .POST, plans, #"{"together":[["dk/101","dk/147"]],"apart":[["dk/147","dk/101"]]}"#)
        XCTAssertEqual(contradiction.status, .unprocessableEntity)
        XCTAssertTrue(
            contradiction.body.string.contains("Frederiksberg and København must be both together"),
            contradiction.body.string)
        let longName = try await json(
            organiser, .POST, plans, #"{"pinned":{"dk/751":"\#(String(repeating: "x", count: 81))"}}"#)
        XCTAssertEqual(longName.status, .unprocessableEntity)
        XCTAssertTrue(
            longName.body.string.contains("pinned.dk/751") || longName.body.string.contains(#"pinned.dk\/751"#),
            longName.body.string)
        let stranger = try await json(organiser, .POST, plans, #"{"pinned":{"dk/461":"Syd"}}"#)
        XCTAssertEqual(stranger.status, .unprocessableEntity)

        // Save with names; a municipality twice or not registered is refused and nothing changes.
        let groups = clusters.enumerated().map { index, cluster in
            let keys = (cluster["members"] as! [[String: Any]]).map { $0["municipality"] as! String }
            let members = String(data: try! JSONSerialization.data(withJSONObject: keys), encoding: .utf8)!
            return #"{"name":"Klynge \#(index + 1)","wave":\#(index == 2 ? 2 : 1),"members":\#(members)}"#
        }
        let save = "/api/v1/collaborations/\(slug!)/clusters"
        let forbidden = try await json(aarhus, .PUT, save, #"{"clusters":[\#(groups.joined(separator: ","))]}"#)
        XCTAssertEqual(forbidden.status, .forbidden)
        let saved = try await json(
            organiser, .PUT, save, #"{"meetings":6,"clusters":[\#(groups.joined(separator: ","))]}"#)
        XCTAssertEqual(saved.status, .ok, saved.body.string)
        XCTAssertEqual((saved.json["clusters"] as? [[String: Any]])?.count, 3)
        let twice = try await json(
            organiser, .PUT, save,
            #"{"clusters":[{"name":"A","members":["dk/101"]},{"name":"B","members":["dk/101","dk/461"]}]}"#)
        XCTAssertEqual(twice.status, .unprocessableEntity)
        XCTAssertTrue(twice.body.string.contains("101 is in more than one cluster"), twice.body.string)
        XCTAssertTrue(twice.body.string.contains("461 is not registered"), twice.body.string)
        let sameName = try await json(
            organiser, .PUT, save,
            #"{"clusters":[{"name":"A","members":["dk/101"]},{"name":"a","members":["dk/147"]}]}"#)
        XCTAssertTrue(sameName.body.string.contains("clusters[1].name"), sameName.body.string)
        let value1 = try await ClusterMember.query(on: app.db).count()
        XCTAssertEqual(value1, 20, "nothing half written")

        // Organisers see all; Aarhus sees only its own cluster; Odense (not in any) and visitors nothing.
        let all = try await json(organiser, .GET, save)
        XCTAssertEqual((all.json["clusters"] as? [[String: Any]])?.count, 3)
        let own = try await json(aarhus, .GET, save)
        XCTAssertEqual(own.status, .ok)
        let ownClusters = try XCTUnwrap(own.json["clusters"] as? [[String: Any]])
        XCTAssertEqual(ownClusters.count, 1)
        XCTAssertTrue(
            (ownClusters[0]["members"] as! [[String: Any]]).contains { $0["municipality"] as? String == "dk/751" })
        let value2 = try await json(odense, .GET, save).status
        XCTAssertEqual(value2, .forbidden)
        let value3 = try await json(nil, .GET, save).status
        XCTAssertEqual(value3, .unauthorized)

        // CSV for organisers only.
        let csv = try await json(organiser, .GET, "/collaborations/\(slug!)/clusters/export.csv")
        XCTAssertEqual(csv.status, .ok)
        XCTAssertEqual(csv.body.string.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 21)
        let value4 = try await json(aarhus, .GET, "/collaborations/\(slug!)/clusters/export.csv").status
        XCTAssertEqual(value4, .forbidden)

        // Saving again keeps the clusters' identity by position.
        let before = try await Cluster.query(on: app.db).sort(\.$position).all().map(\.id)
        let again = try await json(
            organiser, .PUT, save, #"{"clusters":[\#(groups.reversed().joined(separator: ","))]}"#)
        XCTAssertEqual(again.status, .ok, again.body.string)
        let value5 = try await Cluster.query(on: app.db).sort(\.$position).all().map(\.id)
        XCTAssertEqual(value5, before)
        let value6 = try await Cluster.query(on: app.db).sort(\.$position).first()?.name
        XCTAssertEqual(value6, "Klynge 3")
    }

    func testPagesProposeMoveAndSave() async throws {
        let browser = Client(app)
        try await browser.signIn("consultant@kl.dk", "correct horse battery")
        let base = "/collaborations/\(slug!)/clusters"
        let empty = try await browser.get(base)
        XCTAssertEqual(empty.status, .ok)
        XCTAssertTrue(empty.body.string.contains("No clusters yet. 20 municipalities are registered."))
        let form = try await browser.get("\(base)/plan")
        XCTAssertTrue(form.body.string.contains("Suggested: 3 clusters for 20 municipalities"), form.body.string)

        let badLine = try await browser.post(
            "\(base)/plan", form: ["min": "6", "max": "8", "together": "København, Atlantis"])
        XCTAssertEqual(badLine.status, .unprocessableEntity)
        XCTAssertTrue(badLine.body.string.contains("Line 1: Atlantis is not a registered municipality."))

        let proposed = try await browser.post(
            "\(base)/plan",
            form: ["min": "6", "max": "8", "seed": "3", "meetings": "6", "together": "København, Frederiksberg"])
        XCTAssertEqual(proposed.status, .ok, proposed.body.string)
        let page = proposed.body.string
        XCTAssertTrue(page.contains("<svg"), "the map")
        let fields = hiddenFields(page)
        let plan = try XCTUnwrap(fields["plan"])
        let groups = plan.split(separator: ";").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(groups.count, 3)
        XCTAssertTrue(groups.contains { $0.contains("dk/101") && $0.contains("dk/147") })

        // Move Aarhus to another cluster: the page shows the objective before and after; nothing saved.
        let from = groups.firstIndex { $0.contains("dk/751") }!
        let target = groups.indices.first { $0 != from && groups[$0].count < 8 }!
        var draft = fields
        for index in groups.indices {
            draft["name_\(index)"] = "Klynge \(["Nord", "Midt", "Syd"][index])"; draft["wave_\(index)"] = "1"
        }
        draft["action"] = "move"
        draft["move_municipality"] = "dk/751"
        draft["move_target"] = String(target)
        let moved = try await browser.post("\(base)/draft", form: draft)
        XCTAssertEqual(moved.status, .ok, moved.body.string)
        XCTAssertTrue(moved.body.string.contains("The objective went from"), moved.body.string)
        let value7 = try await ClusterMember.query(on: app.db).count()
        XCTAssertEqual(value7, 0)
        let afterMove = hiddenFields(moved.body.string)
        XCTAssertTrue(afterMove["plan"]!.split(separator: ";")[target].contains("dk/751"))

        let sameCluster = try await browser.post(
            "\(base)/draft", form: draft.merging(["move_target": String(from), "plan": plan]) { $1 })
        XCTAssertEqual(sameCluster.status, .unprocessableEntity)

        var save = afterMove
        for index in groups.indices {
            save["name_\(index)"] = "Klynge \(["Nord", "Midt", "Syd"][index])";
            save["wave_\(index)"] = String(index == 2 ? 2 : 1)
        }
        save["action"] = "save"
        let saved = try await browser.post("\(base)/draft", form: save)
        XCTAssertEqual(saved.status, .seeOther, saved.body.string)
        let value8 = try await ClusterMember.query(on: app.db).count()
        XCTAssertEqual(value8, 20)
        let shown = try await browser.get(base)
        XCTAssertTrue(shown.body.string.contains("Klynge Nord"))
        XCTAssertTrue(shown.body.string.contains("The clusters are saved."))
        let editor = try await browser.get("\(base)/edit")
        let groupsOf = { (plan: String?) in (plan ?? "").split(separator: ";").map { Set($0.split(separator: ",")) } }
        XCTAssertEqual(groupsOf(hiddenFields(editor.body.string)["plan"]), groupsOf(afterMove["plan"]))

        // Danish and Swedish pages.
        for (language, word) in [("da", "Klynger"), ("sv", "Kluster")] {
            let page = try await browser.get("\(base)?lang=\(language)", headers: ["Accept-Language": language])
            XCTAssertTrue(page.body.string.contains(word), language)
        }

        // A coordinator of a member municipality sees its own cluster and not the others; the planning
        // pages are closed.
        try await makeUser(
            app, email: "school@aarhus.dk",
            grants: [RoleGrant(kind: .coordinator, municipality: MunicipalityKey(.dk, "751"))])
        let participant = Client(app)
        try await participant.signIn("school@aarhus.dk", "correct horse battery")
        let own = try await participant.get(base)
        XCTAssertEqual(own.status, .ok)
        XCTAssertTrue(own.body.string.contains("Aarhus"))
        XCTAssertEqual(own.body.string.components(separatedBy: "class=\"cluster\"").count - 1, 1)
        let proposeForbidden = try await participant.post("\(base)/plan", form: ["min": "6", "max": "8"])
        XCTAssertEqual(proposeForbidden.status, .forbidden)
        let editForbidden = try await participant.get("\(base)/edit")
        XCTAssertEqual(editForbidden.status, .forbidden)
        // Odense is in no cluster: it sees none; a visitor is asked to sign in.
        let outsider = Client(app)
        try await outsider.signIn("coord@odense.dk", "correct horse battery")
        let outsiderPage = try await outsider.get(base)
        XCTAssertEqual(outsiderPage.status, .forbidden)
        let visitorPage = try await Client(app).get(base)
        XCTAssertNotEqual(visitorPage.status, .ok)
        XCTAssertFalse(visitorPage.body.string.contains("Klynge Nord"))
        let value9 = try await participant.get("\(base)/plan").status
        XCTAssertEqual(value9, .forbidden)
        let value10 = try await participant.post("\(base)/draft", form: save).status
        XCTAssertEqual(value10, .forbidden)
        let value11 = try await participant.get("/collaborations/\(slug!)").body.string.contains("Your cluster")
        XCTAssertTrue(value11)
    }

    func hiddenFields(_ html: String) -> [String: String] {
        var result: [String: String] = [:]
        let pattern = try! NSRegularExpression(pattern: #"<input type="hidden" name="([^"]+)" value="([^"]*)">"#)
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let name = String(html[Range(match.range(at: 1), in: html)!]),
                value = String(html[Range(match.range(at: 2), in: html)!])
            if name != "_csrf" { result[name] = value.replacingOccurrences(of: "&amp;", with: "&") }
        }
        return result
    }
}
