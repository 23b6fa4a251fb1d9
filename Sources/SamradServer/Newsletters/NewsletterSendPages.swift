import Fluent
import Foundation
import SamradCore
import Vapor

/// NewsletterPages: sending.
extension NewsletterPages {
    /// Schedules the newsletter for now or a later moment; an empty audience is refused. Returns
    /// how many it goes to.
    @discardableResult
    static func schedule(_ n: Newsletter, at sendAt: Date, request: Request) async throws -> Int {
        let recipients = try await NewsletterSending.recipients(n, directory: request.municipalities, on: request.db)
        if recipients.isEmpty {
            throw SamradError.invalid([FieldError(field: "audience", "newsletters.error.empty_audience")])
        }
        n.status = NewsletterStatus.scheduled.rawValue
        n.sendAt = sendAt
        try await request.db.transaction { db in
            try await n.save(on: db)
            try await Audit.record(
                "newsletter:send", subject: "newsletter", id: n.requireID().uuidString,
                summary: "\(n.subject): \(recipients.count)", by: request, on: db)
        }
        return recipients.count
    }

    /// Now, or at a time in the sender's time zone.
    func send(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.editable(request)
        struct Form: Content { var when: String?; var at: String? }
        let form = try request.content.decode(Form.self)
        do {
            var v = Validation()
            var sendAt = Date()
            if form.when == "later" {
                if let date = DateText.parseLocal(form.at ?? "", zone: c.timeZone), date > Date() {
                    sendAt = date
                } else {
                    v.add("at", "newsletters.error.time")
                }
            }
            try v.check()
            try await Self.schedule(n, at: sendAt, request: request)
            return request.redirect(
                to: n.href, notice: form.when == "later" ? "newsletters.scheduled" : "newsletters.sending")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "newsletters/show",
                showContext(
                    request, n, c, form: FormState(values: ["at": form.at ?? ""], error: error, request: request)))
        }
    }

    /// A scheduled newsletter back to draft.
    static func cancel(_ n: Newsletter, on db: any Database) async throws {
        n.status = NewsletterStatus.draft.rawValue
        n.sendAt = nil
        try await n.save(on: db)
    }

    func cancel(_ request: Request) async throws -> Response {
        let (n, _) = try await Self.editable(request)
        try await Self.cancel(n, on: request.db)
        return request.redirect(to: n.href, notice: "newsletters.cancelled")
    }

    static func delete(_ n: Newsletter, request: Request) async throws {
        try await request.db.transaction { db in
            try await n.delete(on: db)
            try await Audit.record(
                "newsletter:delete", subject: "newsletter", id: n.requireID().uuidString, summary: n.subject,
                by: request, on: db)
        }
    }

    func delete(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.editable(request)
        try await Self.delete(n, request: request)
        return request.redirect(to: "/collaborations/\(c.slug)/newsletters", notice: "newsletters.deleted")
    }
}
