import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// E-invoices for paid tracks (issue 26): the seller's details kept by the organisation's organisers,
/// invoices issued once per registered municipality under consecutive numbers, all or none, and
/// written as OIOUBL for Danish municipalities.
extension CollaborationRouteTests {
    static let sellerBody = """
        {"legalName":"KL – Kommunernes Landsforening","organisationNumber":"55 13 30 18","vatNumber":"dk 55133018",
         "electronicAddress":"5798000000001","street":"Weidekampsgade 10","postcode":"2300","city":"København S",
         "country":"dk","accountKind":"danish","account":"5301-0241660","paymentDays":30,"vatCategory":"S",
         "vatRate":25,"numberPrefix":"KL-","nextNumber":1001,"contactEmail":"faktura@kl.dk"}
        """

    func testTheSellersDetailsAreCheckedAndKeptByTheOrganisationsOrganisers() async throws {
        let path = "/api/v1/organisations/\(kl.id!.uuidString)/invoicing"
        let none = try await json(organiser, .GET, path)
        XCTAssertEqual(none.status, .notFound)
        for outsider in [aarhus, member] {
            let refused = try await json(outsider, .PUT, path, Self.sellerBody)
            XCTAssertEqual(refused.status, .forbidden, "only the organisation's organisers keep its invoicing")
        }
        let unsigned = try await json(nil, .GET, path)
        XCTAssertEqual(unsigned.status, .unauthorized)
        let wrong = try await json(
            organiser, .PUT, path,
            """
            {"legalName":" ","organisationNumber":"55133019","vatNumber":"DK1","electronicAddress":"5798000000002",
             "street":"Weidekampsgade 10","postcode":"2300","city":"København S","country":"dk","accountKind":"iban",
             "account":"DK50 0040 0440 1162 44","bic":"12","vatCategory":"E","numberPrefix":"KL 2026"}
            """)
        XCTAssertEqual(wrong.status, .unprocessableEntity, wrong.body.string)
        XCTAssertEqual(
            Set((wrong.json["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []),
            [
                "legalName", "organisationNumber", "vatNumber", "electronicAddress", "account", "bic",
                "vatExemptionReason", "numberPrefix",
            ])
        let rows = try await SellerDetails.query(on: app.db).count()
        XCTAssertEqual(rows, 0, "nothing is kept while a field is wrong")

        let kept = try await json(organiser, .PUT, path, Self.sellerBody)
        XCTAssertEqual(kept.status, .ok, kept.body.string)
        XCTAssertEqual(kept.json["organisationNumber"] as? String, "55133018")
        XCTAssertEqual(kept.json["vatNumber"] as? String, "DK55133018")
        XCTAssertEqual(kept.json["electronicAddress"] as? String, "0088:5798000000001")
        XCTAssertEqual(kept.json["account"] as? String, "5301 0241660")
        XCTAssertEqual(kept.json["vatRate"] as? Double, 25)
        XCTAssertEqual(kept.json["nextNumber"] as? Int, 1001)
        XCTAssertEqual(kept.json["danishFormat"] as? String, "oioubl-2.1", "until chosen otherwise")

        // The page: the fields in groups, a wrong one named beside it.
        _ = try await makeUser(
            app, email: "web@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        let web = Client(app)
        try await web.signIn("web@kl.dk", "correct horse battery")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let form = try await web.get("/organisations/\(kl.id!.uuidString)/invoicing", headers: en)
        XCTAssertEqual(form.status, .ok)
        XCTAssertTrue(form.body.string.contains(#"value="5301 0241660""#))
        XCTAssertTrue(form.body.string.contains("<legend>Payment</legend>"))
        var fields = SellerInvoicing.Input(
            try await SellerDetails.query(on: app.db).first()!.details
        ).values
        fields["vatNumber"] = ""
        fields["nextNumber"] = "1001"
        let missingVAT = try await web.post("/organisations/\(kl.id!.uuidString)/invoicing", form: fields, headers: en)
        XCTAssertEqual(missingVAT.status, .unprocessableEntity)
        XCTAssertTrue(missingVAT.body.string.contains("A seller that charges VAT must state its VAT number."))
        let detail = try await web.get("/organisations/\(kl.id!.uuidString)", headers: en)
        XCTAssertTrue(detail.body.string.contains("/organisations/\(kl.id!.uuidString)/invoicing"))
    }

    func testEInvoicesAreIssuedOnceUnderConsecutiveNumbersAllOrNone() async throws {
        let slug = try await politicalTrack(
            price: #""priceKind":"per_municipality","priceAmount":"12.500,00","currency":"DKK""#)
        let registrations = "/api/v1/collaborations/\(slug)/registrations"
        for (token, path, town) in [(aarhus, "dk/751", "aarhus"), (odense, "dk/461", "odense")] {
            let registered = try await json(token, .POST, "\(registrations)/\(path)", seats(town))
            XCTAssertEqual(registered.json["status"] as? String, "registered", registered.body.string)
        }
        let path = "/api/v1/collaborations/\(slug)/einvoices"
        let ledger = try await json(organiser, .GET, path)
        XCTAssertEqual(ledger.status, .ok, ledger.body.string)
        XCTAssertEqual(ledger.json["sellerReady"] as? Bool, false)
        let pending = try XCTUnwrap(ledger.json["pending"] as? [[String: Any]])
        XCTAssertEqual(pending.compactMap { $0["municipality"] as? String }, ["dk/751", "dk/461"])
        XCTAssertEqual(pending.first?["net"] as? String, "12500.00")
        XCTAssertEqual(pending.first?["format"] as? String, "oioubl-2.1")
        XCTAssertEqual(pending.first?["reference"] as? String, "", "the coordinator who registered is not a person")
        for outsider in [aarhus, odense, member] {
            let refused = try await json(outsider, .GET, path)
            XCTAssertEqual(refused.status, .forbidden, "a municipality does not see the invoices, its own neither")
        }
        let choice = #"{"municipalities":[{"municipality":"dk/461","reference":"Økonomi <4711>"}]}"#
        let noSeller = try await json(organiser, .POST, path, choice)
        XCTAssertEqual(noSeller.status, .unprocessableEntity)
        XCTAssertEqual((noSeller.json["errors"] as? [[String: String]])?.first?["field"], "seller")

        let kept = try await json(
            organiser, .PUT, "/api/v1/organisations/\(kl.id!.uuidString)/invoicing", Self.sellerBody)
        XCTAssertEqual(kept.status, .ok, kept.body.string)
        let address = MunicipalityInvoiceAddress()
        address.municipalityCountry = "dk"
        address.municipalityCode = "461"
        address.electronicAddress = "5798000000001"
        address.organisationNumber = "35209115"
        try await address.create(on: app.db)

        // Aarhus has no invoice address yet: the request is refused whole and names it.
        let both = try await json(
            organiser, .POST, path,
            """
            {"municipalities":[{"municipality":"dk/461","reference":"A"},
             {"municipality":"dk/751","reference":"B"}]}
            """)
        XCTAssertEqual(both.status, .unprocessableEntity)
        let errors = both.json["errors"] as? [[String: String]]
        XCTAssertEqual(errors?.compactMap { $0["field"] }, ["municipalities[1]"])
        XCTAssertEqual(errors?.first?["message"], "Aarhus has no invoice address yet.")
        let nothing = try await IssuedInvoice.query(on: app.db).count()
        XCTAssertEqual(nothing, 0)
        let stranger = try await json(organiser, .POST, path, #"{"municipalities":[{"municipality":"dk/101"}]}"#)
        XCTAssertEqual(stranger.status, .unprocessableEntity)
        let malformed = try await json(organiser, .POST, path, #"{"municipalities":"dk/461"}"#)
        XCTAssertEqual(malformed.status, .unprocessableEntity)
        XCTAssertEqual(malformed.headers.contentType?.subType, "problem+json")

        let issued = try await json(organiser, .POST, path, choice)
        XCTAssertEqual(issued.status, .created, issued.body.string)
        let invoice = try XCTUnwrap(issued.jsonArray.first)
        XCTAssertEqual(invoice["number"] as? String, "KL-1001")
        XCTAssertEqual(invoice["payable"] as? String, "15625.00")
        XCTAssertEqual(invoice["format"] as? String, "oioubl-2.1")
        let again = try await json(organiser, .POST, path, choice)
        XCTAssertEqual(again.status, .unprocessableEntity, "a municipality is invoiced once")
        XCTAssertEqual(
            (again.json["errors"] as? [[String: String]])?.first?["message"], "Odense has been invoiced already.")

        let document = try await send(app, .GET, "\(path)/KL-1001", headers: bearer(organiser))
        XCTAssertEqual(document.status, .ok)
        XCTAssertEqual(document.headers.contentType?.subType, "xml")
        let xml = document.body.string
        XCTAssertTrue(xml.contains("<cbc:CustomizationID>OIOUBL-2.01</cbc:CustomizationID>"))
        XCTAssertTrue(xml.contains("<cbc:ID>Økonomi &lt;4711&gt;</cbc:ID>"))
        XCTAssertTrue(xml.contains(#"<cbc:PayableAmount currencyID="DKK">15625.00</cbc:PayableAmount>"#))
        XCTAssertTrue(xml.contains("<cbc:Name>Politisk del 2014</cbc:Name>"))
        let foreign = try await send(app, .GET, "\(path)/KL-1001", headers: bearer(odense))
        XCTAssertEqual(foreign.status, .forbidden)
        let zip = try await send(app, .GET, "/collaborations/\(slug)/einvoices.zip", headers: bearer(organiser))
        XCTAssertEqual(zip.headers.contentType?.subType, "zip")

        // The next one continues the series; the series cannot be set back below what was issued.
        let backwards = try await json(
            organiser, .PUT, "/api/v1/organisations/\(kl.id!.uuidString)/invoicing",
            Self.sellerBody.replacingOccurrences(of: "\"nextNumber\":1001", with: "\"nextNumber\":1000"))
        XCTAssertEqual(backwards.status, .unprocessableEntity)
        XCTAssertEqual((backwards.json["errors"] as? [[String: String]])?.first?["field"], "nextNumber")
        address.municipalityCode = "751"
        address.id = nil
        address.$id.exists = false
        try await address.create(on: app.db)
        let second = try await json(organiser, .POST, path, #"{"municipalities":[{"municipality":"dk/751"}]}"#)
        XCTAssertEqual(second.status, .unprocessableEntity, "no reference: Aarhus was registered by its coordinator")
        let named = try await json(
            organiser, .POST, path, #"{"municipalities":[{"municipality":"dk/751","reference":"Anna Berg"}]}"#)
        XCTAssertEqual(named.jsonArray.first?["number"] as? String, "KL-1002")
        let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "einvoices:issue").count()
        XCTAssertEqual(audit, 2)

        // A wrong invoice is credited in full; the municipality can then be invoiced again, once.
        let refusedCredit = try await json(odense, .POST, "\(path)/KL-1001/credit")
        XCTAssertEqual(refusedCredit.status, .forbidden)
        let credit = try await json(organiser, .POST, "\(path)/KL-1001/credit")
        XCTAssertEqual(credit.status, .created, credit.body.string)
        XCTAssertEqual(credit.json["number"] as? String, "KL-1003")
        XCTAssertEqual(credit.json["kind"] as? String, "credit_note")
        XCTAssertEqual(credit.json["credits"] as? String, "KL-1001")
        let twice = try await json(organiser, .POST, "\(path)/KL-1001/credit")
        XCTAssertEqual(twice.status, .unprocessableEntity)
        let creditNote = try await send(app, .GET, "\(path)/KL-1003", headers: bearer(organiser)).body.string
        XCTAssertTrue(creditNote.contains("<CreditNote"), creditNote)
        XCTAssertTrue(creditNote.contains("<cbc:ID>KL-1001</cbc:ID>"))
        XCTAssertTrue(creditNote.contains("<cbc:ID>Økonomi &lt;4711&gt;</cbc:ID>"), "the invoice's own reference")
        let listed = try await json(organiser, .GET, path)
        XCTAssertEqual(
            (listed.json["issued"] as? [[String: Any]])?.compactMap { $0["creditedBy"] as? String }, ["KL-1003"])
        XCTAssertEqual((listed.json["pending"] as? [[String: Any]])?.count, 1, "Odense is to be invoiced again")
        let reissued = try await json(organiser, .POST, path, choice)
        XCTAssertEqual(reissued.jsonArray.first?["number"] as? String, "KL-1004")

        // The page lists both as issued, with their documents.
        _ = try await makeUser(app, email: "page@kl.dk", grants: [RoleGrant(kind: .organiser, organisationID: kl.id)])
        let web = Client(app)
        try await web.signIn("page@kl.dk", "correct horse battery")
        let page = try await web.get("/collaborations/\(slug)/einvoices", headers: ["Accept-Language": "en"])
        XCTAssertTrue(page.body.string.contains("2 of 2 registered municipalities invoiced; 0 ready for an invoice."))
        XCTAssertTrue(page.body.string.contains("/collaborations/\(slug)/einvoices/KL-1002"))
        XCTAssertTrue(page.body.string.contains("Credited by KL-1003"))
        XCTAssertTrue(page.body.string.contains("Credit note for KL-1001"))
        XCTAssertTrue(page.body.string.contains("−15,625.00 DKK"), "a credit note's amount is credited")
        XCTAssertTrue(page.body.string.contains(#"action="/collaborations/\#(slug)/einvoices/KL-1004/credit""#))
        XCTAssertFalse(page.body.string.contains(#"action="/collaborations/\#(slug)/einvoices/KL-1001/credit""#))
        let board = try await web.get("/collaborations/\(slug)/board", headers: ["Accept-Language": "en"])
        XCTAssertTrue(board.body.string.contains("/collaborations/\(slug)/einvoices\""))
    }
}
