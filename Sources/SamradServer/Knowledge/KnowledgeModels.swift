import Fluent
import Foundation
import SamradCore
import Vapor

/// A material of the knowledge bank: an article, a good example, a project description, a research
/// note, a document or slides. Found at `/knowledge/{slug}`; the slug is fixed when the material is
/// created, so a published address stays when the title is corrected.
final class KnowledgeMaterial: Model, @unchecked Sendable {
    static let schema = "knowledge_materials"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "summary") var summary: String
    @Field(key: "body") var body: String
    @OptionalField(key: "body_text") var bodyText: String?
    @Field(key: "themes") var themes: [String]
    @Field(key: "grade_bands") var gradeBands: [String]
    @Field(key: "authors") var authors: [String]
    @OptionalField(key: "contact") var contact: String?
    @OptionalField(key: "municipality_country") var municipalityCountry: String?
    @OptionalField(key: "municipality_code") var municipalityCode: String?
    @OptionalField(key: "school") var school: String?
    /// The municipality's country, or the language's when there is none: what the country filter uses.
    @OptionalField(key: "country") var country: String?
    @Field(key: "language") var language: String
    @Field(key: "licence") var licence: String
    @Field(key: "consent") var consent: Bool
    @Field(key: "visibility") var visibility: String
    @Field(key: "status") var status: String
    @OptionalField(key: "collaboration_id") var collaborationID: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?
    /// The editor's last request for changes, shown to the author.
    @OptionalField(key: "review_note") var reviewNote: String?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "published_at") var publishedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var statusValue: EditorialStatus { EditorialStatus(rawValue: status) ?? .draft }
    var visibilityValue: MaterialVisibility { MaterialVisibility(rawValue: visibility) ?? .private }
    var languageValue: Language { Language(rawValue: language) ?? .da }
    var kindValue: MaterialKind { MaterialKind(rawValue: kind) ?? .document }
    var href: String { "/knowledge/\(slug)" }
    var plainBody: String { bodyText ?? SafeMarkdown.plainText(body) }
    var municipality: MunicipalityKey? {
        guard let municipalityCountry, let country = Country(rawValue: municipalityCountry), let municipalityCode else {
            return nil
        }
        return MunicipalityKey(country, municipalityCode)
    }
    /// Its themes are offered to everybody in the bank's theme filter.
    var listsThemes: Bool { statusValue == .published && visibilityValue == .public }
    var standing: MaterialStanding {
        MaterialStanding(
            status: statusValue, visibility: visibilityValue, collaborationID: collaborationID, ownerID: createdBy)
    }
}

/// One theme of a material, a row each so the bank can filter by theme on both databases.
final class KnowledgeTheme: Model, @unchecked Sendable {
    static let schema = "knowledge_themes"

    @ID(key: .id) var id: UUID?
    @Field(key: "material_id") var materialID: UUID
    @Field(key: "theme") var theme: String
    @Field(key: "listed") var listed: Bool

    init() {}

    init(materialID: UUID, theme: String, listed: Bool) {
        self.materialID = materialID
        self.theme = theme
        self.listed = listed
    }
}

/// A file attached to a material; the bytes live in `KnowledgeAttachmentContent`.
final class KnowledgeAttachment: Model, @unchecked Sendable {
    static let schema = "knowledge_attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "material_id") var materialID: UUID
    @Field(key: "title") var title: String
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

final class KnowledgeAttachmentContent: FileBytes, @unchecked Sendable {
    static let schema = "knowledge_attachment_contents"

    @ID(custom: "attachment_id", generatedBy: .user) var id: UUID?
    @Field(key: "bytes") var bytes: Data

    init() {}
}

/// A comment on a participant's material by a researcher or peer of its collaboration (case 2:
/// participants "get feedback on their concrete work"); plain text, kept with the writer's name.
final class MaterialFeedback: Model, @unchecked Sendable {
    static let schema = "material_feedback"

    @ID(key: .id) var id: UUID?
    @Field(key: "material_id") var materialID: UUID
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "author_name") var authorName: String
    @Field(key: "body") var body: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
