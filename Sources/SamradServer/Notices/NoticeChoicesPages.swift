import Fluent
import Foundation
import SamradCore
import Vapor

/// Each person's choice of notices: `/profile/notices` and `GET`/`PUT /api/v1/profile/notices`. A
/// person chooses for themselves only (the signed-in account's person record); nobody else does.
struct NoticeChoicesPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("profile", "notices", use: page)
        routes.post("profile", "notices", use: saveForm)
        let api = routes.grouped("api", "v1", "profile", "notices")
        api.get(use: showAPI)
        api.put(use: putAPI)
    }

    /// The signed-in person's record: notices go to people, and an account without one gets none.
    static func person(_ request: Request) throws -> UUID? {
        _ = try request.requireSignedIn()
        return request.actor.personID
    }

    static func stored(_ personID: UUID, on db: any Database) async throws -> NoticeChoices {
        try await PersonalNotices.choices(of: [personID], on: db)[personID] ?? .standard
    }

    static func save(_ choices: NoticeChoices, for personID: UUID, request: Request) async throws {
        let row = try await NoticeChoice.query(on: request.db).filter(\.$personID == personID).first() ?? NoticeChoice()
        row.personID = personID
        row.minutes = choices.minutes.rawValue
        row.meetingChanged = choices.meetingChanged.rawValue
        row.commitmentDue = choices.commitmentDue.rawValue
        try await row.save(on: request.db)
    }

    struct Choice: Encodable { var value: String; var label: String; var checked: Bool }
    struct Topic: Encodable {
        var field: String; var legend: String; var hint: String; var choices: [Choice]; var error: String?
    }
    struct Context: Encodable {
        var page: PageContext; var form: FormState; var topics: [Topic]; var hasPerson: Bool; var saved: Bool
        var pending: String?
    }

    func context(_ request: Request, _ choices: NoticeChoices?, form: FormState, pending: Int = 0) -> Context {
        let topics = NoticeTopic.allCases.map { topic in
            Topic(
                field: topic.field, legend: request.t("notices.topic.\(topic.rawValue)"),
                hint: request.t("notices.topic_hint.\(topic.rawValue)"),
                choices: NoticeDelivery.allCases.map { delivery in
                    Choice(
                        value: delivery.rawValue, label: request.t("notices.delivery.\(delivery.rawValue)"),
                        checked: (form.values[topic.field] ?? choices?[topic].rawValue) == delivery.rawValue)
                }, error: form.errors[topic.field])
        }
        return Context(
            page: PageContext(request, titleKey: "notices.title"), form: form, topics: topics,
            hasPerson: choices != nil, saved: request.query[String.self, at: "saved"] != nil,
            pending: pending == 0 ? nil : request.t("notices.pending", count: pending))
    }

    func page(_ request: Request) async throws -> View {
        guard let personID = try Self.person(request) else {
            return try await request.view.render("accounts/notices", context(request, nil, form: FormState()))
        }
        let pending = try await PersonalNotice.query(on: request.db).filter(\.$personID == personID)
            .filter(\.$sentAt == nil).count()
        return try await request.view.render(
            "accounts/notices",
            context(request, try await Self.stored(personID, on: request.db), form: FormState(), pending: pending))
    }

    func saveForm(_ request: Request) async throws -> Response {
        guard let personID = try Self.person(request) else { throw SamradError.notFound("notices.error.no_person") }
        let values = try request.content.decode([String: String].self)
        let current = try await Self.stored(personID, on: request.db)
        do {
            try await Self.save(try NoticeChoices.read(values, current: current), for: personID, request: request)
            return request.redirect(to: "/profile/notices?saved=1")
        } catch let error as SamradError where error.kind == .invalidInput {
            return try await request.renderForm(
                "accounts/notices",
                context(request, current, form: FormState(values: values, error: error, request: request)))
        }
    }

    struct ChoicesJSON: Content {
        var minutes: String?; var meetingChanged: String?; var commitmentDue: String?

        init(_ c: NoticeChoices) {
            minutes = c.minutes.rawValue
            meetingChanged = c.meetingChanged.rawValue
            commitmentDue = c.commitmentDue.rawValue
        }

        var values: [String: String] {
            ["minutes": minutes, "meetingChanged": meetingChanged, "commitmentDue": commitmentDue].compactMapValues {
                $0
            }
        }
    }

    func showAPI(_ request: Request) async throws -> ChoicesJSON {
        guard let personID = try Self.person(request) else { throw SamradError.notFound("notices.error.no_person") }
        return ChoicesJSON(try await Self.stored(personID, on: request.db))
    }

    func putAPI(_ request: Request) async throws -> ChoicesJSON {
        guard let personID = try Self.person(request) else { throw SamradError.notFound("notices.error.no_person") }
        let input = try request.content.decode(ChoicesJSON.self)
        let choices = try NoticeChoices.read(input.values, current: try await Self.stored(personID, on: request.db))
        try await Self.save(choices, for: personID, request: request)
        return ChoicesJSON(choices)
    }
}
