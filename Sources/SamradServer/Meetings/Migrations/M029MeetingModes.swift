import Fluent
import SQLKit

/// In person, online or hybrid, with a dial-in beside the join link; check-in tells online from in
/// the room. Meetings that had a link become online (no place) or hybrid (a place as well). An open
/// audience may come from one country or region only.
struct M029MeetingModes: AsyncMigration {
    var name: String { "M029MeetingModes" }

    func prepare(on database: any Database) async throws {
        try await database.schema("meetings")
            .field("mode", .string, .required, .sql(.default("in_person")))
            .update()
        try await database.schema("meetings").field("dial_in", .string).update()
        try await database.schema("meetings").field("audience_area", .string).update()
        try await database.schema("attendances")
            .field("checked_in_online", .bool, .required, .sql(.default(false)))
            .update()
        let sql = database.sql
        try await sql.raw("""
            UPDATE meetings SET mode = CASE WHEN venue_name IS NULL AND venue_address IS NULL AND host_code IS NULL
                THEN 'online' ELSE 'hybrid' END
            WHERE online_url IS NOT NULL
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("attendances").deleteField("checked_in_online").update()
        try await database.schema("meetings").deleteField("audience_area").update()
        try await database.schema("meetings").deleteField("dial_in").update()
        try await database.schema("meetings").deleteField("mode").update()
    }
}
