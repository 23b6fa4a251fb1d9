import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// After the meeting: minutes (Markdown), decisions, and commitments — what a municipality or the
/// cluster undertakes before the next meeting, with an owner and a due day. The next meeting of the
/// same cluster (or of the collaboration) shows the open ones on its agenda, and each municipality's
/// page lists its own.
struct MeetingMinutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let m = routes.grouped("meetings", ":meeting")
        m.get("minutes", use: form)
        m.post("minutes", use: save)
        m.post("commitments", use: addCommitment)
        m.post("commitments", ":commitment", "status", use: markCommitment)
    }

    typealias CommitmentRow = MeetingPages.CommitmentRow

    static func row(_ c: Commitment, cluster: String?, from meeting: Meeting?, request: Request) -> CommitmentRow {
        let who =
            c.municipality.flatMap { request.municipalities[$0]?.name } ?? cluster ?? request.t("meetings.everyone")
        return CommitmentRow(
            id: c.id!.uuidString.lowercased(), text: c.text, who: who, owner: c.owner,
            due: c.dueDate.flatMap { DateText.day($0, request.language) },
            status: c.status, statusLabel: request.t("commitment_status.\(c.status)"),
            from: meeting.map { .init(href: $0.href, label: $0.title) })
    }

    static func clusterName(_ m: Meeting, on db: any Database) async throws -> String? {
        guard let id = m.clusterID else { return nil }
        struct Row: Decodable { var name: String }
        return try await db.sql.raw("SELECT name FROM clusters WHERE id = \(bind: id)").first(decoding: Row.self)?.name
    }

    static func rows(madeAt m: Meeting, request: Request) async throws -> [CommitmentRow] {
        let cluster = try await Self.clusterName(m, on: request.db)
        let made = try await Commitment.plain(
            "SELECT * FROM commitments WHERE meeting_id = \(bind: m.requireID()) ORDER BY created_at", on: request.db)
        return made.map { row($0, cluster: cluster, from: nil, request: request) }
    }

    /// Open commitments made at earlier meetings of the same cluster (or, for a meeting of the whole
    /// collaboration, at its earlier meetings without a cluster), with those meetings.
    static func openCommitments(
        before m: Meeting, on db: any Database
    ) async throws -> (commitments: [Commitment], meetings: [UUID: Meeting]) {
        // The earlier meetings' ids only; whole meetings just for those with open commitments.
        struct Row: Decodable { var id: UUID }
        let cluster: SQLQueryString = m.clusterID.map { "cluster_id = \(bind: $0)" } ?? "cluster_id IS NULL"
        let ids = try await db.sql.raw(
            """
            SELECT id FROM meetings WHERE collaboration_id = \(bind: m.collaborationID)
            AND starts_at < \(bind: m.startsAt) AND \(cluster)
            """
        ).all(decoding: Row.self).map(\.id)
        guard !ids.isEmpty else { return ([], [:]) }
        let open = try await Commitment.plain(
            """
            SELECT * FROM commitments WHERE meeting_id IN (\(binds: ids))
            AND status = \(bind: Commitment.Status.open.rawValue) ORDER BY due_date
            """, on: db)
        guard !open.isEmpty else { return ([], [:]) }
        let meetings = try await Meeting.plain(
            "SELECT * FROM meetings WHERE id IN (\(binds: Array(Set(open.map(\.meetingID)))))", on: db)
        return (open, Dictionary(uniqueKeysWithValues: meetings.map { ($0.id!, $0) }))
    }

    static func openBefore(_ m: Meeting, request: Request) async throws -> [CommitmentRow] {
        let (open, meetings) = try await openCommitments(before: m, on: request.db)
        let cluster = try await Self.clusterName(m, on: request.db)
        return open.map { row($0, cluster: cluster, from: meetings[$0.meetingID], request: request) }
    }


    struct FormContext: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var form: FormState
        var commitmentForm: FormState
        var commitments: [CommitmentRow]
        var who: [Option]
    }

    func context(
        _ request: Request, _ access: MeetingAccess, form: FormState? = nil, commitmentForm: FormState = FormState()
    ) async throws -> FormContext {
        let m = access.meeting
        let keys: [MunicipalityKey] = access.scope.clusterMembers ?? Array(access.scope.registered)
        let country = keys.first?.country ?? .dk
        let whole =
            access.cluster.map { request.t("meetings.the_cluster", [$0.name]) } ?? request.t("meetings.everyone")
        let chosen = commitmentForm.values["municipality"] ?? ""
        let who =
            [Option(value: "", label: whole, selected: chosen.isEmpty)]
            + keys.compactMap { request.municipalities[$0] }.map {
                Option(value: $0.key.description, label: $0.name, selected: chosen == $0.key.description)
            }
            .sorted { NordicCollation.ordered($0.label, $1.label, country) }
        return FormContext(
            page: PageContext(request, titleKey: "meetings.minutes_title"), title: m.title, href: m.href,
            form: form ?? FormState(values: ["minutes": m.minutes, "decisions": m.decisions.joined(separator: "\n")]),
            commitmentForm: commitmentForm, commitments: try await Self.rows(madeAt: m, request: request), who: who)
    }

    func form(_ request: Request) async throws -> View {
        let access = try await MeetingAccess.run(request)
        return try await request.view.render("meetings/minutes", context(request, access))
    }

    struct MinutesInput: Content { var minutes: String?; var decisions: [String]? }

    static func saveMinutes(_ access: MeetingAccess, _ input: MinutesInput, request: Request) async throws {
        var v = Validation()
        let minutes = v.optional("minutes", input.minutes, maxLength: 100_000) ?? ""
        let decisions = (input.decisions ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter {
            !$0.isEmpty
        }
        if decisions.count > 100 || decisions.contains(where: { $0.count > 1_000 }) {
            v.add("decisions", "meetings.error.decisions")
        }
        try v.check()
        let m = access.meeting
        let first = m.minutes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !minutes.isEmpty
        m.minutes = minutes
        m.decisions = decisions
        try await request.db.transaction { db in
            try await m.save(on: db)
            try await Audit.record(
                "meeting:minutes", subject: "meeting", id: m.requireID().uuidString, summary: m.title, by: request,
                on: db)
            if first { try await MeetingNotices.tellMinutes(access, context: MailContext(request), on: db) }
        }
    }

    func save(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let values = try request.content.decode([String: String].self).filter {
            ["minutes", "decisions"].contains($0.key)
        }
        let input = MinutesInput(
            minutes: values["minutes"], decisions: (values["decisions"] ?? "").components(separatedBy: .newlines))
        do {
            try await Self.saveMinutes(access, input, request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "meetings/minutes",
                context(request, access, form: FormState(values: values, error: error, request: request)))
        }
        return request.redirect(to: access.meeting.href, notice: "meetings.minutes_saved")
    }

    struct CommitmentInput: Content {
        var text: String?; var municipality: String?; var owner: String?; var dueDate: String?
    }

    static func addCommitment(
        _ access: MeetingAccess, _ input: CommitmentInput, request: Request
    ) async throws -> Commitment {
        var v = Validation()
        let text = v.required("text", input.text, maxLength: 1_000)
        let owner = v.required("owner", input.owner, maxLength: 200)
        var municipality: MunicipalityKey?
        if let value = input.municipality?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
            let allowed = access.scope.clusterMembers.map(Set.init) ?? access.scope.registered
            if let key = MunicipalityKey(path: value), allowed.contains(key) {
                municipality = key
            } else {
                v.add("municipality", "meetings.error.commitment_municipality")
            }
        }
        let due = input.dueDate.flatMap { $0.isEmpty ? nil : $0 }
        if let due, !DateText.isISODate(due) { v.add("dueDate", "validation.date") }
        try v.check()
        let m = access.meeting
        let commitment = Commitment()
        commitment.meetingID = try m.requireID()
        commitment.collaborationID = m.collaborationID
        commitment.clusterID = m.clusterID
        commitment.municipalityCountry = municipality?.country.rawValue
        commitment.municipalityCode = municipality?.code
        commitment.text = text
        commitment.owner = owner
        commitment.dueDate = due
        commitment.status = Commitment.Status.open.rawValue
        try await request.db.transaction { db in
            try await commitment.create(on: db)
            try await Audit.record(
                "commitment:create", subject: "commitment", id: commitment.requireID().uuidString, summary: text,
                by: request, on: db)
        }
        return commitment
    }

    func addCommitment(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.run(request)
        let values = try request.content.decode([String: String].self).filter {
            ["text", "municipality", "owner", "dueDate"].contains($0.key)
        }
        do {
            _ = try await Self.addCommitment(
                access,
                CommitmentInput(
                    text: values["text"], municipality: values["municipality"], owner: values["owner"],
                    dueDate: values["dueDate"]), request: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "meetings/minutes",
                context(request, access, commitmentForm: FormState(values: values, error: error, request: request)))
        }
        return request.redirect(to: access.meeting.href + "/minutes", notice: "meetings.commitment_saved")
    }

    /// Commitments are marked done (or open again) by those who run any meeting of its scope, or by
    /// the coordinator of the municipality that made it.
    /// Those who run the meeting, and the coordinator of the municipality that made the commitment.
    static func requireMayMark(_ commitment: Commitment, request: Request) async throws {
        guard let meeting = try await Meeting.find(commitment.meetingID, on: request.db) else {
            throw SamradError.notFound()
        }
        let access = try await MeetingAccess.of(meeting, request: request)
        try request.require(access.mayRun || request.actor.coordinates(commitment.municipality))
    }

    static func mark(_ commitment: Commitment, done: Bool, request: Request) async throws {
        try await requireMayMark(commitment, request: request)
        commitment.status = (done ? Commitment.Status.done : .open).rawValue
        commitment.doneAt = done ? Date() : nil
        try await commitment.save(on: request.db)
    }

    struct StatusForm: Content { var status: String? }

    func markCommitment(_ request: Request) async throws -> Response {
        let access = try await MeetingAccess.load(request)
        guard let id = request.parameterID("commitment"),
            let commitment = try await Commitment.find(id, on: request.db)
        else { throw SamradError.notFound() }
        // The commitment may be from an earlier meeting shown on this one's agenda.
        guard commitment.collaborationID == access.meeting.collaborationID else { throw SamradError.notFound() }
        try await Self.mark(
            commitment, done: try request.content.decode(StatusForm.self).status == "done", request: request)
        request.setNotice("meetings.commitment_saved")
        let back = request.headers.first(name: .referer).flatMap { URL(string: $0)?.path }.flatMap {
            $0.hasPrefix("/") ? $0 : nil
        }
        return request.redirect(to: back ?? access.meeting.href)
    }

    /// A municipality's own commitments, for its page: those whose meeting the actor may see the
    /// content of.
    static func ofMunicipality(_ key: MunicipalityKey, request: Request) async throws -> [CommitmentRow] {
        let commitments = try await Commitment.query(on: request.db).filter(
            \.$municipalityCountry == key.country.rawValue
        )
        .filter(\.$municipalityCode == key.code).sort(\.$dueDate).all()
        guard !commitments.isEmpty else { return [] }
        let meetings = try await Meeting.query(on: request.db).filter(\.$id ~~ Set(commitments.map(\.meetingID))).all()
        var rows: [CommitmentRow] = []
        var allowed: [UUID: Bool] = [:]
        for meeting in meetings {
            allowed[meeting.id!] = try await MeetingAccess.of(meeting, request: request).mayViewContent
        }
        let byID = Dictionary(uniqueKeysWithValues: meetings.map { ($0.id!, $0) })
        for c in commitments where allowed[c.meetingID] == true {
            rows.append(row(c, cluster: nil, from: byID[c.meetingID], request: request))
        }
        return rows.sorted { ($0.status == "open" ? 0 : 1) < ($1.status == "open" ? 0 : 1) }
    }
}
