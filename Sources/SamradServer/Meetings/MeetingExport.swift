import Fluent
import Foundation
import SamradCore

/// attendances.csv, meetings.json and commitments.csv of a municipality's export.
enum MeetingExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let country = export.municipality.country.rawValue, code = export.municipality.code
        let collaborations = try await CollaborationNames.of(export, on: db)
        let peopleIDs = try await PersonNames.ofMunicipality(export, on: db).compactMap(\.id)
        let clusters = try await ClusterMembership.of(export, on: db)
        // The meetings it took part in: by attendance, as a member of the meeting's cluster, as host.
        let attendances = try await Attendance.query(on: db).group(.or) { group in
            group.group(.and) { $0.filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code) }
            if !peopleIDs.isEmpty { group.filter(\.$personID ~~ peopleIDs) }
        }.all()
        let names = try await PersonNames.names(attendances.map(\.personID), in: export, on: db)
        let meetings = try await Meeting.query(on: db).group(.or) { group in
            group.filter(\.$id ~~ Set(attendances.map(\.meetingID)))
            if !clusters.byID.isEmpty { group.filter(\.$clusterID ~~ Array(clusters.byID.keys)) }
            group.group(.and) { $0.filter(\.$hostCountry == country).filter(\.$hostCode == code) }
        }.sort(\.$startsAt).all()
        let meetingsByID = Dictionary(uniqueKeysWithValues: meetings.map { ($0.id!, $0) })
        export.csv(
            "attendances.csv", "Who from the municipality registered for which meeting, and who came.",
            ["meeting", "starts_at", "person", "status", "checked_in_at"],
            attendances.map { a in
                [
                    meetingsByID[a.meetingID]?.title ?? "",
                    MunicipalityExport.timestamp(meetingsByID[a.meetingID]?.startsAt),
                    names[a.personID] ?? "", a.status, MunicipalityExport.timestamp(a.checkedInAt),
                ]
            })
        let items = try await AgendaItem.query(on: db).filter(\.$meetingID ~~ meetings.compactMap(\.id))
            .sort(\.$position).all()
        let agenda = Dictionary(grouping: items, by: \.meetingID)
        struct MeetingRecord: Encodable {
            struct Item: Encodable { var title: String; var description: String; var questions: [String] }
            var collaboration: String; var title: String; var kind: String; var status: String
            var startsAt: Date; var endsAt: Date
            var venue: String?; var host: String?; var agenda: [Item]; var minutes: String; var decisions: [String]
        }
        try export.json(
            "meetings.json",
            "The meetings the municipality took part in (attended, in its cluster, or hosted), "
                + "with agenda, minutes and decisions.",
            meetings.map { m in
                MeetingRecord(
                    collaboration: collaborations.slug(m.collaborationID), title: m.title,
                    kind: m.kind, status: m.status, startsAt: m.startsAt, endsAt: m.endsAt,
                    venue: m.venueName, host: m.hostCode.map { "\(m.hostCountry ?? country)/\($0)" },
                    agenda: (agenda[m.id!] ?? []).map {
                        .init(title: $0.title, description: $0.description, questions: $0.questions)
                    },
                    minutes: m.minutes, decisions: m.decisions)
            })

        let commitments = try await Commitment.query(on: db).filter(\.$municipalityCountry == country)
            .filter(\.$municipalityCode == code).all()
        let titles = Dictionary(
            uniqueKeysWithValues: try await Meeting.query(on: db)
                .filter(\.$id ~~ Set(commitments.map(\.meetingID))).all().map { ($0.id!, $0.title) })
        export.csv(
            "commitments.csv", "What the municipality committed to at meetings, and how far it has come.",
            ["collaboration", "meeting", "commitment", "owner", "due", "status", "done_at"],
            commitments.map {
                [
                    collaborations.slug($0.collaborationID), titles[$0.meetingID] ?? "", $0.text, $0.owner,
                    $0.dueDate ?? "", $0.status, MunicipalityExport.timestamp($0.doneAt),
                ]
            })
    }
}
