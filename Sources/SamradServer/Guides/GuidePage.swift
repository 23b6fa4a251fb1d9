import Fluent
import Foundation
import SamradCore
import Vapor

/// GuidePages: one guide.
extension GuidePages {
    struct SectionView: Encodable {
        var number: Int; var title: String; var purpose: String; var contentHTML: String; var slides: String?;
        var slidesHref: String?; var questions: [String]
    }
    struct SessionRow: Encodable { var href: String; var label: String; var detail: String }
    struct ShowContext: Encodable {
        var page: PageContext; var title: String; var owner: String; var introductionHTML: String; var language: String;
        var sections: [SectionView]
        var collaboration: Link?; var published: Bool; var mayWrite: Bool; var editHref: String; var action: String
        var presentation: Link?; var presentationDetail: String; var uploadForm: FormState; var accept: String;
        var maxSize: String
        var sessions: [SessionRow]; var startOptions: [Option]; var startAction: String; var resultsHref: String?
        /// The guide this one was adapted from; the municipalities the reader may adapt it for.
        var adaptedFrom: Link?; var adaptOptions: [Option]
    }

    static func sectionViews(_ g: DiscussionGuide) -> [SectionView] {
        let isPDF = g.presentationType == "application/pdf"
        return g.sections.enumerated().map { i, s in
            SectionView(
                number: i + 1, title: s.title, purpose: s.purpose, contentHTML: SafeMarkdown.html(s.content),
                slides: s.slides?.text,
                // A PDF opens at the section's first slide.
                slidesHref: g.presentationName == nil
                    ? nil : "\(g.href)/presentation" + (isPDF ? "#page=\(s.slides?.first ?? 1)" : ""),
                questions: s.questions)
        }
    }

    func showContext(
        _ request: Request, _ g: DiscussionGuide, _ reader: CollaborationReader, uploadForm: FormState = FormState()
    ) async throws -> ShowContext {
        let mayWrite = GuidePolicy.mayWrite(request.actor, g.standing)
        let collaboration =
            try await g.collaborationID.asyncMap { try await Collaboration.find($0, on: request.db) } ?? nil
        // Sessions the actor may see: their municipality's and those they keep.
        var keep = Set(request.actor.grants.compactMap { $0.kind == .coordinator ? $0.municipality : nil })
        var sessions: [LocalDialogue] = []
        if request.actor.isSignedIn {
            let visible = keep.union(request.actor.municipalities)
            sessions = try await LocalDialogue.query(on: request.db).filter(\.$guideID == g.requireID()).sort(
                \.$heldOn, .descending
            ).all()
                .filter { request.actor.isAdministrator || visible.contains($0.municipality) }
        }
        if request.actor.isAdministrator { keep.formUnion(request.actor.municipalities) }
        let startOptions = keep.sorted().map {
            Option(value: $0.description, label: request.municipalities[$0]?.name ?? $0.description, selected: false)
        }
        let showResults = g.collaborationID != nil && GuidePolicy.mayViewResults(reader, g.standing)
        return ShowContext(
            page: PageContext(request, titleKey: "", title: g.title), title: g.title,
            owner: try await Self.owner(g, request: request),
            introductionHTML: SafeMarkdown.html(g.introduction), language: g.language, sections: Self.sectionViews(g),
            collaboration: collaboration.map { Link(href: "/collaborations/\($0.slug)", label: $0.title) },
            published: g.published, mayWrite: mayWrite,
            editHref: "\(g.href)/edit", action: g.href,
            presentation: g.presentationName.map { Link(href: "\(g.href)/presentation", label: $0) },
            presentationDetail: g.presentationType.map {
                "\(MaterialRules.label($0)), \(NumberText.bytes(g.presentationSize ?? 0, request.language))"
            } ?? "",
            uploadForm: uploadForm, accept: MaterialRules.accepted, maxSize: String(MaterialRules.maxBytes / 1_000_000),
            sessions: sessions.map { s in
                SessionRow(
                    href: s.href,
                    label: "\(request.municipalities[s.municipality]?.name ?? s.municipalityCode): \(s.committee)",
                    detail: (DateText.day(s.heldOn, request.language) ?? s.heldOn)
                        + (s.sharedAt != nil ? " · " + request.t("dialogues.shared") : ""))
            },
            startOptions: g.published ? startOptions : [], startAction: "\(g.href)/sessions",
            resultsHref: showResults ? "\(g.href)/results" : nil,
            adaptedFrom: try await Self.adaptedFrom(g, reader, request: request),
            adaptOptions: keep.sorted().filter { GuidePolicy.mayAdapt(reader, g.standing, for: $0) }.map {
                Option(
                    value: $0.description, label: request.municipalities[$0]?.name ?? $0.description, selected: false)
            })
    }

    func show(_ request: Request) async throws -> View {
        let (guide, reader) = try await Self.load(request)
        return try await request.view.render("guides/show", showContext(request, guide, reader))
    }
}
