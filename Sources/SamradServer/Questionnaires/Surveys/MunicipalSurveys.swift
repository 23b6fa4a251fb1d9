import Fluent
import Foundation
import SamradCore
import Vapor

/// A municipality's own surveys of its pupils and staff, outside any collaboration: its coordinators
/// build and send them (`QuestionnairePolicy.mayBuild` with the municipality as owner), its people see
/// the list and hand out class codes, and results show each school beside the municipality.
struct MunicipalSurveys: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let pages = routes.grouped("municipalities", ":country", ":code", "surveys")
        pages.get(use: list)
        pages.get("new") { try await QuestionnairePages().newForm($0, origin: try Self.origin($0)) }
        pages.post("new") { try await QuestionnairePages().create($0, origin: try Self.origin($0)) }
        let api = routes.grouped("api", "v1", "municipalities", ":country", ":code", "surveys")
        api.get(use: listJSON)
        api.post(use: create)
    }

    /// The municipality of the path as the owner of its surveys.
    static func origin(_ request: Request) throws -> QuestionnaireOrigin {
        .municipality(try MunicipalityAccess.load(request))
    }

    /// Its surveys as the actor may see them: the list is for the municipality's people.
    static func surveys(_ request: Request) async throws -> (QuestionnaireOrigin, [Questionnaire]) {
        let origin = try Self.origin(request)
        try request.require(SurveyPolicy.mayListOwn(request.actor, municipality: origin.municipality!))
        let key = origin.municipality!
        let all = try await Questionnaire.query(on: request.db)
            .filter(\.$municipalityCountry == key.country.rawValue).filter(\.$municipalityCode == key.code)
            .sort(\.$closesAt, .descending).all()
        return (origin, all)
    }

    func list(_ request: Request) async throws -> View {
        let (origin, all) = try await Self.surveys(request)
        let municipality = origin.municipality!
        let back = Link(
            href: "/municipalities/\(municipality.country.rawValue)/\(municipality.code)", label: origin.title)
        return try await request.view.render(
            "questionnaires/list",
            QuestionnairePages().listContext(
                all, origin: origin, back: back, titleKey: "surveys.own_title",
                intro: request.t("surveys.own_intro"), request: request))
    }

    func listJSON(_ request: Request) async throws -> QuestionnaireAPI.ListJSON {
        let (origin, all) = try await Self.surveys(request)
        return QuestionnaireAPI.ListJSON(
            questionnaires: try await QuestionnaireLifecycle.visible(all, in: origin, request: request).map {
                QuestionnaireAPI.summary($0, zone: origin.timeZone)
            })
    }

    func create(_ request: Request) async throws -> Response {
        let origin = try Self.origin(request)
        try request.require(QuestionnairePolicy.mayBuild(request.actor, owner: origin.owner))
        let input = try request.content.decode(QuestionnaireInput.self)
        let q = Questionnaire()
        try await request.db.transaction { db in
            try await input.apply(to: q, origin: origin, request: request, on: db)
            try await Audit.record(
                "questionnaire:create", subject: "questionnaire", id: q.id!.uuidString, summary: q.title, by: request,
                on: db)
        }
        let survey = try await SurveySettings.find(q.id, on: request.db)
        return try await QuestionnaireAPI.json(q, origin, survey: survey, mayBuild: true)
            .created(at: "/api/v1" + q.href, for: request)
    }
}
