import Foundation
import XMLCoder

/// Writes an `EInvoice` as a UBL invoice: Peppol BIS Billing 3.0 (UBL 2.1, EN 16931), or OIOUBL 2.1
/// (UBL 2.0 with the Danish codes NemHandel reads). The structs follow the UBL schema's element
/// order, which XMLCoder keeps.
public enum UBLInvoice {
    public static func xml(_ invoice: EInvoice) throws -> String {
        let document = Document(invoice)
        let encoder = XMLEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        encoder.prettyPrintIndentation = .spaces(2)
        let root = invoice.isCreditNote ? "CreditNote" : "Invoice"
        let data = try encoder.encode(
            document, withRootKey: root,
            rootAttributes: [
                "xmlns": "urn:oasis:names:specification:ubl:schema:xsd:\(root)-2",
                "xmlns:cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
                "xmlns:cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
            ],
            header: XMLHeader(version: 1.0, encoding: "UTF-8"))
        return String(decoding: data, as: UTF8.self)
    }

    static let peppolCustomization = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    static let peppolProfile = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    /// OIOUBL's code lists are published by agency 320 (the Danish Agency for Digital Government).
    static let oio = "320"

    /// A leaf: its text and the attributes the formats put on it.
    struct Value: Encodable, DynamicNodeEncoding, ExpressibleByStringLiteral {
        var value: String
        var schemeID: String? = nil
        var schemeAgencyID: String? = nil
        var listID: String? = nil
        var listAgencyID: String? = nil
        var currencyID: String? = nil
        var unitCode: String? = nil

        init(_ value: String) { self.value = value }
        init(stringLiteral value: String) { self.value = value }

        static func id(_ value: String, scheme: String?, agency: String? = nil) -> Value {
            var v = Value(value)
            v.schemeID = scheme
            v.schemeAgencyID = agency
            return v
        }

        static func code(_ value: String, list: String?, agency: String?) -> Value {
            var v = Value(value)
            v.listID = list
            v.listAgencyID = agency
            return v
        }

        static func amount(_ minor: Int, _ currency: String) -> Value {
            var v = Value(EInvoice.amountText(minor))
            v.currencyID = currency
            return v
        }

        static func quantity(_ value: String, unit: String) -> Value {
            var v = Value(value)
            v.unitCode = unit
            return v
        }

        enum CodingKeys: String, CodingKey {
            case value = "", schemeID, schemeAgencyID, listID, listAgencyID, currencyID, unitCode
        }

        static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding {
            key.stringValue.isEmpty ? .element : .attribute
        }
    }

    /// A key named as the document type needs it: an invoice's and a credit note's differ in a few names.
    struct Key: CodingKey {
        var stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    struct Document: Encodable {
        var isCreditNote: Bool
        var ublVersion: Value?
        var customization: Value
        var profile: Value
        var id: Value
        var copyIndicator: Value?
        var uuid: Value?
        var issueDate: Value
        var dueDate: Value?
        var typeCode: Value?
        var currency: Value
        var buyerReference: Value?
        var period: Period?
        var billing: BillingReference?
        var contract: Reference?
        var supplier: PartyRole
        var customer: PartyRole
        var paymentMeans: PaymentMeans?
        var paymentTerms: PaymentTerms?
        var taxTotal: TaxTotal
        var monetaryTotal: MonetaryTotal
        var lines: [Line]

        /// In the schema's order for the document type (`UBL-Invoice-2.1.xsd`, `UBL-CreditNote-2.1.xsd`).
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encodeIfPresent(ublVersion, forKey: Key("cbc:UBLVersionID"))
            try c.encode(customization, forKey: Key("cbc:CustomizationID"))
            try c.encode(profile, forKey: Key("cbc:ProfileID"))
            try c.encode(id, forKey: Key("cbc:ID"))
            try c.encodeIfPresent(copyIndicator, forKey: Key("cbc:CopyIndicator"))
            try c.encodeIfPresent(uuid, forKey: Key("cbc:UUID"))
            try c.encode(issueDate, forKey: Key("cbc:IssueDate"))
            try c.encodeIfPresent(dueDate, forKey: Key("cbc:DueDate"))
            let typeKey = isCreditNote ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode"
            try c.encodeIfPresent(typeCode, forKey: Key(typeKey))
            try c.encode(currency, forKey: Key("cbc:DocumentCurrencyCode"))
            try c.encodeIfPresent(buyerReference, forKey: Key("cbc:BuyerReference"))
            try c.encodeIfPresent(period, forKey: Key("cac:InvoicePeriod"))
            try c.encodeIfPresent(billing, forKey: Key("cac:BillingReference"))
            try c.encodeIfPresent(contract, forKey: Key("cac:ContractDocumentReference"))
            try c.encode(supplier, forKey: Key("cac:AccountingSupplierParty"))
            try c.encode(customer, forKey: Key("cac:AccountingCustomerParty"))
            try c.encodeIfPresent(paymentMeans, forKey: Key("cac:PaymentMeans"))
            try c.encodeIfPresent(paymentTerms, forKey: Key("cac:PaymentTerms"))
            try c.encode(taxTotal, forKey: Key("cac:TaxTotal"))
            try c.encode(monetaryTotal, forKey: Key("cac:LegalMonetaryTotal"))
            try c.encode(lines, forKey: Key(isCreditNote ? "cac:CreditNoteLine" : "cac:InvoiceLine"))
        }
    }

    struct BillingReference: Encodable {
        var invoice: InvoiceReference
        enum CodingKeys: String, CodingKey { case invoice = "cac:InvoiceDocumentReference" }
    }

    struct InvoiceReference: Encodable {
        var id: Value
        var issueDate: Value
        enum CodingKeys: String, CodingKey { case id = "cbc:ID", issueDate = "cbc:IssueDate" }
    }

    struct PaymentTerms: Encodable {
        var note: Value
        enum CodingKeys: String, CodingKey { case note = "cbc:Note" }
    }

    struct Period: Encodable {
        var start: Value
        var end: Value
        enum CodingKeys: String, CodingKey { case start = "cbc:StartDate", end = "cbc:EndDate" }
    }

    struct Reference: Encodable {
        var id: Value
        enum CodingKeys: String, CodingKey { case id = "cbc:ID" }
    }

    struct PartyRole: Encodable {
        var party: Party
        enum CodingKeys: String, CodingKey { case party = "cac:Party" }
    }

    struct Party: Encodable {
        var endpoint: Value
        var identification: Reference?
        var name: Name
        var address: Address
        var taxScheme: PartyTaxScheme?
        var legalEntity: LegalEntity
        var contact: Contact?
        enum CodingKeys: String, CodingKey {
            case endpoint = "cbc:EndpointID", identification = "cac:PartyIdentification", name = "cac:PartyName"
            case address = "cac:PostalAddress", taxScheme = "cac:PartyTaxScheme"
            case legalEntity = "cac:PartyLegalEntity", contact = "cac:Contact"
        }
    }

    struct Name: Encodable {
        var name: Value
        enum CodingKeys: String, CodingKey { case name = "cbc:Name" }
    }

    struct Address: Encodable {
        var format: Value?
        var street: Value?
        var city: Value?
        var postcode: Value?
        var country: CountryCode
        enum CodingKeys: String, CodingKey {
            case format = "cbc:AddressFormatCode", street = "cbc:StreetName", city = "cbc:CityName"
            case postcode = "cbc:PostalZone", country = "cac:Country"
        }
    }

    struct CountryCode: Encodable {
        var code: Value
        enum CodingKeys: String, CodingKey { case code = "cbc:IdentificationCode" }
    }

    struct PartyTaxScheme: Encodable {
        var companyID: Value
        var scheme: TaxScheme
        enum CodingKeys: String, CodingKey { case companyID = "cbc:CompanyID", scheme = "cac:TaxScheme" }
    }

    struct TaxScheme: Encodable {
        var id: Value
        var name: Value?
        enum CodingKeys: String, CodingKey { case id = "cbc:ID", name = "cbc:Name" }
    }

    struct LegalEntity: Encodable {
        var name: Value
        var companyID: Value?
        enum CodingKeys: String, CodingKey { case name = "cbc:RegistrationName", companyID = "cbc:CompanyID" }
    }

    struct Contact: Encodable {
        var id: Value?
        var email: Value?
        enum CodingKeys: String, CodingKey { case id = "cbc:ID", email = "cbc:ElectronicMail" }
    }

    struct PaymentMeans: Encodable {
        var id: Value?
        var code: Value
        var dueDate: Value?
        var channel: Value?
        var paymentID: Value?
        var account: Account
        enum CodingKeys: String, CodingKey {
            case id = "cbc:ID", code = "cbc:PaymentMeansCode", dueDate = "cbc:PaymentDueDate"
            case channel = "cbc:PaymentChannelCode", paymentID = "cbc:PaymentID", account = "cac:PayeeFinancialAccount"
        }
    }

    struct Account: Encodable {
        var id: Value
        var branch: Branch?
        enum CodingKeys: String, CodingKey { case id = "cbc:ID", branch = "cac:FinancialInstitutionBranch" }
    }

    struct Branch: Encodable {
        var id: Value?
        var institution: Reference?
        enum CodingKeys: String, CodingKey { case id = "cbc:ID", institution = "cac:FinancialInstitution" }
    }

    struct TaxTotal: Encodable {
        var amount: Value
        var subtotal: TaxSubtotal
        enum CodingKeys: String, CodingKey { case amount = "cbc:TaxAmount", subtotal = "cac:TaxSubtotal" }
    }

    struct TaxSubtotal: Encodable {
        var taxable: Value
        var amount: Value
        var category: TaxCategory
        enum CodingKeys: String, CodingKey {
            case taxable = "cbc:TaxableAmount", amount = "cbc:TaxAmount", category = "cac:TaxCategory"
        }
    }

    struct TaxCategory: Encodable {
        var id: Value
        var percent: Value?
        var exemptionReason: Value?
        var scheme: TaxScheme
        enum CodingKeys: String, CodingKey {
            case id = "cbc:ID", percent = "cbc:Percent", exemptionReason = "cbc:TaxExemptionReason"
            case scheme = "cac:TaxScheme"
        }
    }

    struct MonetaryTotal: Encodable {
        var lines: Value
        var taxExclusive: Value
        var taxInclusive: Value
        var payable: Value
        enum CodingKeys: String, CodingKey {
            case lines = "cbc:LineExtensionAmount", taxExclusive = "cbc:TaxExclusiveAmount"
            case taxInclusive = "cbc:TaxInclusiveAmount", payable = "cbc:PayableAmount"
        }
    }

    struct Line: Encodable {
        var isCreditNote: Bool
        var id: Value
        var quantity: Value
        var amount: Value
        var taxTotal: LineTaxTotal?
        var item: Item
        var price: Price

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: Key("cbc:ID"))
            try c.encode(quantity, forKey: Key(isCreditNote ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity"))
            try c.encode(amount, forKey: Key("cbc:LineExtensionAmount"))
            try c.encodeIfPresent(taxTotal, forKey: Key("cac:TaxTotal"))
            try c.encode(item, forKey: Key("cac:Item"))
            try c.encode(price, forKey: Key("cac:Price"))
        }
    }

    struct LineTaxTotal: Encodable {
        var amount: Value
        var subtotal: TaxSubtotal
        enum CodingKeys: String, CodingKey { case amount = "cbc:TaxAmount", subtotal = "cac:TaxSubtotal" }
    }

    struct Item: Encodable {
        var description: Value?
        var name: Value
        var sellersID: Reference
        var taxCategory: TaxCategory?
        enum CodingKeys: String, CodingKey {
            case description = "cbc:Description", name = "cbc:Name", sellersID = "cac:SellersItemIdentification"
            case taxCategory = "cac:ClassifiedTaxCategory"
        }
    }

    struct Price: Encodable {
        var amount: Value
        var base: Value
        enum CodingKeys: String, CodingKey { case amount = "cbc:PriceAmount", base = "cbc:BaseQuantity" }
    }
}
