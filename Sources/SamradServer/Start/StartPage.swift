import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// The front page as a place to start: a visitor sees the collaborations open for registration and
/// how to sign in; a coordinator what their municipalities must do (invitations to answer,
/// questionnaires, meetings); an organiser their collaborations' progress and deadlines. It reads
/// other features only through their models and named lookups, and shows only what each may see.
struct StartPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: page)
    }

    struct Item: Encodable { var href: String; var title: String; var detail: String? }
    struct Municipality: Encodable {
        var name: String; var href: String; var anchor: String; var invitations: [Item]; var questionnaires: [Item];
        var meetings: [Item]
        var nothing: Bool
    }
    struct CountryCount: Encodable { var name: String; var href: String; var count: Int }
    struct Context: Encodable {
        var page: PageContext
        var open: [Item]
        var municipalities: [Municipality]
        var organised: [Item]
        var countries: [CountryCount]
        var organisationCount: Int
        var maySetUpCollaborations: Bool
    }

    func page(_ request: Request) async throws -> View {
        let now = Date()
        let actor = request.actor
        let directory = request.municipalities
        let open = try await Collaboration.query(on: request.db).filter(\.$status == CollaborationStatus.open.rawValue)
            .filter(\.$deadline > now).sort(\.$deadline).limit(10).all()
        let openItems = open.map { c in
            Item(
                href: "/collaborations/\(c.slug)", title: c.title,
                detail: request.dateTimeText(c.deadline).map { request.t("start.deadline", [$0]) })
        }
        var municipalities: [Municipality] = []
        let coordinated = Set(actor.grants.compactMap { $0.kind == .coordinator ? $0.municipality : nil }).sorted()
        for key in coordinated.prefix(5) {
            guard let m = directory[key] else { continue }
            municipalities.append(try await tasks(of: m, now: now, request: request))
        }
        var organised: [Item] = []
        let organisations = Set(actor.grants.compactMap { $0.kind == .organiser ? $0.organisationID : nil })
        if !organisations.isEmpty {
            let mine = try await Collaboration.query(on: request.db).filter(\.$organiserID ~~ organisations)
                .filter(\.$status != CollaborationStatus.concluded.rawValue).sort(\.$deadline).limit(20).all()
            // Two counting queries for all of them, not two per collaboration.
            let ids = mine.compactMap(\.id)
            let invitedCounts = try await Self.counts(Invitation.schema, ids, on: request.db)
            let registeredCounts = try await Self.counts(
                Registration.schema, ids, status: RegistrationStatus.registered.rawValue,
                on: request.db)
            for c in mine {
                let id = try c.requireID()
                let invited = invitedCounts[id] ?? 0
                let registered = registeredCounts[id] ?? 0
                var detail =
                    request.t("collaboration_status.\(c.status)") + " · "
                    + request.t("start.registered_of", count: invited, [String(registered)])
                if let deadline = request.dateTimeText(c.deadline) {
                    detail += " · " + request.t("start.deadline", [deadline])
                }
                organised.append(Item(href: "/collaborations/\(c.slug)/board", title: c.title, detail: detail))
            }
        }
        let counts = Country.allCases.map { c in
            CountryCount(
                name: request.t("country.\(c.rawValue)"), href: "/municipalities?country=\(c.rawValue)",
                count: directory.all.count { $0.country == c })
        }
        return try await request.view.render(
            "home",
            Context(
                page: PageContext(request, titleKey: "home.title"), open: openItems, municipalities: municipalities,
                organised: organised, countries: counts,
                organisationCount: try await Organisation.query(on: request.db).count(),
                maySetUpCollaborations: CollaborationPolicy.mayCreateAny(actor)))
    }

    /// Rows per collaboration in `table`, for the given collaborations (and status, where given).
    static func counts(
        _ table: String, _ ids: [UUID], status: String? = nil, on db: any Database
    ) async throws -> [UUID: Int] {
        if ids.isEmpty { return [:] }
        struct Row: Decodable { var collaboration_id: UUID; var n: Int }
        var query = db.sql.select().column("collaboration_id")
            .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from(table).where("collaboration_id", .in, ids)
        if let status { query = query.where("status", .equal, status) }
        let rows = try await query.groupBy("collaboration_id").all(decoding: Row.self)
        return Dictionary(rows.map { ($0.collaboration_id, $0.n) }, uniquingKeysWith: +)
    }

    /// What a coordinator's municipality must do: invitations it has not answered before their
    /// deadline, questionnaires it has not submitted, and its coming meetings.
    func tasks(of m: SamradCore.Municipality, now: Date, request: Request) async throws -> Municipality {
        let db = request.db
        let path = "\(m.country.rawValue)/\(m.code)"
        let registrations = try await Registration.query(on: db).filter(municipalities: [m.key]).all()
        let answered = Set(registrations.map(\.collaborationID))
        let registeredIn = registrations.filter { $0.statusValue == .registered }.map(\.collaborationID)
        let invitations = try await Invitation.query(on: db).filter(municipalities: [m.key]).all()
            .filter { !answered.contains($0.collaborationID) }
        let invitedTo = try await Collaboration.query(on: db).filter(\.$id ~~ invitations.map(\.collaborationID))
            .filter(\.$status == CollaborationStatus.open.rawValue).filter(\.$deadline > now).sort(\.$deadline).all()
        let invitationItems = invitedTo.map { c in
            Item(
                href: "/collaborations/\(c.slug)/registrations/\(path)", title: c.title,
                detail: request.dateTimeText(c.deadline).map { request.t("start.answer_by", [$0]) })
        }
        // Questionnaires open now whose audience includes the municipality and whose answer is not in.
        var questionnaireItems: [Item] = []
        let candidates = try await Questionnaire.query(on: db).filter(\.$sentAt != nil).filter(\.$closedAt == nil)
            .filter(\.$closesAt > now).sort(\.$closesAt).limit(50).all()
        // The municipality's answers to all of them in one query.
        let submitted = Set(
            try await QuestionnaireResponse.query(on: db).filter(\.$questionnaireID ~~ candidates.compactMap(\.id))
                .filter(\.$municipalityCountry == m.country.rawValue).filter(\.$municipalityCode == m.code)
                .filter(\.$submittedAt != nil).all().map(\.questionnaireID))
        for q in candidates where !submitted.contains(try q.requireID()) {
            guard try await QuestionnaireAccess.audience(q, on: db).contains(.municipality(m.key)) else { continue }
            let when = DateText.dateTime(q.closesAt, request.language, zone: m.country.timeZoneIdentifier)
            questionnaireItems.append(
                Item(
                    href: QuestionnaireLinks.answer(q, .municipality(m.key)), title: q.title,
                    detail: request.t("start.answer_by", [when])))
        }
        let meetings =
            registeredIn.isEmpty
            ? []
            : try await Meeting.query(on: db).filter(\.$collaborationID ~~ registeredIn)
                .filter(\.$status == MeetingStatus.published.rawValue).filter(\.$startsAt > now).sort(\.$startsAt)
                .limit(5).all()
        let meetingItems = meetings.map { meeting in
            Item(
                href: meeting.href, title: meeting.title,
                detail: DateText.dateTime(meeting.startsAt, request.language, zone: meeting.timeZone))
        }
        return Municipality(
            name: m.name, href: "/municipalities/\(path)", anchor: "tasks-\(m.country.rawValue)-\(m.code)",
            invitations: invitationItems,
            questionnaires: questionnaireItems, meetings: meetingItems,
            nothing: invitationItems.isEmpty && questionnaireItems.isEmpty && meetingItems.isEmpty)
    }
}
