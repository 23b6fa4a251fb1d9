import Fluent
import Foundation
import SamradCore
import Vapor

/// Mailboxes: the page.
extension Mailboxes {
    struct Row: Encodable {
        var field: String; var name: String; var region: String; var email: String; var error: String?
    }
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var countries: [Option]; var country: String
        var rows: [Row]; var known: String; var outcome: [String]
    }

    func context(_ request: Request, country: Country, form: FormState, outcome: Outcome? = nil) async throws -> Context
    {
        let municipalities = request.municipalities.all.filter { $0.country == country }
        let stored = try await OfficialMailboxes.of(municipalities.map(\.key), on: request.db)
        let rows = municipalities.map { m in
            let field = "m_\(m.code)"
            return Row(
                field: field, name: m.name, region: m.regionName, email: form.values[field] ?? stored[m.key] ?? "",
                error: form.errors[field])
        }
        let lines =
            outcome.map { o in
                [
                    request.t("mailboxes.created", count: o.created), request.t("mailboxes.updated", count: o.updated),
                    request.t("mailboxes.removed", count: o.removed),
                ]
            } ?? []
        return Context(
            page: PageContext(request, titleKey: "mailboxes.title"), form: form,
            countries: Country.allCases.map {
                Option(value: $0.rawValue, label: request.t("country.\($0.rawValue)"), selected: $0 == country)
            },
            country: country.rawValue, rows: rows,
            known: request.t("mailboxes.known", [String(stored.count), String(municipalities.count)]),
            outcome: lines)
    }

    func page(_ request: Request) async throws -> View {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
        let country = try Self.country(request)
        return try await request.view.render("admin/mailboxes", context(request, country: country, form: FormState()))
    }

    /// The form of one country: every field is checked, and nothing is written while one is wrong.
    func saveForm(_ request: Request) async throws -> Response {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
        let values = try request.content.decode([String: String].self)
        let country = Country(rawValue: values["country"] ?? "") ?? .dk
        var rows: [(MunicipalityKey, String?)] = []
        var errors: [FieldError] = []
        for m in request.municipalities.all where m.country == country {
            let field = "m_\(m.code)"
            guard let typed = values[field] else { continue }
            do { rows.append((m.key, try Self.checked(typed, field: field))) } catch {
                errors.append(FieldError(field: field, "mailboxes.error.email_of", [m.name]))
            }
        }
        let form = FormState(values: values.filter { $0.key.hasPrefix("m_") })
        if !errors.isEmpty {
            let failed = FormState(values: form.values, error: SamradError.invalid(errors), request: request)
            return try await request.renderForm("admin/mailboxes", context(request, country: country, form: failed))
        }
        let outcome = try await Self.write(rows, request: request)
        return try await request.view.render(
            "admin/mailboxes",
            context(
                request, country: country, form: FormState(),
                outcome: outcome)
        )
        .encodeResponse(for: request)
    }

    func importFromForm(_ request: Request) async throws -> Response {
        struct Upload: Content { var file: File?; var country: String? }
        let upload = try request.content.decode(Upload.self)
        let country = upload.country.flatMap(Country.init(rawValue:)) ?? .dk
        do {
            guard let file = upload.file, file.data.readableBytes > 0 else {
                throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
            }
            let outcome = try await Self.importing(
                SpreadsheetUpload.text(Data(file.data.readableBytesView)),
                country: country, request: request)
            return try await request.view.render(
                "admin/mailboxes",
                context(
                    request, country: country, form: FormState(),
                    outcome: outcome)
            )
            .encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            let failed = FormState(values: [:], error: error, request: request)
            return try await request.renderForm("admin/mailboxes", context(request, country: country, form: failed))
        }
    }
}
