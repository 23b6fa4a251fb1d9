import Foundation

/// A kind of personal data Samrad keeps, as the record of processing names it.
public enum PersonalDataCategory: String, CaseIterable, Codable, Sendable {
    /// Name, position, job title, municipality or organisation.
    case identity
    /// E-mail address and telephone number.
    case contact
    /// Sign-in: password hash, second factor, sessions, access tokens, work identities.
    case account
    /// Rights granted over municipalities, organisations and collaborations.
    case roles
    /// Registrations, seats, meeting attendance and check-in.
    case participation
    /// What a person wrote or answered: answers, commitments, minutes, materials, dialogues.
    case contributions
    /// E-mails sent to the person: address, subject and text.
    case messages
    /// Who changed what, and when.
    case audit
    /// Network addresses of failed sign-ins and public forms (against abuse).
    case network
}

/// How long a kind of data is kept.
public enum RetentionRule: Sendable, Equatable {
    /// As long as the account exists; gone with it.
    case whileAccountExists
    /// Until the person is erased or the record deleted.
    case untilErased
    /// The set number of months after the collaboration is concluded (set per collaboration).
    case afterCollaboration
    /// The set number of days after an e-mail is sent (set per installation).
    case afterSending
    /// A fixed number of days.
    case days(Int)
}

/// One feature's processing of personal data (GDPR article 30): what, why and how long.
public struct ProcessingActivity: Sendable, Equatable {
    /// The feature (a catalogue key under `processing.feature.`).
    public var feature: String
    /// Why (a catalogue key under `processing.purpose.`).
    public var purpose: String
    public var categories: [PersonalDataCategory]
    public var retention: RetentionRule

    public init(feature: String, purpose: String, categories: [PersonalDataCategory], retention: RetentionRule) {
        self.feature = feature
        self.purpose = purpose
        self.categories = categories
        self.retention = retention
    }
}

/// The installation's retention terms; a collaboration's own months are kept with it.
public struct RetentionTerms: Sendable, Equatable, Codable {
    /// Days a sent e-mail stays in the outbox (its text goes at once when sent).
    public var outboxDays: Int
    /// Days an audit entry is kept.
    public var auditDays: Int

    public static let standard = RetentionTerms(outboxDays: 90, auditDays: 5 * 365)

    public init(outboxDays: Int, auditDays: Int) {
        self.outboxDays = outboxDays
        self.auditDays = auditDays
    }

    /// Checks days given in a form: up to 10 years; audit entries at least 30 days.
    public static func validated(outboxDays: String, auditDays: String) throws -> RetentionTerms {
        var validation = Validation()
        let outbox = validation.wholeNumber("outboxDays", outboxDays, in: 1...3650)
        let audit = validation.wholeNumber("auditDays", auditDays, in: 30...3650)
        try validation.check()
        return RetentionTerms(outboxDays: outbox ?? 0, auditDays: audit ?? 0)
    }

    /// Months a collaboration's personal data are kept after it is concluded: 1 to 120, or none
    /// (kept until people are erased).
    public static func validatedMonths(_ text: String) throws -> Int? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        var validation = Validation()
        let months = validation.wholeNumber("retention_months", text, in: 1...120)
        try validation.check()
        return months
    }
}

/// Who may take out or erase a person's data.
public enum PersonalDataPolicy {
    /// The person themselves, and the installation's administrators (audited).
    public static func mayExport(_ actor: Actor, personID: UUID?, userID: UUID?) -> Bool {
        actor.isAdministrator || isSelf(actor, personID: personID, userID: userID)
    }

    /// Administrators erase anyone, a person themselves; never the last administrator, who would
    /// leave the installation without anyone to run it.
    public static func mayErase(
        _ actor: Actor, personID: UUID?, userID: UUID?, isLastAdministrator: Bool
    ) -> Bool {
        guard !isLastAdministrator else { return false }
        return actor.isAdministrator || isSelf(actor, personID: personID, userID: userID)
    }

    public static func isSelf(_ actor: Actor, personID: UUID?, userID: UUID?) -> Bool {
        guard actor.isSignedIn else { return false }
        if let userID, actor.userID == userID { return true }
        if let personID, actor.personID == personID { return true }
        return false
    }
}
