import Fluent
import Foundation
import NIOCore
import SamradCore
import SQLKit
import Vapor

final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Status: String { case pending, sent, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    /// A worker that took the message holds it until then; after that another may take it.
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "attachment_name") var attachmentName: String?
    @OptionalField(key: "attachment_type") var attachmentType: String?
    @OptionalField(key: "attachment") var attachment: String?
    @OptionalField(key: "html_body") var htmlBody: String?
    /// More header lines, one per line.
    @OptionalField(key: "extra_headers") var extraHeaders: String?

    init() {}

    /// Once a message has gone (or will not), its body leaves the database: set-up, reset and
    /// invitation links, answer links, registration keys and unsubscribe tokens live only in it.
    /// Recipient, subject, status and error stay for the administrators' outbox page.
    func redact() {
        body = ""
        htmlBody = nil
        attachment = nil
        extraHeaders = nil
    }

    var emailAttachment: EmailMessage.Attachment? {
        guard let attachmentName, let attachmentType, let attachment else { return nil }
        return EmailMessage.Attachment(filename: attachmentName, contentType: attachmentType, text: attachment)
    }
}

/// Messages are written in the same transaction as the change that causes them and delivered later
/// by `OutboxDelivery` (see `ScheduledWork`), so a change is never saved without its e-mail or the other way round.
enum Outbox {
    static func enqueue(
        to recipient: String, subject: String, body: String, attachment: EmailMessage.Attachment? = nil,
        html: String? = nil, headers: [String] = [], settings: Settings, on db: any Database
    ) async throws {
        let message = OutboxMessage()
        message.htmlBody = html
        message.extraHeaders = headers.isEmpty ? nil : headers.joined(separator: "\n")
        message.attachmentName = attachment?.filename
        message.attachmentType = attachment?.contentType
        message.attachment = attachment?.text
        message.recipient = recipient
        message.subject = subject
        message.body = body
        message.status = OutboxMessage.Status.pending.rawValue
        message.attempts = 0
        message.nextAttemptAt = Date()
        try await message.create(on: db)
    }
}

/// Delivers due messages over SMTP when SMTP_URL is set, otherwise as .eml files. Failures are
/// retried with doubling delays; after the last attempt the message is marked failed and shown to
/// administrators. On PostgreSQL several instances share the work: a message is claimed with
/// FOR UPDATE SKIP LOCKED, so each is sent by one worker. `ScheduledWork` calls it every round.
enum OutboxDelivery {
    /// One round: claims due messages and tries each once. Returns how many were sent.
    @discardableResult
    static func deliverDue(application: Application, settings: Settings, limit: Int = 20) async throws -> Int {
        let db = application.db
        let now = Date()
        let claimUntil = now.addingTimeInterval(120)
        let ids: [UUID] = try await db.transaction { tx in
            let sql = tx.sql
            var select = sql.select().column("id").from("outbox_messages")
                .where("status", .equal, OutboxMessage.Status.pending.rawValue)
                .where("next_attempt_at", .lessThanOrEqual, now)
                .where(
                    SQLGroupExpression(SQLBinaryExpression(SQLColumn("claimed_until"), .is, SQLLiteral.null)), .or,
                    SQLBinaryExpression(SQLColumn("claimed_until"), .lessThan, SQLBind(now))
                )
                .orderBy("next_attempt_at").limit(limit)
            if sql.isPostgres {
                select = select.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED"))
            }
            struct Row: Decodable { var id: UUID }
            let ids = try await select.all(decoding: Row.self).map(\.id)
            if !ids.isEmpty {
                try await sql.update("outbox_messages").set("claimed_until", to: claimUntil).where("id", .in, ids).run()
            }
            return ids
        }
        guard !ids.isEmpty else { return 0 }
        let retry = DeliveryRetry(baseDelay: settings.outboxRetryBase)
        var sent = 0
        for id in ids {
            guard let message = try await OutboxMessage.find(id, on: db) else { continue }
            let email = EmailMessage(
                from: settings.mailFrom, to: message.recipient, subject: message.subject, body: message.body,
                attachment: message.emailAttachment, html: message.htmlBody,
                headers: message.extraHeaders.map { $0.components(separatedBy: "\n") } ?? [])
            do {
                try await deliver(email, id: id, settings: settings, application: application)
                message.status = OutboxMessage.Status.sent.rawValue
                message.sentAt = Date()
                message.attempts += 1
                message.lastError = nil
                message.redact()
                sent += 1
            } catch {
                message.attempts += 1
                message.lastError = String(describing: error).prefix(500).description
                if retry.givesUp(afterAttempt: message.attempts) {
                    message.status = OutboxMessage.Status.failed.rawValue
                    message.redact()
                } else {
                    message.nextAttemptAt = Date().addingTimeInterval(retry.delay(afterAttempt: message.attempts))
                }
                application.logger.warning(
                    "E-mail delivery failed",
                    metadata: [
                        "to": .string(message.recipient), "attempt": .stringConvertible(message.attempts),
                        "error": .string(message.lastError ?? ""),
                    ])
            }
            message.claimedUntil = nil
            try await message.save(on: db)
        }
        return sent
    }

    static func deliver(_ email: EmailMessage, id: UUID, settings: Settings, application: Application) async throws {
        let host =
            settings.mailFrom.split(separator: "@").last.map {
                String($0).trimmingCharacters(in: CharacterSet(charactersIn: "> "))
            } ?? "samrad.localhost"
        let messageID = "\(id.uuidString.lowercased())@\(host)"
        let text = email.rendered(messageID: messageID, date: Date())
        if let url = settings.smtpURL {
            let server = try SMTPServer(url: url)
            try await SMTPClient(server: server, eventLoopGroup: application.eventLoopGroup).send(
                text, from: email.from, to: email.to)
            application.logger.info(
                "E-mail sent", metadata: ["to": .string(email.to), "subject": .string(email.subject)])
        } else {
            let folder = URL(fileURLWithPath: settings.outboxDirectory)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("\(id.uuidString.lowercased()).eml")
            try Data(text.utf8).write(to: file, options: .atomic)
            application.logger.info(
                "E-mail written to \(file.path)",
                metadata: ["to": .string(email.to), "subject": .string(email.subject)])
        }
    }
}
