import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

/// The municipalities' invoice addresses (issue 26): EAN/GLN and CVR in Denmark, Peppol id and
/// organisation number in Sweden, checked by their check digits, kept by administrators by hand or
/// from a spreadsheet checked whole.
extension InvitationReachRouteTests {
    func testInvoiceAddressesComeFromASpreadsheetCheckedWholeAndAreKeptByAdministrators() async throws {
        var headers = bearer(admin)
        headers.contentType = HTTPMediaType(type: "text", subType: "csv")
        headers.replaceOrAdd(name: .acceptLanguage, value: "en")
        let wrong = "kommune;ean;cvr\n751;5798000000001;55133018\n461;5798000000002;\n999;5798000000001;\n"
        let refused = try await send(
            app, .POST, "/api/v1/municipalities/invoice-addresses?country=dk", headers: headers,
            body: ByteBuffer(string: wrong))
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertEqual(
            (refused.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }, ["line 3", "line 4"])
        XCTAssertTrue(
            refused.body.string.contains(
                "Line 3: ean “5798000000002” is not an EAN number (GLN) of 13 digits with a valid check digit."),
            refused.body.string)
        let none = try await MunicipalityInvoiceAddress.query(on: app.db).count()
        XCTAssertEqual(none, 0, "nothing is written while a line is wrong")

        let good = "kommune;ean;cvr\n751;5798 0000 0000 1;55 13 30 18\n"
        let imported = try await send(
            app, .POST, "/api/v1/municipalities/invoice-addresses?country=dk", headers: headers,
            body: ByteBuffer(string: good))
        XCTAssertEqual(imported.status, .ok, imported.body.string)
        XCTAssertEqual(imported.json["created"] as? Int, 1)
        let swedish = "kommunkod,peppol-id,organisationsnummer\n0180,,212000-0142\n"
        let se = try await send(
            app, .POST, "/api/v1/municipalities/invoice-addresses?country=se", headers: headers,
            body: ByteBuffer(string: swedish))
        XCTAssertEqual(se.status, .ok, se.body.string)
        let listed = try await json(admin, .GET, "/api/v1/municipalities/invoice-addresses?country=se")
        XCTAssertEqual(listed.jsonArray.first?["peppolEndpoint"] as? String, "0007:2120000142")
        XCTAssertEqual(listed.jsonArray.first?["organisationNumber"] as? String, "2120000142")

        let badNumber = try await json(
            admin, .PUT, "/api/v1/municipalities/dk/461/invoice-address",
            #"{"electronicAddress":"5798000000001","organisationNumber":"12345678"}"#)
        XCTAssertEqual(badNumber.status, .unprocessableEntity)
        XCTAssertEqual(
            (badNumber.json["errors"] as? [[String: String]])?.compactMap { $0["field"] }, ["organisationNumber"])
        let byCoordinator = try await json(
            coordinator, .PUT, "/api/v1/municipalities/dk/751/invoice-address",
            #"{"electronicAddress":"5798000000001"}"#)
        XCTAssertEqual(byCoordinator.status, .forbidden, "a municipality's own coordinator does not set it either")

        // The page: two fields per municipality; a wrong one names the municipality, nothing is saved.
        _ = try await makeUser(app, email: "admin4@samrad.dk", grants: [RoleGrant(kind: .administrator)])
        let web = Client(app)
        try await web.signIn("admin4@samrad.dk", "correct horse battery")
        let en: HTTPHeaders = ["Accept-Language": "en"]
        let page = try await web.get("/admin/invoicing?country=dk", headers: en)
        XCTAssertTrue(page.body.string.contains("1 of 98 municipalities have an invoice address."))
        XCTAssertTrue(page.body.string.contains(#"value="5798000000001""#))
        let invalid = try await web.post(
            "/admin/invoicing",
            form: ["country": "dk", "m_101_address": "5780000000006", "m_147_number": "1234"], headers: en)
        XCTAssertEqual(invalid.status, .unprocessableEntity)
        XCTAssertTrue(
            invalid.body.string.contains("Frederiksberg: give a CVR number of 8 digits with a valid check digit."))
        XCTAssertTrue(invalid.body.string.contains(##"href="#m_147_number""##))
        let saved = try await web.post(
            "/admin/invoicing",
            form: ["country": "dk", "m_101_address": "5780000000006", "m_751_address": "", "m_751_number": ""],
            headers: en)
        XCTAssertEqual(saved.status, .ok)
        let stored = try await OfficialInvoiceAddresses.of(
            [MunicipalityKey(.dk, "101"), MunicipalityKey(.dk, "751")], on: app.db)
        let frederiksberg = InvoiceAddress(electronicAddress: "5780000000006", organisationNumber: nil)
        XCTAssertEqual(stored, [MunicipalityKey(.dk, "101"): frederiksberg])
        let coordinatorWeb = Client(app)
        try await coordinatorWeb.signIn("hanne@aarhus.dk", "correct horse battery")
        let forbidden = try await coordinatorWeb.get("/admin/invoicing")
        XCTAssertEqual(forbidden.status, .forbidden)
    }
}
