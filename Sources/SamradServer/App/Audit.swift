import Fluent
import Foundation
import SamradCore
import Vapor

/// One change to people, roles or accounts: who did what to what, when.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "action") var action: String
    @Field(key: "subject_type") var subjectType: String
    @Field(key: "subject_id") var subjectID: String
    /// A short, human-readable description of the change (what changed, not secrets).
    @Field(key: "summary") var summary: String

    init() {}
}

/// Whom an audit entry names, taken from a request while it is at hand: work decided later (a
/// registration in a batch) still names the person who asked for it.
struct AuditActor: Sendable {
    var userID: UUID?
    var name: String

    init(userID: UUID?, name: String) {
        self.userID = userID
        self.name = name
    }

    init(_ request: Request) {
        userID = request.actor.userID
        if let user = request.currentUser {
            name = "\(user.name) <\(user.email)>"
        } else if let pass = request.actor.meetingPasses.first {
            name = "meeting link (person \(pass.personID.uuidString.prefix(8)))"
        } else if let pass = request.actor.passes.first {
            name =
                pass.personID.map { "invitation link (person \($0.uuidString.prefix(8)))" }
                ?? "invitation link (the municipality's mailbox)"
        } else {
            name = "—"
        }
    }
}

enum Audit {
    /// Writes an entry on `db`, which should be the transaction that makes the change.
    static func record(
        _ action: String, subject: String, id: String, summary: String, by request: Request, on db: any Database
    ) async throws {
        try await record(action, subject: subject, id: id, summary: summary, by: AuditActor(request), on: db)
    }

    static func record(
        _ action: String, subject: String, id: String, summary: String, by who: AuditActor,
        on db: any Database
    ) async throws {
        let entry = AuditEntry()
        entry.at = Date()
        entry.actorUserID = who.userID
        entry.actorName = who.name
        entry.action = action
        entry.subjectType = subject
        entry.subjectID = id
        entry.summary = String(summary.prefix(1000))
        try await entry.create(on: db)
    }
}
