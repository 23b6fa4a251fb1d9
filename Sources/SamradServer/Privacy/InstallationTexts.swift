import Fluent
import Foundation
import SamradCore

/// What the operator fills in once for the whole installation, as JSON by kind: the privacy notice,
/// the retention terms, the accessibility statement.
final class InstallationText: Model, @unchecked Sendable {
    static let schema = "installation_texts"

    enum Kind: String { case privacyNotice = "privacy_notice", retention, accessibility }

    @ID(custom: "kind", generatedBy: .user) var id: String?
    @Field(key: "content") var content: String
    @OptionalField(key: "updated_at") var updatedAt: Date?
    @OptionalField(key: "updated_by") var updatedBy: String?

    init() {}

    static func read<T: Decodable>(_ kind: Kind, as type: T.Type, on db: any Database) async throws -> T? {
        guard let row = try await find(kind.rawValue, on: db) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(row.content.utf8))
    }

    static func write(_ value: some Encodable, as kind: Kind, by who: String, on db: any Database) async throws {
        let row = try await find(kind.rawValue, on: db) ?? InstallationText()
        row.id = kind.rawValue
        row.content = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        row.updatedAt = Date()
        row.updatedBy = who
        try await row.save(on: db)
    }

    static func retention(on db: any Database) async throws -> RetentionTerms {
        try await read(.retention, as: RetentionTerms.self, on: db) ?? .standard
    }
}
