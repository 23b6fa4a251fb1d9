import Fluent
import Foundation
import SamradCore
import SQLKit
import ZIPFoundation

/// Everything Samrad holds about one municipality, for its own quality report: its people, its
/// registrations and invitations, its clusters, the meetings it took part in with their minutes,
/// attendance and commitments, its questionnaire answers, goals, next steps and indicator values
/// (public ones and its own private ones, of the municipality and its schools), its local dialogues
/// and its published materials. CSV for tables, JSON for documents, in one ZIP with a manifest.
/// Another municipality's private data is never in it.
struct MunicipalityExport {
    let municipality: MunicipalityKey
    let directory: MunicipalityDirectory

    struct File {
        var name: String
        var description: String
        var rows: Int
        var data: Data
    }

    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601)
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    func files(on db: any Database) async throws -> [File] {
        let country = municipality.country.rawValue, code = municipality.code
        var files: [File] = []
        func csv(_ name: String, _ description: String, _ header: [String], _ rows: [[String]]) {
            var writer = CSVWriter(header: header)
            for row in rows { writer.append(row) }
            files.append(File(name: name, description: description, rows: rows.count, data: Data(writer.text.utf8)))
        }
        func json<T: Encodable>(_ name: String, _ description: String, _ items: [T]) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            files.append(File(name: name, description: description, rows: items.count, data: try encoder.encode(items)))
        }

        let people = try await Person.query(on: db).filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code).sort(\.$name).all()
        let peopleIDs = people.compactMap(\.id)
        var names = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0.name) })
        csv("people.csv", "The municipality's people in Samrad: politicians, administration, school leaders, teachers.",
            ["name", "email", "phone", "position", "title"],
            people.map { [$0.name, $0.email ?? "", $0.phone ?? "", $0.position, $0.title ?? ""] })

        let collaborations = Dictionary(uniqueKeysWithValues: try await Collaboration.query(on: db).all().map { ($0.id!, $0) })
        func slug(_ id: UUID) -> String { collaborations[id]?.slug ?? id.uuidString.lowercased() }
        func title(_ id: UUID) -> String { collaborations[id]?.title ?? "" }

        let registrations = try await Registration.query(on: db).filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code)
            .sort(\.$createdAt).all()
        let seats = try await RegistrationSeat.query(on: db).filter(\.$registrationID ~~ registrations.compactMap(\.id)).all()
        // Seats and attendances may name people of other municipalities (a shared consultant): one query for their names.
        func learnNames(_ ids: [UUID]) async throws {
            let missing = Set(ids).subtracting(names.keys)
            guard !missing.isEmpty else { return }
            for person in try await Person.query(on: db).filter(\.$id ~~ missing).all() { names[person.id!] = person.name }
        }
        try await learnNames(seats.map(\.personID))
        let seatsOf = Dictionary(grouping: seats, by: \.registrationID)
        csv("registrations.csv", "Registrations for collaborations, with the seats and who holds them.",
            ["collaboration", "collaboration_title", "status", "arrival", "seats", "accepted_price_minor", "registered_at", "changed_at"],
            registrations.map { r in
                [slug(r.collaborationID), title(r.collaborationID), r.status, String(r.sequence),
                 (seatsOf[r.id!] ?? []).map { "\($0.position): \(names[$0.personID] ?? "")" }.joined(separator: "; "),
                 r.acceptedPriceMinor.map(String.init) ?? "", Self.timestamp(r.createdAt), Self.timestamp(r.updatedAt)]
            })

        let invitations = try await Invitation.query(on: db).filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code).all()
        csv("invitations.csv", "Invitations to collaborations and the reminders sent (days before the deadline).",
            ["collaboration", "collaboration_title", "positions", "recipients", "sent_at", "reminders_sent"],
            invitations.map { [slug($0.collaborationID), title($0.collaborationID), $0.positions.joined(separator: "; "), String($0.recipients),
                               Self.timestamp($0.sentAt), $0.remindersSent.map(String.init).joined(separator: "; ")] })

        let memberships = try await ClusterMember.query(on: db).filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code).all()
        let clusters = Dictionary(uniqueKeysWithValues: try await Cluster.query(on: db).filter(\.$id ~~ memberships.map(\.clusterID)).all().map { ($0.id!, $0) })
        csv("clusters.csv", "The clusters the municipality is in.", ["collaboration", "collaboration_title", "cluster", "wave"],
            memberships.compactMap { m in clusters[m.clusterID].map { [slug(m.collaborationID), title(m.collaborationID), $0.name, String($0.wave)] } })

        // The meetings it took part in: by attendance, as a member of the meeting's cluster, as host.
        let attendances = try await Attendance.query(on: db).group(.or) { group in
            group.group(.and) { $0.filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code) }
            if !peopleIDs.isEmpty { group.filter(\.$personID ~~ peopleIDs) }
        }.all()
        try await learnNames(attendances.map(\.personID))
        let meetings = try await Meeting.query(on: db).group(.or) { group in
            group.filter(\.$id ~~ Set(attendances.map(\.meetingID)))
            if !clusters.isEmpty { group.filter(\.$clusterID ~~ Array(clusters.keys)) }
            group.group(.and) { $0.filter(\.$hostCountry == country).filter(\.$hostCode == code) }
        }.sort(\.$startsAt).all()
        let meetingsByID = Dictionary(uniqueKeysWithValues: meetings.map { ($0.id!, $0) })
        csv("attendances.csv", "Who from the municipality registered for which meeting, and who came.",
            ["meeting", "starts_at", "person", "status", "checked_in_at"],
            attendances.map { a in
                [meetingsByID[a.meetingID]?.title ?? "", Self.timestamp(meetingsByID[a.meetingID]?.startsAt), names[a.personID] ?? "",
                 a.status, Self.timestamp(a.checkedInAt)]
            })
        let agenda = Dictionary(grouping: try await AgendaItem.query(on: db).filter(\.$meetingID ~~ meetings.compactMap(\.id)).sort(\.$position).all(), by: \.meetingID)
        struct MeetingRecord: Encodable {
            struct Item: Encodable { var title: String; var description: String; var questions: [String] }
            var collaboration: String; var title: String; var kind: String; var status: String; var startsAt: Date; var endsAt: Date
            var venue: String?; var host: String?; var agenda: [Item]; var minutes: String; var decisions: [String]
        }
        try json("meetings.json", "The meetings the municipality took part in (attended, in its cluster, or hosted), with agenda, minutes and decisions.",
                 meetings.map { m in
                     MeetingRecord(collaboration: slug(m.collaborationID), title: m.title, kind: m.kind, status: m.status, startsAt: m.startsAt, endsAt: m.endsAt,
                                   venue: m.venueName, host: m.hostCode.map { "\(m.hostCountry ?? country)/\($0)" },
                                   agenda: (agenda[m.id!] ?? []).map { .init(title: $0.title, description: $0.description, questions: $0.questions) },
                                   minutes: m.minutes, decisions: m.decisions)
                 })

        let commitments = try await Commitment.query(on: db).filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code).all()
        let commitmentMeetings = Dictionary(uniqueKeysWithValues: try await Meeting.query(on: db).filter(\.$id ~~ Set(commitments.map(\.meetingID))).all().map { ($0.id!, $0.title) })
        csv("commitments.csv", "What the municipality committed to at meetings, and how far it has come.",
            ["collaboration", "meeting", "commitment", "owner", "due", "status", "done_at"],
            commitments.map { [slug($0.collaborationID), commitmentMeetings[$0.meetingID] ?? "", $0.text, $0.owner, $0.dueDate ?? "", $0.status, Self.timestamp($0.doneAt)] })

        // Its responses: the municipality's own, and those of its people (teachers, school leaders).
        let responses = try await QuestionnaireResponse.query(on: db).group(.or) { group in
            group.group(.and) { $0.filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code) }
            if !peopleIDs.isEmpty { group.filter(\.$personID ~~ peopleIDs) }
        }.all()
        let questionnaires = Dictionary(uniqueKeysWithValues: try await Questionnaire.query(on: db).filter(\.$id ~~ Set(responses.map(\.questionnaireID))).all().map { ($0.id!, $0) })
        let answers = Dictionary(grouping: try await AnswerRecord.query(on: db).filter(\.$responseID ~~ responses.compactMap(\.id)).all(), by: \.responseID)
        var answerRows: [[String]] = []
        for response in responses {
            let q = questionnaires[response.questionnaireID]
            let respondent = response.personID.flatMap { names[$0] } ?? municipality.description
            for a in (answers[response.id!] ?? []).sorted(by: { ($0.question, $0.statement ?? "", $0.option ?? "") < ($1.question, $1.statement ?? "", $1.option ?? "") }) {
                answerRows.append([q?.title ?? "", q.map { slug($0.collaborationID) } ?? "", respondent, response.status, Self.timestamp(response.submittedAt),
                                   a.question, a.statement ?? "", a.option ?? "", Self.number(a.number), a.text ?? ""])
            }
        }
        csv("questionnaire_answers.csv", "Every answer given by the municipality or its people, one row per answer (a matrix statement or a chosen option each a row).",
            ["questionnaire", "collaboration", "respondent", "response_status", "submitted_at", "question", "statement", "option", "number", "text"], answerRows)

        let goals = try await Goal.query(on: db).filter(\.$country == country).filter(\.$municipalityCode == code).sort(\.$indicator).all()
        csv("goals.csv", "Goals for indicators, of the municipality and its schools.",
            ["level", "unit", "indicator", "baseline_year", "baseline", "target_year", "target", "reason", "owner"],
            goals.map { [$0.level, $0.unitCode, $0.indicator, String($0.baselineYear), Self.number($0.baselineValue), String($0.targetYear), Self.number($0.targetValue), $0.reason, $0.owner] })
        let steps = try await NextStep.query(on: db).filter(\.$country == country).filter(\.$municipalityCode == code).sort(\.$year).all()
        csv("next_steps.csv", "Next steps agreed in school development dialogues.",
            ["level", "unit", "year", "step", "responsible", "follow_up", "status"],
            steps.map { [$0.level, $0.unitCode, String($0.year), $0.text, $0.responsible, $0.followUp ?? "", $0.status] })

        // Public values and the municipality's own private ones; never another's.
        struct ObservationRow: Decodable { var indicator: String; var level: String; var unit_code: String; var year: Int; var scope: String; var value: Double?; var status: String; var pupils: Int? }
        let observations = try await (db as! any SQLDatabase).raw("""
            SELECT indicator, level, unit_code, year, scope, value, status, pupils FROM observations
            WHERE country = \(bind: country) AND scope IN ('', \(bind: municipality.description))
              AND ((level = 'municipality' AND unit_code = \(bind: code))
                   OR (level = 'school' AND unit_code IN (SELECT code FROM schools WHERE country = \(bind: country) AND municipality_code = \(bind: code))))
            ORDER BY indicator, level, unit_code, year
            """).all(decoding: ObservationRow.self)
        csv("indicators.csv", "Indicator values of the municipality and its schools: public statistics and the municipality's own imported values (scope own).",
            ["indicator", "level", "unit", "year", "value", "status", "pupils", "scope"],
            observations.map { [$0.indicator, $0.level, $0.unit_code, String($0.year), Self.number($0.value), $0.status, $0.pupils.map(String.init) ?? "", $0.scope.isEmpty ? "public" : "own"] })

        let dialogues = try await LocalDialogue.query(on: db).filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code).sort(\.$heldOn).all()
        let guides = Dictionary(uniqueKeysWithValues: try await DiscussionGuide.query(on: db).filter(\.$id ~~ Set(dialogues.map(\.guideID))).all().map { ($0.id!, $0.title) })
        struct DialogueRecord: Encodable {
            var guide: String; var heldOn: String; var committee: String; var participants: [String: String]; var notes: [String: String]
            var agreements: [Agreement]; var sharedAt: Date?
        }
        try json("local_dialogues.json", "Local dialogues held with discussion guides: participants, notes, and the goals and frames agreed.",
                 dialogues.map { DialogueRecord(guide: guides[$0.guideID] ?? "", heldOn: $0.heldOn, committee: $0.committee, participants: $0.participants,
                                                notes: $0.notes, agreements: $0.agreementList.items, sharedAt: $0.sharedAt) })

        let materials = try await KnowledgeMaterial.query(on: db).filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code)
            .filter(\.$status == EditorialStatus.published.rawValue).sort(\.$publishedAt).all()
        struct MaterialRecord: Encodable {
            var address: String; var kind: String; var title: String; var summary: String; var body: String; var themes: [String]; var authors: [String]
            var school: String?; var language: String; var licence: String; var visibility: String; var publishedAt: Date?
        }
        try json("materials.json", "Published materials of the knowledge bank from the municipality (Markdown bodies).",
                 materials.map { MaterialRecord(address: $0.href, kind: $0.kind, title: $0.title, summary: $0.summary, body: $0.body, themes: $0.themes,
                                                authors: $0.authors, school: $0.school, language: $0.language, licence: $0.licence,
                                                visibility: $0.visibility, publishedAt: $0.publishedAt) })
        return files
    }

    /// samrad-dk-751-2026-11-25.zip
    func fileName(at date: Date) -> String {
        "samrad-\(municipality.country.rawValue)-\(municipality.code)-\(date.formatted(.iso8601.year().month().day())).zip"
    }

    /// The files in one ZIP, with manifest.json first: what each file holds and how many rows.
    func zip(_ files: [File], generatedAt: Date = Date()) throws -> Data {
        struct Manifest: Encodable {
            struct Entry: Encodable { var file: String; var rows: Int; var holds: String }
            var municipality: String; var name: String; var generatedAt: String; var files: [Entry]
        }
        let manifest = Manifest(municipality: municipality.description, name: directory[municipality]?.name ?? "", generatedAt: Self.timestamp(generatedAt),
                                files: files.map { .init(file: $0.name, rows: $0.rows, holds: $0.description) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let all = [File(name: "manifest.json", description: "", rows: 0, data: try encoder.encode(manifest))] + files
        let archive = try Archive(accessMode: .create)
        for file in all {
            try archive.addEntry(with: file.name, type: .file, uncompressedSize: Int64(file.data.count), modificationDate: generatedAt,
                                 compressionMethod: .deflate) { position, size in
                file.data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        // An archive made in memory always has its data; without it this is a server error, logged.
        guard let data = archive.data else { throw Archive.ArchiveError.unwritableArchive }
        return data
    }
}
