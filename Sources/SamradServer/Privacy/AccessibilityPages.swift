import Foundation
import SamradCore
import Vapor

/// The accessibility statement (`/accessibility`): the operator's part, filled in by the
/// administrators, and the part Samrad knows from its own tests (`Accessibility/checks.json`, which
/// the browser tests read too). `/was` leads to a Danish operator's statement in WAS-Tool.
struct AccessibilityPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("accessibility", use: statement)
        routes.get("accessibility", "edit", use: editForm)
        routes.post("accessibility", "edit", use: save)
        routes.get("was", use: was)
    }

    /// The pages the browser tests check, from the file they read.
    struct Checks: Decodable {
        struct Page: Decodable { var page: String }
        var pages: [Page]

        static func load(_ request: Request) throws -> Checks {
            let data = try Data(contentsOf: request.application.resources.url("Accessibility/checks.json"))
            return try JSONDecoder().decode(Checks.self, from: data)
        }
    }

    struct Context: Encodable {
        var page: PageContext
        var statement: AccessibilityStatement?
        var statusText: String?
        var methodText: String?
        var assessed: String?
        var updated: String?
        var enforcement: String
        var enforcementURL: String
        var isDanish: Bool
        var testedPages: [String]
        var mayEdit: Bool
    }

    func statement(_ request: Request) async throws -> View {
        let statement = try await InstallationText.read(.accessibility, as: AccessibilityStatement.self, on: request.db)
        let country = statement?.country ?? (request.language == .sv ? .se : .dk)
        let enforcement = AccessibilityStatement.enforcement(country)
        return try await request.view.render(
            "privacy/accessibility",
            Context(
                page: PageContext(request, titleKey: "accessibility.title"), statement: statement,
                statusText: statement.map { request.t("accessibility_statement.status.\($0.status.rawValue)") },
                methodText: statement.map { request.t("accessibility_statement.method.\($0.method.rawValue)") },
                assessed: statement.flatMap { DateText.day($0.assessedOn, request.language) },
                updated: statement.flatMap { DateText.day($0.updatedOn, request.language) },
                enforcement: enforcement.name, enforcementURL: enforcement.url, isDanish: country == .dk,
                testedPages: try Checks.load(request).pages.map {
                    request.t("accessibility_statement.page.\($0.page)")
                },
                mayEdit: request.actor.isAdministrator))
    }

    /// Denmark's short address for the statement: to WAS-Tool when the operator gave it, else here.
    func was(_ request: Request) async throws -> Response {
        let statement = try await InstallationText.read(.accessibility, as: AccessibilityStatement.self, on: request.db)
        return request.redirect(to: statement?.wasURL ?? "/accessibility", redirectType: .normal)
    }

    struct EditContext: Encodable {
        var page: PageContext
        var form: FormState
        var countries: [Choice]
        var statuses: [Choice]
        var methods: [Choice]
    }

    struct Choice: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    func editForm(_ request: Request) async throws -> Response {
        try request.require(request.actor.isAdministrator)
        var values: [String: String] = [
            "country": request.language == .sv ? "se" : "dk", "status": "partial", "method": "self_assessment",
        ]
        if let s = try await InstallationText.read(.accessibility, as: AccessibilityStatement.self, on: request.db) {
            values = [
                "country": s.country.rawValue, "body": s.body, "service": s.service, "status": s.status.rawValue,
                "nonCompliant": s.nonCompliant, "exemptions": s.exemptions, "assessedOn": s.assessedOn,
                "method": s.method.rawValue, "methodNote": s.methodNote, "email": s.email, "phone": s.phone,
                "wasURL": s.wasURL ?? "",
            ]
        }
        return try await edit(request, form: FormState(values: values))
    }

    func edit(_ request: Request, form: FormState, refusing error: SamradError? = nil) async throws -> Response {
        func choices(_ values: [String], _ prefix: String, _ field: String) -> [Choice] {
            values.map { Choice(value: $0, label: request.t(prefix + $0), selected: form.values[field] == $0) }
        }
        let context = EditContext(
            page: PageContext(request, titleKey: "accessibility_statement.edit_title"), form: form,
            countries: choices(["dk", "se", "no", "fi"], "country.", "country"),
            statuses: choices(ComplianceStatus.allCases.map(\.rawValue), "accessibility_statement.status.", "status"),
            methods: choices(AssessmentMethod.allCases.map(\.rawValue), "accessibility_statement.method.", "method"))
        guard let error else {
            return try await request.view.render("privacy/accessibility-edit", context).encodeResponse(for: request)
        }
        return try await request.renderForm("privacy/accessibility-edit", context, refusing: error)
    }

    func save(_ request: Request) async throws -> Response {
        try request.require(request.actor.isAdministrator)
        let values = try request.content.decode([String: String].self)
        let today = Date().formatted(.iso8601.year().month().day())
        do {
            let statement = try AccessibilityStatement.validated(values, today: today)
            let who = AuditActor(request)
            try await request.db.transaction { db in
                try await InstallationText.write(statement, as: .accessibility, by: who.name, on: db)
                try await Audit.record(
                    "accessibility:update", subject: "installation", id: "accessibility",
                    summary: "\(statement.body): \(statement.status.rawValue)", by: who, on: db)
            }
            return request.redirect(to: "/accessibility", notice: "accessibility_statement.saved")
        } catch let error as SamradError {
            let form = FormState(values: values, error: error, request: request)
            return try await edit(request, form: form, refusing: error)
        }
    }
}
