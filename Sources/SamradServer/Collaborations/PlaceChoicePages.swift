import Foundation
import SamradCore
import Vapor

/// CollaborationPages: the organiser chooses the participants among the applications, weighing
/// the spread over regions and sizes before giving the places.
extension CollaborationPages {
    struct SelectionRow: Encodable {
        var value: String; var id: String; var name: String; var region: String; var population: String
        var size: String; var order: Int; var status: String; var checked: Bool
    }
    struct ShareRow: Encodable { var name: String; var chosen: String; var applied: String }
    struct SelectionContext: Encodable {
        var page: PageContext
        var form: FormState
        var title: String
        var collaborationHref: String
        var state: String
        var canChoose: Bool
        var made: Bool
        var action: String
        var rows: [SelectionRow]
        var spread: String
        var regions: [ShareRow]
        var sizes: [ShareRow]
    }

    func selectionContext(
        _ request: Request, _ c: Collaboration, chosen: [MunicipalityKey], form: FormState = FormState()
    ) async throws -> SelectionContext {
        let json = try await CollaborationAPI.selectionJSON(c, chosen: chosen, request: request)
        let number = { (n: Int) in NumberText.integer(n, request.language) }
        let made = c.placesChosenAt != nil
        let state: String
        if let when = Self.when(c.placesChosenAt, request) {
            let waiting = json.applicants.filter { $0.status == RegistrationStatus.waitlisted.rawValue }.count
            state = request.t("selection.made", [when, number(json.spread.chosen), number(waiting)])
        } else if json.applicationsOpen {
            state = request.t("selection.still_open_state", [Self.when(c.deadline, request) ?? "—"])
        } else {
            state = request.t(
                "selection.ready", count: json.applicants.count,
                [c.capacity.map(number) ?? request.t("selection.no_limit")])
        }
        let share = { (s: CollaborationAPI.SelectionJSON.Share, name: String) in
            ShareRow(name: name, chosen: number(s.chosen), applied: number(s.applied))
        }
        var spread =
            if let capacity = c.capacity {
                request.t("selection.spread_chosen", count: capacity, [number(json.spread.chosen)])
            } else {
                request.t("selection.spread_chosen_unlimited", [number(json.spread.chosen)])
            }
        spread += " " + request.t("selection.spread_population", [number(json.spread.population)])
        return SelectionContext(
            page: PageContext(request, titleKey: "selection.title"), form: form, title: c.title,
            collaborationHref: "/collaborations/\(c.slug)", state: state,
            canChoose: !made && !json.applicationsOpen && !json.applicants.isEmpty, made: made,
            action: "/collaborations/\(c.slug)/selection",
            rows: json.applicants.map {
                SelectionRow(
                    value: $0.municipality, id: "chosen-" + $0.municipality.replacingOccurrences(of: "/", with: "-"),
                    name: $0.name, region: $0.region, population: number($0.population),
                    size: request.t("size_band.\($0.sizeBand)"), order: $0.order,
                    status: request.t("registration_status.\($0.status)"), checked: $0.chosen)
            },
            spread: spread,
            regions: json.spread.regions.map { share($0, $0.name) },
            sizes: json.spread.sizes.map { share($0, request.t("size_band.\($0.key)")) })
    }

    func selectionPage(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try PlaceChoice.require(request, c)
        return try await request.view.render("collaborations/selection", selectionContext(request, c, chosen: []))
    }

    /// "Show the spread" weighs the ticked municipalities without writing; "Give the places" makes
    /// the choice and tells everyone.
    func choosePlaces(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try PlaceChoice.require(request, c)
        struct Input: Decodable { var chosen: [String]?; var step: String? }
        let input = try request.content.decode(Input.self)
        do {
            let chosen = try PlaceChoice.keys(input.chosen ?? [])
            guard input.step == "give" else {
                return try await request.view.render(
                    "collaborations/selection", selectionContext(request, c, chosen: chosen)
                ).encodeResponse(for: request)
            }
            let outcome = try await PlaceChoice.choose(
                c, chosen: chosen, by: request.actor, audit: AuditActor(request), on: request.db)
            await PlaceChoice.tell(outcome, c, request: request)
        } catch let error as SamradError where [.invalidInput, .conflict].contains(error.kind) {
            let ticked = (input.chosen ?? []).compactMap(MunicipalityKey.init(path:))
            let context = try await selectionContext(
                request, c, chosen: ticked, form: FormState(values: [:], error: error, request: request))
            return try await request.renderForm("collaborations/selection", context, refusing: error)
        }
        return request.redirect(to: "/collaborations/\(c.slug)/selection", notice: "selection.given")
    }
}
