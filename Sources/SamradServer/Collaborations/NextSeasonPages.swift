import Foundation
import SamradCore
import Vapor

/// The next season of a collaboration or a programme: the organiser's page and the API.
struct NextSeasonRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("collaborations", ":slug", "next-season", use: collaborationForm)
        routes.post("collaborations", ":slug", "next-season", use: copyCollaboration)
        routes.get("programmes", ":slug", "next-season", use: programmeForm)
        routes.post("programmes", ":slug", "next-season", use: copyProgramme)
        routes.post("api", "v1", "collaborations", ":slug", "next-season", use: collaborationAPI)
        routes.post("api", "v1", "programmes", ":slug", "next-season", use: programmeAPI)
    }

    struct Context: Encodable {
        var page: PageContext
        var form: FormState
        var title: String
        var backHref: String
        var action: String
        var copies: [String]
        var years: [Option]
    }

    func context(
        _ request: Request, title: String, base: String, values: [String: String], error: SamradError? = nil,
        tracks: Int? = nil
    ) -> Context {
        var copies = [request.t("next_season.copies_settings"), request.t("next_season.copies_moved")]
        if let tracks { copies.insert(request.t("next_season.copies_tracks", count: tracks), at: 0) }
        copies.append(request.t("next_season.stays"))
        return Context(
            page: PageContext(request, titleKey: "next_season.title"),
            form: error.map { FormState(values: values, error: $0, request: request) } ?? FormState(values: values),
            title: title, backHref: base, action: base + "/next-season", copies: copies,
            years: Season.years.map {
                Option(
                    value: String($0), label: request.t("next_season.years", count: $0),
                    selected: values["years"] == String($0))
            })
    }

    struct Form: Decodable { var title: String?; var years: String?; var people: String? }

    static func input(_ form: Form) throws -> NextSeason.Input {
        var v = Validation()
        let years = v.wholeNumber("years", form.years, in: Season.years, default: 1)
        try v.check()
        return NextSeason.Input(title: form.title, years: years, people: form.people == "on")
    }

    // MARK: Collaborations

    func collaborationForm(_ request: Request) async throws -> View {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let values = [
            "title": NextSeason.suggestedTitle(c.title, periodStart: c.periodStart), "years": "1", "people": "on",
        ]
        return try await request.view.render(
            "collaborations/next-season",
            context(request, title: c.title, base: "/collaborations/\(c.slug)", values: values))
    }

    func copyCollaboration(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: c.organiserID))
        let form = try request.content.decode(Form.self)
        do {
            let next = try await NextSeason.collaboration(c, try Self.input(form), request: request)
            return request.redirect(to: "/collaborations/\(next.slug)", notice: "next_season.made")
        } catch let error as SamradError where error.kind == .invalidInput {
            let values = ["title": form.title ?? "", "years": form.years ?? "", "people": form.people ?? ""]
            return try await request.renderForm(
                "collaborations/next-season",
                context(request, title: c.title, base: "/collaborations/\(c.slug)", values: values, error: error),
                refusing: error)
        }
    }

    func collaborationAPI(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        let input = try request.content.decode(NextSeason.Input.self)
        let next = try await NextSeason.collaboration(c, input, request: request)
        return try await CollaborationJSON(next).encodeResponse(status: .created, for: request)
    }

    // MARK: Programmes

    func programmeForm(_ request: Request) async throws -> View {
        let (p, tracks) = try await Programmes.find(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: p.organiserID))
        let start = tracks.compactMap(\.periodStart).min()
        let values = ["title": NextSeason.suggestedTitle(p.title, periodStart: start), "years": "1", "people": "on"]
        return try await request.view.render(
            "collaborations/next-season",
            context(request, title: p.title, base: "/programmes/\(p.slug)", values: values, tracks: tracks.count))
    }

    func copyProgramme(_ request: Request) async throws -> Response {
        let (p, tracks) = try await Programmes.find(request)
        try request.require(CollaborationPolicy.mayManage(request.actor, organiserID: p.organiserID))
        let form = try request.content.decode(Form.self)
        do {
            let next = try await NextSeason.programme(p, try Self.input(form), request: request)
            return request.redirect(to: "/programmes/\(next.slug)", notice: "next_season.made")
        } catch let error as SamradError where error.kind == .invalidInput {
            let values = ["title": form.title ?? "", "years": form.years ?? "", "people": form.people ?? ""]
            return try await request.renderForm(
                "collaborations/next-season",
                context(
                    request, title: p.title, base: "/programmes/\(p.slug)", values: values, error: error,
                    tracks: tracks.count),
                refusing: error)
        }
    }

    func programmeAPI(_ request: Request) async throws -> Response {
        let (p, _) = try await Programmes.find(request)
        let input = try request.content.decode(NextSeason.Input.self)
        let next = try await NextSeason.programme(p, input, request: request)
        let tracks = try await Programmes.tracks(of: next, request: request)
        return try await ProgrammeJSON(next, tracks: tracks).encodeResponse(status: .created, for: request)
    }
}
