import Fluent
import Foundation
import SamradCore
import SQLKit

/// Attendance, materials and calendar feeds: attendance stays with the pseudonymised record on
/// erasure (the meeting's figures hold), the person's links and feeds go.
extension MeetingsFeature {
    var processing: [ProcessingActivity] {
        [ProcessingActivity(feature: "meetings", purpose: "meetings",
            categories: [.identity, .participation, .contributions], retention: .afterCollaboration)]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        if let id = export.subject.personID {
            try await export.table(
                "attendance", "The meetings you were registered for, and whether you came.",
                query: """
                    SELECT m.title AS meeting, m.starts_at, a.status, a.municipality_country, a.municipality_code,
                        a.checked_in_at
                    FROM attendances a JOIN meetings m ON m.id = a.meeting_id WHERE a.person_id = \(bind: id)
                    ORDER BY m.starts_at
                    """, on: db)
            try await export.table(
                "agenda_items", "Agenda items you present.",
                query: """
                    SELECT m.title AS meeting, m.starts_at, i.title AS item FROM agenda_items i
                    JOIN meetings m ON m.id = i.meeting_id WHERE i.presenter_id = \(bind: id) ORDER BY m.starts_at
                    """, on: db)
        }
        let name = export.subject.name
        try await export.table(
            "commitments", "Commitments from meetings that name you as owner.",
            query: """
                SELECT m.title AS meeting, c.text, c.owner, c.due_date, c.status, c.done_at FROM commitments c
                JOIN meetings m ON m.id = c.meeting_id WHERE c.owner = \(bind: name) ORDER BY m.starts_at
                """, on: db)
        if let user = export.subject.userID {
            try await export.table(
                "meeting_materials", "Files you uploaded to meetings (their contents are at the meetings).",
                query: """
                    SELECT m.title AS meeting, x.title, x.filename, x.size, x.created_at FROM materials x
                    JOIN meetings m ON m.id = x.meeting_id WHERE x.uploaded_by = \(bind: user) ORDER BY x.created_at
                    """, on: db)
        }
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        let sql = db.sql
        if let id = erasure.subject.personID {
            try await sql.raw("DELETE FROM meeting_links WHERE person_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM calendar_feeds WHERE person_id = \(bind: id)").run()
        }
        if let user = erasure.subject.userID {
            try await sql.raw("DELETE FROM calendar_feeds WHERE user_id = \(bind: user)").run()
            try await sql.raw("UPDATE materials SET uploaded_by = NULL WHERE uploaded_by = \(bind: user)").run()
            try await sql.raw("UPDATE attendances SET registered_by = NULL WHERE registered_by = \(bind: user)").run()
            try await sql.raw("UPDATE meeting_series SET created_by = NULL WHERE created_by = \(bind: user)").run()
        }
    }

    /// Past a concluded collaboration's months: who came goes (the meetings, agendas, minutes and
    /// decisions stay), and so do the names of those people in its minutes, speakers' names and
    /// personal meeting links.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let ids = run.expiredCollaborations
        guard !ids.isEmpty else { return [:] }
        let sql = db.sql
        let meetings = SQLQueryString("SELECT id FROM meetings WHERE collaboration_id IN (\(binds: ids))")
        struct Named: Decodable { var name: String }
        let names = try await sql.raw("""
            SELECT DISTINCT p.name FROM people p WHERE p.id IN (
                SELECT person_id FROM attendances WHERE meeting_id IN (\(meetings))
                UNION SELECT presenter_id FROM agenda_items WHERE meeting_id IN (\(meetings)))
            """).all(decoding: Named.self).map(\.name).filter { $0.count >= 5 }
        var minutes = 0
        for name in names {
            minutes += try await sql.raw("""
                UPDATE meetings SET minutes = REPLACE(minutes, \(bind: name), '—')
                WHERE collaboration_id IN (\(binds: ids)) AND minutes LIKE \(bind: "%" + name + "%") RETURNING id
                """).all().count
        }
        let attendances = try await sql.raw(
            "DELETE FROM attendances WHERE meeting_id IN (\(meetings)) RETURNING id").all().count
        let links = try await sql.raw(
            "DELETE FROM meeting_links WHERE meeting_id IN (\(meetings)) RETURNING id").all().count
        let speakers = try await sql.raw("""
            UPDATE agenda_items SET presenter_id = NULL, speaker_name = NULL, speaker_affiliation = NULL
            WHERE meeting_id IN (\(meetings))
                AND (presenter_id IS NOT NULL OR speaker_name IS NOT NULL OR speaker_affiliation IS NOT NULL)
            RETURNING id
            """).all().count
        return ["attendances": attendances, "meeting_links": links, "agenda_items.speakers": speakers,
            "meetings.minutes": minutes]
    }
}
