import Fluent
import Foundation
import SamradCore
import Vapor

extension SellerInvoicing.Input: Content {}

/// An organisation's details as the seller of its paid tracks: `/organisations/{id}/invoicing` and
/// `GET`/`PUT /api/v1/organisations/{id}/invoicing`. `InvoicingPolicy.mayKeepSellerDetails`.
struct SellerDetailsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("organisations", ":id", "invoicing", use: form)
        routes.post("organisations", ":id", "invoicing", use: saveForm)
        let api = routes.grouped("api", "v1", "organisations", ":id", "invoicing")
        api.get(use: showAPI)
        api.put(use: putAPI)
    }

    static func organisation(_ request: Request) async throws -> Organisation {
        let organisation = try await Organisation.find(from: request, "id", notFound: "error.organisation_not_found")
        try request.require(InvoicingPolicy.mayKeepSellerDetails(request.actor, organisationID: organisation.id!))
        return organisation
    }

    /// Checks and writes the details and the next number in one audited transaction. The next number
    /// may not go back once invoices have been issued under it, so no number is given twice.
    static func save(
        _ input: SellerInvoicing.Input, nextNumber: String?, for organisation: Organisation, request: Request
    ) async throws -> SellerDetails {
        var details: SellerInvoicing? = nil
        var errors: [FieldError] = []
        do { details = try SellerInvoicing.read(input) } catch let error as SamradError {
            errors = error.fieldErrors
        }
        let stored = try await SellerDetails.of(organisation.id!, on: request.db)
        var v = Validation()
        let next = v.wholeNumber("nextNumber", nextNumber, in: 1...999_999_999, default: stored?.nextNumber ?? 1)
        if let next, let stored, next < stored.nextNumber,
            try await IssuedInvoice.query(on: request.db).filter(\.$organisationID == organisation.id!).count() > 0
        {
            v.add("nextNumber", "seller.error.next_number_back", [String(stored.nextNumber)])
        }
        errors += v.errors
        if !errors.isEmpty { throw SamradError.invalid(errors) }
        let row = stored ?? SellerDetails()
        row.organisationID = organisation.id!
        row.details = details!
        row.nextNumber = next!
        let summary = "\(details!.legalName), next number \(next!)"
        try await request.db.transaction { db in
            try await row.save(on: db)
            try await Audit.record(
                "seller_details:save", subject: "organisation", id: organisation.id!.uuidString,
                summary: summary, by: request, on: db)
        }
        return row
    }

    // MARK: The page

    struct Field: Encodable {
        var name: String; var label: String; var hint: String?; var value: String; var error: String?
        var type: String; var options: [Option]?; var required: Bool
        /// The hint's and the error's ids, read out with the field.
        var describedBy: String?
    }
    struct Group: Encodable { var legend: String; var fields: [Field] }
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var action: String; var groups: [Group]; var saved: Bool
        var organisationHref: String
    }

    func context(_ request: Request, _ o: Organisation, form: FormState, saved: Bool = false) -> Context {
        func field(
            _ name: String, type: String = "text", required: Bool = true, hint: Bool = false, options: [Option]? = nil
        ) -> Field {
            let error = form.errors[name]
            let ids = [hint ? "\(name)-hint" : nil, error == nil ? nil : "\(name)-error"].compactMap { $0 }
            return Field(
                name: name, label: request.t("seller.\(name)"), hint: hint ? request.t("seller.hint.\(name)") : nil,
                value: form.values[name] ?? "", error: error, type: type,
                options: options, required: required, describedBy: ids.isEmpty ? nil : ids.joined(separator: " "))
        }
        func choices(_ name: String, _ values: [String], key: (String) -> String) -> [Option] {
            values.map { Option(value: $0, label: request.t(key($0)), selected: form.values[name] == $0) }
        }
        let countries = choices("country", Country.allCases.map(\.rawValue)) { "country.\($0)" }
        let kinds = choices("accountKind", PaymentAccount.Kind.allCases.map(\.rawValue)) { "seller.account_kind.\($0)" }
        let categories = choices("vatCategory", VATTreatment.Category.allCases.map(\.rawValue)) {
            "seller.vat_category.\($0)"
        }
        let formats = choices("danishFormat", EInvoiceFormat.allCases.reversed().map(\.rawValue)) {
            "einvoices.format.\($0)"
        }
        let id = o.id!.uuidString
        return Context(
            page: PageContext(request, titleKey: "", title: request.t("seller.title", [o.name])), form: form,
            action: "/organisations/\(id)/invoicing",
            groups: [
                Group(
                    legend: request.t("seller.who"),
                    fields: [
                        field("legalName"), field("organisationNumber", hint: true),
                        field("vatNumber", required: false, hint: true), field("electronicAddress", hint: true),
                        field("contactEmail", type: "email", required: false),
                    ]),
                Group(
                    legend: request.t("seller.address"),
                    fields: [
                        field("street"), field("postcode"), field("city"),
                        field("country", type: "select", options: countries),
                    ]),
                Group(
                    legend: request.t("seller.payment"),
                    fields: [
                        field("accountKind", type: "select", options: kinds), field("account", hint: true),
                        field("bic", required: false, hint: true), field("paymentDays", type: "number"),
                    ]),
                Group(
                    legend: request.t("seller.vat"),
                    fields: [
                        field("vatCategory", type: "select", options: categories),
                        field("vatRate", required: false, hint: true),
                        field("vatExemptionReason", required: false, hint: true),
                    ]),
                Group(
                    legend: request.t("seller.numbering"),
                    fields: [
                        field("numberPrefix", required: false, hint: true),
                        field("nextNumber", type: "number", hint: true),
                        field("danishFormat", type: "select", hint: true, options: formats),
                    ]),
            ],
            saved: saved, organisationHref: "/organisations/\(id)")
    }

    static func values(_ row: SellerDetails?) -> [String: String] {
        guard let row else {
            return [
                "paymentDays": "30", "nextNumber": "1", "vatCategory": "S", "vatRate": "25", "accountKind": "iban",
                "danishFormat": EInvoiceFormat.oioubl.rawValue,
            ]
        }
        var values = SellerInvoicing.Input(row.details).values
        values["nextNumber"] = String(row.nextNumber)
        return values
    }

    func form(_ request: Request) async throws -> View {
        let o = try await Self.organisation(request)
        let stored = try await SellerDetails.of(o.id!, on: request.db)
        return try await request.view.render(
            "organisations/invoicing",
            context(
                request, o, form: FormState(values: Self.values(stored)),
                saved: request.query[String.self, at: "saved"] != nil))
    }

    func saveForm(_ request: Request) async throws -> Response {
        let o = try await Self.organisation(request)
        let input = try request.content.decode(SellerInvoicing.Input.self)
        struct Next: Content { var nextNumber: String? }
        let next = try request.content.decode(Next.self).nextNumber
        do {
            _ = try await Self.save(input, nextNumber: next, for: o, request: request)
            return request.redirect(to: "/organisations/\(o.id!.uuidString)/invoicing?saved=1")
        } catch let error as SamradError where error.kind == .invalidInput {
            var values = input.values
            values["nextNumber"] = next ?? ""
            return try await request.renderForm(
                "organisations/invoicing",
                context(request, o, form: FormState(values: values, error: error, request: request)))
        }
    }

    // MARK: The API

    /// The details as JSON: numbers as numbers.
    struct SellerJSON: Content {
        var organisation: UUID?
        var legalName: String?; var organisationNumber: String?; var vatNumber: String?
        var electronicAddress: String?; var street: String?; var postcode: String?; var city: String?
        var country: String?; var accountKind: String?; var account: String?; var bic: String?
        var paymentDays: Int?; var vatCategory: String?; var vatRate: Double?; var vatExemptionReason: String?
        var numberPrefix: String?; var contactEmail: String?; var nextNumber: Int?
        /// What Danish municipalities receive: oioubl-2.1 or peppol-bis-3.
        var danishFormat: String?

        init(_ organisation: UUID, _ row: SellerDetails) {
            let s = row.details
            self.organisation = organisation
            legalName = s.legalName
            organisationNumber = s.organisationNumber
            vatNumber = s.vatNumber
            electronicAddress = s.electronicAddress
            street = s.street
            postcode = s.postcode
            city = s.city
            country = s.country.rawValue
            accountKind = s.account.kind.rawValue
            account = s.account.number
            bic = s.account.bic
            paymentDays = s.paymentDays
            vatCategory = s.vat.category.rawValue
            vatRate = s.vat.category == .standard ? Double(s.vat.rateHundredths) / 100 : nil
            vatExemptionReason = s.vat.exemptionReason
            numberPrefix = s.numberPrefix
            contactEmail = s.contactEmail
            nextNumber = row.nextNumber
            danishFormat = (s.danishFormat ?? .oioubl).rawValue
        }

        var input: SellerInvoicing.Input {
            var i = SellerInvoicing.Input()
            i.legalName = legalName
            i.organisationNumber = organisationNumber
            i.vatNumber = vatNumber
            i.electronicAddress = electronicAddress
            i.street = street
            i.postcode = postcode
            i.city = city
            i.country = country
            i.accountKind = accountKind
            i.account = account
            i.bic = bic
            i.paymentDays = paymentDays.map(String.init)
            i.vatCategory = vatCategory
            i.vatRate = vatRate.map(NumberText.plain)
            i.vatExemptionReason = vatExemptionReason
            i.numberPrefix = numberPrefix
            i.contactEmail = contactEmail
            i.danishFormat = danishFormat
            return i
        }
    }

    func showAPI(_ request: Request) async throws -> SellerJSON {
        let o = try await Self.organisation(request)
        guard let row = try await SellerDetails.of(o.id!, on: request.db) else {
            throw SamradError.notFound("seller.error.none")
        }
        return SellerJSON(o.id!, row)
    }

    func putAPI(_ request: Request) async throws -> SellerJSON {
        let o = try await Self.organisation(request)
        let body = try request.content.decode(SellerJSON.self)
        let row = try await Self.save(
            body.input, nextNumber: body.nextNumber.map(String.init), for: o, request: request)
        return SellerJSON(o.id!, row)
    }
}
