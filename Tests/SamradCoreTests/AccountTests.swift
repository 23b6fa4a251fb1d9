import Foundation
import XCTest
@testable import SamradCore

final class AccountTests: XCTestCase {
    let copenhagen = MunicipalityKey(.dk, "101")
    let frederiksberg = MunicipalityKey(.dk, "147")
    let kl = UUID()

    func testCoordinatorsMaintainOnlyTheirOwnMunicipality() {
        let coordinator = Actor(
            userID: UUID(), personID: nil, grants: [RoleGrant(kind: .coordinator, municipality: copenhagen)])
        XCTAssertTrue(PeoplePolicy.mayCreate(coordinator, in: Affiliation(municipality: copenhagen)))
        XCTAssertFalse(PeoplePolicy.mayCreate(coordinator, in: Affiliation(municipality: frederiksberg)))
        XCTAssertTrue(
            PeoplePolicy.mayViewContact(coordinator, personID: UUID(), of: Affiliation(municipality: copenhagen)))
        XCTAssertFalse(
            PeoplePolicy.mayViewContact(coordinator, personID: UUID(), of: Affiliation(municipality: frederiksberg)))
        XCTAssertFalse(PeoplePolicy.mayEdit(coordinator, of: Affiliation(organisationID: kl)))
        XCTAssertFalse(AccountPolicy.mayReadAuditLog(coordinator))
    }

    func testOrganisersSeeContactsAndMaintainTheirOrganisation() {
        let organiser = Actor(userID: UUID(), personID: nil, grants: [RoleGrant(kind: .organiser, organisationID: kl)])
        XCTAssertTrue(
            PeoplePolicy.mayViewContact(organiser, personID: nil, of: Affiliation(municipality: frederiksberg)))
        XCTAssertFalse(PeoplePolicy.mayEdit(organiser, of: Affiliation(municipality: frederiksberg)))
        // They add the people of the municipalities they invite, never of another organisation.
        XCTAssertTrue(PeoplePolicy.mayCreate(organiser, in: Affiliation(municipality: frederiksberg)))
        XCTAssertFalse(PeoplePolicy.mayCreate(organiser, in: Affiliation(organisationID: UUID())))
        XCTAssertTrue(PeoplePolicy.mayCreateAny(organiser))
        XCTAssertTrue(PeoplePolicy.mayEdit(organiser, of: Affiliation(organisationID: kl)))
        XCTAssertTrue(OrganisationPolicy.mayEdit(organiser, organisationID: kl))
        XCTAssertFalse(OrganisationPolicy.mayEdit(organiser, organisationID: UUID()))
        XCTAssertFalse(OrganisationPolicy.mayCreate(organiser))
    }

    func testVisitorsAndMembers() {
        XCTAssertFalse(PeoplePolicy.mayList(.visitor))
        let member = Actor(userID: UUID(), personID: UUID(), grants: [])
        XCTAssertTrue(PeoplePolicy.mayList(member))
        XCTAssertFalse(PeoplePolicy.mayViewContact(member, personID: UUID(), of: Affiliation(municipality: copenhagen)))
        XCTAssertTrue(
            PeoplePolicy.mayViewContact(member, personID: member.personID, of: Affiliation(municipality: copenhagen)))
        XCTAssertFalse(PeoplePolicy.mayCreate(member, in: Affiliation()))
        // Their own record: details yes, where they belong no (a move needs mayEdit of both places).
        XCTAssertTrue(PeoplePolicy.mayEditOwnDetails(member, personID: member.personID))
        XCTAssertFalse(PeoplePolicy.mayEditOwnDetails(member, personID: UUID()))
        XCTAssertFalse(PeoplePolicy.mayEdit(member, of: Affiliation(municipality: copenhagen)))
        XCTAssertFalse(member.belongs(to: copenhagen), "no role: of no municipality, whatever the person record says")
        let granted = Actor(
            userID: UUID(), personID: UUID(), grants: [RoleGrant(kind: .member, municipality: copenhagen)])
        XCTAssertTrue(granted.belongs(to: copenhagen))
        XCTAssertFalse(granted.belongs(to: frederiksberg))
        XCTAssertFalse(granted.coordinates(copenhagen))
        XCTAssertFalse(PeoplePolicy.mayEdit(granted, of: Affiliation(municipality: copenhagen)))
        let admin = Actor(userID: UUID(), personID: nil, grants: [RoleGrant(kind: .administrator)])
        XCTAssertTrue(AccountPolicy.mayManageAccounts(admin))
        XCTAssertTrue(PeoplePolicy.mayCreate(admin, in: Affiliation()))
    }

    func testThrottleLocksAfterRepeatedFailures() {
        let throttle = SignInThrottle()
        XCTAssertFalse(throttle.isLocked(failuresForAccount: 4, failuresFromAddress: 4))
        XCTAssertTrue(throttle.isLocked(failuresForAccount: 5, failuresFromAddress: 5))
        XCTAssertTrue(throttle.isLocked(failuresForAccount: 0, failuresFromAddress: 30))
    }

    func testValidationCollectsEveryField() {
        var v = Validation()
        _ = v.required("name", "  ")
        _ = v.email("email", "not-an-address")
        _ = v.password("password", "short")
        _ = v.phone("phone", "+45 33 66 33 66")
        XCTAssertEqual(v.errors.map(\.field), ["name", "email", "password"])
        XCTAssertThrowsError(try v.check()) { error in
            XCTAssertEqual((error as! SamradError).kind, .invalidInput)
        }
        var ok = Validation()
        XCTAssertEqual(ok.email("email", " Anne@Example.DK "), "anne@example.dk")
        XCTAssertNoThrow(try ok.check())
    }

    func testEmailIsWrittenAsMIMEUTF8() {
        let message = EmailMessage(
            from: "Samrad <no-reply@samrad.dk>", to: "anne@example.dk", subject: "Nulstil din adgangskode",
            body: "Hej Søren\n\nlink")
        let text = message.rendered(messageID: "abc@samrad.dk", date: Date(timeIntervalSince1970: 0))
        XCTAssertTrue(text.contains("Subject: Nulstil din adgangskode\r\n"))
        XCTAssertTrue(text.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        XCTAssertTrue(text.contains("Content-Transfer-Encoding: base64\r\n"))
        let body = text.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: "")
        XCTAssertEqual(String(data: Data(base64Encoded: body)!, encoding: .utf8), "Hej Søren\r\n\r\nlink")
        let accented = EmailMessage(from: "a@b.dk", to: "c@d.se", subject: "Välkommen", body: "")
        XCTAssertTrue(accented.rendered(messageID: "x", date: Date()).contains("Subject: =?utf-8?B?VsOkbGtvbW1lbg==?="))
    }

    func testDeliveryRetryDoublesAndGivesUp() {
        let retry = DeliveryRetry(baseDelay: 30, maxDelay: 3600, maxAttempts: 10)
        XCTAssertEqual(retry.delay(afterAttempt: 1), 30)
        XCTAssertEqual(retry.delay(afterAttempt: 3), 120)
        XCTAssertEqual(retry.delay(afterAttempt: 12), 3600)
        XCTAssertFalse(retry.givesUp(afterAttempt: 9))
        XCTAssertTrue(retry.givesUp(afterAttempt: 10))
    }
}

final class LocalPathTests: XCTestCase {
    func testOnlyPathsOnThisSiteAreTaken() {
        for kept in [
            "/", "/collaborations/klynger?tab=board", "/municipalities/dk/751#people", "/knowledge/l%C3%A6ring",
        ] {
            XCTAssertEqual(LocalPath.checked(kept), kept)
        }
        // Each would reach another host once a browser drops tabs and line breaks or reads \ as /.
        for refused in [
            "//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\\evil.example",
            "/ /evil.example", "\t//evil.example", "https://evil.example", "evil.example", "/\u{00A0}/evil.example",
            "/\u{200B}/evil.example", "javascript:alert(1)", "", "/\u{0000}/x",
        ] {
            XCTAssertEqual(LocalPath.checked(refused), "/", refused.debugDescription)
        }
        XCTAssertEqual(LocalPath.checked(nil, otherwise: "/profile"), "/profile")
    }
}
