import Fluent
import Foundation
import SamradCore
import Vapor

/// InvoiceAddresses: the page.
extension InvoiceAddresses {
    struct Row: Encodable {
        var name: String; var region: String
        var address: Field; var number: Field
    }
    struct Field: Encodable { var name: String; var value: String; var error: String? }
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var countries: [Option]; var country: String
        var rows: [Row]; var known: String; var outcome: [String]
        /// What the two columns hold in this country ("EAN number (GLN)" or "Peppol id"; "CVR number" …).
        var addressLabel: String; var numberLabel: String; var example: String
    }

    func context(_ request: Request, country: Country, form: FormState, outcome: Outcome? = nil) async throws -> Context
    {
        let municipalities = request.municipalities.all.filter { $0.country == country }
        let stored = try await OfficialInvoiceAddresses.of(municipalities.map(\.key), on: request.db)
        let rows = municipalities.map { m in
            func field(_ suffix: String, _ value: String?) -> Field {
                let name = "m_\(m.code)_\(suffix)"
                return Field(name: name, value: form.values[name] ?? value ?? "", error: form.errors[name])
            }
            return Row(
                name: m.name, region: m.regionName, address: field("address", stored[m.key]?.electronicAddress),
                number: field("number", stored[m.key]?.organisationNumber))
        }
        let lines =
            outcome.map { o in
                [
                    request.t("invoicing.created", count: o.created), request.t("invoicing.updated", count: o.updated),
                    request.t("invoicing.removed", count: o.removed),
                ]
            } ?? []
        return Context(
            page: PageContext(request, titleKey: "invoicing.title"), form: form,
            countries: Country.allCases.map {
                Option(value: $0.rawValue, label: request.t("country.\($0.rawValue)"), selected: $0 == country)
            },
            country: country.rawValue, rows: rows,
            known: request.t("invoicing.known", [String(stored.count), String(municipalities.count)]),
            outcome: lines, addressLabel: request.t("invoicing.address.\(country.rawValue)"),
            numberLabel: request.t("invoicing.number.\(country.rawValue)"),
            example: country == .dk
                ? "kommune;ean;cvr\n751;5798000000001;55133018"
                : "kommunkod;peppol-id;organisationsnummer\n0180;0007:2120000142;212000-0142")
    }

    func page(_ request: Request) async throws -> View {
        try request.require(AccountPolicy.mayKeepInvoiceAddresses(request.actor))
        let country = try Mailboxes.country(request)
        return try await request.view.render("admin/invoicing", context(request, country: country, form: FormState()))
    }

    /// The form of one country: every field is checked, and nothing is written while one is wrong.
    func saveForm(_ request: Request) async throws -> Response {
        try request.require(AccountPolicy.mayKeepInvoiceAddresses(request.actor))
        let values = try request.content.decode([String: String].self)
        let country = Country(rawValue: values["country"] ?? "") ?? .dk
        var rows: [(MunicipalityKey, InvoiceAddress)] = []
        var v = Validation()
        for m in request.municipalities.all where m.country == country {
            let address = "m_\(m.code)_address", number = "m_\(m.code)_number"
            guard values[address] != nil || values[number] != nil else { continue }
            rows.append(
                (
                    m.key,
                    InvoiceAddress.read(
                        country: country, electronicAddress: values[address], organisationNumber: values[number],
                        fields: (address, number), into: &v)
                ))
        }
        let form = FormState(values: values.filter { $0.key.hasPrefix("m_") })
        if !v.errors.isEmpty {
            let named = v.errors.map { e in
                let code = e.field.split(separator: "_").dropFirst().first.map(String.init) ?? ""
                let name = request.municipalities[MunicipalityKey(country, code)]?.name ?? code
                return FieldError(field: e.field, InvoiceAddress.message(e.messageKey, of: .municipality), [name])
            }
            let failed = FormState(values: form.values, error: SamradError.invalid(named), request: request)
            return try await request.renderForm("admin/invoicing", context(request, country: country, form: failed))
        }
        let outcome = try await Self.write(rows, request: request)
        return try await request.view.render(
            "admin/invoicing", context(request, country: country, form: FormState(), outcome: outcome)
        ).encodeResponse(for: request)
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
                SpreadsheetUpload.text(Data(file.data.readableBytesView)), country: country, request: request)
            return try await request.view.render(
                "admin/invoicing", context(request, country: country, form: FormState(), outcome: outcome)
            ).encodeResponse(for: request)
        } catch let error as SamradError where error.kind == .invalidInput {
            let failed = FormState(values: [:], error: error, request: request)
            return try await request.renderForm("admin/invoicing", context(request, country: country, form: failed))
        }
    }
}
