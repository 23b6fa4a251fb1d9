import Fluent

/// Where each municipality receives e-invoices, and its organisation number.
struct M036InvoiceAddresses: AsyncMigration {
    var name: String { "M036InvoiceAddresses" }

    func prepare(on database: any Database) async throws {
        try await database.schema("municipality_invoice_addresses")
            .id()
            .field("municipality_country", .string, .required)
            .field("municipality_code", .string, .required)
            .field("electronic_address", .string)
            .field("organisation_number", .string)
            .field("updated_at", .datetime)
            .unique(on: "municipality_country", "municipality_code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("municipality_invoice_addresses").delete()
    }
}
