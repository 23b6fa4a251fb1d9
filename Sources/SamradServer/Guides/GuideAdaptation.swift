import Fluent
import Foundation
import SamradCore
import Vapor

/// A municipality copies a published guide (the parties' guide of case 4) to adapt it to its own
/// context: the copy is the municipality's draft, with the guide's text, sections and questions,
/// and it says where it came from. The presentation file stays with the original.
extension GuidePages {
    struct AdaptInput: Content { var municipality: String? }

    static func adapt(
        _ g: DiscussionGuide, _ reader: CollaborationReader, _ input: AdaptInput, request: Request
    ) async throws -> DiscussionGuide {
        _ = try request.requireSignedIn()
        try request.require(GuidePolicy.mayAdapt(reader, g.standing))
        guard let key = input.municipality.flatMap({ MunicipalityKey(path: $0) }), request.municipalities[key] != nil
        else {
            throw SamradError.invalid([FieldError(field: "municipality", "validation.municipality")])
        }
        try request.require(GuidePolicy.mayAdapt(reader, g.standing, for: key))
        let copy = DiscussionGuide()
        copy.title = g.title
        copy.introduction = g.introduction
        copy.language = g.language
        copy.audience = GuideAudience.public.rawValue
        copy.sections = g.sections
        copy.municipalityCountry = key.country.rawValue
        copy.municipalityCode = key.code
        copy.published = false
        copy.createdBy = request.actor.userID
        copy.adaptedFromID = try g.requireID()
        try await request.db.transaction { db in
            try await copy.create(on: db)
            try await Audit.record(
                "guide:adapt", subject: "guide", id: copy.requireID().uuidString,
                summary: "\(g.title) → \(key.description)", by: request, on: db)
        }
        return copy
    }

    func adaptFromPage(_ request: Request) async throws -> Response {
        let (g, reader) = try await Self.load(request)
        let copy = try await Self.adapt(g, reader, try request.content.decode(AdaptInput.self), request: request)
        return request.redirect(to: copy.href + "/edit", notice: "guides.adapted")
    }

    /// The original a copy was made from, when the reader may still see it.
    static func adaptedFrom(
        _ g: DiscussionGuide, _ reader: CollaborationReader, request: Request
    ) async throws -> Link? {
        guard let id = g.adaptedFromID, let original = try await DiscussionGuide.find(id, on: request.db),
            GuidePolicy.mayView(reader, original.standing)
        else { return nil }
        let owner = try await Self.owner(original, request: request)
        return Link(href: original.href, label: "\(original.title) (\(owner))")
    }
}
