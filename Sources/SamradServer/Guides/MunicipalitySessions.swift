import Fluent
import Foundation
import SamradCore
import Vapor

/// LocalDialoguePages: A municipality's sessions.
extension LocalDialoguePages {
    struct ListRow: Encodable {
        var href: String; var guide: String; var committee: String; var heldOn: String; var agreements: Int;
        var shared: Bool
    }
    struct ListContext: Encodable {
        var page: PageContext; var name: String; var href: String; var rows: [ListRow]; var mayKeep: Bool
    }

    func municipalityList(_ request: Request) async throws -> View {
        let m = try MunicipalityAccess.load(request)
        let mayKeep = GuidePolicy.mayKeepSession(request.actor, m.key)
        try request.require(mayKeep || request.actor.belongs(to: m.key))
        let sessions = try await LocalDialogue.query(on: request.db).filter(
            \.$municipalityCountry == m.country.rawValue
        ).filter(\.$municipalityCode == m.code)
            .sort(\.$heldOn, .descending).all()
        let guides = Dictionary(
            uniqueKeysWithValues: try await DiscussionGuide.query(on: request.db).filter(
                \.$id ~~ sessions.map(\.guideID)
            ).all().map { ($0.id!, $0.title) })
        return try await request.view.render(
            "guides/municipality",
            ListContext(
                page: PageContext(request, titleKey: "dialogues.municipality_title", [m.name]), name: m.name,
                href: "/municipalities/\(m.country.rawValue)/\(m.code)",
                rows: sessions.map {
                    ListRow(
                        href: $0.href, guide: guides[$0.guideID] ?? "", committee: $0.committee,
                        heldOn: DateText.day($0.heldOn, request.language) ?? $0.heldOn,
                        agreements: $0.agreements.count, shared: $0.sharedAt != nil)
                },
                mayKeep: mayKeep))
    }
}
