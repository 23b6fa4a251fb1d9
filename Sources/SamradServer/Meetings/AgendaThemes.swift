import Fluent
import Foundation
import SamradCore
import Vapor

/// Themes that flow between the tracks of a programme (case 1: "the professional collaborations
/// will also deliver themes for discussion at the political meetings"): a published public
/// material, a commitment or a questionnaire's results of another track, put on this meeting's
/// agenda by those who run it. Only tracks the person also organises are offered.
enum AgendaThemes {
    /// One thing that can be put on the agenda, named in the form as `kind:id`.
    struct Source {
        enum Kind: String { case material, commitment, results }
        var kind: Kind
        var id: UUID
        var track: Collaboration
        var label: String
        var value: String { "\(kind.rawValue):\(id.uuidString.lowercased())" }
    }

    /// The other tracks of the meeting's programme that the person organises, announced ones only.
    static func tracks(_ access: MeetingAccess, request: Request) async throws -> [Collaboration] {
        guard access.mayRun, let own = try await Collaboration.find(access.meeting.collaborationID, on: request.db),
            let programmeID = own.programmeID
        else { return [] }
        return try await Collaboration.query(on: request.db).filter(\.$programmeID == programmeID)
            .filter(\.$id != own.requireID()).sort(\.$title).all()
            .filter {
                $0.statusValue.isPublished
                    && CollaborationPolicy.mayManage(request.actor, organiserID: $0.organiserID)
            }
    }

    /// What each of those tracks offers: its public published materials, the commitments made at
    /// its meetings and its sent questionnaires, newest first.
    static func sources(_ access: MeetingAccess, request: Request) async throws -> [Source] {
        let tracks = try await tracks(access, request: request)
        guard !tracks.isEmpty else { return [] }
        let ids = try tracks.map { try $0.requireID() }
        let byID = Dictionary(uniqueKeysWithValues: tracks.map { ($0.id!, $0) })
        let materials = try await KnowledgeMaterial.query(on: request.db).filter(\.$collaborationID ~~ ids)
            .filter(\.$status == EditorialStatus.published.rawValue)
            .filter(\.$visibility == MaterialVisibility.public.rawValue).sort(\.$publishedAt, .descending).all()
        let commitments = try await Commitment.query(on: request.db).filter(\.$collaborationID ~~ ids)
            .sort(\.$createdAt, .descending).all()
        let questionnaires = try await Questionnaire.query(on: request.db).filter(\.$collaborationID ~~ ids)
            .filter(\.$sentAt != nil).sort(\.$closesAt, .descending).all()
        var sources: [Source] = []
        for m in materials {
            guard let track = m.collaborationID.flatMap({ byID[$0] }) else { continue }
            sources.append(
                Source(
                    kind: .material, id: m.id!, track: track,
                    label: request.t("agenda_themes.material", [m.title])))
        }
        for k in commitments {
            guard let track = byID[k.collaborationID] else { continue }
            let who = k.municipality.flatMap { request.municipalities[$0]?.name } ?? k.owner
            sources.append(
                Source(
                    kind: .commitment, id: k.id!, track: track,
                    label: request.t("agenda_themes.commitment", [who, k.text])))
        }
        for q in questionnaires {
            guard let track = q.collaborationID.flatMap({ byID[$0] }) else { continue }
            sources.append(
                Source(kind: .results, id: q.id!, track: track, label: request.t("agenda_themes.results", [q.title])))
        }
        return sources
    }

    /// The choices of the form, one group per track.
    static func groups(_ sources: [Source]) -> [OptionGroup] {
        var order: [UUID] = []
        for s in sources where !order.contains(s.track.id!) { order.append(s.track.id!) }
        return order.map { id in
            let mine = sources.filter { $0.track.id == id }
            return OptionGroup(
                label: mine.first?.track.title ?? "",
                options: mine.map { Option(value: $0.value, label: $0.label, selected: false) })
        }
    }

    /// Whether a questionnaire of another collaboration may be discussed at this meeting: one of
    /// a track of its programme that the person organises.
    static func offersResults(_ questionnaireID: UUID, _ access: MeetingAccess, request: Request) async throws -> Bool {
        try await sources(access, request: request).contains { $0.kind == .results && $0.id == questionnaireID }
    }

    /// The agenda item for a source, written in the person's language with a link to where it
    /// comes from.
    static func item(_ source: Source, request: Request) async throws -> MeetingAgenda.ItemInput {
        let track = source.track.title
        switch source.kind {
        case .material:
            guard let m = try await KnowledgeMaterial.find(source.id, on: request.db) else {
                throw SamradError.notFound()
            }
            return MeetingAgenda.ItemInput(
                title: request.t("agenda_themes.material_title", [m.title]),
                description: request.t("agenda_themes.from_track", [track]) + "\n\n" + m.summary + "\n\n["
                    + request.t("agenda_themes.read_material") + "](\(m.href))",
                durationMinutes: 20)
        case .commitment:
            guard let k = try await Commitment.find(source.id, on: request.db) else { throw SamradError.notFound() }
            let who = k.municipality.flatMap { request.municipalities[$0]?.name }
            let due = k.dueDate.flatMap { DateText.day($0, request.language) }
            var facts = [request.t("agenda_themes.from_track", [track])]
            if let who { facts.append(who) }
            if !k.owner.isEmpty { facts.append(k.owner) }
            if let due { facts.append(request.t("agenda_themes.due", [due])) }
            let meeting = "/meetings/\(k.meetingID.uuidString.lowercased())"
            return MeetingAgenda.ItemInput(
                title: request.t("agenda_themes.commitment_title", [k.text]),
                description: facts.joined(separator: " · ") + "\n\n[" + request.t("agenda_themes.read_meeting")
                    + "](\(meeting))",
                durationMinutes: 15)
        case .results:
            guard let q = try await Questionnaire.find(source.id, on: request.db) else { throw SamradError.notFound() }
            return MeetingAgenda.ItemInput(
                title: request.t("agenda_themes.results_title", [q.title]),
                description: request.t("agenda_themes.from_track", [track]), durationMinutes: 30,
                questionnaireID: q.id)
        }
    }

    /// `POST /meetings/{meeting}/agenda/themes` with `source`: the item is added at the end.
    static func put(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        struct Form: Content { var source: String? }
        let chosen = try request.content.decode(Form.self).source ?? ""
        guard let source = try await sources(access, request: request).first(where: { $0.value == chosen }) else {
            throw SamradError.invalid([FieldError(field: "source", "validation.choice")])
        }
        let input = try await item(source, request: request)
        let item = try await MeetingAgenda.add(input, access: access, request: request)
        try await Audit.record(
            "agenda:theme", subject: "meeting", id: access.meeting.requireID().uuidString,
            summary: "\(access.meeting.title): \(item.title) (\(source.track.slug))", by: request, on: request.db)
        return request.redirect(to: access.meeting.href + "/agenda", notice: "agenda_themes.put")
    }
}
