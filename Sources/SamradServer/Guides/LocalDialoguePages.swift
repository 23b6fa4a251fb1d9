import Fluent
import Foundation
import SamradCore
import Vapor

/// A municipality's session with a discussion guide: the record of the meeting (date, committee,
/// participants, notes per section and question), the goals and frames agreed, and sharing them
/// with the guide's collaboration.
struct LocalDialoguePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("guides", ":guide", "sessions", "new", use: newForm)
        routes.post("guides", ":guide", "sessions", use: create)
        let session = routes.grouped("dialogues", ":dialogue")
        session.get(use: show)
        session.get("edit", use: editForm)
        session.post(use: update)
        session.post("share") { try await self.share($0, true) }
        session.post("unshare") { try await self.share($0, false) }
        session.post("delete", use: delete)
        routes.get("municipalities", ":country", ":code", "dialogues", use: municipalityList)
    }

    /// The session of the path with its guide, if the actor may see it.
    static func load(_ request: Request) async throws -> (LocalDialogue, DiscussionGuide) {
        guard let id = request.parameterID("dialogue"),
            let session = try await LocalDialogue.find(id, on: request.db),
            let guide = try await DiscussionGuide.find(session.guideID, on: request.db)
        else {
            throw SamradError.notFound("dialogues.error.not_found")
        }
        let reader = try await request.collaborationReader()
        guard
            GuidePolicy.mayViewSession(
                reader, session.municipality, shared: session.sharedAt != nil, guide: guide.standing)
        else {
            throw SamradError.notFound("dialogues.error.not_found")
        }
        return (session, guide)
    }


    struct NoteView: Encodable { var label: String; var text: String }
    struct SectionNotes: Encodable {
        var number: Int; var title: String; var purpose: String; var note: String; var questions: [NoteView]
    }
    struct ShowContext: Encodable {
        var page: PageContext; var municipality: String; var committee: String; var heldOn: String; var guide: Link
        var participants: [NoteView]; var sections: [SectionNotes]; var agreements: [GuidePages.AgreementView];
        var shared: Bool
        var mayKeep: Bool; var mayShare: Bool; var href: String; var collaboration: String?
    }

    func show(_ request: Request) async throws -> View {
        let (s, g) = try await Self.load(request)
        let snapshot = try await request.indicators()
        let collaboration =
            try await g.collaborationID.asyncMap { try await Collaboration.find($0, on: request.db) } ?? nil
        let sections = g.sections.enumerated().map { i, section in
            SectionNotes(
                number: i + 1, title: section.title, purpose: section.purpose, note: s.notes["s\(i + 1)"] ?? "",
                questions: section.questions.enumerated().map { q, text in
                    NoteView(label: text, text: s.notes["s\(i + 1)q\(q + 1)"] ?? "")
                })
        }
        let mayKeep = GuidePolicy.mayKeepSession(request.actor, s.municipality)
        return try await request.view.render(
            "guides/session",
            ShowContext(
                page: PageContext(request, titleKey: "dialogues.title", [g.title]),
                municipality: request.municipalities[s.municipality]?.name ?? s.municipalityCode,
                committee: s.committee, heldOn: DateText.day(s.heldOn, request.language) ?? s.heldOn,
                guide: .init(href: g.href, label: g.title),
                participants: ParticipantGroup.allCases.compactMap { group in
                    s.participants[group.rawValue].flatMap {
                        $0.isEmpty ? nil : NoteView(label: request.t("dialogues.group.\(group.rawValue)"), text: $0)
                    }
                },
                sections: sections,
                agreements: GuidePages.agreementViews(
                    s.agreements, municipality: s.municipality, request: request, snapshot: snapshot),
                shared: s.sharedAt != nil, mayKeep: mayKeep, mayShare: mayKeep && g.collaborationID != nil,
                href: s.href, collaboration: collaboration?.title))
    }
}
