import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Turns due newsletters into outbox messages, in batches: each batch's deliveries and messages are
/// written in one transaction, and a delivery is unique per newsletter and address, so a send that
/// stops halfway (a crash, a deploy) is resumed by any instance without mailing anybody twice.
enum NewsletterSending {
    static let batchSize = 200

    /// Everybody who may receive newsletters of these collaborations, with position, municipality
    /// and region: seat holders of registered municipalities, and the people attached.
    static func candidates(
        _ collaborations: [UUID], directory: MunicipalityDirectory, on db: any Database
    ) async throws -> [NewsletterAudience.Candidate] {
        guard !collaborations.isEmpty else { return [] }
        let sql = db.sql
        struct Seat: Decodable {
            var person_id: UUID; var name: String; var email: String?; var position: String;
            var municipality_country: String
            var municipality_code: String; var collaboration_id: UUID
        }
        let ids = collaborations.map { $0 as any Encodable & Sendable }
        let seats = try await sql.raw(
            """
            SELECT p.id AS person_id, p.name AS name, p.email AS email, s.position AS position, r.municipality_country
                AS municipality_country,
                   r.municipality_code AS municipality_code, r.collaboration_id AS collaboration_id
            FROM registration_seats s JOIN registrations r ON r.id = s.registration_id JOIN people p ON p.id =
                s.person_id
            WHERE r.status = \(bind: RegistrationStatus.registered.rawValue) AND r.collaboration_id IN (\(binds: ids))
            """
        ).all(decoding: Seat.self)
        struct Attached: Decodable {
            var person_id: UUID; var name: String; var email: String?; var position: String;
            var municipality_country: String?
            var municipality_code: String?; var collaboration_id: UUID
        }
        let attached = try await sql.raw(
            """
            SELECT p.id AS person_id, p.name AS name, p.email AS email, p.position AS position, p.municipality_country
                AS municipality_country,
                   p.municipality_code AS municipality_code, c.collaboration_id AS collaboration_id
            FROM collaboration_roles c JOIN people p ON p.id = c.person_id WHERE c.collaboration_id IN (\(binds: ids))
            """
        ).all(decoding: Attached.self)
        func key(_ country: String?, _ code: String?) -> MunicipalityKey? {
            guard let c = country.flatMap(Country.init(rawValue:)), let code else { return nil }
            return MunicipalityKey(c, code)
        }
        return seats.map { s in
            let m = key(s.municipality_country, s.municipality_code)
            return .init(
                personID: s.person_id, name: s.name, email: s.email, position: Position(rawValue: s.position),
                municipality: m,
                regionCode: m.flatMap { directory[$0]?.regionCode }, collaborationID: s.collaboration_id)
        }
            + attached.map { a in
                let m = key(a.municipality_country, a.municipality_code)
                return .init(
                    personID: a.person_id, name: a.name, email: a.email, position: Position(rawValue: a.position),
                    municipality: m,
                    regionCode: m.flatMap { directory[$0]?.regionCode }, collaborationID: a.collaboration_id)
            }
    }

    static func unsubscribed(from collaborationID: UUID, on db: any Database) async throws -> Set<String> {
        Set(
            try await NewsletterUnsubscription.query(on: db).filter(\.$collaborationID == collaborationID).all(\.$email)
        )
    }

    static func recipients(
        _ n: Newsletter, directory: MunicipalityDirectory, on db: any Database
    ) async throws -> [NewsletterAudience.Recipient] {
        let candidates = try await candidates(n.audience.collaborations, directory: directory, on: db)
        return n.audience.recipients(candidates, unsubscribed: try await unsubscribed(from: n.collaborationID, on: db))
    }

    /// Called by every outbox round: takes one due newsletter (scheduled and due, or left sending by
    /// a worker whose hold ran out) and puts it into the outbox.
    @discardableResult
    static func sendDue(application: Application, now: Date = Date()) async throws -> Int {
        let db = application.db
        var sent = 0
        while let newsletter = try await claim(on: db, now: now) {
            try await put(newsletter, application: application)
            sent += 1
        }
        return sent
    }

    static func claim(on db: any Database, now: Date) async throws -> Newsletter? {
        try await db.transaction { tx in
            let sql = tx.sql
            var select = sql.select().column("id").from(Newsletter.schema)
                .where(
                    SQLGroupExpression([
                        SQLBinaryExpression(
                            SQLBinaryExpression(
                                SQLColumn("status"), .equal, SQLBind(NewsletterStatus.scheduled.rawValue)), .and,
                            SQLBinaryExpression(SQLColumn("send_at"), .lessThanOrEqual, SQLBind(now)))
                    ])
                )
                .orWhere(
                    SQLGroupExpression([
                        SQLBinaryExpression(
                            SQLBinaryExpression(
                                SQLColumn("status"), .equal, SQLBind(NewsletterStatus.sending.rawValue)), .and,
                            SQLBinaryExpression(SQLColumn("claimed_until"), .lessThan, SQLBind(now)))
                    ])
                )
                .orderBy("send_at").limit(1)
            if sql.isPostgres { select = select.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED")) }
            struct Row: Decodable { var id: UUID }
            guard let id = try await select.first(decoding: Row.self)?.id, let n = try await Newsletter.find(id, on: tx)
            else { return nil }
            n.status = NewsletterStatus.sending.rawValue
            n.claimedUntil = now.addingTimeInterval(600)
            try await n.save(on: tx)
            return n
        }
    }

    static func put(_ n: Newsletter, application: Application) async throws {
        let db = application.db
        let id = try n.requireID()
        guard let collaboration = try await Collaboration.find(n.collaborationID, on: db) else { return }
        let recipients = try await recipients(n, directory: application.municipalities, on: db)
        let done = Set(try await NewsletterDelivery.query(on: db).filter(\.$newsletterID == id).all(\.$email))
        let waiting = recipients.filter { !done.contains($0.email) }
        for start in stride(from: 0, to: waiting.count, by: batchSize) {
            let batch = waiting[start..<min(start + batchSize, waiting.count)]
            try await db.transaction { tx in
                for recipient in batch {
                    let token = Secret.make()
                    let delivery = NewsletterDelivery()
                    delivery.newsletterID = id
                    delivery.email = recipient.email
                    delivery.personID = recipient.personID
                    delivery.tokenHash = Secret.hash(token)
                    try await delivery.create(on: tx)
                    let mail = NewsletterMail(
                        n, collaboration: collaboration, unsubscribeToken: token, settings: application.settings,
                        catalog: application.catalog)
                    try await Outbox.enqueue(
                        to: recipient.email, subject: n.subject, body: mail.text, html: mail.html,
                        headers: mail.headers,
                        settings: application.settings, on: tx)
                }
                n.claimedUntil = Date().addingTimeInterval(600)
                try await n.save(on: tx)
            }
        }
        n.status = NewsletterStatus.sent.rawValue
        n.sentAt = Date()
        n.claimedUntil = nil
        n.recipientCount = try await NewsletterDelivery.query(on: db).filter(\.$newsletterID == id).count()
        try await n.save(on: db)
        application.logger.notice(
            "Newsletter put into the outbox",
            metadata: ["newsletter": .string(id.uuidString), "recipients": .stringConvertible(n.recipientCount)])
    }
}

/// A newsletter as one recipient gets it: HTML and plain text, with the one-click unsubscribe link
/// in the footer and in the List-Unsubscribe headers (RFC 2369, RFC 8058).
struct NewsletterMail {
    var text: String
    var html: String
    var headers: [String]

    init(_ n: Newsletter, collaboration: Collaboration, unsubscribeToken: String?, settings: Settings, catalog: Catalog)
    {
        let language = n.languageValue
        let base = settings.publicBaseURL
        let unsubscribe =
            unsubscribeToken.map { "\(base)/newsletters/unsubscribe/\($0)" } ?? "\(base)/profile/newsletters"
        let archive = "\(base)/collaborations/\(collaboration.slug)/newsletters"
        let footer = catalog.text("newsletters.mail_footer", language, [collaboration.title])
        text =
            n.body + "\n\n-- \n" + footer + "\n" + catalog.text("newsletters.mail_unsubscribe", language) + ": "
            + unsubscribe + "\n"
            + catalog.text("newsletters.mail_archive", language) + ": " + archive + "\n"
        let e = HTMLText.escape
        html = """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width"><title>\(e(n.subject))</title></head>
            <body style="margin:0;padding:0;background:#f4f6f8;font-family:Arial,Helvetica,sans-serif;color:#1b1f23;
            line-height:1.5">
            <div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff">
            <p style="color:#5a6470;font-size:14px;margin:0 0 8px">\(e(collaboration.title))</p>
            <h1 style="font-size:24px;margin:0 0 16px">\(e(n.subject))</h1>
            \(SafeMarkdown.html(n.body))
            <hr style="border:0;border-top:1px solid #d5dbe1;margin:24px 0">
            <p style="color:#5a6470;font-size:13px">\(e(footer))<br>
            <a href="\(e(unsubscribe))">\(e(catalog.text("newsletters.mail_unsubscribe", language)))</a> ·
            <a href="\(e(archive))">\(e(catalog.text("newsletters.mail_archive", language)))</a></p>
            </div></body></html>
            """
        let host = URL(string: base)?.host ?? "samrad.localhost"
        headers = [
            "List-Id: \(collaboration.slug).\(host)", "List-Unsubscribe: <\(unsubscribe)>",
            "List-Archive: <\(archive)>",
        ]
        if unsubscribeToken != nil { headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click") }
    }
}
