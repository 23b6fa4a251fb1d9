import Fluent
import Foundation
import SamradCore

/// local_dialogues.json of a municipality's export.
enum GuideExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let country = export.municipality.country.rawValue, code = export.municipality.code
        let dialogues = try await LocalDialogue.query(on: db).filter(\.$municipalityCountry == country)
            .filter(\.$municipalityCode == code).sort(\.$heldOn).all()
        let guides = Dictionary(
            uniqueKeysWithValues: try await DiscussionGuide.query(on: db)
                .filter(\.$id ~~ Set(dialogues.map(\.guideID))).all().map { ($0.id!, $0.title) })
        struct DialogueRecord: Encodable {
            var guide: String; var heldOn: String; var committee: String; var participants: [String: String]
            var notes: [String: String]; var agreements: [Agreement]; var sharedAt: Date?
        }
        try export.json(
            "local_dialogues.json",
            "Local dialogues held with discussion guides: participants, notes, and the goals and frames agreed.",
            dialogues.map {
                DialogueRecord(
                    guide: guides[$0.guideID] ?? "", heldOn: $0.heldOn, committee: $0.committee,
                    participants: $0.participants, notes: $0.notes,
                    agreements: $0.agreementList.items, sharedAt: $0.sharedAt)
            })
    }
}
