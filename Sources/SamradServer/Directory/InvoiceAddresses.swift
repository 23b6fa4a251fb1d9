import Fluent
import Foundation
import SamradCore
import Vapor

/// A municipality's invoice address: its e-invoice address (EAN/GLN in Denmark, a Peppol id
/// elsewhere) and its organisation number. Public facts of the municipality, kept by administrators
/// by hand or from a spreadsheet, and used for the invoice lines of paid tracks.
final class MunicipalityInvoiceAddress: Model, @unchecked Sendable {
    static let schema = "municipality_invoice_addresses"

    @ID(key: .id) var id: UUID?
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    @OptionalField(key: "electronic_address") var electronicAddress: String?
    @OptionalField(key: "organisation_number") var organisationNumber: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var address: InvoiceAddress {
        InvoiceAddress(electronicAddress: electronicAddress, organisationNumber: organisationNumber)
    }
}

extension MunicipalityInvoiceAddress: MunicipalityRecord {
    var value: InvoiceAddress {
        get { address }
        set {
            electronicAddress = newValue.electronicAddress
            organisationNumber = newValue.organisationNumber
        }
    }
}

/// The invoice addresses: `/admin/invoicing` (two fields per municipality of a country, and a
/// spreadsheet), `GET`/`POST /api/v1/municipalities/invoice-addresses` and
/// `PUT /api/v1/municipalities/{country}/{code}/invoice-address`. `AccountPolicy.mayKeepInvoiceAddresses`.
struct InvoiceAddresses: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "invoicing", use: page)
        routes.post("admin", "invoicing", use: saveForm)
        routes.upload(
            "admin", "invoicing", "import", maxBytes: Mailboxes.maxBytes, tooLarge: "people_import.error.too_large",
            ["1"], gate: Self.gate, use: importFromForm)
        let api = routes.grouped("api", "v1", "municipalities")
        api.get("invoice-addresses", use: listAPI)
        api.upload(
            "invoice-addresses", maxBytes: Mailboxes.maxBytes, tooLarge: "people_import.error.too_large", ["1"],
            gate: Self.gate, use: importAPI)
        api.put(":country", ":code", "invoice-address", use: putAPI)
    }

    @Sendable static func gate(_ request: Request) async throws {
        try request.require(AccountPolicy.mayKeepInvoiceAddresses(request.actor))
    }

    typealias Outcome = Mailboxes.Outcome

    /// Writes `rows` in one transaction (an empty address removes the row), audited; returns what changed.
    static func write(_ rows: [(MunicipalityKey, InvoiceAddress)], request: Request) async throws -> Outcome {
        try await MunicipalityRecords.write(
            MunicipalityInvoiceAddress.self, rows.map { ($0.0, $0.1.isEmpty ? nil : $0.1) },
            action: "invoice_addresses:save", request: request)
    }

    static func importing(_ text: String, country: Country, request: Request) async throws -> Outcome {
        let list = try InvoiceAddressList(csv: text, country: country, directory: request.municipalities)
        return try await write(list.rows.map { ($0.municipality, $0.address) }, request: request)
    }

    // MARK: The API

    struct Item: Content {
        var municipality: String; var name: String; var electronicAddress: String?; var organisationNumber: String?
        /// Where a Peppol invoice goes, "0088:5798000000001".
        var peppolEndpoint: String?

        init(_ m: Municipality, _ a: InvoiceAddress) {
            municipality = m.key.description
            name = m.name
            electronicAddress = a.electronicAddress
            organisationNumber = a.organisationNumber
            peppolEndpoint = a.endpoint(in: m.country).map { "\($0.scheme):\($0.id)" }
        }
    }

    func listAPI(_ request: Request) async throws -> [Item] {
        try request.require(AccountPolicy.mayKeepInvoiceAddresses(request.actor))
        let country = try Mailboxes.country(request)
        let municipalities = request.municipalities.all.filter { $0.country == country }
        let found = try await OfficialInvoiceAddresses.of(municipalities.map(\.key), on: request.db)
        return municipalities.compactMap { m in found[m.key].map { Item(m, $0) } }
    }

    func importAPI(_ request: Request) async throws -> Outcome {
        guard let body = request.body.data, body.readableBytes > 0 else {
            throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
        }
        return try await Self.importing(
            SpreadsheetUpload.text(Data(body.readableBytesView)), country: try Mailboxes.country(request),
            request: request)
    }

    func putAPI(_ request: Request) async throws -> Item {
        try request.require(AccountPolicy.mayKeepInvoiceAddresses(request.actor))
        let m = try MunicipalityAccess.load(request)
        struct Input: Content { var electronicAddress: String?; var organisationNumber: String? }
        let input = try request.content.decode(Input.self)
        var v = Validation()
        let address = InvoiceAddress.read(
            country: m.country, electronicAddress: input.electronicAddress,
            organisationNumber: input.organisationNumber, fields: ("electronicAddress", "organisationNumber"),
            into: &v)
        try v.check()
        _ = try await Self.write([(m.key, address)], request: request)
        return Item(m, address)
    }
}
