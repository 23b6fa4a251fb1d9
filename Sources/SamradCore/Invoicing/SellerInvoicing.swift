import Foundation

/// Who sends the invoices of an organisation's paid tracks, as an e-invoice states the seller: its
/// registered name and numbers, where it receives documents, its address, where it is paid and how it
/// charges VAT. Kept by the organisation's organisers.
public struct SellerInvoicing: Sendable, Equatable, Codable {
    public var legalName: String
    /// CVR, organisationsnummer, organisasjonsnummer or Y-tunnus, digits only.
    public var organisationNumber: String
    /// "DK55133018", "SE212000014201", "NO971032081MVA", "FI02459042"; nil when not registered for VAT.
    public var vatNumber: String?
    /// A Peppol participant "scheme:id" (a Danish EAN/GLN is 0088).
    public var electronicAddress: String
    public var street: String
    public var postcode: String
    public var city: String
    public var country: Country
    public var account: PaymentAccount
    public var paymentDays: Int
    public var vat: VATTreatment
    /// Put before the running number: "KL-" gives KL-1001.
    public var numberPrefix: String
    public var contactEmail: String?
    /// What Danish municipalities receive: OIOUBL (the default) or Peppol BIS Billing 3, which
    /// NemHandel also carries. Other countries always get Peppol BIS Billing 3.
    public var danishFormat: EInvoiceFormat?

    public init(
        legalName: String, organisationNumber: String, vatNumber: String?, electronicAddress: String,
        street: String, postcode: String, city: String, country: Country, account: PaymentAccount,
        paymentDays: Int, vat: VATTreatment, numberPrefix: String, contactEmail: String?,
        danishFormat: EInvoiceFormat? = nil
    ) {
        self.legalName = legalName
        self.organisationNumber = organisationNumber
        self.vatNumber = vatNumber
        self.electronicAddress = electronicAddress
        self.street = street
        self.postcode = postcode
        self.city = city
        self.country = country
        self.account = account
        self.paymentDays = paymentDays
        self.vat = vat
        self.numberPrefix = numberPrefix
        self.contactEmail = contactEmail
        self.danishFormat = danishFormat
    }

    /// The format a buyer in `country` receives.
    public func format(for country: Country) -> EInvoiceFormat {
        country == .dk ? danishFormat ?? .oioubl : .peppolBIS3
    }

    /// The Peppol participant the seller sends from.
    public var endpoint: (scheme: String, id: String) {
        let parts = electronicAddress.split(separator: ":", maxSplits: 1).map(String.init)
        return (parts[0], parts.count == 2 ? parts[1] : "")
    }

    /// What a form or an API request gives, by the names `read` checks.
    public struct Input: Sendable, Codable, Equatable {
        public var legalName: String?
        public var organisationNumber: String?
        public var vatNumber: String?
        public var electronicAddress: String?
        public var street: String?
        public var postcode: String?
        public var city: String?
        public var country: String?
        public var accountKind: String?
        public var account: String?
        public var bic: String?
        public var paymentDays: String?
        public var vatCategory: String?
        public var vatRate: String?
        public var vatExemptionReason: String?
        public var numberPrefix: String?
        public var contactEmail: String?
        public var danishFormat: String?

        public init() {}

        public init(_ s: SellerInvoicing) {
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
            paymentDays = String(s.paymentDays)
            vatCategory = s.vat.category.rawValue
            vatRate = s.vat.category == .standard ? NumberText.plain(Double(s.vat.rateHundredths) / 100) : nil
            vatExemptionReason = s.vat.exemptionReason
            numberPrefix = s.numberPrefix
            contactEmail = s.contactEmail
            danishFormat = (s.danishFormat ?? .oioubl).rawValue
        }

        public var values: [String: String] {
            [
                "legalName": legalName, "organisationNumber": organisationNumber, "vatNumber": vatNumber,
                "electronicAddress": electronicAddress, "street": street, "postcode": postcode, "city": city,
                "country": country, "accountKind": accountKind, "account": account, "bic": bic,
                "paymentDays": paymentDays, "vatCategory": vatCategory, "vatRate": vatRate,
                "vatExemptionReason": vatExemptionReason, "numberPrefix": numberPrefix, "contactEmail": contactEmail,
                "danishFormat": danishFormat,
            ].compactMapValues { $0 }
        }
    }

    /// Checks every field and names each wrong one; nothing is returned while one is wrong.
    public static func read(_ input: Input) throws -> SellerInvoicing {
        var v = Validation()
        let legalName = v.required("legalName", input.legalName, maxLength: 160)
        let country = v.oneOf("country", input.country, as: Country.self)
        var number = ""
        if let country, let text = v.optional("organisationNumber", input.organisationNumber, maxLength: 20) {
            if let digits = InvoiceIdentifier.organisationNumber(text, in: country) { number = digits } else {
                v.add("organisationNumber", "invoicing.error.number.\(country.rawValue)")
            }
        } else if input.organisationNumber?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
            v.add("organisationNumber", "validation.required")
        }
        var vatNumber: String? = nil
        if let text = v.optional("vatNumber", input.vatNumber, maxLength: 20) {
            vatNumber = InvoiceIdentifier.vatNumber(text)
            if vatNumber == nil { v.add("vatNumber", "seller.error.vat_number") }
        }
        var address = ""
        let addressText = v.required("electronicAddress", input.electronicAddress, maxLength: 60)
        if !addressText.isEmpty {
            let digits = addressText.filter { !$0.isWhitespace }
            if InvoiceIdentifier.isGLN(digits) {
                address = "0088:" + digits
            } else if let id = InvoiceIdentifier.peppolID(addressText) {
                address = id
            } else {
                v.add("electronicAddress", "seller.error.electronic_address")
            }
        }
        let street = v.required("street", input.street, maxLength: 120)
        let postcode = v.required("postcode", input.postcode, maxLength: 12)
        let city = v.required("city", input.city, maxLength: 80)
        let account = PaymentAccount.read(kind: input.accountKind, number: input.account, bic: input.bic, into: &v)
        let days = v.wholeNumber("paymentDays", input.paymentDays, in: 0...120, default: 30)
        let vat = VATTreatment.read(
            category: input.vatCategory, rate: input.vatRate, reason: input.vatExemptionReason, into: &v)
        if vat?.category == .standard && vatNumber == nil { v.add("vatNumber", "seller.error.vat_number_needed") }
        let prefix = v.optional("numberPrefix", input.numberPrefix, maxLength: 12) ?? ""
        if !prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-/_".contains($0)) }) {
            v.add("numberPrefix", "seller.error.prefix")
        }
        let email = v.email("contactEmail", input.contactEmail, required: false)
        var danishFormat = EInvoiceFormat.oioubl
        if let text = input.danishFormat, !text.isEmpty {
            danishFormat = v.oneOf("danishFormat", text, as: EInvoiceFormat.self) ?? .oioubl
        }
        try v.check()
        return SellerInvoicing(
            legalName: legalName, organisationNumber: number, vatNumber: vatNumber, electronicAddress: address,
            street: street, postcode: postcode, city: city, country: country!, account: account!,
            paymentDays: days!, vat: vat!, numberPrefix: prefix, contactEmail: email, danishFormat: danishFormat)
    }
}

/// Where the seller is paid.
public struct PaymentAccount: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// An IBAN, with the bank's BIC.
        case iban
        /// A Danish bank account: registration number (4 digits) and account number.
        case danish
        /// A Swedish bankgiro or plusgiro number.
        case bankgiro, plusgiro
    }

    public var kind: Kind
    /// The IBAN, "reg account" for a Danish account, or the giro number, normalised.
    public var number: String
    public var bic: String?

    public init(kind: Kind, number: String, bic: String?) {
        self.kind = kind
        self.number = number
        self.bic = bic
    }

    /// A Danish account's registration number and account number.
    public var danishParts: (registration: String, account: String) {
        let parts = number.split(separator: " ").map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    static func read(kind: String?, number: String?, bic: String?, into v: inout Validation) -> PaymentAccount? {
        let kind = v.oneOf("accountKind", kind, as: Kind.self)
        let text = v.required("account", number, maxLength: 40)
        let bicText = v.optional("bic", bic, maxLength: 11)?.uppercased().filter { !$0.isWhitespace }
        guard let kind, !text.isEmpty else { return nil }
        var normalised: String? = nil
        switch kind {
        case .iban:
            normalised = InvoiceIdentifier.iban(text)
            if let bicText, !InvoiceIdentifier.isBIC(bicText) { v.add("bic", "seller.error.bic") }
        case .danish:
            let digits = text.filter { $0.isASCII && $0.isNumber }
            if (8...14).contains(digits.count), text.allSatisfy({ ($0.isASCII && $0.isNumber) || " -".contains($0) }) {
                normalised = "\(digits.prefix(4)) \(digits.dropFirst(4))"
            }
        case .bankgiro, .plusgiro:
            let digits = text.filter { $0.isASCII && $0.isNumber }
            let range = kind == .bankgiro ? 7...8 : 2...8
            if range.contains(digits.count), InvoiceIdentifier.luhn(digits),
                text.allSatisfy({ $0.isNumber || $0 == "-" || $0 == " " })
            {
                normalised = digits
            }
        }
        guard let normalised else {
            v.add("account", "seller.error.account.\(kind.rawValue)")
            return nil
        }
        return PaymentAccount(kind: kind, number: normalised, bic: kind == .iban ? bicText : nil)
    }
}

/// How the seller charges VAT on its tracks: the standard rate, or exempt (courses of a public body or
/// an association often are) or outside VAT altogether, with the reason the invoice states.
public struct VATTreatment: Sendable, Equatable, Codable {
    /// The EN 16931 VAT category codes.
    public enum Category: String, Sendable, Codable, CaseIterable {
        case standard = "S", exempt = "E", outOfScope = "O"
    }

    public var category: Category
    /// 2500 for 25 %; 0 unless standard.
    public var rateHundredths: Int
    public var exemptionReason: String?

    public init(category: Category, rateHundredths: Int, exemptionReason: String?) {
        self.category = category
        self.rateHundredths = rateHundredths
        self.exemptionReason = exemptionReason
    }

    /// The VAT on a net amount in minor units, rounded half away from zero to the minor unit.
    public func vat(onMinor net: Int) -> Int {
        guard category == .standard else { return 0 }
        let product = net * rateHundredths
        return (product + (product >= 0 ? 5_000 : -5_000)) / 10_000
    }

    /// The rate as an invoice writes it: "25", "12.5".
    public var percentText: String {
        rateHundredths % 100 == 0
            ? String(rateHundredths / 100) : NumberText.plain(Double(rateHundredths) / 100)
    }

    static func read(category: String?, rate: String?, reason: String?, into v: inout Validation) -> VATTreatment? {
        guard let category = v.oneOf("vatCategory", category, as: Category.self) else { return nil }
        switch category {
        case .standard:
            guard let percent = v.number("vatRate", rate, in: 0.01...50, default: -1) else { return nil }
            if percent < 0 {
                v.add("vatRate", "validation.required")
                return nil
            }
            let hundredths = Int((percent * 100).rounded())
            return VATTreatment(category: .standard, rateHundredths: hundredths, exemptionReason: nil)
        case .exempt, .outOfScope:
            let reason = v.required("vatExemptionReason", reason, maxLength: 200)
            return reason.isEmpty ? nil : VATTreatment(category: category, rateHundredths: 0, exemptionReason: reason)
        }
    }
}
