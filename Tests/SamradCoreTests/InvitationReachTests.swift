import XCTest
@testable import SamradCore

/// Who an invitation reaches in a municipality, and official mailboxes read from a spreadsheet.
final class InvitationReachTests: XCTestCase {
    typealias Recipient = InvitationReach.Recipient

    func testPositionHoldersAndCoordinatorsAreToldOnceAndTheMailboxOnlyWhenNobodyIsKnown() {
        let chair = Recipient(channel: .position, name: "Jens", email: "jens@aarhus.dk", personID: UUID())
        let hanne = Recipient(channel: .coordinator, name: "Hanne", email: "hanne@aarhus.dk", userID: UUID())
        let alsoChair = Recipient(channel: .coordinator, name: "Jens", email: " JENS@aarhus.dk", userID: UUID())
        let both = InvitationReach.recipients(
            positionHolders: [chair], coordinators: [alsoChair, hanne], mailbox: "post@aarhus.dk")
        XCTAssertEqual(both.map(\.email), ["jens@aarhus.dk", "hanne@aarhus.dk"], "one e-mail per address; no mailbox")
        XCTAssertEqual(
            both.map(\.channel), [.position, .coordinator], "a coordinator in a chosen position is told as the holder")
        let onlyCoordinator = InvitationReach.recipients(
            positionHolders: [], coordinators: [hanne], mailbox: "post@aarhus.dk")
        XCTAssertEqual(onlyCoordinator, [hanne], "the coordinator is always told, whatever the positions")
        let mailbox = InvitationReach.recipients(positionHolders: [], coordinators: [], mailbox: " post@aarhus.dk ")
        XCTAssertEqual(mailbox.map(\.channel), [.mailbox])
        XCTAssertEqual(mailbox.first?.email, "post@aarhus.dk")
        XCTAssertNil(mailbox.first?.personID)
        XCTAssertEqual(InvitationReach.recipients(positionHolders: [], coordinators: [], mailbox: nil), [])
        XCTAssertEqual(InvitationReach.recipients(positionHolders: [], coordinators: [], mailbox: "  "), [])
    }

    func testMailboxListsAreReadWholeAndEveryProblemNamesItsLineAndColumn() throws {
        let directory = MunicipalityDirectory(try shippedDataset().municipalities())
        let list = try MailboxList(
            csv: "\u{FEFF}Kommunekode;Postkasse\r\n751;Post@Aarhus.dk\r\nse/0180;\r\n",
            country: .dk, directory: directory)
        XCTAssertEqual(
            list.rows,
            [
                .init(line: 2, municipality: MunicipalityKey(.dk, "751"), email: "post@aarhus.dk"),
                .init(line: 3, municipality: MunicipalityKey(.se, "0180"), email: nil),
            ])
        do {
            _ = try MailboxList(
                csv: "kod,mailbox\n0180,a@b.se\n9999,a@b.se\n0180,c@d.se\n1280,nope\n,x@y.se\n",
                country: .se, directory: directory)
            XCTFail("read without a problem")
        } catch let error as SamradError {
            XCTAssertEqual(error.fieldErrors.map(\.field), ["line 3", "line 4", "line 5", "line 6"])
            XCTAssertEqual(
                error.fieldErrors.map(\.messageKey),
                [
                    "mailboxes.error.municipality", "mailboxes.error.duplicate",
                    "mailboxes.error.email", "mailboxes.error.required",
                ])
        }
        XCTAssertThrowsError(try MailboxList(csv: "name,email\nAarhus,a@b.dk\n", country: .dk, directory: directory)) {
            XCTAssertEqual(($0 as? SamradError)?.fieldErrors.first?.messageKey, "mailboxes.error.columns")
        }
    }
}
