import Foundation

/// An invoice for a municipality's place on a paid track, as issued: numbered once by the seller, with
/// what it says fixed from then on. `UBLInvoice` writes it as Peppol BIS Billing 3 or OIOUBL.
public struct EInvoice: Sendable, Equatable {
    public struct Buyer: Sendable, Equatable {
        public var name: String
        public var country: Country
        public var address: InvoiceAddress
        /// The buyer's own reference ("Er referens", the person or code its accounts route by).
        public var reference: String

        public init(name: String, country: Country, address: InvoiceAddress, reference: String) {
            self.name = name
            self.country = country
            self.address = address
            self.reference = reference
        }
    }

    public struct Line: Sendable, Equatable {
        public var name: String
        public var description: String?
        /// The seller's id of what is sold: the collaboration's slug.
        public var itemID: String
        public var netMinor: Int

        public init(name: String, description: String?, itemID: String, netMinor: Int) {
            self.name = name
            self.description = description
            self.itemID = itemID
            self.netMinor = netMinor
        }
    }

    /// An invoice, or a credit note that cancels one of the seller's invoices in full.
    public enum Kind: Sendable, Equatable {
        case invoice
        case creditNote(of: String, issued: String)
    }

    public var kind: Kind
    public var number: String
    /// A UUID that names this document for ever (OIOUBL asks for it).
    public var documentID: UUID
    /// Dates as yyyy-MM-dd in the seller's calendar.
    public var issueDate: String
    public var dueDate: String
    public var currency: String
    public var seller: SellerInvoicing
    public var buyer: Buyer
    public var lines: [Line]
    /// The case number the collaboration is filed under, as the contract reference.
    public var contractReference: String?
    /// The track's period, when it has one.
    public var period: (start: String, end: String)?

    public init(
        kind: Kind = .invoice, number: String, documentID: UUID, issueDate: String, dueDate: String, currency: String,
        seller: SellerInvoicing, buyer: Buyer, lines: [Line], contractReference: String?,
        period: (start: String, end: String)?
    ) {
        self.kind = kind
        self.number = number
        self.documentID = documentID
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.currency = currency
        self.seller = seller
        self.buyer = buyer
        self.lines = lines
        self.contractReference = contractReference
        self.period = period
    }

    public static func == (a: EInvoice, b: EInvoice) -> Bool {
        a.kind == b.kind && a.number == b.number && a.documentID == b.documentID && a.issueDate == b.issueDate
            && a.dueDate == b.dueDate && a.currency == b.currency && a.seller == b.seller && a.buyer == b.buyer
            && a.lines == b.lines
            && a.contractReference == b.contractReference && a.period?.start == b.period?.start
            && a.period?.end == b.period?.end
    }

    public var isCreditNote: Bool { kind != .invoice }
    public var netMinor: Int { lines.map(\.netMinor).reduce(0, +) }
    /// VAT is computed once on the total of the category, as EN 16931 sums it (BR-CO-17).
    public var vatMinor: Int { seller.vat.vat(onMinor: netMinor) }
    public var payableMinor: Int { netMinor + vatMinor }

    /// The format the buyer's country receives: OIOUBL through NemHandel in Denmark (unless the
    /// seller sends Peppol BIS Billing 3 there too), Peppol BIS Billing 3 elsewhere.
    public var format: EInvoiceFormat { seller.format(for: buyer.country) }

    /// An amount in minor units as a document writes it: "1234.50".
    public static func amountText(_ minor: Int) -> String {
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}

/// The two e-invoice formats Samrad writes.
public enum EInvoiceFormat: String, Sendable, Codable, CaseIterable {
    case peppolBIS3 = "peppol-bis-3"
    case oioubl = "oioubl-2.1"
}
