import Foundation

/// How an `EInvoice` is said in each format. Peppol BIS 3 names parties by their Peppol participant
/// and VAT by EN 16931's category codes; OIOUBL by GLN and CVR, and VAT by the Danish tax scheme 63.
extension UBLInvoice.Document {
    typealias Value = UBLInvoice.Value

    init(_ invoice: EInvoice) {
        let oioubl = invoice.format == .oioubl
        let credit = invoice.isCreditNote
        isCreditNote = credit
        let currency = invoice.currency
        let vat = invoice.seller.vat
        let category = UBLInvoice.TaxCategory(vat, oioubl: oioubl, line: false)
        ublVersion = oioubl ? "2.0" : nil
        customization = oioubl ? "OIOUBL-2.01" : Value(UBLInvoice.peppolCustomization)
        profile =
            oioubl
            ? .id("urn:www.nesubl.eu:profiles:profile5:ver2.0", scheme: "urn:oioubl:id:profileid-1.2",
                agency: UBLInvoice.oio)
            : Value(UBLInvoice.peppolProfile)
        id = Value(invoice.number)
        copyIndicator = oioubl ? "false" : nil
        uuid = oioubl ? Value(invoice.documentID.uuidString.lowercased()) : nil
        issueDate = Value(invoice.issueDate)
        // A credit note has no due date; UBL 2.0 (OIOUBL) has no credit note type code.
        dueDate = oioubl || credit ? nil : Value(invoice.dueDate)
        typeCode =
            credit
            ? (oioubl ? nil : "381")
            : oioubl
                ? .code("380", list: "urn:oioubl:codelist:invoicetypecode-1.1", agency: UBLInvoice.oio) : "380"
        self.currency = Value(currency)
        buyerReference = oioubl ? nil : Value(invoice.buyer.reference)
        period = invoice.period.map { UBLInvoice.Period(start: Value($0.start), end: Value($0.end)) }
        if case .creditNote(let number, let issued) = invoice.kind {
            billing = UBLInvoice.BillingReference(invoice: .init(id: Value(number), issueDate: Value(issued)))
            // EN 16931 asks for payment terms when an amount is due (BR-CO-25): nothing is to be paid.
            paymentTerms = UBLInvoice.PaymentTerms(note: Value("Credit note for invoice \(number)"))
        } else {
            billing = nil
            paymentTerms = nil
        }
        contract = invoice.contractReference.map { UBLInvoice.Reference(id: Value($0)) }
        supplier = UBLInvoice.PartyRole(party: .seller(invoice.seller, oioubl: oioubl))
        customer = UBLInvoice.PartyRole(party: .buyer(invoice.buyer, oioubl: oioubl))
        paymentMeans = credit ? nil : .init(invoice, oioubl: oioubl)
        taxTotal = UBLInvoice.TaxTotal(
            amount: .amount(invoice.vatMinor, currency),
            subtotal: .init(
                taxable: .amount(invoice.netMinor, currency), amount: .amount(invoice.vatMinor, currency),
                category: category))
        monetaryTotal = UBLInvoice.MonetaryTotal(
            lines: .amount(invoice.netMinor, currency),
            // OIOUBL gives TaxExclusiveAmount the VAT itself, where UBL 2.1 gives it the total without VAT.
            taxExclusive: .amount(oioubl ? invoice.vatMinor : invoice.netMinor, currency),
            taxInclusive: .amount(invoice.payableMinor, currency), payable: .amount(invoice.payableMinor, currency))
        lines = invoice.lines.enumerated().map { index, line in
            let lineVAT = vat.vat(onMinor: line.netMinor)
            return UBLInvoice.Line(
                isCreditNote: credit, id: Value(String(index + 1)), quantity: .quantity("1", unit: "EA"),
                amount: .amount(line.netMinor, currency),
                taxTotal: oioubl
                    ? UBLInvoice.LineTaxTotal(
                        amount: .amount(lineVAT, currency),
                        subtotal: .init(
                            taxable: .amount(line.netMinor, currency), amount: .amount(lineVAT, currency),
                            category: category))
                    : nil,
                item: UBLInvoice.Item(
                    description: line.description.map { Value($0) }, name: Value(line.name),
                    sellersID: .init(id: Value(line.itemID)),
                    taxCategory: oioubl ? nil : UBLInvoice.TaxCategory(vat, oioubl: false, line: true)),
                price: UBLInvoice.Price(amount: .amount(line.netMinor, currency), base: .quantity("1", unit: "EA")))
        }
    }
}

extension UBLInvoice.Party {
    typealias Value = UBLInvoice.Value

    /// OIOUBL's names for a party's endpoint: a GLN (agency 9, GS1) or a Danish CVR number.
    static func oioublEndpoint(scheme: String, id: String) -> Value {
        switch scheme {
        case "0088": .id(id, scheme: "GLN", agency: "9")
        case "0184": .id(id, scheme: "DK:CVR", agency: UBLInvoice.oio)
        default: .id(id, scheme: scheme)
        }
    }

    static func cvr(_ number: String) -> Value { .id("DK" + number, scheme: "DK:CVR") }

    static func seller(_ s: SellerInvoicing, oioubl: Bool) -> Self {
        let danish = s.country == .dk
        let endpoint = s.endpoint
        let vatID: Value? =
            oioubl
            ? .id(s.vatNumber ?? (danish ? "DK" + s.organisationNumber : s.organisationNumber), scheme: "DK:SE",
                agency: UBLInvoice.oio)
            : s.vatNumber.map { Value($0) }
        return Self(
            endpoint: oioubl ? oioublEndpoint(scheme: endpoint.scheme, id: endpoint.id)
                : .id(endpoint.id, scheme: endpoint.scheme),
            identification: oioubl && danish ? UBLInvoice.Reference(id: cvr(s.organisationNumber)) : nil,
            name: UBLInvoice.Name(name: Value(s.legalName)),
            address: UBLInvoice.Address(
                format: oioubl ? UBLInvoice.Address.oioublFormat : nil, street: Value(s.street),
                city: Value(s.city), postcode: Value(s.postcode),
                country: UBLInvoice.CountryCode(code: Value(s.country.rawValue.uppercased()))),
            taxScheme: vatID.map { UBLInvoice.PartyTaxScheme(companyID: $0, scheme: .vat(oioubl: oioubl)) },
            legalEntity: UBLInvoice.LegalEntity(
                name: Value(s.legalName),
                companyID: oioubl && danish ? cvr(s.organisationNumber) : Value(s.organisationNumber)),
            contact: s.contactEmail.map { UBLInvoice.Contact(id: nil, email: Value($0)) })
    }

    static func buyer(_ b: EInvoice.Buyer, oioubl: Bool) -> Self {
        let endpoint = b.address.endpoint(in: b.country) ?? ("", "")
        let number = b.address.organisationNumber
        return Self(
            endpoint: oioubl ? oioublEndpoint(scheme: endpoint.scheme, id: endpoint.id)
                : .id(endpoint.id, scheme: endpoint.scheme),
            identification: oioubl ? number.map { UBLInvoice.Reference(id: cvr($0)) } : nil,
            name: UBLInvoice.Name(name: Value(b.name)),
            address: UBLInvoice.Address(
                format: oioubl ? UBLInvoice.Address.oioublFormat : nil, street: nil, city: nil, postcode: nil,
                country: UBLInvoice.CountryCode(code: Value(b.country.rawValue.uppercased()))),
            taxScheme: nil,
            legalEntity: UBLInvoice.LegalEntity(
                name: Value(b.name), companyID: number.map { oioubl ? cvr($0) : Value($0) }),
            // OIOUBL carries the buyer's reference as its contact ("personreference"); Peppol as BuyerReference.
            contact: oioubl ? UBLInvoice.Contact(id: Value(b.reference), email: nil) : nil)
    }
}

extension UBLInvoice.Address {
    static let oioublFormat = UBLInvoice.Value.code(
        "StructuredLax", list: "urn:oioubl:codelist:addressformatcode-1.1", agency: UBLInvoice.oio)
}

extension UBLInvoice.TaxScheme {
    static func vat(oioubl: Bool) -> Self {
        oioubl
            ? Self(id: .id("63", scheme: "urn:oioubl:id:taxschemeid-1.1", agency: UBLInvoice.oio), name: "Moms")
            : Self(id: "VAT", name: nil)
    }
}

extension UBLInvoice.TaxCategory {
    /// A category of the VAT total (`line` false) or of an item (EN 16931 states no reason there).
    init(_ vat: VATTreatment, oioubl: Bool, line: Bool) {
        if oioubl {
            id = .id(
                vat.category == .standard ? "StandardRated" : "ZeroRated", scheme: "urn:oioubl:id:taxcategoryid-1.1",
                agency: UBLInvoice.oio)
            percent = UBLInvoice.Value(vat.category == .standard ? vat.percentText : "0")
        } else {
            id = UBLInvoice.Value(vat.category.rawValue)
            switch vat.category {
            case .standard: percent = UBLInvoice.Value(vat.percentText)
            case .exempt: percent = "0"
            case .outOfScope: percent = nil
            }
        }
        exemptionReason = line ? nil : vat.exemptionReason.map { UBLInvoice.Value($0) }
        scheme = .vat(oioubl: oioubl)
    }
}

extension UBLInvoice.PaymentMeans {
    /// Peppol: credit transfer (30), SEPA (58) for an IBAN in euro, a Danish account to bank (42); the
    /// Swedish giros by their SFTI names. OIOUBL: payment to a bank account (42) with its channel.
    init(_ invoice: EInvoice, oioubl: Bool) {
        typealias Value = UBLInvoice.Value
        let account = invoice.seller.account
        let channelList = "urn:oioubl:codelist:paymentchannelcode-1.1"
        id = oioubl ? "1" : nil
        dueDate = oioubl ? Value(invoice.dueDate) : nil
        paymentID = oioubl ? nil : Value(invoice.number)
        switch account.kind {
        case .iban:
            code = oioubl ? "42" : (invoice.currency == "EUR" ? "58" : "30")
            channel = oioubl ? .code("IBAN", list: channelList, agency: UBLInvoice.oio) : nil
            let bic = account.bic.map { Value($0) }
            self.account = UBLInvoice.Account(
                id: Value(account.number),
                branch: bic.map {
                    oioubl ? UBLInvoice.Branch(id: nil, institution: .init(id: $0)) : UBLInvoice.Branch(id: $0)
                })
        case .danish:
            let parts = account.danishParts
            code = oioubl || invoice.seller.country == .dk ? "42" : "30"
            channel = oioubl ? .code("DK:BANK", list: channelList, agency: UBLInvoice.oio) : nil
            self.account = UBLInvoice.Account(id: Value(parts.account), branch: .init(id: Value(parts.registration)))
        case .bankgiro, .plusgiro:
            code = oioubl ? "42" : "30"
            channel = oioubl ? .code("ZZZ", list: channelList, agency: UBLInvoice.oio) : nil
            let branch = account.kind == .bankgiro ? "SE:BANKGIRO" : "SE:PLUSGIRO"
            self.account = UBLInvoice.Account(id: Value(account.number), branch: .init(id: Value(branch)))
        }
    }
}

extension UBLInvoice.Branch {
    init(id: UBLInvoice.Value) {
        self.id = id
        institution = nil
    }
}
