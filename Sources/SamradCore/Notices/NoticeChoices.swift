import Foundation

/// What a person is told of by e-mail, beyond what they asked for themselves (a registration's
/// confirmation, an invitation, a cancellation, which always go at once).
public enum NoticeTopic: String, CaseIterable, Codable, Sendable {
    /// The minutes of a meeting the person was registered for are out.
    case minutes
    /// A meeting the person is registered or waiting for changed its time or place.
    case meetingChanged = "meeting_changed"
    /// A commitment of the person's municipality or cluster falls due within a week.
    case commitmentDue = "commitment_due"

    /// Its name in forms and JSON.
    public var field: String {
        switch self {
        case .minutes: "minutes"
        case .meetingChanged: "meetingChanged"
        case .commitmentDue: "commitmentDue"
        }
    }
}

/// How a topic reaches the person: an e-mail at once, a line in the Monday digest, or not at all.
public enum NoticeDelivery: String, CaseIterable, Codable, Sendable {
    case immediately, weekly, never
}

/// A person's choice for each topic.
public struct NoticeChoices: Sendable, Equatable, Codable {
    public var minutes: NoticeDelivery
    public var meetingChanged: NoticeDelivery
    public var commitmentDue: NoticeDelivery

    /// Until a person chooses: changes and minutes at once, commitments in the weekly digest.
    public static let standard = NoticeChoices(
        minutes: .immediately, meetingChanged: .immediately, commitmentDue: .weekly)

    public init(minutes: NoticeDelivery, meetingChanged: NoticeDelivery, commitmentDue: NoticeDelivery) {
        self.minutes = minutes
        self.meetingChanged = meetingChanged
        self.commitmentDue = commitmentDue
    }

    public subscript(topic: NoticeTopic) -> NoticeDelivery {
        get {
            switch topic {
            case .minutes: minutes
            case .meetingChanged: meetingChanged
            case .commitmentDue: commitmentDue
            }
        }
        set {
            switch topic {
            case .minutes: minutes = newValue
            case .meetingChanged: meetingChanged = newValue
            case .commitmentDue: commitmentDue = newValue
            }
        }
    }

    /// Reads a choice per topic, named by its `field`; a topic not given keeps `current`.
    public static func read(_ values: [String: String], current: NoticeChoices) throws -> NoticeChoices {
        var v = Validation()
        var choices = current
        for topic in NoticeTopic.allCases {
            guard let text = values[topic.field] else { continue }
            if let delivery = v.oneOf(topic.field, text, as: NoticeDelivery.self) { choices[topic] = delivery }
        }
        try v.check()
        return choices
    }
}

/// When notices kept for the digest go out: Monday at 7 in the person's country.
public enum WeeklyDigest {
    public static func due(after date: Date, zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let monday = DateComponents(hour: 7, minute: 0, second: 0, weekday: 2)
        return calendar.nextDate(after: date, matching: monday, matchingPolicy: .nextTime) ?? date
    }

    /// How many days before its due day a commitment is brought up.
    public static let commitmentDays = 7
}
