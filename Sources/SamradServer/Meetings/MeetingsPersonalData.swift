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
}
