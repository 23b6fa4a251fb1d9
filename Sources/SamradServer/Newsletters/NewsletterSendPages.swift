import Fluent
import Foundation
import SamradCore
import Vapor

/// NewsletterPages: sending.
extension NewsletterPages {
    /// Now, or at a time in the sender's time zone; an empty audience is refused.
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
            let recipients = try await NewsletterSending.recipients(
                n, directory: request.municipalities, on: request.db)
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
            return request.redirect(
                to: n.href, notice: form.when == "later" ? "newsletters.scheduled" : "newsletters.sending")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "newsletters/show",
                showContext(
                    request, n, c, form: FormState(values: ["at": form.at ?? ""], error: error, request: request)))
        }
    }

    func cancel(_ request: Request) async throws -> Response {
        let (n, _) = try await Self.editable(request)
        n.status = NewsletterStatus.draft.rawValue
        n.sendAt = nil
        try await n.save(on: request.db)
        return request.redirect(to: n.href, notice: "newsletters.cancelled")
    }

    func delete(_ request: Request) async throws -> Response {
        let (n, c) = try await Self.editable(request)
        try await request.db.transaction { db in
            try await n.delete(on: db)
            try await Audit.record(
                "newsletter:delete", subject: "newsletter", id: n.requireID().uuidString, summary: n.subject,
                by: request, on: db)
        }
        return request.redirect(to: "/collaborations/\(c.slug)/newsletters", notice: "newsletters.deleted")
    }
}
