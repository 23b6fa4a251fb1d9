import Fluent
import Foundation
import SamradCore
import Vapor

/// A discussion guide: ordered sections, each with its purpose, content, slides and reflection
/// questions; written by an organisation (for a collaboration or for all) or by a municipality.
final class DiscussionGuide: Model, @unchecked Sendable {
    static let schema = "discussion_guides"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "introduction") var introduction: String
    @Field(key: "language") var language: String
    @Field(key: "audience") var audience: String
    /// A JSON object rather than an array: PostgreSQL would take a Swift array as jsonb[].
    @Field(key: "sections") var sectionList: Stored<GuideSection>
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @OptionalField(key: "collaboration_id") var collaborationID: UUID?
    @Field(key: "published") var published: Bool
    /// The attached presentation the sections' slide ranges refer to; its bytes are in `GuidePresentation`.
    @OptionalField(key: "presentation_name") var presentationName: String?
    @OptionalField(key: "presentation_type") var presentationType: String?
    @OptionalField(key: "presentation_size") var presentationSize: Int?
    @OptionalField(key: "created_by") var createdBy: UUID?
    /// Organisations that publish the guide together with its owner (case 4: KL with DLF,
    /// Skolelederforeningen and BKF): named with it; writing stays with the owner.
    @OptionalField(key: "co_publishers") var coPublisherIDs: [UUID]?
    /// The guide this one was copied from, for a municipality to adapt to its own context.
    @OptionalField(key: "adapted_from") var adaptedFromID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var sections: [GuideSection] {
        get { sectionList.items }
        set { sectionList = Stored(items: newValue) }
    }
    var href: String { "/guides/\(id!.uuidString.lowercased())" }
    var languageValue: Language { Language(rawValue: language) ?? .da }
    var municipality: MunicipalityKey? {
        guard let c = municipalityCountry.flatMap(Country.init(rawValue:)), let municipalityCode else { return nil }
        return MunicipalityKey(c, municipalityCode)
    }
    var standing: GuideStanding {
        GuideStanding(
            organisationID: organisationID, municipality: municipality, collaborationID: collaborationID,
            audience: GuideAudience(rawValue: audience) ?? .collaboration, published: published)
    }
}

final class GuidePresentation: FileBytes, @unchecked Sendable {
    static let schema = "guide_presentations"

    @ID(custom: "guide_id", generatedBy: .user) var id: UUID?
    @Field(key: "bytes") var bytes: Data

    init() {}
}

/// A municipality's session with a guide: when, which committee, who took part, notes per section
/// and question, and what the committee agreed.
final class LocalDialogue: Model, @unchecked Sendable {
    static let schema = "local_dialogues"

    @ID(key: .id) var id: UUID?
    @Field(key: "guide_id") var guideID: UUID
    @Field(key: "municipality_country") var municipalityCountry: String
    @Field(key: "municipality_code") var municipalityCode: String
    /// ISO day.
    @Field(key: "held_on") var heldOn: String
    @Field(key: "committee") var committee: String
    /// Names (or a count) per `ParticipantGroup`.
    @Field(key: "participants") var participants: [String: String]
    /// Notes per section ("s1") and per question ("s1q2").
    @Field(key: "notes") var notes: [String: String]
    @Field(key: "agreements") var agreementList: Stored<Agreement>
    @OptionalField(key: "shared_at") var sharedAt: Date?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var agreements: [Agreement] {
        get { agreementList.items }
        set { agreementList = Stored(items: newValue) }
    }
    var href: String { "/dialogues/\(id!.uuidString.lowercased())" }
    var municipality: MunicipalityKey {
        MunicipalityKey(Country(rawValue: municipalityCountry) ?? .dk, municipalityCode)
    }
}

/// A list kept in one JSON column, as an object so that both databases store it as JSON.
struct Stored<Item: Codable & Sendable>: Codable, Sendable {
    var items: [Item]
}
