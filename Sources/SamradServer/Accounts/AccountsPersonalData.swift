import Fluent
import Foundation
import SamradCore
import SQLKit

/// The account and everything that signs it in: exported without secrets, deleted on erasure.
extension AccountsFeature {
    var processing: [ProcessingActivity] {
        [
            ProcessingActivity(feature: "accounts", purpose: "sign_in", categories: [.account, .roles, .contact],
                retention: .whileAccountExists),
            ProcessingActivity(feature: "accounts", purpose: "abuse", categories: [.network], retention: .days(1)),
        ]
    }

    func exportPerson(into export: PersonExport, on db: any Database) async throws {
        guard let id = export.subject.userID else { return }
        try await export.table(
            "account", "Your account (the password and second-step key are kept only as hashes and not shown).",
            query: """
                SELECT email, name, language, created_at, disabled,
                    CASE WHEN totp_secret IS NULL THEN 'no' ELSE 'yes' END AS two_step
                FROM users WHERE id = \(bind: id)
                """, on: db)
        try await export.table(
            "roles", "The rights your account holds.",
            query: """
                SELECT r.kind, r.municipality_country, r.municipality_code, o.name AS organisation
                FROM role_assignments r LEFT JOIN organisations o ON o.id = r.organisation_id
                WHERE r.user_id = \(bind: id) ORDER BY r.kind
                """, on: db)
        try await export.table(
            "sessions", "Where your account is signed in.",
            query: """
                SELECT user_agent AS browser, created_at, last_seen_at FROM web_sessions WHERE user_id = \(bind: id)
                ORDER BY last_seen_at DESC
                """, on: db)
        try await export.table(
            "access_tokens", "Your API tokens (their secrets are kept only as hashes).",
            query: """
                SELECT name, prefix, created_at, last_used_at, revoked_at FROM access_tokens
                WHERE user_id = \(bind: id) ORDER BY created_at
                """, on: db)
        try await export.table(
            "work_identities", "The work identities linked to your account.",
            query: """
                SELECT provider, subject, claimed_country, claimed_code, created_at, last_used_at FROM identity_links
                WHERE user_id = \(bind: id)
                """, on: db)
        try await export.table(
            "access_requests", "Your requests for access and how they were decided.",
            query: """
                SELECT municipality_country, municipality_code, work, status, decision_note, created_at, decided_at
                FROM access_requests WHERE user_id = \(bind: id) ORDER BY created_at
                """, on: db)
    }

    func erase(_ erasure: PersonErasure, on db: any Database) async throws {
        let sql = db.sql
        if let id = erasure.subject.userID {
            // Roles, tokens, recovery codes, identities, requests and uploads go with it (cascade).
            try await sql.raw("DELETE FROM web_sessions WHERE user_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM account_tokens WHERE user_id = \(bind: id)").run()
            try await User.query(on: db).filter(\.$id == id).delete()
        }
        for email in erasure.subject.emails {
            try await sql.raw("DELETE FROM account_tokens WHERE lower(email) = \(bind: email.lowercased())").run()
            try await SignInFailure.query(on: db).filter(\.$email == email.lowercased()).delete()
        }
    }

    /// Failed sign-ins count against an address for an hour; after a day they go. Set-up and reset
    /// links that ran out a day ago go too.
    func applyRetention(_ run: RetentionRun, on db: any Database) async throws -> [String: Int] {
        let dayAgo = run.now.addingTimeInterval(-86_400)
        let sql = db.sql
        let failures = try await sql.raw("DELETE FROM sign_in_failures WHERE at < \(bind: dayAgo) RETURNING id")
            .all().count
        let tokens = try await sql.raw("DELETE FROM account_tokens WHERE expires_at < \(bind: dayAgo) RETURNING id")
            .all().count
        return ["sign_in_failures": failures, "account_tokens": tokens]
    }
}
