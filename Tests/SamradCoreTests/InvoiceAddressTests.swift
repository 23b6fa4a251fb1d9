import Foundation
import SamradCore
import XCTest

final class InvoiceAddressTests: XCTestCase {
    func testTheCheckDigitsOfEachKindOfNumber() {
        XCTAssertTrue(InvoiceIdentifier.isGLN("5798000000001"))
        XCTAssertFalse(InvoiceIdentifier.isGLN("5798000000002"), "a wrong check digit")
        XCTAssertFalse(InvoiceIdentifier.isGLN("579800000001"), "12 digits")
        XCTAssertTrue(InvoiceIdentifier.isCVR("55133018"), "Aarhus Kommune")
        XCTAssertFalse(InvoiceIdentifier.isCVR("55133019"))
        XCTAssertTrue(InvoiceIdentifier.isSwedishOrganisationNumber("2120000142"), "Stockholms stad")
        XCTAssertFalse(InvoiceIdentifier.isSwedishOrganisationNumber("2120000143"))
        XCTAssertTrue(InvoiceIdentifier.isNorwegianOrganisationNumber("958935420"), "Oslo kommune")
        XCTAssertFalse(InvoiceIdentifier.isNorwegianOrganisationNumber("958935421"))
        XCTAssertTrue(InvoiceIdentifier.isFinnishBusinessID("02012566"), "Helsingin kaupunki")
        XCTAssertFalse(InvoiceIdentifier.isFinnishBusinessID("02012567"))
        XCTAssertFalse(InvoiceIdentifier.isGLN("５７９８０００００００００１"), "digits of another script")
    }

    func testPeppolIDsAreNormalisedAndTheKnownSchemesChecked() {
        XCTAssertEqual(InvoiceIdentifier.peppolID("0007:212000-0142"), "0007:2120000142")
        XCTAssertEqual(InvoiceIdentifier.peppolID(" 0088:5798000000001 "), "0088:5798000000001")
        XCTAssertEqual(InvoiceIdentifier.peppolID("0184:dk55133018"), "0184:DK55133018")
        XCTAssertEqual(InvoiceIdentifier.peppolID("0216:003702012566"), "0216:003702012566")
        XCTAssertNil(InvoiceIdentifier.peppolID("0007:2120000143"), "a wrong check digit")
        XCTAssertNil(InvoiceIdentifier.peppolID("2120000142"), "no scheme")
        XCTAssertNil(InvoiceIdentifier.peppolID("7:2120000142"), "a scheme of four digits")
        XCTAssertNil(InvoiceIdentifier.peppolID("0216:<script>"))
    }

    func testWhatAnAdministratorTypesIsReadPerCountryAndNamedWhenWrong() {
        var v = Validation()
        let aarhus = InvoiceAddress.read(
            country: .dk, electronicAddress: "5798 0000 0000 1", organisationNumber: "55 13 30 18",
            fields: ("address", "number"), into: &v)
        XCTAssertTrue(v.errors.isEmpty)
        XCTAssertEqual(aarhus, InvoiceAddress(electronicAddress: "5798000000001", organisationNumber: "55133018"))
        XCTAssertEqual(aarhus.endpoint(in: .dk)?.scheme, "0088")
        let stockholm = InvoiceAddress.read(
            country: .se, electronicAddress: "", organisationNumber: "212000-0142", fields: ("a", "n"), into: &v)
        XCTAssertEqual(stockholm.organisationNumber, "2120000142")
        XCTAssertEqual(stockholm.endpoint(in: .se)?.id, "2120000142", "a Swedish municipality by its number")
        XCTAssertEqual(stockholm.endpoint(in: .se)?.scheme, "0007")
        XCTAssertTrue(v.errors.isEmpty)
        _ = InvoiceAddress.read(
            country: .dk, electronicAddress: "0088:5798000000001", organisationNumber: "2120000142",
            fields: ("m_751_address", "m_751_number"), into: &v)
        XCTAssertEqual(v.errors.map(\.field), ["m_751_address", "m_751_number"])
        XCTAssertEqual(v.errors.map(\.messageKey), ["invoicing.error.gln", "invoicing.error.number.dk"])
        let nothing = InvoiceAddress.read(
            country: .fi, electronicAddress: nil, organisationNumber: nil, fields: ("a", "n"), into: &v)
        XCTAssertTrue(nothing.isEmpty)
    }
}
