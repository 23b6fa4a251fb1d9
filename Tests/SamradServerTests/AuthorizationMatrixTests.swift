import Fluent
import Foundation
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// Every route, called as every kind of person, compared with the rules the policies state. The
/// routes come from the application itself, and every route parameter is filled with an object of its
/// kind that `setUp` makes the way people do (organisation A's collaboration and what hangs on it,
/// Copenhagen's own records), so each call reaches its policy; a route with a parameter of a new kind
/// fails until an object of that kind is made here.
/// - nobody ever gets a server error, whatever the route and however empty the request;
/// - a visitor changes nothing but through the public forms listed here;
/// - another municipality's member or coordinator, another organisation's organiser and a person
///   without roles change nothing of A's or Copenhagen's, and create only what their role allows;
/// - every GET is either in the table of what outsiders may read or refused to them, and no answer
///   to them contains what the objects keep private (drafts, unshared records, contact details);
/// - those who hold each object (A's organiser, Copenhagen's coordinator, the administrators) are let
///   in to read and change it, and get 404 only for what they deleted themselves.
final class AuthorizationMatrixTests: XCTestCase {
    var app: Application!
    var identityProvider: FakeIdentityProvider!
    var tokens: [Role: String] = [:]
    var slug = "", organisationID = ""
    /// The objects made in `setUp`, by the route parameter that names them.
    var ids: [String: String] = [:]
    /// The workbooks read in the holders' pass, with their headers.
    var workbooks: [(String, [String])] = []

    enum Role: String, CaseIterable {
        case visitor, plain, memberElsewhere, coordinatorElsewhere, organiserElsewhere, organiser, administrator
        case coordinator
    }
    static let outsiders: [Role] = [.plain, .memberElsewhere, .coordinatorElsewhere, .organiserElsewhere]

    /// Reads that are a municipality's own (dk/101 here): never for another municipality's people.
    static let municipalitysOwnReads: Set<String> = [
        "GET /municipalities/:country/:code/dialogues", "GET /municipalities/:country/:code/access",
        "GET /municipalities/:country/:code/export.zip", "GET /api/v1/municipalities/:country/:code/roles",
        "GET /municipalities/:country/:code/surveys", "GET /api/v1/municipalities/:country/:code/surveys",
    ]

    /// Posted without a CSRF token by a signed-in person, only these are taken (a mail program's
    /// one-click unsubscribe, whose link is its own authority).
    static let csrfExempt: Set<String> = ["POST /newsletters/unsubscribe/:token"]

    static func email(_ role: Role) -> String { "\(role.rawValue.lowercased())@example.dk" }

    /// What a municipality answers is its own: its coordinator submits it, nobody on its behalf.
    static func isMunicipalitysOwn(_ pattern: String) -> Bool {
        pattern.contains("/responses/:country/:code") || pattern.contains("/answer/:country/:code")
    }

    /// Pages and API reads open to everyone, visitors included: the public face of collaborations,
    /// the directory, public statistics and knowledge. Lists among them show each reader only what
    /// they may see (checked by the secrets below).
    static let publicReads: Set<String> = [
        "GET /privacy", "GET /privacy/record", "GET /was", "GET /profile/data/erased",
        "GET /", "GET /accessibility", "GET /healthz", "GET /sign-in", "GET /password/forgot",
        "GET /sign-in/oidc/:provider", "GET /sign-in/oidc/:provider/callback",
        "GET /api/openapi.json",
        "GET /collaborations", "GET /collaborations/:slug", "GET /collaborations/:slug/calendar.ics",
        "GET /collaborations/:slug/meetings", "GET /collaborations/:slug/questionnaires",
        "GET /collaborations/:slug/newsletters", "GET /collaborations/:slug/newsletters.atom", "GET /programmes",
        "GET /api/v1/collaborations", "GET /api/v1/collaborations/:slug", "GET /api/v1/collaborations/:slug/meetings",
        "GET /api/v1/collaborations/:slug/members", "GET /api/v1/collaborations/:slug/questionnaires",
        "GET /api/v1/programmes", "GET /guides", "GET /knowledge", "GET /knowledge/feed.atom",
        "GET /api/v1/collaborations/:slug/documents", "GET /api/v1/collaborations/:slug/newsletters",
        "GET /api/v1/guides", "GET /api/v1/knowledge",
        "GET /municipalities", "GET /municipalities.csv", "GET /municipalities.xlsx", "GET /municipalities/names.json",
        "GET /municipalities/:country/:code",
        "GET /municipalities/:country/:code/indicators", "GET /municipalities/:country/:code/schools",
        "GET /schools/:country/:code", "GET /indicators", "GET /organisations", "GET /organisations/:id",
        "GET /api/v1/municipalities", "GET /api/v1/municipalities/:country/:code",
        "GET /api/v1/municipalities/:country/:code/indicators", "GET /api/v1/schools/:country/:code/indicators",
        "GET /api/v1/indicators", "GET /api/v1/organisations", "GET /api/v1/organisations/:id",
        // A published meeting of a published collaboration (its content is its participants').
        "GET /meetings/:meeting", "GET /meetings/:meeting/calendar.ics", "GET /meetings/:meeting/print",
        "GET /api/v1/meetings/:meeting",
        // A pupil answers by the class code a teacher hands out.
        "GET /class", "GET /class/:code", "GET /class/:code/thanks",
    ]
    /// Reads open to every signed-in person: their own account, and names of people (never their
    /// contact details, checked by the secrets below).
    static let signedInReads: Set<String> = [
        "GET /profile", "GET /profile/newsletters", "GET /me/meetings", "GET /knowledge/mine", "GET /knowledge/new",
        "GET /api/v1/me", "GET /api/v1/me/meetings", "GET /api/v1/me/registrations", "GET /access",
        "GET /people/:id", "GET /api/v1/people", "GET /api/v1/people/:id",
        "GET /profile/data", "GET /profile/data.zip", "GET /api/v1/me/export",
        "GET /profile/notices", "GET /api/v1/profile/notices",
    ]
    /// Reads open to some outsiders for what their role elsewhere lets them make.
    static let readsFor: [Role: Set<String>] = [
        .organiserElsewhere: [
            "GET /collaborations/new", "GET /programmes/new", "GET /guides/new", "GET /people/import",
            // Only the requests to its own organisation, which are none here.
            "GET /access/requests",
        ],
        .coordinatorElsewhere: [
            "GET /guides/new", "GET /indicators/imports", "GET /people/import",
            // Only the requests to its own municipality, which are none here.
            "GET /access/requests",
        ],
    ]
    /// Creations an outsider may try (answered 422 for the empty form): what they make is theirs.
    static let creations: [String: Set<Role>] = [
        "POST /collaborations": [.organiserElsewhere], "POST /api/v1/collaborations": [.organiserElsewhere],
        "POST /programmes": [.organiserElsewhere], "POST /api/v1/programmes": [.organiserElsewhere],
        "POST /people": [.organiserElsewhere, .coordinatorElsewhere],
        "POST /api/v1/people": [.organiserElsewhere, .coordinatorElsewhere],
        "POST /people/import": [.organiserElsewhere, .coordinatorElsewhere],
        "POST /api/v1/people/import": [.organiserElsewhere, .coordinatorElsewhere],
        "POST /guides": [.organiserElsewhere, .coordinatorElsewhere],
        "POST /api/v1/guides": [.organiserElsewhere, .coordinatorElsewhere],
        "POST /indicators/imports": [.coordinatorElsewhere],
        // A published guide copied for the coordinator's own municipality, to adapt.
        "POST /guides/:guide/adapt": [.coordinatorElsewhere],
        "POST /api/v1/guides/:guide/adapt": [.coordinatorElsewhere],
    ]
    /// What the objects made in `setUp` say that nobody outside may read anywhere: the meeting's
    /// material and commitment (its participants'), the draft newsletter, the unshared dialogue, Copenhagen's goal,
    /// its draft material and private import, the contact details of its teacher.
    static let secrets = [
        "Bilag om læsebånd", "Prøve exit tickets", "Nyhedsbrev om læsebånd",
        "Alle skoler laver en læseplan", "Flere skal videre", "Læsebånd i indskolingen",
        "kk-fravaer.csv", "Samarbejdsaftale om læsebånd", "Fortrolig sparring fra forskeren",
        "Økonomi 4711", "Trivselsmåling i Københavns skoler",
    ]
    /// Contact details of Copenhagen's teacher: for those who work with them, and for organisers of
    /// any organisation, who invite (`PeoplePolicy.mayViewContact`).
    static let contacts = ["laerer@kk.dk"]
    /// Names of people, which visitors never read.
    static let names = ["Lærer København"]

    /// Changes a visitor may make: signing in and out, and what a secret link in an e-mail allows.
    static let publicChanges: Set<String> = [
        "POST /sign-in", "POST /sign-in/code", "POST /sign-out", "POST /password/forgot", "POST /password/reset/:token",
        "POST /setup/:token",
        "POST /invitations/:token", "POST /answer/:token", "POST /answer/:token/reopen",
        "POST /newsletters/unsubscribe/:token", "POST /class/:code", "POST /survey/:token",
    ]

    /// Changes any signed-in person may make on their own behalf.
    static let ownChanges: Set<String> = [
        "POST /profile", "POST /profile/tokens", "POST /profile/tokens/:id/revoke", "POST /profile/password",
        "POST /profile/sessions/end-others", "POST /profile/sessions/:session/end", "POST /profile/two-factor/start",
        "POST /profile/two-factor/confirm", "POST /profile/two-factor/recovery-codes", "POST /profile/two-factor/off",
        "POST /profile/sign-in-providers/:provider/link", "POST /profile/sign-in-providers/:provider/unlink",
        "POST /access",
        "POST /profile/newsletters/:collaboration",
        "POST /me/calendar-feed", "POST /api/v1/me/calendar-feed", "POST /knowledge", "POST /api/v1/knowledge",
        "POST /meetings/:meeting/register",
        "POST /profile/data/erase",
        "POST /profile/notices", "PUT /api/v1/profile/notices",
    ]

    override func setUp() async throws {
        // An identity provider, so that its sign-in and linking routes answer as they would.
        identityProvider = try await FakeIdentityProvider.start()
        app = try await makeTestApp(indicators: true, openIDProviders: [identityProvider.provider])
        ids[":provider"] = identityProvider.provider.name
        let kl = Organisation(name: "KL", kind: .association, country: .dk)
        try await kl.create(on: app.db)
        let other = Organisation(name: "SKR", kind: .association, country: .se)
        try await other.create(on: app.db)
        organisationID = kl.id!.uuidString
        let copenhagen = MunicipalityKey(.dk, "101"), frederiksberg = MunicipalityKey(.dk, "147")
        let grants: [Role: [RoleGrant]] = [
            .plain: [], .coordinatorElsewhere: [RoleGrant(kind: .coordinator, municipality: frederiksberg)],
            .memberElsewhere: [RoleGrant(kind: .member, municipality: frederiksberg)],
            .organiserElsewhere: [RoleGrant(kind: .organiser, organisationID: other.id)],
            .organiser: [RoleGrant(kind: .organiser, organisationID: kl.id)],
            .administrator: [RoleGrant(kind: .administrator)],
            .coordinator: [RoleGrant(kind: .coordinator, municipality: copenhagen)],
        ]
        for (role, grant) in grants {
            let user = try await makeUser(app, email: Self.email(role), grants: grant)
            tokens[role] = try await makeToken(app, for: user)
            if role == .plain {
                // The plain account asks Copenhagen for access: its coordinator decides, nobody else.
                let asked = AccessRequest(userID: user.id!, target: .municipality(copenhagen), work: "lærer")
                try await asked.create(on: app.db)
                ids[":request"] = asked.id!.uuidString.lowercased()
            }
        }
        // A member of Copenhagen, whose role its coordinator and the administrators may take.
        let member = try await makeUser(
            app, email: "medlem@kk.dk",
            grants: [RoleGrant(kind: .member, municipality: copenhagen)])
        ids[":account"] = member.id!.uuidString.lowercased()
        ids[":memberRole"] =
            try await RoleAssignment.query(on: app.db).filter(\.$userID == member.id!).first()?.id?
            .uuidString.lowercased() ?? ""
        try await seedTheCollaboration()
        try await seedCopenhagensOwn()
        let missing = ids.filter { $0.value.isEmpty }.map(\.key)
        XCTAssertTrue(missing.isEmpty, "not made: \(missing)")
    }

    /// Organisation A's (KL's): a collaboration with Copenhagen registered, a meeting with an agenda
    /// item, a commitment and a material, a questionnaire, a newsletter, a member's role, a programme
    /// and a discussion guide for the collaboration.
    func seedTheCollaboration() async throws {
        let organiser = tokens[.organiser]!
        let created = try await sendJSON(
            app, organiser, .POST, "/api/v1/collaborations",
            """
            {"title":"Skoleudvikling i samarbejde","kind":"standing_network","organiserID":"\(organisationID)",
             "timeZone":"Europe/Copenhagen","deadline":"2099-06-01T12:00","seats":[],"priceKind":"free"}
            """)
        XCTAssertEqual(created.status, .created, created.body.string)
        slug = created.json["slug"] as? String ?? ""
        ids[":collaboration"] = (created.json["id"] as? String ?? "").lowercased()
        let base = "/api/v1/collaborations/\(slug)"
        _ = try await sendJSON(app, organiser, .POST, "\(base)/status", #"{"status":"open"}"#)
        _ = try await sendJSON(app, organiser, .POST, "\(base)/registrations/dk/101", #"{"seats":[]}"#)
        let meeting = try await sendJSON(
            app, organiser, .POST, "\(base)/meetings",
            """
            {"title":"Netværksmøde om læsning","kind":"meeting","startsAt":"2099-03-01T10:00",
             "endsAt":"2099-03-01T15:00",
             "venueName":"Aarhus"}
            """)
        XCTAssertEqual(meeting.status, .created, meeting.body.string)
        let meetingID = ((meeting.json["meeting"] as? [String: Any])?["id"] as? String ?? "").lowercased()
        ids[":meeting"] = meetingID
        let published = try await sendJSON(
            app, organiser, .POST, "/api/v1/meetings/\(meetingID)/status",
            #"{"status":"published"}"#)
        XCTAssertEqual(published.status, .ok, published.body.string)
        let questionnaire = try await sendJSON(
            app, organiser, .POST, "\(base)/questionnaires",
            """
            {"title":"Status","audience":"registered","closesAt":"2099-05-01T23:59","form":{"sections":[{"key":"s",
             "title":{"da":"Status"},"questions":[{"key":"plan","kind":"yes_no","text":{"da":"Har I en plan?"}}]}]}}
            """)
        XCTAssertEqual(questionnaire.status, .created, questionnaire.body.string)
        ids[":questionnaire"] = (questionnaire.json["id"] as? String ?? "").lowercased()
        let agenda = try await sendJSON(
            app, organiser, .PUT, "/api/v1/meetings/\(meetingID)/agenda",
            #"{"items":[{"title":"Velkommen","durationMinutes":15}]}"#)
        XCTAssertEqual(agenda.status, .ok, agenda.body.string)
        ids[":item"] = ((agenda.json["agenda"] as? [[String: Any]])?.first?["id"] as? String ?? "").lowercased()
        let commitment = try await sendJSON(
            app, organiser, .POST, "/api/v1/meetings/\(meetingID)/commitments",
            #"{"text":"Prøve exit tickets","owner":"Skolechefen","#
                + #""municipality":"dk/101"}"#)
        XCTAssertEqual(commitment.status, .created, commitment.body.string)
        ids[":commitment"] = (commitment.json["id"] as? String ?? "").lowercased()
        let programme = try await sendJSON(
            app, organiser, .POST, "/api/v1/programmes",
            #"{"title":"Folkeskolereformen","organiserID":"\#(organisationID)"}"#)
        XCTAssertEqual(programme.status, .created, programme.body.string)
        ids[":programme"] = programme.json["slug"] as? String ?? ""

        let client = try await signedIn(.organiser)
        let material = try await client.upload(
            "/meetings/\(meetingID)/materials",
            fields: ["title": "Bilag om læsebånd"],
            file: ("slides.pdf", Data("%PDF-1.7 slides".utf8)))
        XCTAssertEqual(material.status, .seeOther, material.body.string)
        ids[":material"] = try await Material.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
        let newsletter = try await client.post(
            "/collaborations/\(slug)/newsletters",
            form: [
                "subject": "Nyhedsbrev om læsebånd", "body": "Kære formand", "language": "da", "archive": "members",
                "municipalities": "", "collaborations[]": ids[":collaboration"]!, "positions[]": "committee_chair",
            ])
        XCTAssertEqual(newsletter.status, .seeOther, newsletter.body.string)
        ids[":newsletter"] = String(newsletter.headers.first(name: .location)?.split(separator: "/").last ?? "")
        let guide = try await client.post(
            "/guides",
            form: [
                "title": "Drøftelsesguide", "introduction": "Til udvalgets drøftelse.", "language": "da",
                "audience": "collaboration", "owner": "organisation:\(organisationID.lowercased())",
                "collaboration": ids[":collaboration"]!, "s1_position": "1", "s1_title": "Rammen",
                "s1_purpose": "At forstå hvorfor.", "s1_slides": "1-5",
                "s1_questions": "Hvad kendetegner vores skoler?",
            ])
        XCTAssertEqual(guide.status, .seeOther, guide.body.string)
        let guideHref = guide.headers.first(name: .location) ?? ""
        ids[":guide"] = String(guideHref.split(separator: "/").last ?? "")
        _ = try await client.post("\(guideHref)/publish", form: [:])
        let person = try await sendJSON(
            app, tokens[.coordinator], .POST, "/api/v1/people",
            """
            {"name":"Lærer København","position":"teacher","municipality":"dk/101","email":"laerer@kk.dk"}
            """)
        XCTAssertEqual(person.status, .created, person.body.string)
        ids[":person"] = (person.json["id"] as? String ?? "").lowercased()
        let role = try await sendJSON(
            app, organiser, .POST, "\(base)/roles",
            #"{"personID":"\#(ids[":person"]!)","role":"researcher"}"#)
        XCTAssertLessThan(role.status.code, 300, role.body.string)
        ids[":roleID"] = try await CollaborationRole.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
        let partner = Organisation(name: "Danmarks Lærerforening", kind: .association, country: .dk)
        try await partner.create(on: app.db)
        ids[":partner"] = partner.id!.uuidString.lowercased()
        let partnered = try await sendJSON(
            app, organiser, .POST, "\(base)/partners",
            #"{"organisationID":"\#(ids[":partner"]!)"}"#)
        XCTAssertLessThan(partnered.status.code, 300, partnered.body.string)
        let attending = try await sendJSON(
            app, organiser, .POST, "/api/v1/meetings/\(meetingID)/attendees",
            #"{"personID":"\#(ids[":person"]!)"}"#)
        XCTAssertLessThan(attending.status.code, 300, attending.body.string)
        let sent = try await sendJSON(
            app, organiser, .POST,
            "/api/v1/questionnaires/\(ids[":questionnaire"]!)/send", nil)
        XCTAssertEqual(sent.status, .ok, sent.body.string)
        let slides = try await client.upload(
            "\(guideHref)/presentation", fields: [:],
            file: ("slides.pdf", Data("%PDF-1.7 guide".utf8)))
        XCTAssertEqual(slides.status, .seeOther, slides.body.string)
        let clusters = try await sendJSON(
            app, organiser, .PUT, "\(base)/clusters",
            #"{"clusters":[{"name":"Klynge 1","members":["dk/101"]}]}"#)
        XCTAssertEqual(clusters.status, .ok, clusters.body.string)
        ids[":cluster"] = try await Cluster.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
    }

    /// Copenhagen's (dk/101's), made by its coordinator: its coordinator's role, a school, a goal, a
    /// next step, a private import and an upload waiting for its mapping, an unshared dialogue with
    /// the guide and a knowledge material in draft with an attachment.
    func seedCopenhagensOwn() async throws {
        let role = try await RoleAssignment.query(on: app.db).filter(\.$kind == RoleKind.coordinator.rawValue)
            .filter(\.$municipalityCode == "101").first()
        ids[":role"] = role?.id?.uuidString.lowercased() ?? ""
        let client = try await signedIn(.coordinator)
        let school = try await client.post(
            "/municipalities/dk/101/schools",
            form: ["code": "280001", "name": "Katrinedals Skole"])
        XCTAssertEqual(school.status, .seeOther, school.body.string)
        // A pupil survey of the collaboration, with a class code for Copenhagen's school.
        let survey = try await sendJSON(
            app, tokens[.organiser]!, .POST, "/api/v1/collaborations/\(slug)/questionnaires",
            """
            {"title":"Trivsel","audience":"pupils","closesAt":"2099-05-01T23:59","form":{"sections":[{"key":"s",
             "title":{"da":"Trivsel"},"questions":[{"key":"glad","kind":"yes_no","text":{"da":"Er du glad?"}}]}]}}
            """)
        XCTAssertEqual(survey.status, .created, survey.body.string)
        ids[":pupilSurvey"] = (survey.json["id"] as? String ?? "").lowercased()
        _ = try await sendJSON(app, tokens[.organiser]!, .POST, "/api/v1/questionnaires/\(ids[":pupilSurvey"]!)/send")
        let katrinedal = try await School.query(on: app.db).filter(\.$code == "280001").first()
        let made = try await client.post(
            "/questionnaires/\(ids[":pupilSurvey"]!)/class-codes",
            form: ["school": katrinedal?.id?.uuidString ?? "", "grade": "6", "capacity": "40"])
        XCTAssertEqual(made.status, .seeOther, made.body.string)
        ids[":classCode"] = try await SurveyClassCode.query(on: app.db).first()?.code ?? ""
        // Copenhagen's own survey of its schools, still a draft: its coordinators' alone.
        let own = try await sendJSON(
            app, tokens[.coordinator]!, .POST, "/api/v1/municipalities/dk/101/surveys",
            """
            {"title":"Trivselsmåling i Københavns skoler","audience":"pupils","closesAt":"2099-05-01T23:59",
             "form":{"sections":[{"key":"s","title":{"da":"Trivsel"},"questions":[{"key":"glad","kind":"yes_no",
             "text":{"da":"Er du glad?"}}]}]}}
            """)
        XCTAssertEqual(own.status, .created, own.body.string)
        let goal = try await client.post(
            "/municipalities/dk/101/goals",
            form: [
                "indicator": "dk.fp9_exam_grade", "baseline_year": "2022", "baseline_value": "7.0",
                "target_year": "2028",
                "target_value": "8.0", "reason": "Flere skal videre", "owner": "Skolechefen",
            ])
        XCTAssertEqual(goal.status, .seeOther, goal.body.string)
        ids[":goal"] = try await Goal.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
        let step = try await client.post(
            "/municipalities/dk/101/report/steps",
            form: ["text": "Læseplan", "responsible": "Skolechefen"])
        XCTAssertEqual(step.status, .seeOther, step.body.string)
        ids[":step"] = try await NextStep.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
        // The school's own figure on an indicator the administrators add, its goal and next step.
        let indicator = try await (try await signedIn(.administrator)).post(
            "/indicators",
            form: [
                "code": "dk.school_absence_pct", "name_da": "Fravær pr. skole", "name_sv": "Frånvaro per skola",
                "name_en": "Absence per school", "unit": "percent", "direction": "lower", "level": "school",
                "category": "attendance", "country": "dk", "source": "Kommunens elevadministration",
                "licence": "CC BY 4.0",
                "decimals": "1",
            ])
        XCTAssertEqual(indicator.status, .seeOther, indicator.body.string)
        _ = try await privateImport(
            client, "enhed,år,andel,elever\n280001,2026,12.5,310\n", level: "school",
            indicator: "dk.school_absence_pct")
        let schoolGoal = try await client.post(
            "/schools/dk/280001/goals",
            form: [
                "indicator": "dk.school_absence_pct", "baseline_year": "2026", "baseline_value": "12.5",
                "target_year": "2028",
                "target_value": "10.0", "reason": "Flere skal videre", "owner": "Skolelederen",
            ])
        XCTAssertEqual(schoolGoal.status, .seeOther, schoolGoal.body.string)
        ids[":schoolGoal"] =
            try await Goal.query(on: app.db).filter(\.$id != UUID(uuidString: ids[":goal"]!)!)
            .first()?.id?
            .uuidString.lowercased() ?? ""
        let schoolStep = try await client.post(
            "/schools/dk/280001/report/steps",
            form: ["text": "Læsevejledere", "responsible": "Skolelederen"])
        XCTAssertEqual(schoolStep.status, .seeOther, schoolStep.body.string)
        ids[":schoolStep"] =
            try await NextStep.query(on: app.db).filter(\.$id != UUID(uuidString: ids[":step"]!)!)
            .first()?.id?
            .uuidString.lowercased() ?? ""

        let csv = "enhed,år,andel,elever\n101,2026,42.5,3100\n"
        ids[":import"] = try await privateImport(client, csv, level: "municipality")
        let waiting = try await client.upload(
            "/indicators/imports",
            fields: ["format": "csv", "country": "dk", "level": "municipality"],
            file: ("kk-fravaer.csv", Data(csv.utf8)))
        ids[":upload"] = String(waiting.headers.first(name: .location)?.split(separator: "/").last ?? "")

        let dialogue = try await client.post(
            "/guides/\(ids[":guide"]!)/sessions",
            form: [
                "municipality": "dk/101", "held_on": "2027-03-14", "committee": "Børne- og Ungdomsudvalget",
                "a1_statement": "Alle skoler laver en læseplan.", "a1_responsible": "Skolechefen",
                "a1_follow_up": "2027-08-01",
            ])
        XCTAssertEqual(dialogue.status, .seeOther, dialogue.body.string)
        ids[":dialogue"] = String(dialogue.headers.first(name: .location)?.split(separator: "/").last ?? "")
        let knowledge = try await client.post(
            "/knowledge",
            form: [
                "kind": "article", "title": "Læsebånd i indskolingen", "summary": "Sådan arbejder vi med læsning.",
                "body": "## Baggrund\n\nVi begyndte i 2025.", "authors": "Skolechefen", "contact": "skole@kk.dk",
                "themes": "Læsning", "municipality": "dk/101", "language": "da", "licence": "cc-by-4.0",
                "visibility": "public",
            ])
        XCTAssertEqual(knowledge.status, .seeOther, knowledge.body.string)
        ids[":knowledge"] = String(knowledge.headers.first(name: .location)?.split(separator: "/").last ?? "")
        let attached = try await client.upload(
            "/knowledge/\(ids[":knowledge"]!)/attachments", fields: [:],
            file: ("plan.pdf", Data("%PDF-1.7 plan".utf8)))
        XCTAssertEqual(attached.status, .seeOther, attached.body.string)
        ids[":attachment"] = try await KnowledgeAttachment.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
        // Feedback is given on a submitted material of the collaboration (its own material above stays a draft).
        let submitted = try await client.post(
            "/knowledge",
            form: [
                "kind": "article", "title": "Exit tickets i matematik", "summary": "Sådan samler vi op.",
                "body": "Vi spørger hver time.", "authors": "Skolechefen", "contact": "skole@kk.dk",
                "themes": "Matematik", "municipality": "dk/101", "language": "da", "licence": "cc-by-4.0",
                "visibility": "public", "collaboration": ids[":collaboration"]!, "consent": "on",
            ])
        XCTAssertEqual(submitted.status, .seeOther, submitted.body.string)
        ids[":feedbackMaterial"] = String(submitted.headers.first(name: .location)?.split(separator: "/").last ?? "")
        let submittedStep = try await client.post("/knowledge/\(ids[":feedbackMaterial"]!)/steps/submit", form: [:])
        XCTAssertEqual(submittedStep.status, .seeOther, submittedStep.body.string)
        let feedback = try await client.post(
            "/knowledge/\(ids[":feedbackMaterial"]!)/feedback", form: ["body": "Fortrolig sparring fra forskeren"])
        XCTAssertEqual(feedback.status, .seeOther, feedback.body.string)
        ids[":feedback"] = try await MaterialFeedback.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
        let organiser = try await signedIn(.organiser)
        let document = try await organiser.upload(
            "/collaborations/\(slug)/documents",
            fields: ["title": "Samarbejdsaftale om læsebånd", "kind": "agreement", "visibility": "members"],
            file: ("aftale.pdf", Data("%PDF-1.7 aftale".utf8)))
        XCTAssertEqual(document.status, .seeOther, document.body.string)
        ids[":document"] = try await CollaborationDocument.query(on: app.db).first()?.id?.uuidString.lowercased() ?? ""
        try await seedAnInvoice()
    }

    /// Copenhagen's place at a price, the organisation's invoicing details, and an e-invoice issued to it.
    func seedAnInvoice() async throws {
        let organiser = tokens[.organiser]!
        let registration = try await Registration.query(on: app.db).filter(\.$municipalityCode == "101").first()
        registration?.acceptedPriceMinor = 1_250_000
        try await registration?.save(on: app.db)
        let seller = try await sendJSON(
            app, organiser, .PUT, "/api/v1/organisations/\(organisationID)/invoicing",
            """
            {"legalName":"KL","organisationNumber":"55133018","vatNumber":"DK55133018",
             "electronicAddress":"5798000000001","street":"Weidekampsgade 10","postcode":"2300","city":"København",
             "country":"dk","accountKind":"danish","account":"5301 0241660","vatCategory":"S","vatRate":25}
            """)
        XCTAssertEqual(seller.status, .ok, seller.body.string)
        let address = MunicipalityInvoiceAddress()
        address.municipalityCountry = "dk"
        address.municipalityCode = "101"
        address.electronicAddress = "5798000000001"
        try await address.create(on: app.db)
        let issued = try await sendJSON(
            app, organiser, .POST, "/api/v1/collaborations/\(slug)/einvoices",
            #"{"municipalities":[{"municipality":"dk/101","reference":"Økonomi 4711"}]}"#)
        XCTAssertEqual(issued.status, .created, issued.body.string)
        ids[":number"] = issued.jsonArray.first?["number"] as? String ?? ""
    }

    /// Imports a private figure of high absence through the pages and waits for it; returns the import's id.
    func privateImport(
        _ client: Client, _ csv: String, level: String,
        indicator: String = "dk.high_absence_pct"
    ) async throws -> String {
        let uploaded = try await client.upload(
            "/indicators/imports",
            fields: ["format": "csv", "country": "dk", "level": level],
            file: ("kk-fravaer.csv", Data(csv.utf8)))
        XCTAssertEqual(uploaded.status, .seeOther, uploaded.body.string)
        let started = try await client.post(
            uploaded.headers.first(name: .location) ?? "",
            form: [
                "unit_column": "enhed", "year_column": "år", "value_column": "andel", "pupils_column": "elever",
                "indicator": indicator,
            ])
        XCTAssertEqual(started.status, .seeOther, started.body.string)
        let id = String(started.headers.first(name: .location)?.split(separator: "/").last ?? "")
        for _ in 0..<200 where try await client.get("/indicators/imports/\(id)").headers.first(name: "Refresh") != nil {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return id
    }

    /// Every table's workbook, as its holder gets it: readable, and the same header and rows as its
    /// CSV twin. With SAMRAD_XLSX_DIR set (scripts/test), it is kept there for openpyxl to open
    /// (Tests/EndToEnd/test_workbooks.py).
    func checkWorkbook(_ route: Route, _ response: XCTHTTPResponse, as role: Role, clients: inout [Role: Client])
        throws
    {
        let data = Data(response.body.readableBytesView)
        let rows = try XLSXSheet.read(data).rows
        XCTAssertFalse(rows.isEmpty, route.pattern)
        if let folder = ProcessInfo.processInfo.environment["SAMRAD_XLSX_DIR"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let name = route.pattern.dropFirst(5).replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: ":", with: "")
            try data.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
        }
        workbooks.append((route.pattern, rows.first ?? []))
    }

    func signedIn(_ role: Role) async throws -> Client {
        let client = Client(app)
        try await client.signIn(Self.email(role), "correct horse battery")
        return client
    }

    override func tearDown() async throws {
        try await app.asyncShutdown()
        try await identityProvider.stop()
    }

    struct Route {
        var method: HTTPMethod; var pattern: String; var path: String; var parameters: [String]
        var isDelete: Bool {
            method == .DELETE || ["/delete", "/revoke", "/withdraw", "/erase"].contains(where: pattern.hasSuffix)
                || cancelsAttendance
        }
        /// Cancelling attendance names the person in the form, not in the path.
        var cancelsAttendance: Bool { pattern == "POST /meetings/:meeting/cancel" }
        /// Deletes of what holds other objects come after those of what they hold.
        var deleteRank: Int {
            // Taking an object out of view comes after what uses it (copying a published guide).
            guard isDelete else { return pattern.hasSuffix("/unpublish") ? 1 : 0 }
            if pattern.hasSuffix("/withdraw") { return 3 }
            if cancelsAttendance { return 1 }
            switch parameters.last {
            case ":slug": return 4
            case ":meeting", ":questionnaire", ":guide", ":id", ":code", ":newsletter": return 2
            default: return 1
            }
        }
    }

    /// The value for a route parameter: the object this test made for it, or for secrets and keys
    /// a value that names nothing. Nil for a parameter this test does not know.
    func value(for parameter: String, in path: [String]) -> String? {
        let area = path.first == "api" ? path.dropFirst(2).first : path.first
        switch parameter {
        case ":slug" where area == "programmes": return ids[":programme"]
        case ":slug" where area == "knowledge" && path.contains("feedback"): return ids[":feedbackMaterial"]
        case ":slug" where area == "knowledge": return ids[":knowledge"]
        case ":slug": return slug
        case ":country": return "dk"
        case ":code" where area == "schools": return "280001"
        case ":code" where area == "class": return ids[":classCode"]
        case ":questionnaire" where path.contains("class-codes"): return ids[":pupilSurvey"]
        case ":code": return "101"
        case ":organisation": return organisationID
        case ":organisationID": return ids[":partner"]
        case ":role": return ids[":memberRole"]
        case ":goal" where area == "schools": return ids[":schoolGoal"]
        case ":step" where area == "schools": return ids[":schoolStep"]
        case ":token": return "not-a-valid-token-at-all-0000000000"
        case ":key" where area == "questionnaires": return "plan"
        case ":key": return "not-a-valid-key-at-all-000000000000"
        case ":id" where area == "people": return ids[":person"]
        case ":id" where area == "organisations": return organisationID
        case ":id" where area == "admin": return ids[":account"]
        case ":id" where area == "profile": return UUID().uuidString.lowercased()
        // Another session's public name; nobody has a session by this name.
        case ":session": return "0123456789abcdef0123"
        case ":step" where area == "knowledge": return "submit"
        case ":section": return "s"
        case ":indicator": return "dk.school_absence_pct"
        default: return ids[parameter]
        }
    }

    /// The application's routes with their parameters filled from the objects above.
    func routes() -> [Route] {
        app.routes.all.map { route in
            let components = route.path.map(\.description)
            let path = components.map { $0.hasPrefix(":") ? value(for: $0, in: components) ?? "unknown" : $0 }
            // The cluster whose calendar address is made is named in the query.
            let query = components.last == "cluster-feed" ? "?cluster=\(ids[":cluster"] ?? "")" : ""
            let pattern = route.method.rawValue + " /" + components.joined(separator: "/")
            return Route(
                method: route.method, pattern: pattern, path: "/" + path.joined(separator: "/") + query,
                parameters: components.filter { $0.hasPrefix(":") })
        }
        .sorted { ($0.deleteRank, $0.pattern) < ($1.deleteRank, $1.pattern) }
    }

    /// A page form with a session's CSRF token, or an API call with the role's bearer token.
    func call(_ route: Route, as role: Role, clients: inout [Role: Client]) async throws -> XCTHTTPResponse {
        // Every change names Copenhagen's teacher where a route takes a person: only those who may
        // act for the teacher get past the check (registering, cancelling).
        let person = ids[":person"] ?? ""
        if route.path.hasPrefix("/api/") {
            let body: String? = route.method == .GET || route.method == .DELETE ? nil : #"{"personID":"\#(person)"}"#
            return try await sendJSON(app, tokens[role], route.method, route.path, body)
        }
        if clients[role] == nil { clients[role] = role == .visitor ? Client(app) : try await signedIn(role) }
        let client = clients[role]!
        if route.method == .GET { return try await client.get(route.path) }
        if route.method == .POST { return try await client.post(route.path, form: ["personID": person]) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: "X-CSRF-Token", value: client.csrf)
        return try await client.send(route.method, route.path, headers: headers)
    }

    func refused(_ response: XCTHTTPResponse) -> Bool {
        [.unauthorized, .forbidden, .notFound].contains(response.status)
            || (response.status == .seeOther && (response.headers.first(name: .location) ?? "").hasPrefix("/sign-in"))
    }

    /// Who holds what the route reaches: they are let in (the other side of the matrix).
    static func holders(_ route: Route) -> [Role] {
        let p = route.pattern
        if p.contains("/admin/") || p.hasSuffix("/audit") || p.contains("mailbox") || p.contains("invoice-address")
            || p.hasSuffix("/privacy/edit")
            || p.hasSuffix("/accessibility/edit")
        {
            return [.administrator]
        }
        // A published guide is copied for a municipality its coordinator keeps (the form names none here).
        if p.hasSuffix("/guides/:guide/adapt") { return [.coordinator] }
        // A person's whole data, taken out or erased: administrators (and the person, on the profile).
        if p.contains("people/:id/") && ["/export", "/data.zip", "/erase"].contains(where: p.hasSuffix) {
            return [.administrator]
        }
        // What a person of Copenhagen makes for it before anyone else is to see it: a draft material,
        // an upload waiting for its columns; and what it answers.
        if isMunicipalitysOwn(p) || p.contains("/knowledge/:slug") || p.contains("/imports/uploads/") {
            return [.coordinator]
        }
        let copenhagens = [
            "/access/requests",
            "/municipalities/:country/:code", "/schools/:country/:code", "/dialogues/:dialogue",
            "people/:id",
            "/indicators/imports/", "/knowledge/:slug", "/people/:person",
        ]
        if copenhagens.contains(where: p.contains) { return [.coordinator, .administrator] }
        // Class codes for Copenhagen's school: its people, the survey's organisers.
        if p.hasSuffix("/class-codes") { return [.organiser, .administrator, .coordinator] }
        let organisationAs = [
            ":slug", ":meeting", ":questionnaire", ":newsletter", ":guide", ":item", ":commitment",
            ":material", ":roleID", ":organisationID", "organisations/:id",
        ]
        if organisationAs.contains(where: p.contains) { return [.organiser, .administrator] }
        return []
    }

    func testEveryRouteAsEveryRole() async throws {
        var clients: [Role: Client] = [:]
        let routes = routes()
        XCTAssertGreaterThan(routes.count, 250)
        var problems: [String] = []
        func note(_ route: Route, _ role: Role, _ what: String, _ response: XCTHTTPResponse) {
            let body = response.body.string
            // A page's message is in its main part, an API's in its problem.
            let message =
                body.range(of: "<main").map { String(body[$0.lowerBound...].prefix(400)) }
                ?? String(body.prefix(100))
            problems.append("\(route.pattern) as \(role) \(what): \(response.status.code) \(route.path) \(message)")
        }
        for route in routes where route.path.contains("unknown") {
            problems.append("\(route.pattern): a parameter this test does not fill; make an object of its kind")
        }
        // Those who may not: first, while everything is still there.
        for route in routes {
            for role in [Role.visitor] + Self.outsiders {
                // Signing out ends the client's session; the next call would be a visitor's.
                if route.pattern == "POST /sign-out" && role != .visitor { continue }
                let response = try await call(route, as: role, clients: &clients)
                if response.status.code >= 500 { note(route, role, "failed", response) }
                if route.method == .GET {
                    let mayRead =
                        Self.publicReads.contains(route.pattern)
                        || (role != .visitor && Self.signedInReads.contains(route.pattern))
                        || Self.readsFor[role, default: []].contains(route.pattern)
                    if !mayRead, !refused(response) { note(route, role, "read what is not theirs", response) }
                    let body = response.body.string
                    let hidden =
                        Self.secrets + (role == .visitor ? Self.names : [])
                        + (role == .organiserElsewhere ? [] : Self.contacts)
                    for secret in hidden where body.contains(secret) {
                        note(route, role, "read \"\(secret)\"", response)
                    }
                    if role == .visitor, Self.publicReads.contains(route.pattern), refused(response) {
                        note(route, role, "was refused a public page", response)
                    }
                    if role == .visitor, route.pattern.hasSuffix(".xlsx"), response.status == .ok {
                        try checkWorkbook(route, response, as: role, clients: &clients)
                    }
                    continue
                }
                let mayChange =
                    Self.publicChanges.contains(route.pattern)
                    || role != .visitor && Self.ownChanges.contains(route.pattern)
                    || Self.creations[route.pattern, default: []].contains(role)
                if !mayChange, !refused(response) { note(route, role, "changed what is not theirs", response) }
            }
        }
        // Those who may: the holders are let in, also to what they read; a 404 only once it is deleted.
        var gone: Set<String> = []
        let order = { (r: Route) in (r.method == .GET ? 0 : 1, r.deleteRank) }
        for route in routes.sorted(by: { order($0) < order($1) }) {
            for role in Self.holders(route) {
                let response = try await call(route, as: role, clients: &clients)
                if response.status.code >= 500 { note(route, role, "failed", response) }
                let deleted =
                    gone.contains(where: route.path.contains)
                    || (route.cancelsAttendance && gone.contains(ids[":person"] ?? ""))
                if [.unauthorized, .forbidden].contains(response.status) || (response.status == .notFound && !deleted) {
                    note(route, role, "was refused", response)
                }
                if route.pattern.hasSuffix(".xlsx"), response.status == .ok {
                    try checkWorkbook(route, response, as: role, clients: &clients)
                }
                let verbs: Set<Substring> = ["delete", "revoke", "withdraw", "erase"]
                if route.cancelsAttendance, response.status.code < 400 {
                    gone.insert(ids[":person"] ?? "")
                } else if route.isDelete, response.status.code < 400,
                    let last = route.path.split(separator: "/").last(where: { !verbs.contains($0) })
                {
                    gone.insert(String(last))
                }
            }
        }
        XCTAssertTrue(problems.isEmpty, "\(problems.count) problems:\n" + problems.joined(separator: "\n"))
        let twins = routes.filter { $0.pattern.hasSuffix(".xlsx") }.map(\.pattern)
        XCTAssertEqual(Set(workbooks.map(\.0)), Set(twins), "every workbook was read")
    }

    /// Every change a signed-in person could make through a form or a session's API call needs the
    /// CSRF token: without it, each is refused before anything happens.
    func testEveryChangeWithoutTheCSRFTokenIsRefused() async throws {
        let client = Client(app)
        try await client.signIn(Self.email(.administrator), "correct horse battery")
        var problems: [String] = []
        var checked = 0
        let changes = routes().filter {
            $0.method != .GET && !Self.csrfExempt.contains($0.pattern) && $0.pattern != "POST /sign-out"
        }
        for route in changes {
            let response: XCTHTTPResponse
            if route.path.hasPrefix("/api/") {
                var headers = HTTPHeaders()
                headers.contentType = .json
                response = try await client.send(
                    route.method, route.path, headers: headers,
                    body: ByteBuffer(string: "{}"))
            } else {
                response = try await client.post(route.path, form: ["name": "x"], withCSRF: false)
            }
            checked += 1
            if response.status != .forbidden {
                problems.append("\(route.pattern): \(response.status.code) \(response.body.string.prefix(100))")
            }
        }
        XCTAssertGreaterThan(checked, 150)
        XCTAssertTrue(problems.isEmpty, "\(problems.count) taken without a token:\n" + problems.joined(separator: "\n"))
    }
}
