import Fluent
import Foundation
import SamradCore
import Vapor

/// The municipality's official mailbox, told of invitations when no one else is known. Kept by
/// administrators, by hand or from a spreadsheet. An official address is public, like the
/// municipality's name.
final class MunicipalityMailbox: Model, @unchecked Sendable {
    static let schema = "municipality_mailboxes"

    @ID(key: .id) var id: UUID?
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    @Field(key: "email") var email: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var municipality: MunicipalityKey? {
        Country(rawValue: municipalityCountry).map { MunicipalityKey($0, municipalityCode) }
    }
}

/// The mailboxes: `/admin/mailboxes` (a field per municipality of a country, and a spreadsheet),
/// `GET`/`POST /api/v1/municipalities/mailboxes` and `PUT /api/v1/municipalities/{country}/{code}/mailbox`.
struct Mailboxes: RouteCollection {
    static let maxBytes = 1_000_000

    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "mailboxes", use: page)
        routes.post("admin", "mailboxes", use: saveForm)
        routes.upload(
            "admin", "mailboxes", "import", maxBytes: Self.maxBytes, tooLarge: "people_import.error.too_large",
            ["1"], gate: Self.gate, use: importFromForm)
        let api = routes.grouped("api", "v1", "municipalities")
        api.get("mailboxes", use: listAPI)
        api.upload(
            "mailboxes", maxBytes: Self.maxBytes, tooLarge: "people_import.error.too_large", ["1"],
            gate: Self.gate, use: importAPI)
        api.put(":country", ":code", "mailbox", use: putAPI)
    }

    @Sendable static func gate(_ request: Request) async throws {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
    }

    // MARK: Writing

    struct Outcome: Content, Equatable { var created: Int; var updated: Int; var removed: Int; var unchanged: Int }

    /// Writes `rows` in one transaction (nil removes a mailbox), audited; returns what changed.
    static func write(_ rows: [(MunicipalityKey, String?)], request: Request) async throws -> Outcome {
        let stored = try await MunicipalityMailbox.query(on: request.db)
            .filter(\.$municipalityCountry ~~ Set(rows.map(\.0.country.rawValue))).all()
        let byKey = Dictionary(
            stored.compactMap { row in row.municipality.map { ($0, row) } }, uniquingKeysWith: { a, _ in a })
        // Decided before the transaction: what each line does to the stored mailbox.
        var outcome = Outcome(created: 0, updated: 0, removed: 0, unchanged: 0)
        var removals: [MunicipalityMailbox] = [], saves: [MunicipalityMailbox] = []
        for (key, email) in rows {
            switch (byKey[key], email) {
            case (nil, nil): outcome.unchanged += 1
            case (let row?, nil):
                removals.append(row)
                outcome.removed += 1
            case (let row?, let email?) where row.email == email: outcome.unchanged += 1
            case (let found, let email?):
                let row = found ?? MunicipalityMailbox()
                if found == nil { outcome.created += 1 } else { outcome.updated += 1 }
                row.municipalityCountry = key.country.rawValue
                row.municipalityCode = key.code
                row.email = email
                saves.append(row)
            }
        }
        let summary = "created \(outcome.created), updated \(outcome.updated), removed \(outcome.removed)"
        let countries = Set(rows.map(\.0.country.rawValue)).sorted().joined(separator: ",")
        try await request.db.transaction { [removals, saves] db in
            for row in removals { try await row.delete(on: db) }
            for row in saves { try await row.save(on: db) }
            try await Audit.record(
                "mailboxes:save", subject: "municipality_mailboxes", id: countries, summary: summary,
                by: request, on: db)
        }
        return outcome
    }

    static func importing(_ text: String, country: Country, request: Request) async throws -> Outcome {
        let list = try MailboxList(csv: text, country: country, directory: request.municipalities)
        return try await write(list.rows.map { ($0.municipality, $0.email) }, request: request)
    }

    // MARK: The API

    struct Item: Content { var municipality: String; var name: String; var email: String }

    func listAPI(_ request: Request) async throws -> [Item] {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
        let country = try Self.country(request)
        let keys = request.municipalities.all.filter { $0.country == country }
        let found = try await OfficialMailboxes.of(keys.map(\.key), on: request.db)
        return keys.compactMap { m in
            found[m.key].map { Item(municipality: m.key.description, name: m.name, email: $0) }
        }
    }

    func importAPI(_ request: Request) async throws -> Outcome {
        guard let body = request.body.data, body.readableBytes > 0 else {
            throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
        }
        return try await Self.importing(
            String(decoding: body.readableBytesView, as: UTF8.self),
            country: try Self.country(request), request: request)
    }

    func putAPI(_ request: Request) async throws -> Item {
        try request.require(AccountPolicy.mayKeepMailboxes(request.actor))
        let m = try MunicipalityAccess.load(request)
        struct Input: Content { var email: String? }
        let email = try Self.checked(try request.content.decode(Input.self).email, field: "email")
        _ = try await Self.write([(m.key, email)], request: request)
        return Item(municipality: m.key.description, name: m.name, email: email ?? "")
    }

    static func country(_ request: Request) throws -> Country {
        guard let text = request.query[String.self, at: "country"] else { return .dk }
        guard let country = Country(rawValue: text) else {
            throw SamradError.invalid([FieldError(field: "country", "validation.country")])
        }
        return country
    }

    /// An address as typed: trimmed and lower-cased; empty is nil (no mailbox).
    static func checked(_ text: String?, field: String) throws -> String? {
        var v = Validation()
        let email = v.email(field, text, required: false)
        try v.check()
        return email
    }

    // MARK: The page

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
                String(decoding: file.data.readableBytesView, as: UTF8.self),
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
