import Fluent

/// The seller's invoicing details per organisation, and the invoices it has issued.
struct M037EInvoices: AsyncMigration {
    var name: String { "M037EInvoices" }

    func prepare(on database: any Database) async throws {
        try await database.schema("seller_details")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("details", .json, .required)
            .field("next_number", .int, .required)
            .field("updated_at", .datetime)
            .unique(on: "organisation_id")
            .create()
        try await database.schema("issued_invoices")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("number", .string, .required)
            .field("collaboration_id", .uuid, .required, .references("collaborations", "id"))
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("format", .string, .required)
            .field("issue_date", .string, .required)
            .field("due_date", .string, .required)
            .field("currency", .string, .required)
            .field("payable_minor", .int64, .required)
            .field("document", .string, .required)
            .field("kind", .string, .required)
            .field("credits_id", .uuid)
            .field("seller", .json, .required)
            .field("buyer_address", .json, .required)
            .field("reference", .string, .required)
            .field("net_minor", .int64, .required)
            .field("issued_by", .uuid)
            .field("created_at", .datetime)
            .unique(on: "organisation_id", "number")
            // An invoice is credited once.
            .unique(on: "credits_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("issued_invoices").delete()
        try await database.schema("seller_details").delete()
    }
}
