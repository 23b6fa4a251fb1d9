import Foundation
import SamradCore
import Vapor

struct CollaborationJSON: Content {
    struct Price: Content {
        var kind: String
        var amountMinor: Int?
        var currency: String
        var meetings: Int?
        var vatNote: String?
    }
    var id: UUID
    var slug: String
    var title: String
    var description: String
    var kind: String
    var status: String
    var organiserID: UUID
    var programmeID: UUID?
    /// The season this one was copied from.
    var previousID: UUID?
    var themes: [String]
    var targetGroups: [String]
    var periodStart: String?
    var periodEnd: String?
    var timeZone: String
    var opensAt: Date?
    var deadline: Date?
    var capacity: Int?
    /// "first_come" or "selection" (applications the organiser chooses among).
    var admission: String
    var placesChosenAt: Date?
    var seats: [SeatRequirement]
    var price: Price
    var funding: [Funding]
    var reminderDays: [Int]
    var retentionMonths: Int?
    var hostBody: String?
    var caseNumber: String?
    var isExample: Bool

    init(_ c: Collaboration) {
        id = c.id!
        slug = c.slug
        title = c.title
        description = c.description
        kind = c.kind
        status = c.status
        organiserID = c.organiserID
        programmeID = c.programmeID
        previousID = c.previousID
        themes = c.themes
        targetGroups = c.targetGroups
        periodStart = c.periodStart
        periodEnd = c.periodEnd
        timeZone = c.timeZone
        opensAt = c.opensAt
        deadline = c.deadline
        capacity = c.capacity
        admission = c.admission
        placesChosenAt = c.placesChosenAt
        seats = c.seats
        price = Price(
            kind: c.priceKind, amountMinor: c.priceMinor, currency: c.currency, meetings: c.priceMeetings,
            vatNote: c.vatNote)
        funding = c.funding
        reminderDays = c.reminderDays
        retentionMonths = c.retentionMonths
        hostBody = c.hostBody
        caseNumber = c.caseNumber
        isExample = c.isExample
    }
}

struct RegistrationJSON: Content {
    struct Seat: Content { var position: String; var personID: UUID; var name: String? }
    var collaboration: String
    var municipality: String
    var status: String
    var sequence: Int?
    var acceptedPriceMinor: Int?
    var currency: String
    var seats: [Seat]
}

/// The body of a registration or a change of seats.
struct RegistrationInput: Content {
    struct Seat: Content { var position: String?; var personID: UUID? }
    var seats: [Seat]?
    var acceptPrice: Bool?

    func assignments() throws -> [SeatAssignment] {
        var v = Validation()
        var result: [SeatAssignment] = []
        for (index, seat) in (seats ?? []).enumerated() {
            guard let position = seat.position.flatMap(Position.init(rawValue:)) else {
                v.add("seats.\(index).position", "validation.choice"); continue
            }
            guard let person = seat.personID else { v.add("seats.\(index).personID", "validation.required"); continue }
            result.append(SeatAssignment(position: position, personID: person))
        }
        try v.check()
        return result
    }
}
