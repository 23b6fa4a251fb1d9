import XCTest

@testable import SamradCore

final class EInvoiceTests: XCTestCase {
    static func kl(vat: VATTreatment = VATTreatment(category: .standard, rateHundredths: 2500, exemptionReason: nil))
        -> SellerInvoicing
    {
        SellerInvoicing(
            legalName: "KL – Kommunernes Landsforening", organisationNumber: "55133018", vatNumber: "DK55133018",
            electronicAddress: "0088:5798000000001", street: "Weidekampsgade 10", postcode: "2300",
            city: "København S", country: .dk, account: PaymentAccount(kind: .danish, number: "5301 0241660", bic: nil),
            paymentDays: 30, vat: vat, numberPrefix: "KL-", contactEmail: "faktura@kl.dk")
    }

    static func invoice(buyer country: Country, seller: SellerInvoicing = kl()) -> EInvoice {
        let address =
            country == .dk
            ? InvoiceAddress(electronicAddress: "5798000000001", organisationNumber: "35209115")
            : InvoiceAddress(electronicAddress: nil, organisationNumber: "2120000142")
        return EInvoice(
            number: "KL-1001", documentID: UUID(uuidString: "7D4C9A4E-2E0B-4D5B-9C8F-3E2A1B0C9D8E")!,
            issueDate: "2026-12-07", dueDate: "2027-01-06", currency: country == .dk ? "DKK" : "SEK",
            seller: seller,
            buyer: EInvoice.Buyer(
                name: country == .dk ? "Odense" : "Stockholm", country: country, address: address,
                reference: "Anna Berg & co <skole>"),
            lines: [
                EInvoice.Line(
                    name: "Skoleudvikling i fællesskab", description: "2026–2027", itemID: "skoleudvikling",
                    netMinor: 1_234_550)
            ],
            contractReference: "26/01234", period: ("2026-08-01", "2027-06-30"))
    }

    func testVATIsRoundedOnTheTotalHalfAwayFromZero() {
        let standard = VATTreatment(category: .standard, rateHundredths: 2500, exemptionReason: nil)
        XCTAssertEqual(standard.vat(onMinor: 1_234_550), 308_638)
        XCTAssertEqual(standard.vat(onMinor: 2), 1)
        let reduced = VATTreatment(category: .standard, rateHundredths: 1250, exemptionReason: nil)
        XCTAssertEqual(reduced.percentText, "12.5")
        let exempt = VATTreatment(category: .exempt, rateHundredths: 0, exemptionReason: "ML § 13")
        XCTAssertEqual(exempt.vat(onMinor: 900), 0)
        let invoice = Self.invoice(buyer: .dk)
        XCTAssertEqual(invoice.payableMinor, 1_234_550 + 308_638)
        XCTAssertEqual(EInvoice.amountText(1_543_188), "15431.88")
        XCTAssertEqual(EInvoice.amountText(5), "0.05")
        XCTAssertEqual(EInvoice.amountText(-120), "-1.20")
    }

    func testTheBuyersCountryChoosesTheFormat() throws {
        var seller = Self.kl()
        XCTAssertEqual(seller.format(for: .dk), .oioubl)
        XCTAssertEqual(seller.format(for: .se), .peppolBIS3)
        XCTAssertEqual(seller.format(for: .no), .peppolBIS3)
        seller.danishFormat = .peppolBIS3
        XCTAssertEqual(seller.format(for: .dk), .peppolBIS3, "NemHandel carries Peppol BIS 3 too")
        let xml = try UBLInvoice.xml(Self.invoice(buyer: .dk, seller: seller))
        XCTAssertTrue(xml.contains(#"<cbc:EndpointID schemeID="0088">5798000000001</cbc:EndpointID>"#))
        XCTAssertFalse(xml.contains("OIOUBL"))
        // Details kept before the choice existed read as OIOUBL.
        let stored = try JSONEncoder().encode(Self.kl())
        var old = try XCTUnwrap(JSONSerialization.jsonObject(with: stored) as? [String: Any])
        old["danishFormat"] = nil
        let read = try JSONDecoder().decode(
            SellerInvoicing.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertEqual(read.format(for: .dk), .oioubl)
    }

    func testPeppolDocumentNamesThePartiesByTheirParticipantsAndEscapesText() throws {
        let xml = try UBLInvoice.xml(Self.invoice(buyer: .se))
        XCTAssertTrue(xml.contains("<cbc:CustomizationID>\(UBLInvoice.peppolCustomization)</cbc:CustomizationID>"))
        XCTAssertTrue(xml.contains("<cbc:EndpointID schemeID=\"0088\">5798000000001</cbc:EndpointID>"))
        XCTAssertTrue(xml.contains("<cbc:EndpointID schemeID=\"0007\">2120000142</cbc:EndpointID>"))
        XCTAssertTrue(xml.contains("<cbc:BuyerReference>Anna Berg &amp; co &lt;skole&gt;</cbc:BuyerReference>"))
        XCTAssertTrue(xml.contains("<cbc:PayableAmount currencyID=\"SEK\">15431.88</cbc:PayableAmount>"))
        XCTAssertTrue(xml.contains("<cbc:TaxExclusiveAmount currencyID=\"SEK\">12345.50</cbc:TaxExclusiveAmount>"))
        XCTAssertTrue(xml.contains("<cbc:PaymentMeansCode>42</cbc:PaymentMeansCode>"))
        XCTAssertFalse(xml.contains("UBLVersionID"))
        XCTAssertFalse(xml.contains("DK:CVR"))
        let order = ["cbc:IssueDate", "cbc:DueDate", "cbc:InvoiceTypeCode", "cbc:DocumentCurrencyCode",
            "cbc:BuyerReference", "cac:InvoicePeriod", "cac:ContractDocumentReference",
            "cac:AccountingSupplierParty", "cac:AccountingCustomerParty", "cac:PaymentMeans", "cac:TaxTotal",
            "cac:LegalMonetaryTotal", "cac:InvoiceLine"].map { xml.range(of: "<\($0)")!.lowerBound }
        XCTAssertEqual(order, order.sorted())
    }

    func testOIOUBLDocumentUsesTheDanishCodes() throws {
        let xml = try UBLInvoice.xml(Self.invoice(buyer: .dk))
        XCTAssertTrue(xml.contains("<cbc:UBLVersionID>2.0</cbc:UBLVersionID>"))
        XCTAssertTrue(xml.contains("<cbc:CustomizationID>OIOUBL-2.01</cbc:CustomizationID>"))
        XCTAssertTrue(xml.contains("schemeID=\"GLN\""))
        XCTAssertTrue(xml.contains(">DK35209115</cbc:ID>"))
        XCTAssertTrue(xml.contains("<cbc:ID>Anna Berg &amp; co &lt;skole&gt;</cbc:ID>"))
        // OIOUBL's TaxExclusiveAmount is the VAT itself.
        XCTAssertTrue(xml.contains("<cbc:TaxExclusiveAmount currencyID=\"DKK\">3086.38</cbc:TaxExclusiveAmount>"))
        XCTAssertTrue(xml.contains(">StandardRated</cbc:ID>"))
        XCTAssertTrue(xml.contains(">DK:BANK</cbc:PaymentChannelCode>"))
        XCTAssertFalse(xml.contains("BuyerReference"))
    }

    func testExemptSellerStatesItsReason() throws {
        let seller = Self.kl(
            vat: VATTreatment(category: .exempt, rateHundredths: 0, exemptionReason: "Momsfri undervisning"))
        let xml = try UBLInvoice.xml(Self.invoice(buyer: .se, seller: seller))
        XCTAssertTrue(xml.contains("<cbc:TaxExemptionReason>Momsfri undervisning</cbc:TaxExemptionReason>"))
        XCTAssertTrue(xml.contains("<cbc:TaxAmount currencyID=\"SEK\">0.00</cbc:TaxAmount>"))
    }

    func testTheSellersNumbersAreCheckedByTheirCheckDigits() throws {
        XCTAssertEqual(InvoiceIdentifier.iban("dk50 0040 0440 1162 43"), "DK5000400440116243")
        XCTAssertNil(InvoiceIdentifier.iban("DK50 0040 0440 1162 44"))
        XCTAssertEqual(InvoiceIdentifier.iban("SE45 5000 0000 0583 9825 7466"), "SE4550000000058398257466")
        XCTAssertEqual(InvoiceIdentifier.vatNumber("dk 55 13 30 18"), "DK55133018")
        XCTAssertEqual(InvoiceIdentifier.vatNumber("SE222000031501"), "SE222000031501")
        XCTAssertNil(InvoiceIdentifier.vatNumber("SE222000031502"))
        XCTAssertEqual(InvoiceIdentifier.vatNumber("NO 971 032 081"), "NO971032081MVA")
        XCTAssertNil(InvoiceIdentifier.vatNumber("DE123456789"))
        XCTAssertTrue(InvoiceIdentifier.luhn("50516905"))
        XCTAssertFalse(InvoiceIdentifier.luhn("50516904"))
        XCTAssertTrue(InvoiceIdentifier.isBIC("DABADKKK"))
        XCTAssertFalse(InvoiceIdentifier.isBIC("DABA1KKK"))

        var input = SellerInvoicing.Input(Self.kl())
        input.account = "٥٣٠١ ٠٢٤١٦٦٠"
        input.vatCategory = "E"
        input.vatExemptionReason = " "
        XCTAssertThrowsError(try SellerInvoicing.read(input)) { error in
            let fields = (error as? SamradError)?.fieldErrors.map(\.field)
            XCTAssertEqual(fields, ["account", "vatExemptionReason"])
        }
        input = SellerInvoicing.Input(Self.kl())
        input.accountKind = "bankgiro"
        input.account = "5051-6905"
        input.electronicAddress = "0184:dk55133018"
        let read = try SellerInvoicing.read(input)
        XCTAssertEqual(read.account, PaymentAccount(kind: .bankgiro, number: "50516905", bic: nil))
        XCTAssertEqual(read.electronicAddress, "0184:DK55133018")
        XCTAssertEqual(read.vat, Self.kl().vat)
    }

    func testACreditNoteCancelsItsInvoiceInBothFormats() throws {
        var note = Self.invoice(buyer: .se)
        note.kind = .creditNote(of: "KL-1001", issued: "2026-12-07")
        note.number = "KL-1002"
        let peppol = try UBLInvoice.xml(note)
        XCTAssertTrue(peppol.contains("<CreditNote xmlns") || peppol.contains("<CreditNote "), peppol)
        XCTAssertTrue(peppol.contains(#"xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2""#))
        XCTAssertTrue(peppol.contains("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"))
        XCTAssertTrue(peppol.contains("<cac:InvoiceDocumentReference>\n      <cbc:ID>KL-1001</cbc:ID>"), peppol)
        XCTAssertTrue(peppol.contains(#"<cbc:CreditedQuantity unitCode="EA">1</cbc:CreditedQuantity>"#))
        for absent in ["InvoiceLine", "cbc:DueDate", "PaymentMeans"] { XCTAssertFalse(peppol.contains(absent), absent) }
        let order = ["cbc:CreditNoteTypeCode", "cbc:DocumentCurrencyCode", "cac:BillingReference",
            "cac:AccountingSupplierParty", "cac:PaymentTerms", "cac:TaxTotal", "cac:CreditNoteLine"]
            .map { peppol.range(of: "<\($0)")!.lowerBound }
        XCTAssertEqual(order, order.sorted())
        var danish = Self.invoice(buyer: .dk)
        danish.kind = .creditNote(of: "KL-1001", issued: "2026-12-07")
        let oioubl = try UBLInvoice.xml(danish)
        XCTAssertTrue(oioubl.contains("<cbc:CustomizationID>OIOUBL-2.01</cbc:CustomizationID>"))
        XCTAssertFalse(oioubl.contains("CreditNoteTypeCode"), "UBL 2.0 has none")
    }
}
