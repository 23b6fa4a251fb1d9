import Fluent
import Foundation
import SamradCore
import Vapor

/// LocalDialoguePages: goals agreed in dialogues.
extension LocalDialoguePages {
    /// A goal a committee agreed in a local dialogue, as the municipality's goals page lists it.
    struct AgreedGoal: Sendable {
        var statement: String; var responsible: String; var followUp: String; var indicator: String?
        var committee: String; var heldOn: String; var dialogueHref: String
    }

    /// The goals agreed in the municipality's local dialogues that the reader may see, newest first:
    /// the Indicators feature shows them beside the goals set against an indicator.
    static func agreedGoals(of municipality: MunicipalityKey, request: Request) async throws -> [AgreedGoal] {
        let sessions = try await LocalDialogue.query(on: request.db)
            .filter(\.$municipalityCountry == municipality.country.rawValue).filter(
                \.$municipalityCode == municipality.code
            )
            .sort(\.$heldOn, .descending).all()
        if sessions.isEmpty { return [] }
        let guides = try await DiscussionGuide.query(on: request.db).filter(\.$id ~~ Set(sessions.map(\.guideID))).all()
        let standing = Dictionary(uniqueKeysWithValues: guides.map { ($0.id!, $0.standing) })
        let reader = try await request.collaborationReader()
        return sessions.flatMap { s -> [AgreedGoal] in
            guard let guide = standing[s.guideID],
                GuidePolicy.mayViewSession(reader, s.municipality, shared: s.sharedAt != nil, guide: guide)
            else { return [] }
            return s.agreements.filter { $0.kind == .goal }.map {
                AgreedGoal(
                    statement: $0.statement, responsible: $0.responsible, followUp: $0.followUp,
                    indicator: $0.indicator,
                    committee: s.committee, heldOn: s.heldOn, dialogueHref: s.href)
            }
        }
    }
}
