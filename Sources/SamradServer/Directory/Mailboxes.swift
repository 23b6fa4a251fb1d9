import Fluent
import Foundation
import SamradCore
import Vapor

/// The municipality's official mailbox, told of invitations when no one else is known. Kept by
/// administrators, by hand or from a spreadsheet. An official address is public, like the
/// municipality's name.
final class MunicipalityMailbox: Model, @unchecked Sendable {
    static let schema = "municipality_mailboxes"

    @ID(key: .id) var id: UUID?
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    @Field(key: "email") var email: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var municipality: MunicipalityKey? {
        Country(rawValue: municipalityCountry).map { MunicipalityKey($0, municipalityCode) }
    }
}

/// The mailboxes: `/admin/mailboxes` (a field per municipality of a country, and a spreadsheet),
/// `GET`/`POST /api/v1/municipalities/mailboxes` and `PUT /api/v1/municipalities/{country}/{code}/mailbox`.
struct Mailboxes: RouteCollection {
    static let maxBytes = 1_000_000

    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "mailboxes", use: page)
        routes.post("admin", "mailboxes", use: saveForm)
        routes.upload(
            "admin", "mailboxes", "import", maxBytes: Self.maxBytes, tooLarge: "people_import.error.too_large",
            ["1"], gate: Self.gate, use: importFromForm)
        let api = routes.grouped("api", "v1", "municipalities")
        api.get("mailboxes", use: listAPI)
        api.upload(
            "mailboxes", maxBytes: Self.maxBytes, tooLarge: "people_import.error.too_large", ["1"],
            gate: Self.gate, use: importAPI)
        api.put(":country", ":code", "mailbox", use: putAPI)
    }

    @Sendable static func gate(_ request: Request) async throws {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
    }


    struct Outcome: Content, Equatable { var created: Int; var updated: Int; var removed: Int; var unchanged: Int }

    /// Writes `rows` in one transaction (nil removes a mailbox), audited; returns what changed.
    static func write(_ rows: [(MunicipalityKey, String?)], request: Request) async throws -> Outcome {
        let stored = try await MunicipalityMailbox.query(on: request.db)
            .filter(\.$municipalityCountry ~~ Set(rows.map(\.0.country.rawValue))).all()
        let byKey = Dictionary(
            stored.compactMap { row in row.municipality.map { ($0, row) } }, uniquingKeysWith: { a, _ in a })
        // Decided before the transaction: what each line does to the stored mailbox.
        var outcome = Outcome(created: 0, updated: 0, removed: 0, unchanged: 0)
        var removals: [MunicipalityMailbox] = [], saves: [MunicipalityMailbox] = []
        for (key, email) in rows {
            switch (byKey[key], email) {
            case (nil, nil): outcome.unchanged += 1
            case (let row?, nil):
                removals.append(row)
                outcome.removed += 1
            case (let row?, let email?) where row.email == email: outcome.unchanged += 1
            case (let found, let email?):
                let row = found ?? MunicipalityMailbox()
                if found == nil { outcome.created += 1 } else { outcome.updated += 1 }
                row.municipalityCountry = key.country.rawValue
                row.municipalityCode = key.code
                row.email = email
                saves.append(row)
            }
        }
        let summary = "created \(outcome.created), updated \(outcome.updated), removed \(outcome.removed)"
        let countries = Set(rows.map(\.0.country.rawValue)).sorted().joined(separator: ",")
        try await request.db.transaction { [removals, saves] db in
            for row in removals { try await row.delete(on: db) }
            for row in saves { try await row.save(on: db) }
            try await Audit.record(
                "mailboxes:save", subject: "municipality_mailboxes", id: countries, summary: summary,
                by: request, on: db)
        }
        return outcome
    }

    static func importing(_ text: String, country: Country, request: Request) async throws -> Outcome {
        let list = try MailboxList(csv: text, country: country, directory: request.municipalities)
        return try await write(list.rows.map { ($0.municipality, $0.email) }, request: request)
    }
}
