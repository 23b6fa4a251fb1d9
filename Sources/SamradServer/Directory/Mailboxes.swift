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
}

extension MunicipalityMailbox: MunicipalityRecord {
    var value: String {
        get { email }
        set { email = newValue }
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


    typealias Outcome = MunicipalityRecords.Outcome

    /// Writes `rows` in one transaction (nil removes a mailbox), audited; returns what changed.
    static func write(_ rows: [(MunicipalityKey, String?)], request: Request) async throws -> Outcome {
        try await MunicipalityRecords.write(MunicipalityMailbox.self, rows, action: "mailboxes:save", request: request)
    }

    static func importing(_ text: String, country: Country, request: Request) async throws -> Outcome {
        let list = try MailboxList(csv: text, country: country, directory: request.municipalities)
        return try await write(list.rows.map { ($0.municipality, $0.email) }, request: request)
    }
}
