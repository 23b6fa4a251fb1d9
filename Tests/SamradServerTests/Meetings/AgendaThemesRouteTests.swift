import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Case 1: "the professional collaborations will also deliver themes for discussion at the political
/// meetings" — a material, a commitment and a questionnaire's results of a professional track are put
/// on the political track's meeting by the organiser of both.
extension CollaborationRouteTests {
    func testThemesOfAProfessionalTrackArePutOnThePoliticalMeetingsAgenda() async throws {
        let created = try await json(
            organiser, .POST, "/api/v1/programmes",
            #"{"title":"Kommunesamarbejde om folkeskolen 2014","organiserID":"\#(kl.id!.uuidString)"}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let programmeID = UUID(uuidString: try XCTUnwrap(created.json["id"] as? String))
        var tracks: [Collaboration] = []
        for title in ["Politisk spor", "Fagligt spor om læsning", "Uden for programmet"] {
            let slug = try await politicalTrack()
            let found = try await Collaboration.query(on: app.db).filter(\.$slug == slug).first()
            let track = try XCTUnwrap(found)
            track.title = title
            track.programmeID = title == "Uden for programmet" ? nil : programmeID
            try await track.save(on: app.db)
            tracks.append(track)
        }
        var meetings: [String] = []
        for track in tracks {
            let made = try await json(
                organiser, .POST, "/api/v1/collaborations/\(track.slug)/meetings",
                #"{"title":"Møde i \#(track.title)","startsAt":"2030-05-27T13:00","endsAt":"2030-05-27T16:00"}"#)
            XCTAssertEqual(made.status, .created, made.body.string)
            meetings.append(try XCTUnwrap((made.json["meeting"] as? [String: Any])?["id"] as? String).lowercased())
        }
        let professional = tracks[1], outside = tracks[2]
        let material = KnowledgeMaterial()
        material.slug = "laesebaand"
        material.kind = MaterialKind.example.rawValue
        material.title = "Læsebånd i indskolingen"
        material.summary = "Lærerne læser med eleverne hver morgen."
        material.body = ""
        material.themes = []
        material.gradeBands = []
        material.authors = []
        material.language = "da"
        material.licence = "cc-by-4.0"
        material.consent = true
        material.visibility = MaterialVisibility.public.rawValue
        material.status = EditorialStatus.published.rawValue
        material.collaborationID = professional.id
        material.publishedAt = Date()
        try await material.create(on: app.db)
        let commitment = Commitment()
        commitment.meetingID = try XCTUnwrap(UUID(uuidString: meetings[1]))
        commitment.collaborationID = professional.id!
        commitment.municipalityCountry = "dk"
        commitment.municipalityCode = "751"
        commitment.text = "Aarhus prøver læsebånd på tre skoler"
        commitment.owner = "Skolechefen"
        commitment.dueDate = "2030-03-01"
        commitment.status = Commitment.Status.open.rawValue
        try await commitment.create(on: app.db)
        var questionnaires: [UUID] = []
        for track in [professional, outside] {
            let q = Questionnaire()
            q.collaborationID = track.id!
            q.title = "Status på læsning i \(track.title)"
            q.intro = ""
            q.form = QuestionnaireForm()
            q.audience = QuestionnaireAudience.registered.rawValue
            q.people = []
            q.closesAt = Date().addingTimeInterval(86_400)
            q.sentAt = Date()
            q.reminderDays = []
            q.remindersSent = []
            q.threshold = 3
            q.prefill = false
            q.visibility = ResultsVisibility.organisers.rawValue
            q.textsPublished = false
            q.revision = 1
            try await q.create(on: app.db)
            questionnaires.append(q.id!)
        }

        let web = Client(app)
        try await web.signIn("consultant@kl.dk", "correct horse battery")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let political = "/meetings/\(meetings[0])"
        let editor = try await web.get(political + "/agenda", headers: en).body.string
        XCTAssertTrue(editor.contains("A theme from another track"))
        XCTAssertTrue(editor.contains(#"<optgroup label="Fagligt spor om læsning">"#))
        XCTAssertTrue(editor.contains("Material: Læsebånd i indskolingen"))
        XCTAssertTrue(editor.contains("Commitment of Aarhus: Aarhus prøver læsebånd på tre skoler"))
        XCTAssertTrue(editor.contains("Results of Status på læsning i Fagligt spor om læsning"))
        XCTAssertFalse(editor.contains("Uden for programmet"), "a collaboration outside the programme offers nothing")

        for source in [
            "material:\(material.id!.uuidString.lowercased())", "commitment:\(commitment.id!.uuidString.lowercased())",
            "results:\(questionnaires[0].uuidString.lowercased())",
        ] {
            let put = try await web.post(political + "/agenda/themes", form: ["source": source], headers: en)
            XCTAssertEqual(put.status, .seeOther, put.body.string)
        }
        let items = try await AgendaItem.query(on: app.db).filter(\.$meetingID == UUID(uuidString: meetings[0])!)
            .sort(\.$position).all()
        XCTAssertEqual(
            items.map(\.title),
            [
                "Theme: Læsebånd i indskolingen", "Follow-up: Aarhus prøver læsebånd på tre skoler",
                "The results of Status på læsning i Fagligt spor om læsning",
            ])
        XCTAssertTrue(items[0].description.contains("(/knowledge/laesebaand)"))
        XCTAssertTrue(items[1].description.contains("Aarhus · Skolechefen · due 1 March 2030"))
        XCTAssertEqual(items[2].questionnaireID, questionnaires[0], "the agenda shows the results themselves")
        let page = try await web.get(political, headers: en).body.string
        XCTAssertTrue(page.contains("The results of Status på læsning i Fagligt spor om læsning"))

        // What is not of the programme, or not a theme at all, is refused and nothing is written.
        for source in ["results:\(questionnaires[1].uuidString.lowercased())", "material:nonsense", ""] {
            let refused = try await web.post(political + "/agenda/themes", form: ["source": source], headers: en)
            XCTAssertEqual(refused.status, .unprocessableEntity, source)
        }
        let outsideResults = try await web.post(
            political + "/agenda", form: ["title": "Andre tal", "questionnaireID": questionnaires[1].uuidString])
        XCTAssertEqual(outsideResults.status, .unprocessableEntity, "nor through the item's own form")
        let count = try await AgendaItem.query(on: app.db).filter(\.$meetingID == UUID(uuidString: meetings[0])!)
            .count()
        XCTAssertEqual(count, 3)

        // A coordinator of a municipality does not move themes between tracks, also of a meeting they see.
        let published = try await json(organiser, .POST, "/api/v1\(political)/status", #"{"status":"published"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)
        let coordinator = Client(app)
        try await coordinator.signIn("coord@aarhus.dk", "correct horse battery")
        let refused = try await coordinator.post(
            political + "/agenda/themes", form: ["source": "material:\(material.id!.uuidString.lowercased())"])
        XCTAssertEqual(refused.status, .forbidden)
    }
}
