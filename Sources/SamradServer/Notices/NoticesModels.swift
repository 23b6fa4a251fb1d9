import Fluent
import Foundation
import SamradCore

/// A person's choice of notices (`NoticeChoices`); none stored: the standard.
final class NoticeChoice: Model, @unchecked Sendable {
    static let schema = "notice_choices"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "minutes") var minutes: String
    @Field(key: "meeting_changed") var meetingChanged: String
    @Field(key: "commitment_due") var commitmentDue: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var choices: NoticeChoices {
        NoticeChoices(
            minutes: NoticeDelivery(rawValue: minutes) ?? NoticeChoices.standard.minutes,
            meetingChanged: NoticeDelivery(rawValue: meetingChanged) ?? NoticeChoices.standard.meetingChanged,
            commitmentDue: NoticeDelivery(rawValue: commitmentDue) ?? NoticeChoices.standard.commitmentDue)
    }
}

/// One notice to one person: sent at once (`sentAt` set when made), or waiting for the digest due at
/// `digestDue`. `key` names what it is about, so the same thing is told once.
final class PersonalNotice: Model, @unchecked Sendable {
    static let schema = "personal_notices"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "key") var key: String
    @Field(key: "topic") var topic: String
    /// The notice in the person's language, as the digest lists it.
    @Field(key: "line") var line: String
    @Field(key: "link") var link: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "digest_due") var digestDue: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?

    init() {}
}
