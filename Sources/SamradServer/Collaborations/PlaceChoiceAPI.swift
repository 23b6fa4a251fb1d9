import Foundation
import SamradCore
import Vapor

/// The applications and the organiser's choice as JSON: `GET …/selection?chosen=dk/101,dk/147`
/// shows the spread of a choice before it is made, `POST …/selection` makes it.
extension CollaborationAPI {
    struct SelectionJSON: Content {
        struct Applicant: Content {
            var municipality: String; var name: String; var region: String; var population: Int
            var sizeBand: String; var status: String; var order: Int; var chosen: Bool
        }
        struct Share: Content { var key: String; var name: String; var chosen: Int; var applied: Int }
        struct Spread: Content {
            var chosen: Int; var applied: Int; var capacity: Int?; var population: Int
            var regions: [Share]; var sizes: [Share]
        }
        var collaboration: String
        var capacity: Int?
        var applicationsOpen: Bool
        var placesChosenAt: Date?
        var applicants: [Applicant]
        var spread: Spread
    }

    struct ChoiceInput: Content { var chosen: [String]? }

    /// The applications, with a choice to weigh: the one asked for, or once made, the one made.
    static func selectionJSON(
        _ c: Collaboration, chosen asked: [MunicipalityKey], request: Request
    ) async throws -> SelectionJSON {
        let applicants = try await PlaceChoice.applicants(c, directory: request.municipalities, on: request.db)
        let chosen =
            c.placesChosenAt == nil
            ? Set(asked) : Set(applicants.filter { $0.status == .registered }.map(\.municipality.key))
        let spread = PlaceSelection.spread(
            chosen: chosen, applicants: applicants.map(\.municipality), capacity: c.capacity)
        let share = { (s: PlaceSelection.Share) in
            SelectionJSON.Share(key: s.key, name: s.name, chosen: s.chosen, applied: s.applied)
        }
        return SelectionJSON(
            collaboration: c.slug, capacity: c.capacity,
            applicationsOpen: PlaceSelection.applicationsOpen(c.terms, now: Date()), placesChosenAt: c.placesChosenAt,
            applicants: applicants.map {
                SelectionJSON.Applicant(
                    municipality: $0.municipality.key.description, name: $0.municipality.name,
                    region: $0.municipality.regionName, population: $0.municipality.population,
                    sizeBand: SizeBand(population: $0.municipality.population).rawValue, status: $0.status.rawValue,
                    order: $0.order, chosen: chosen.contains($0.municipality.key))
            },
            spread: SelectionJSON.Spread(
                chosen: spread.chosen, applied: spread.applied, capacity: spread.capacity,
                population: spread.population, regions: spread.regions.map(share), sizes: spread.sizes.map(share)))
    }

    func selection(_ request: Request) async throws -> SelectionJSON {
        let c = try await CollaborationAccess.load(request)
        try PlaceChoice.require(request, c)
        let asked = (request.query[String.self, at: "chosen"] ?? "").split(separator: ",").map(String.init)
        return try await Self.selectionJSON(c, chosen: try PlaceChoice.keys(asked), request: request)
    }

    func choose(_ request: Request) async throws -> SelectionJSON {
        let c = try await CollaborationAccess.load(request)
        try PlaceChoice.require(request, c)
        let input = try request.content.decode(ChoiceInput.self)
        let outcome = try await PlaceChoice.choose(
            c, chosen: try PlaceChoice.keys(input.chosen ?? []), by: request.actor, audit: AuditActor(request),
            on: request.db)
        await PlaceChoice.tell(outcome, c, request: request)
        return try await Self.selectionJSON(c, chosen: outcome.chosen, request: request)
    }
}
