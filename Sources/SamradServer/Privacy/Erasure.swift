import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Erases a person (GDPR article 17) in one transaction: every feature deletes what must go and
/// lets what must remain point at the pseudonymised record; then every text column still naming
/// the person or their addresses gets the pseudonym. The register keeps a number and a date.
enum Erasure {
    final class ErasureRecord: Model, @unchecked Sendable {
        static let schema = "erasures"
        @ID(key: .id) var id: UUID?
        @Field(key: "number") var number: Int
        @Field(key: "erased_at") var erasedAt: Date
        /// "self" or "administrator": never the person.
        @Field(key: "requested_by") var requestedBy: String
        init() {}
    }

    /// The subject behind a person record: the record and the account linked to it.
    static func subject(personID: UUID, on db: any Database) async throws -> DataSubject? {
        guard let person = try await Person.find(personID, on: db), person.erasedAt == nil else { return nil }
        let user = try await User.query(on: db).filter(\.$personID == personID).first()
        return DataSubject(
            personID: personID, userID: user?.id, names: unique([person.name, user?.name]),
            emails: [person.email, user?.email].compactMap { $0 }, municipality: person.municipality)
    }

    /// The subject behind an account: the account and its person record, if any.
    static func subject(user: User, on db: any Database) async throws -> DataSubject {
        var person: Person?
        if let id = user.personID { person = try await Person.find(id, on: db) }
        return DataSubject(
            personID: person?.id, userID: user.id, names: unique([person?.name, user.name]),
            emails: [person?.email, user.email].compactMap { $0 }, municipality: person?.municipality)
    }

    private static func unique(_ names: [String?]) -> [String] {
        var seen: [String] = []
        for name in names.compactMap({ $0 }) where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// True when the subject's account is the only one left with the administrator role.
    static func isLastAdministrator(_ subject: DataSubject, on db: any Database) async throws -> Bool {
        guard let userID = subject.userID else { return false }
        let administrators = try await RoleAssignment.query(on: db)
            .filter(\.$kind == RoleKind.administrator.rawValue).all().map(\.userID)
        return administrators.contains(userID) && Set(administrators).count == 1
    }

    struct Outcome: Content {
        var number: Int
        var pseudonym: String
        var textsReplaced: Int
    }

    static func erase(_ subject: DataSubject, requestedBy: String, features: [any Feature], catalog: Catalog,
        on db: any Database, actor: AuditActor
    ) async throws -> Outcome {
        let outcome = try await db.transaction { db in
            let last = try await ErasureRecord.query(on: db).max(\.$number) ?? 0
            let record = ErasureRecord()
            record.number = last + 1
            record.erasedAt = Date()
            record.requestedBy = requestedBy
            // The unique number makes a second erasure at the same moment fail rather than share it.
            try await record.create(on: db)
            let language = subject.municipality.map { Language(writingTo: $0.country) } ?? .en
            let pseudonym = catalog.text("privacy.erased_person", language, [String(record.number)])
            let erasure = PersonErasure(subject: subject, number: record.number, pseudonym: pseudonym)
            for feature in features { try await feature.erase(erasure, on: db) }
            let replaced = try await erasure.sweep(on: db)
            try await Audit.record(
                "person:erase", subject: "person", id: subject.personID?.uuidString ?? "-",
                summary: "\(pseudonym) (\(requestedBy))", by: actor.userID == subject.userID ? .erased : actor, on: db)
            return Outcome(number: record.number, pseudonym: pseudonym, textsReplaced: replaced)
        }
        try await compact(db)
        return outcome
    }

    /// SQLite keeps a changed page's old copy in the write-ahead log until a checkpoint: fold it
    /// into the file and empty the log, so the erased texts are in neither (secure_delete zeroes
    /// freed space in the file itself).
    static func compact(_ db: any Database) async throws {
        let sql = db.sql
        guard !sql.isPostgres else { return }
        try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
    }
}

extension AuditActor {
    /// A person who erased themselves: the entry must not name them.
    static let erased = AuditActor(userID: nil, name: "—")
}
