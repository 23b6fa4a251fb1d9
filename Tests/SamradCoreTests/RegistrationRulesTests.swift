import Foundation
import XCTest
@testable import SamradCore

final class RegistrationRulesTests: XCTestCase {
    // Case 1: the political track asks for a committee chair, a committee member and an
    // administration representative by 9 May 2014.
    let deadline = ISO8601DateFormatter().date(from: "2014-05-09T21:59:00Z")!
    lazy var terms = RegistrationTerms(
        status: .open, opensAt: nil, deadline: deadline, capacity: 12,
        seats: [
            SeatRequirement(position: .committeeChair, count: 1),
            SeatRequirement(position: .committeeMember, count: 1),
            SeatRequirement(position: .administration, count: 1),
            SeatRequirement(position: .schoolLeader, count: 2, required: false),
        ], price: .free)
    let chair = UUID(), member = UUID(), official = UUID(), stranger = UUID()
    var people: Set<UUID> { [chair, member, official] }
    var before: Date { deadline.addingTimeInterval(-3600) }

    func testCompleteRegistrationPasses() throws {
        let seats = [
            SeatAssignment(position: .committeeChair, personID: chair),
            SeatAssignment(position: .committeeMember, personID: member),
            SeatAssignment(position: .administration, personID: official),
        ]
        XCTAssertNoThrow(try RegistrationRules.check(seats, terms: terms, peopleOfMunicipality: people, now: before))
    }

    func testEveryProblemIsNamed() {
        let seats = [
            SeatAssignment(position: .committeeChair, personID: chair),
            SeatAssignment(position: .committeeChair, personID: member),
            SeatAssignment(position: .administration, personID: stranger),
            SeatAssignment(position: .teacher, personID: official),
        ]
        XCTAssertThrowsError(
            try RegistrationRules.check(seats, terms: terms, peopleOfMunicipality: people, now: before)
        ) { error in
            let keys = (error as! SamradError).fieldErrors.map { "\($0.field) \($0.messageKey)" }
            XCTAssertEqual(
                Set(keys),
                [
                    "seats.committee_member registration.seat_missing",
                    "seats.committee_chair registration.seat_too_many",
                    "seats.teacher registration.seat_unknown",
                    "seats.administration registration.person_elsewhere",
                ])
        }
    }

    func testTheWindowDecides() {
        let seats = [
            SeatAssignment(position: .committeeChair, personID: chair),
            SeatAssignment(position: .committeeMember, personID: member),
            SeatAssignment(position: .administration, personID: official),
        ]
        XCTAssertThrowsError(
            try RegistrationRules.check(
                seats, terms: terms, peopleOfMunicipality: people, now: deadline.addingTimeInterval(60))
        ) {
            XCTAssertEqual(($0 as! SamradError).messageKey, "registration.after_deadline")
        }
        var draft = terms
        draft.status = .draft
        XCTAssertThrowsError(
            try RegistrationRules.check(seats, terms: draft, peopleOfMunicipality: people, now: before)
        ) {
            XCTAssertEqual(($0 as! SamradError).messageKey, "registration.not_open")
        }
        var notYet = terms
        notYet.opensAt = before.addingTimeInterval(60)
        XCTAssertFalse(notYet.acceptsRegistrations(at: before))
    }

    func testCapacityWaitingListAndPromotion() throws {
        XCTAssertEqual(RegistrationRules.placement(registeredCount: 11, capacity: 12), .registered)
        XCTAssertEqual(RegistrationRules.placement(registeredCount: 12, capacity: 12), .waitlisted)
        XCTAssertEqual(RegistrationRules.placement(registeredCount: 500, capacity: nil), .registered)
        let a = UUID(), b = UUID(), c = UUID()
        let waiting = [(id: b, sequence: 20), (id: a, sequence: 14), (id: c, sequence: 31)]
        XCTAssertEqual(RegistrationRules.promotions(waitlisted: waiting, registeredCount: 11, capacity: 12), [a])
        XCTAssertEqual(RegistrationRules.promotions(waitlisted: waiting, registeredCount: 10, capacity: 12), [a, b])
        XCTAssertEqual(RegistrationRules.promotions(waitlisted: waiting, registeredCount: 12, capacity: 12), [])
        XCTAssertThrowsError(try RegistrationRules.checkCapacity(10, registeredCount: 11))
        XCTAssertNoThrow(try RegistrationRules.checkCapacity(11, registeredCount: 11))
        XCTAssertThrowsError(
            try RegistrationRules.checkPriceChange(
                from: .free, to: .perMunicipality(Money(minorUnits: 100, currency: .dkk)), activeRegistrations: 1))
        XCTAssertNoThrow(try RegistrationRules.checkPriceChange(from: .free, to: .free, activeRegistrations: 5))
        XCTAssertFalse(
            RegistrationRules.mayWithdraw(byOrganiser: false, terms: terms, now: deadline.addingTimeInterval(1)))
        XCTAssertTrue(
            RegistrationRules.mayWithdraw(byOrganiser: true, terms: terms, now: deadline.addingTimeInterval(1)))
    }

    func testPrices() {
        let meeting = Money(minorUnits: 1_250_000, currency: .dkk)
        XCTAssertEqual(
            PriceModel.perMeeting(meeting, meetings: 4).price(participants: 3),
            Money(minorUnits: 5_000_000, currency: .dkk))
        XCTAssertEqual(PriceModel.perParticipant(meeting).price(participants: 3)?.minorUnits, 3_750_000)
        XCTAssertNil(PriceModel.free.price(participants: 3))
        XCTAssertEqual(Money.parse("12.500,50", currency: .dkk)?.minorUnits, 1_250_050)
        XCTAssertEqual(Money.parse("12 500", currency: .sek)?.minorUnits, 1_250_000)
        XCTAssertEqual(Money.parse("2,000,000", currency: .dkk)?.minorUnits, 200_000_000)
        XCTAssertEqual(Money.parse("99.5", currency: .eur)?.minorUnits, 9_950)
        XCTAssertNil(Money.parse("-5", currency: .dkk))
        XCTAssertNil(Money.parse("abc", currency: .dkk))
    }

    func testReminders() {
        let schedule = ReminderSchedule.parse("3, 14")!
        XCTAssertEqual(schedule.daysBeforeDeadline, [14, 3])
        XCTAssertNil(ReminderSchedule.parse("14, soon"))
        XCTAssertEqual(schedule.due(deadline: deadline, now: deadline.addingTimeInterval(-20 * 86_400), sent: []), [])
        XCTAssertEqual(schedule.due(deadline: deadline, now: deadline.addingTimeInterval(-10 * 86_400), sent: []), [14])
        XCTAssertEqual(schedule.due(deadline: deadline, now: deadline.addingTimeInterval(-2 * 86_400), sent: [14]), [3])
        XCTAssertEqual(schedule.due(deadline: deadline, now: deadline.addingTimeInterval(60), sent: []), [])
    }

    func testInvitationTargets() throws {
        let directory = MunicipalityDirectory(try shippedDataset().municipalities())
        XCTAssertEqual(try directory.municipalities(for: .country(.dk)).count, 98)
        XCTAssertEqual(try directory.municipalities(for: .region(.dk, "1081")).count, 11)
        XCTAssertEqual(
            try directory.municipalities(for: .group(.se, "Storstäder")).map(\.name).sorted(),
            ["Göteborg", "Malmö", "Stockholm"])
        func list(_ text: String) throws -> [String] {
            try directory.municipalities(
                for: InvitationTarget.parse(
                    scope: "list", country: nil, code: nil, list: text,
                    directory: directory)
            ).map(\.name)
        }
        XCTAssertEqual(try list("dk/751, dk/461 dk/751"), ["Aarhus", "Odense"])
        // Names as people write them, with or without "Kommune", the picker's "Name (key)" form.
        XCTAssertEqual(
            try list("aarhus, Lyngby-Taarbæk Kommune\nLunds kommun; Göteborg (se/1480)"),
            ["Aarhus", "Lyngby-Taarbæk", "Lund", "Göteborg"])
        XCTAssertThrowsError(try list("Aarhus, Atlantis")) { error in
            let fields = (error as? SamradError)?.fieldErrors ?? []
            XCTAssertEqual(fields.map(\.messageKey), ["validation.municipality_unknown"])
            XCTAssertEqual(fields.first?.arguments, ["Atlantis"])
        }
        // Lund is a Swedish and a Norwegian municipality: the message offers both with their keys.
        XCTAssertThrowsError(try list("Lund")) { error in
            let field = (error as? SamradError)?.fieldErrors.first
            XCTAssertEqual(field?.messageKey, "validation.municipality_ambiguous")
            XCTAssertTrue(field?.arguments.last?.contains("Lund (se/1281)") == true, "\(String(describing: field))")
        }
        XCTAssertThrowsError(try directory.municipalities(for: .list([MunicipalityKey(.dk, "999")])))
        XCTAssertThrowsError(
            try InvitationTarget.parse(scope: "region", country: "dk", code: nil, list: nil, directory: directory))
        XCTAssertThrowsError(try directory.municipalities(for: .region(.dk, "nowhere")))
    }
}

final class CollaborationPolicyTests: XCTestCase {
    func testOrganisersCoordinatorsAndVisitors() {
        let kl = UUID(), other = UUID()
        let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461")
        let organiser = Actor(userID: UUID(), personID: nil, grants: [RoleGrant(kind: .organiser, organisationID: kl)])
        let coordinator = Actor(
            userID: UUID(), personID: nil, grants: [RoleGrant(kind: .coordinator, municipality: aarhus)])
        XCTAssertTrue(CollaborationPolicy.mayView(.visitor, status: .open, organiserID: kl))
        XCTAssertFalse(CollaborationPolicy.mayView(.visitor, status: .draft, organiserID: kl))
        XCTAssertFalse(CollaborationPolicy.mayView(coordinator, status: .draft, organiserID: kl))
        XCTAssertTrue(CollaborationPolicy.mayView(organiser, status: .draft, organiserID: kl))
        XCTAssertFalse(CollaborationPolicy.mayManage(organiser, organiserID: other))
        XCTAssertTrue(CollaborationPolicy.mayReadReport(organiser, organiserID: kl))
        XCTAssertFalse(CollaborationPolicy.mayReadReport(organiser, organiserID: other))
        XCTAssertFalse(CollaborationPolicy.mayReadReport(coordinator, organiserID: kl), "taking part is not reporting")
        let track = UUID()
        XCTAssertTrue(
            CollaborationPolicy.mayRegister(coordinator, collaborationID: track, municipality: aarhus, organiserID: kl))
        XCTAssertFalse(
            CollaborationPolicy.mayRegister(coordinator, collaborationID: track, municipality: odense, organiserID: kl))
        XCTAssertTrue(
            CollaborationPolicy.mayRegister(organiser, collaborationID: track, municipality: odense, organiserID: kl))
        XCTAssertFalse(CollaborationPolicy.mayCreate(coordinator, organiserID: kl))
        XCTAssertFalse(CollaborationPolicy.mayViewMemberNames(.visitor))
        XCTAssertTrue(CollaborationPolicy.mayViewMemberNames(coordinator))
        XCTAssertFalse(CollaborationPolicy.mayViewProgramme(.visitor, organiserID: kl, publishedCollaborations: 0))
        XCTAssertTrue(CollaborationPolicy.mayViewProgramme(.visitor, organiserID: kl, publishedCollaborations: 1))
        XCTAssertTrue(CollaborationPolicy.mayViewProgramme(organiser, organiserID: kl, publishedCollaborations: 0))
    }

    /// The personal link of an invitation answers for one municipality in one collaboration only.
    func testInvitationPassIsNarrow() {
        let kl = UUID(), track = UUID(), otherTrack = UUID()
        let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461")
        let invited = Actor(
            userID: nil, personID: nil, grants: [],
            passes: [RegistrationPass(collaborationID: track, municipality: aarhus, personID: UUID())])
        XCTAssertFalse(invited.isSignedIn)
        XCTAssertTrue(
            CollaborationPolicy.mayRegister(invited, collaborationID: track, municipality: aarhus, organiserID: kl))
        XCTAssertFalse(
            CollaborationPolicy.mayRegister(invited, collaborationID: otherTrack, municipality: aarhus, organiserID: kl)
        )
        XCTAssertFalse(
            CollaborationPolicy.mayRegister(invited, collaborationID: track, municipality: odense, organiserID: kl))
        XCTAssertFalse(CollaborationPolicy.mayManage(invited, organiserID: kl))
        XCTAssertFalse(
            CollaborationPolicy.mayRegister(.visitor, collaborationID: track, municipality: aarhus, organiserID: kl))
    }
}
