import Fluent
import SQLKit

/// Invitations that always reach a municipality: its official mailbox (kept by administrators), who
/// each invitation reached, and personal links that belong to a mailbox rather than a person.
struct M019InvitationReach: AsyncMigration {
    var name: String { "M019InvitationReach" }

    func prepare(on database: any Database) async throws {
        try await database.schema("municipality_mailboxes")
            .id()
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("email", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "municipality_country", "municipality_code")
            .create()
        try await database.schema("invitations").field("reached", .array(of: .json)).update()
        let sql = database.sql
        if sql.dialect.name == "sqlite" {
            // SQLite cannot drop a NOT NULL: the table is made again and its rows copied.
            try await sql.raw("ALTER TABLE invitation_links RENAME TO invitation_links_before_m019").run()
            try await Self.createLinks(on: database, personRequired: false)
            try await sql.raw(
                """
                INSERT INTO invitation_links (id, token_hash, collaboration_id, municipality_country, municipality_code,
                    person_id, expires_at, last_used_at, created_at)
                SELECT id, token_hash, collaboration_id, municipality_country, municipality_code,
                    person_id, expires_at, last_used_at, created_at FROM invitation_links_before_m019
                """
            ).run()
            try await sql.raw("DROP TABLE invitation_links_before_m019").run()
        } else {
            try await sql.raw("ALTER TABLE invitation_links ALTER COLUMN person_id DROP NOT NULL").run()
        }
    }

    static func createLinks(on database: any Database, personRequired: Bool) async throws {
        var person: [DatabaseSchema.FieldConstraint] = [.references("people", "id", onDelete: .cascade)]
        if personRequired { person.insert(.required, at: 0) }
        try await database.schema("invitation_links")
            .id()
            .field("token_hash", .string, .required)
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id", onDelete: .cascade))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field(.definition(name: .key("person_id"), dataType: .uuid, constraints: person))
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        // Mailbox links have no person to keep them by.
        try await sql.raw("DELETE FROM invitation_links WHERE person_id IS NULL").run()
        if sql.dialect.name != "sqlite" {
            try await sql.raw("ALTER TABLE invitation_links ALTER COLUMN person_id SET NOT NULL").run()
        }
        try await database.schema("invitations").deleteField("reached").update()
        try await database.schema("municipality_mailboxes").delete()
    }
}
