import Fluent
import SamradCore

/// What Directory offers other features besides the municipality of a path (`MunicipalityAccess`):
/// the official mailboxes administrators keep, which invitations reach when no person is named.
enum OfficialMailboxes {
    /// The mailboxes of `keys` that have one.
    static func of(_ keys: [MunicipalityKey], on db: any Database) async throws -> [MunicipalityKey: String] {
        guard !keys.isEmpty else { return [:] }
        let countries = Set(keys.map(\.country.rawValue))
        let wanted = Set(keys)
        let rows = try await MunicipalityMailbox.query(on: db).filter(\.$municipalityCountry ~~ countries).all()
        return Dictionary(
            rows.compactMap { row in row.municipality.flatMap { wanted.contains($0) ? ($0, row.email) : nil } },
            uniquingKeysWith: { first, _ in first })
    }
}

/// The invoice addresses administrators keep, for the invoice lines of paid tracks.
enum OfficialInvoiceAddresses {
    static func of(_ keys: [MunicipalityKey], on db: any Database) async throws -> [MunicipalityKey: InvoiceAddress] {
        guard !keys.isEmpty else { return [:] }
        let wanted = Set(keys)
        let rows = try await MunicipalityInvoiceAddress.query(on: db)
            .filter(\.$municipalityCountry ~~ Set(keys.map(\.country.rawValue))).all()
        return Dictionary(
            rows.compactMap { row in row.municipality.flatMap { wanted.contains($0) ? ($0, row.address) : nil } },
            uniquingKeysWith: { first, _ in first })
    }
}
