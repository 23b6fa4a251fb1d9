import Fluent
import Foundation
import SamradCore
import Vapor

/// The privacy notice (`/privacy`), filled in by the administrators for the operator, with what Samrad
/// knows itself: what each feature keeps and how long, people's rights and where to complain; and
/// the record of processing (`/privacy/record`, GDPR article 30) generated from the features.
struct PrivacyNoticePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("privacy", use: notice)
        routes.get("privacy", "record", use: record)
        routes.get("privacy", "edit", use: editForm)
        routes.post("privacy", "edit", use: save)
    }

    struct Activity: Encodable {
        var feature: String
        var purpose: String
        var categories: String
        var retention: String
    }

    struct NoticeContext: Encodable {
        var page: PageContext
        var notice: PrivacyNotice?
        var authority: String
        var authorityURL: String
        var activities: [Activity]
        var mayEdit: Bool
        var updated: String?
        var lastRun: String?
    }

    func notice(_ request: Request) async throws -> View {
        let notice = try await InstallationText.read(.privacyNotice, as: PrivacyNotice.self, on: request.db)
        let authority = SupervisoryAuthority.of(notice?.country ?? (request.language == .sv ? .se : .dk))
        let lastRun = try await RetentionJob.Record.query(on: request.db).sort(\.$ranAt, .descending).first()
        return try await request.view.render(
            "privacy/notice",
            NoticeContext(
                page: PageContext(request, titleKey: "privacy.title"), notice: notice, authority: authority.name,
                authorityURL: authority.url, activities: try await activities(request),
                mayEdit: request.actor.isAdministrator,
                updated: notice.flatMap { DateText.day($0.updatedOn, request.language) },
                lastRun: request.dateTimeText(lastRun?.ranAt)))
    }

    func record(_ request: Request) async throws -> View {
        struct Context: Encodable {
            var page: PageContext
            var notice: PrivacyNotice?
            var activities: [Activity]
        }
        return try await request.view.render(
            "privacy/record",
            Context(
                page: PageContext(request, titleKey: "privacy.record_title"),
                notice: try await InstallationText.read(.privacyNotice, as: PrivacyNotice.self, on: request.db),
                activities: try await activities(request)))
    }

    /// Every feature's processing, in the reader's language, with the days the installation set.
    func activities(_ request: Request) async throws -> [Activity] {
        let terms = try await InstallationText.retention(on: request.db)
        return request.application.features.flatMap(\.processing).map { a in
            let retention: String =
                switch a.retention {
                case .whileAccountExists: request.t("processing.retention.while_account")
                case .untilErased: request.t("processing.retention.until_erased")
                case .afterCollaboration: request.t("processing.retention.after_collaboration")
                case .afterSending: request.t("processing.retention.after_sending", count: terms.outboxDays)
                case .days(let days):
                    request.t("processing.retention.days", count: a.feature == "audit" ? terms.auditDays : days)
                }
            return Activity(
                feature: request.t("processing.feature.\(a.feature)"),
                purpose: request.t("processing.purpose.\(a.purpose)"),
                categories: a.categories.map { request.t("processing.category.\($0.rawValue)") }
                    .joined(separator: ", "),
                retention: retention)
        }
    }

    struct EditContext: Encodable {
        var page: PageContext
        var form: FormState
        var countries: [Option]
    }

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    func editForm(_ request: Request) async throws -> Response {
        try request.require(request.actor.isAdministrator)
        let notice = try await InstallationText.read(.privacyNotice, as: PrivacyNotice.self, on: request.db)
        let terms = try await InstallationText.retention(on: request.db)
        var values: [String: String] = [
            "outboxDays": String(terms.outboxDays), "auditDays": String(terms.auditDays),
            "country": notice?.country.rawValue ?? (request.language == .sv ? "se" : "dk"),
        ]
        if let notice {
            values.merge([
                "controller": notice.controller, "address": notice.address, "email": notice.email,
                "phone": notice.phone ?? "", "protectionOfficer": notice.protectionOfficer,
                "purposes": notice.purposes, "legalBasis": notice.legalBasis, "recipients": notice.recipients,
            ]) { $1 }
        }
        return try await edit(request, form: FormState(values: values))
    }

    func edit(_ request: Request, form: FormState, refusing error: SamradError? = nil) async throws -> Response {
        let context = EditContext(
            page: PageContext(request, titleKey: "privacy.edit_title"), form: form,
            countries: [Country.dk, .se, .no, .fi].map {
                Option(value: $0.rawValue, label: request.t("country.\($0.rawValue)"),
                    selected: form.values["country"] == $0.rawValue)
            })
        guard let error else {
            return try await request.view.render("privacy/edit", context).encodeResponse(for: request)
        }
        return try await request.renderForm("privacy/edit", context, refusing: error)
    }

    func save(_ request: Request) async throws -> Response {
        try request.require(request.actor.isAdministrator)
        let values = try request.content.decode([String: String].self)
        let today = Date().formatted(.iso8601.year().month().day())
        // Both parts checked, so every refused field is named at once.
        var refused: [FieldError] = []
        var notice: PrivacyNotice?
        var terms: RetentionTerms?
        do { notice = try PrivacyNotice.validated(values, today: today) } catch let e as SamradError {
            refused += e.fieldErrors
        }
        do {
            terms = try RetentionTerms.validated(
                outboxDays: values["outboxDays"] ?? "", auditDays: values["auditDays"] ?? "")
        } catch let e as SamradError { refused += e.fieldErrors }
        guard let notice, let terms, refused.isEmpty else {
            let error = SamradError.invalid(refused)
            let form = FormState(values: values, error: error, request: request)
            return try await edit(request, form: form, refusing: error)
        }
        let who = AuditActor(request)
        try await request.db.transaction { db in
            try await InstallationText.write(notice, as: .privacyNotice, by: who.name, on: db)
            try await InstallationText.write(terms, as: .retention, by: who.name, on: db)
            try await Audit.record(
                "privacy:update", subject: "installation", id: "privacy",
                summary: "\(notice.controller); outbox \(terms.outboxDays) days, audit \(terms.auditDays) days",
                by: who, on: db)
        }
        return request.redirect(to: "/privacy", notice: "privacy.saved")
    }
}
