import Fluent
import Foundation
import SamradCore

/// An organisation's details as the seller of its paid tracks, and the next number it invoices under.
final class SellerDetails: Model, @unchecked Sendable {
    static let schema = "seller_details"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "details") var details: SellerInvoicing
    @Field(key: "next_number") var nextNumber: Int
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    static func of(_ organisationID: UUID, on db: any Database) async throws -> SellerDetails? {
        try await query(on: db).filter(\.$organisationID == organisationID).first()
    }
}

/// An e-invoice or a credit note as issued: its number and document never change once written.
/// What it was issued with is kept, so a credit note repeats the invoice it cancels.
final class IssuedInvoice: Model, @unchecked Sendable {
    static let schema = "issued_invoices"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "number") var number: String
    @Field(key: "collaboration_id") var collaborationID: UUID
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    @Field(key: "format") var format: String
    @Field(key: "issue_date") var issueDate: String
    @Field(key: "due_date") var dueDate: String
    @Field(key: "currency") var currency: String
    @Field(key: "payable_minor") var payableMinor: Int
    @Field(key: "document") var document: String
    /// "invoice" or "credit_note".
    @Field(key: "kind") var kind: String
    /// The invoice a credit note cancels.
    @OptionalField(key: "credits_id") var creditsID: UUID?
    @Field(key: "seller") var seller: SellerInvoicing
    @Field(key: "buyer_address") var buyerAddress: InvoiceAddress
    @Field(key: "reference") var reference: String
    @Field(key: "net_minor") var netMinor: Int
    @OptionalField(key: "issued_by") var issuedBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var municipality: MunicipalityKey? {
        Country(rawValue: municipalityCountry).map { MunicipalityKey($0, municipalityCode) }
    }
    var isCreditNote: Bool { kind == "credit_note" }
}
