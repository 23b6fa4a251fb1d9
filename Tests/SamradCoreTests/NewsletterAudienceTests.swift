import Foundation
import XCTest
@testable import SamradCore

final class NewsletterAudienceTests: XCTestCase {
    let political = UUID(), professional = UUID()
    let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461"),
        kolding = MunicipalityKey(.dk, "621")

    func candidate(
        _ name: String, _ email: String?, _ position: Position?, _ m: MunicipalityKey?, region: String?, in c: UUID
    ) -> NewsletterAudience.Candidate {
        .init(
            personID: UUID(), name: name, email: email, position: position, municipality: m, regionCode: region,
            collaborationID: c)
    }

    var candidates: [NewsletterAudience.Candidate] {
        [
            candidate("Anne Aarhus", "anne@aarhus.dk", .committeeChair, aarhus, region: "1082", in: political),
            candidate("Anne Aarhus", "ANNE@aarhus.dk ", .committeeChair, aarhus, region: "1082", in: professional),
            candidate("Ole Odense", "ole@odense.dk", .committeeChair, odense, region: "1083", in: political),
            candidate("Mette Odense", "mette@odense.dk", .committeeMember, odense, region: "1083", in: political),
            candidate("Karl Kolding", nil, .committeeChair, kolding, region: "1083", in: political),
            candidate("Inge Kolding", "inge@kolding.dk", .schoolChief, kolding, region: "1083", in: professional),
            candidate("Rita Forsker", "rita@au.dk", .researcher, nil, region: nil, in: political),
        ]
    }

    func testTheAudienceIsChosenByTrackPositionMunicipalityAndRegion() {
        let chairs = NewsletterAudience(collaborations: [political], positions: [.committeeChair])
        XCTAssertEqual(
            chairs.recipients(candidates, unsubscribed: []).map(\.email), ["anne@aarhus.dk", "ole@odense.dk"],
            "Karl has no address")
        let everybody = NewsletterAudience(collaborations: [political, professional])
        XCTAssertEqual(
            everybody.recipients(candidates, unsubscribed: []).map(\.email),
            ["anne@aarhus.dk", "inge@kolding.dk", "mette@odense.dk", "ole@odense.dk", "rita@au.dk"],
            "one copy per address, by name")
        let southern = NewsletterAudience(collaborations: [political, professional], regions: ["1083"])
        XCTAssertEqual(
            southern.recipients(candidates, unsubscribed: []).map(\.email),
            ["inge@kolding.dk", "mette@odense.dk", "ole@odense.dk"])
        let odenseOnly = NewsletterAudience(collaborations: [political], municipalities: [odense])
        XCTAssertEqual(
            odenseOnly.recipients(candidates, unsubscribed: ["ole@odense.dk"]).map(\.email), ["mette@odense.dk"],
            "unsubscribed are left out")
        let nobody = NewsletterAudience(collaborations: [professional], positions: [.committeeMember])
        XCTAssertEqual(nobody.recipients(candidates, unsubscribed: []), [])
    }

    func testTheAudienceFormIsChecked() throws {
        let directory = MunicipalityDirectory(try shippedDataset().municipalities())
        var v = Validation()
        let audience = NewsletterAudience.validate(
            collaborations: [political.uuidString, UUID().uuidString], allowed: [political],
            positions: ["committee_chair", "king"], municipalities: "dk/751, dk/9999, Atlantis, Aarhus",
            directory: directory, regions: ["1082", "9"], knownRegions: ["1082"], into: &v)
        XCTAssertEqual(audience.collaborations, [political])
        XCTAssertEqual(audience.positions, [.committeeChair])
        XCTAssertEqual(audience.municipalities, [aarhus])
        XCTAssertEqual(
            v.errors.map(\.field), ["collaborations", "positions", "municipalities", "municipalities", "regions"])
        XCTAssertEqual(v.errors[2].arguments, ["dk/9999"])
        XCTAssertEqual(v.errors[3].arguments, ["Atlantis"])
        var empty = Validation()
        _ = NewsletterAudience.validate(
            collaborations: [], allowed: [political], positions: [], municipalities: "", directory: directory,
            regions: [], knownRegions: [], into: &empty)
        XCTAssertEqual(empty.errors.map(\.messageKey), ["newsletters.error.no_collaboration"])
    }

    func testAMailWithHTMLIsMultipartAlternativeWithItsListHeaders() {
        let mail = EmailMessage(
            from: "Samrad <no-reply@samrad.dk>", to: "anne@aarhus.dk", subject: "Nyhedsbrev maj", body: "Hej\nAnne",
            html: "<p>Hej Anne</p>",
            headers: [
                "List-Unsubscribe: <https://samrad.dk/newsletters/unsubscribe/abc>",
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "X-Evil: a\r\nBcc: x@y",
            ])
        let text = mail.rendered(messageID: "m1@samrad.dk", date: Date(timeIntervalSince1970: 0))
        XCTAssertTrue(text.contains("Content-Type: multipart/alternative; boundary=\"samrad-alt-m1samraddk\""))
        XCTAssertTrue(text.contains("\r\nList-Unsubscribe: <https://samrad.dk/newsletters/unsubscribe/abc>\r\n"))
        XCTAssertTrue(text.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
        XCTAssertFalse(text.contains("Bcc"), "a header with a line break is dropped")
        XCTAssertTrue(text.contains("Content-Type: text/html; charset=utf-8"))
        let textPart = text.range(of: "text/plain")!.lowerBound, htmlPart = text.range(of: "text/html")!.lowerBound
        XCTAssertLessThan(textPart, htmlPart, "the preferred HTML last")
    }
}
