import Foundation

/// Who a questionnaire asks: the administrations of the collaboration's registered (or invited)
/// municipalities, the municipalities of one cluster, or named people (each answers for themself).
/// The last four make a survey of many: each answers once, unnamed (see `SurveyAnonymity`).
public enum QuestionnaireAudience: String, CaseIterable, Codable, Sendable {
    case registered, invited, cluster, people
    /// The people of given positions in the registered municipalities, by one-time link.
    case staff
    /// The participants of one of the collaboration's meetings, by one-time link.
    case meeting
    /// A list of e-mail addresses, by one-time link.
    case addresses
    /// The pupils of the registered municipalities' schools, by a class code a teacher hands out:
    /// no personal data, school and grade only.
    case pupils

    /// Whether many answer, each once and unnamed, rather than one response per unit.
    public var isSurvey: Bool { usesLinks || self == .pupils }
    /// A survey whose respondents each get a one-time link by e-mail.
    public var usesLinks: Bool { self == .staff || self == .meeting || self == .addresses }
}

/// Who runs a questionnaire: the organisation behind its collaboration, or one municipality asking
/// its own schools and staff (a survey of many outside any collaboration).
public enum QuestionnaireOwner: Sendable, Equatable {
    case organiser(UUID)
    case municipality(MunicipalityKey)

    public var municipality: MunicipalityKey? {
        if case .municipality(let key) = self { return key }
        return nil
    }
}

/// To whom results are shown once published: only organisers, the participants, or everyone
/// (anonymised: all respondents together, no text answers, no municipality named).
public enum ResultsVisibility: String, CaseIterable, Codable, Sendable {
    case organisers, participants, `public`
}

public enum ResponseStatus: String, CaseIterable, Codable, Sendable {
    case notStarted = "not_started", draft, submitted
}

/// Whom one response speaks for.
public enum ResponseUnit: Hashable, Sendable {
    case municipality(MunicipalityKey)
    case person(UUID)
}

/// A personal link to answer, sent by e-mail: it opens one response without an account. The
/// municipality's contact gets one that may submit; colleagues invited to help get one that drafts.
public struct AnswerLinkGrant: Sendable, Equatable {
    public var questionnaireID: UUID
    public var unit: ResponseUnit
    public var maySubmit: Bool

    public init(questionnaireID: UUID, unit: ResponseUnit, maySubmit: Bool) {
        self.questionnaireID = questionnaireID
        self.unit = unit
        self.maySubmit = maySubmit
    }
}

/// The time rules of a questionnaire: answers are taken from opening until the deadline.
public struct QuestionnaireWindow: Sendable, Equatable {
    public var opensAt: Date?
    public var closesAt: Date
    /// Closed early by the organiser.
    public var closedAt: Date?

    public init(opensAt: Date?, closesAt: Date, closedAt: Date? = nil) {
        self.opensAt = opensAt
        self.closesAt = closesAt
        self.closedAt = closedAt
    }

    public func isOpen(at now: Date) -> Bool {
        closedAt == nil && (opensAt.map { $0 <= now } ?? true) && now < closesAt
    }

    public func hasClosed(at now: Date) -> Bool { closedAt != nil || now >= closesAt }

    /// Throws the message for answering outside the window.
    public func checkOpen(at now: Date) throws {
        if hasClosed(at: now) { throw SamradError(.conflict, "questionnaires.error.closed") }
        if let opensAt, now < opensAt { throw SamradError(.conflict, "questionnaires.error.not_open") }
    }

    /// Reminder offsets in days before the deadline ("7, 2"): 1 to 60 days, each once.
    public static func reminderDays(_ text: String?, field: String, _ v: inout Validation) -> [Int] {
        var days: [Int] = []
        for part in (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }) {
            if let day = Int(part), (1...60).contains(day) {
                if !days.contains(day) { days.append(day) }
            } else {
                v.add(field, "questionnaires.error.reminder_days")
                return []
            }
        }
        return days.sorted(by: >)
    }

    /// The reminders due at `now` that have not gone: the latest offset passed wins, so a
    /// questionnaire opened late does not send a burst of overdue reminders.
    public func dueReminder(days: [Int], sent: Set<Int>, now: Date) -> Int? {
        guard isOpen(at: now) else { return nil }
        let passed = days.filter { closesAt.addingTimeInterval(-Double($0) * 86_400) <= now }
        guard let latest = passed.min(), !sent.contains(latest) else { return nil }
        return latest
    }
}

/// Who builds, answers and reads what. Organisers of the collaboration build questionnaires, follow
/// the response rate, read raw answers and publish results. A municipality's response is drafted
/// by its coordinators, its people signed in and holders of its links, and submitted by a
/// coordinator or a link that may submit; a named person answers for themself. Results are read
/// as published; raw answers of another municipality never.
public enum QuestionnairePolicy {
    /// A collaboration's questionnaire is built by its organisers; a municipality's own survey of its
    /// schools by its coordinators.
    public static func mayBuild(_ actor: Actor, owner: QuestionnaireOwner) -> Bool {
        switch owner {
        case .organiser(let id): CollaborationPolicy.mayManage(actor, organiserID: id)
        case .municipality(let key): actor.isAdministrator || actor.coordinates(key)
        }
    }

    public struct Right: Sendable, Equatable {
        public var mayDraft: Bool
        public var maySubmit: Bool

        public static let none = Right(mayDraft: false, maySubmit: false)
        public static let full = Right(mayDraft: true, maySubmit: true)
    }

    /// `link`: a personal link opened with the request. A municipality's members draft, its
    /// coordinators submit.
    public static func right(
        _ actor: Actor, unit: ResponseUnit, questionnaireID: UUID,
        link: AnswerLinkGrant?
    ) -> Right {
        if let link, link.questionnaireID == questionnaireID, link.unit == unit {
            return Right(mayDraft: true, maySubmit: link.maySubmit)
        }
        switch unit {
        case .municipality(let key):
            if actor.coordinates(key) { return .full }
            if actor.belongs(to: key) { return Right(mayDraft: true, maySubmit: false) }
            return .none
        case .person(let id):
            return actor.isSignedIn && actor.personID == id ? .full : .none
        }
    }

    /// `isParticipant`: a respondent of the questionnaire (its coordinators and people), or a
    /// person attached to the collaboration.
    public static func mayViewResults(
        _ actor: Actor, owner: QuestionnaireOwner, visibility: ResultsVisibility, published: Bool, isParticipant: Bool
    ) -> Bool {
        if mayBuild(actor, owner: owner) { return true }
        guard published else { return false }
        switch visibility {
        case .organisers: return false
        case .participants: return isParticipant
        case .public: return true
        }
    }

    /// Text answers, without names: organisers always; others only when the organiser publishes
    /// them, and never to the public.
    public static func mayReadTexts(
        _ actor: Actor, owner: QuestionnaireOwner, visibility: ResultsVisibility, textsPublished: Bool,
        isParticipant: Bool
    ) -> Bool {
        if mayBuild(actor, owner: owner) { return true }
        return textsPublished && isParticipant && visibility != .organisers
    }
}
