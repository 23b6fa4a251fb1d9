import Fluent
import Foundation
import SamradCore
import Vapor

/// Mailboxes: the API.
extension Mailboxes {
    struct Item: Content { var municipality: String; var name: String; var email: String }

    func listAPI(_ request: Request) async throws -> [Item] {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
        let country = try Self.country(request)
        let keys = request.municipalities.all.filter { $0.country == country }
        let found = try await OfficialMailboxes.of(keys.map(\.key), on: request.db)
        return keys.compactMap { m in
            found[m.key].map { Item(municipality: m.key.description, name: m.name, email: $0) }
        }
    }

    func importAPI(_ request: Request) async throws -> Outcome {
        guard let body = request.body.data, body.readableBytes > 0 else {
            throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
        }
        return try await Self.importing(
            SpreadsheetUpload.text(Data(body.readableBytesView)),
            country: try Self.country(request), request: request)
    }

    func putAPI(_ request: Request) async throws -> Item {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
        let m = try MunicipalityAccess.load(request)
        struct Input: Content { var email: String? }
        let email = try Self.checked(try request.content.decode(Input.self).email, field: "email")
        _ = try await Self.write([(m.key, email)], request: request)
        return Item(municipality: m.key.description, name: m.name, email: email ?? "")
    }

    static func country(_ request: Request) throws -> Country {
        guard let text = request.query[String.self, at: "country"] else { return .dk }
        guard let country = Country(rawValue: text) else {
            throw SamradError.invalid([FieldError(field: "country", "validation.country")])
        }
        return country
    }

    /// An address as typed: trimmed and lower-cased; empty is nil (no mailbox).
    static func checked(_ text: String?, field: String) throws -> String? {
        var v = Validation()
        let email = v.email(field, text, required: false)
        try v.check()
        return email
    }
}
