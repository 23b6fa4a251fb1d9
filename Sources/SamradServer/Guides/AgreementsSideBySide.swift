import Fluent
import Foundation
import SamradCore
import Vapor

/// GuidePages: what municipalities agreed, side by side.
extension GuidePages {
    struct AgreementView: Encodable {
        var kind: String; var statement: String; var responsible: String; var followUp: String; var indicator: Link?
    }
    struct ResultColumn: Encodable {
        var municipality: String; var href: String; var committee: String; var heldOn: String;
        var agreements: [AgreementView]
    }
    struct ResultsContext: Encodable {
        var page: PageContext; var guideTitle: String; var guideHref: String; var columns: [ResultColumn];
        var meetings: [Option]; var mayPutOnAgenda: Bool
        var agendaAction: String
    }

    static func agreementViews(
        _ agreements: [Agreement], municipality: MunicipalityKey, request: Request, snapshot: IndicatorSnapshot?
    ) -> [AgreementView] {
        agreements.map { a in
            AgreementView(
                kind: request.t("dialogues.kind.\(a.kind.rawValue)"), statement: a.statement,
                responsible: a.responsible,
                followUp: DateText.day(a.followUp, request.language) ?? a.followUp,
                indicator: a.indicator.map { code in
                    Link(
                        href:
                            "/municipalities/\(municipality.country.rawValue)/\(municipality.code)/indicators#\(code)",
                        label: snapshot?.byCode[code]?.name(request.language) ?? code)
                })
        }
    }

    /// The latest shared session of every municipality that shared one.
    static func sharedResults(_ g: DiscussionGuide, on db: any Database) async throws -> [LocalDialogue] {
        let shared = try await LocalDialogue.query(on: db).filter(\.$guideID == g.requireID()).filter(
            \.$sharedAt != nil
        ).sort(\.$heldOn, .descending).all()
        var seen = Set<MunicipalityKey>()
        return shared.filter { seen.insert($0.municipality).inserted }
    }

    func results(_ request: Request) async throws -> View {
        let (g, reader) = try await Self.load(request)
        try request.require(GuidePolicy.mayViewResults(reader, g.standing))
        let sessions = try await Self.sharedResults(g, on: request.db)
        let snapshot = try await request.indicators()
        let columns = sessions.sorted {
            (request.municipalities[$0.municipality]?.name ?? "")
                < (request.municipalities[$1.municipality]?.name ?? "")
        }.map { s in
            ResultColumn(
                municipality: request.municipalities[s.municipality]?.name ?? s.municipalityCode, href: s.href,
                committee: s.committee,
                heldOn: DateText.day(s.heldOn, request.language) ?? s.heldOn,
                agreements: Self.agreementViews(
                    s.agreements, municipality: s.municipality, request: request, snapshot: snapshot))
        }
        let mayPut = GuidePolicy.mayPutOnAgenda(reader, g.standing)
        var meetings: [Option] = []
        if mayPut, let collaborationID = g.collaborationID {
            meetings = try await Meeting.query(on: request.db).filter(\.$collaborationID == collaborationID).filter(
                \.$startsAt >= Date()
            )
            .filter(\.$status != MeetingStatus.cancelled.rawValue).sort(\.$startsAt).all().map {
                Option(
                    value: $0.id!.uuidString.lowercased(),
                    label: "\($0.title), \(DateText.dateTime($0.startsAt, request.language, zone: $0.timeZone))",
                    selected: false)
            }
        }
        return try await request.view.render(
            "guides/results",
            ResultsContext(
                page: PageContext(request, titleKey: "guides.results_title", [g.title]), guideTitle: g.title,
                guideHref: g.href, columns: columns,
                meetings: meetings, mayPutOnAgenda: mayPut && !meetings.isEmpty && !columns.isEmpty,
                agendaAction: "\(g.href)/results/agenda"))
    }

    /// An agenda item on one of the collaboration's meetings, listing what each municipality agreed.
    func putOnAgenda(_ request: Request) async throws -> Response {
        let (g, reader) = try await Self.load(request)
        try request.require(GuidePolicy.mayPutOnAgenda(reader, g.standing))
        struct Form: Content { var meeting: String? }
        guard let id = try request.content.decode(Form.self).meeting.flatMap(UUID.init(uuidString:)),
            let meeting = try await Meeting.find(id, on: request.db),
            meeting.collaborationID == g.collaborationID
        else {
            throw SamradError.invalid([FieldError(field: "meeting", "validation.choice")])
        }
        let access = try await MeetingAccess.of(meeting, request: request)
        try request.require(access.mayRun)
        let sessions = try await Self.sharedResults(g, on: request.db)
        // In the guide's language, as the meeting's other items are.
        let language = g.languageValue
        func t(_ key: String, _ arguments: [String]) -> String { request.catalog.text(key, language, arguments) }
        var description = t("guides.agenda_intro", [g.title]) + "\n\n"
        for s in sessions {
            description +=
                "**\(request.municipalities[s.municipality]?.name ?? s.municipalityCode)** (\(s.committee), "
                + "\(DateText.day(s.heldOn, language) ?? s.heldOn))\n\n"
            for a in s.agreements {
                description +=
                    "- \(a.statement) — "
                    + t(
                        "dialogues.responsible_short",
                        [a.responsible, DateText.day(a.followUp, language) ?? a.followUp]) + "\n"
            }
            description += "\n"
        }
        description += "[\(t("guides.results_link", []))](\(g.href)/results)"
        let input = AgendaItems.Input(
            title: t("guides.agenda_title", [g.title]), description: description, durationMinutes: 30)
        let item = try await AgendaItems.add(input, access: access, request: request)
        try await Audit.record(
            "guide:agenda", subject: "meeting", id: meeting.requireID().uuidString,
            summary: "\(meeting.title): \(item.title)", by: request, on: request.db)
        return request.redirect(to: meeting.href + "/agenda", notice: "guides.put_on_agenda")
    }
}
