import Fluent
import Foundation
import SamradCore
import Vapor

/// Questionnaires over the JSON API, with the same rules as the pages: build, send, follow the
/// response rate, answer (save as you go, submit, reopen), publish and read results.
struct QuestionnaireAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("api", "v1", "collaborations", ":slug", "questionnaires")
        c.get(use: list)
        c.post(use: create)
        let q = routes.grouped("api", "v1", "questionnaires", ":questionnaire")
        q.get(use: show)
        q.put(use: update)
        q.post("send", use: send)
        q.post("close", use: close)
        q.post("copy", use: copy)
        q.post("reminders", use: remind)
        q.get("progress", use: progress)
        q.put("publication", use: publish)
        q.get("results", use: results)
        for path in [["responses", ":country", ":code"], ["responses", "me"]] {
            let r = q.grouped(path.map { PathComponent(stringLiteral: $0) })
            r.get(use: response)
            r.put(use: saveAnswers)
            r.post("submit", use: submit)
            r.post("reopen", use: reopen)
        }
    }


    struct ListJSON: Content { var questionnaires: [SummaryJSON] }

    func list(_ request: Request) async throws -> ListJSON {
        let c = try await CollaborationAccess.load(request)
        let all = try await Questionnaire.query(on: request.db).filter(\.$collaborationID == c.requireID()).sort(
            \.$closesAt
        ).all()
        return ListJSON(
            questionnaires: try await QuestionnaireLifecycle.visible(all, in: .collaboration(c), request: request).map {
                Self.summary($0, zone: c.timeZone)
            })
    }

    func create(_ request: Request) async throws -> Response {
        let c = try await CollaborationAccess.load(request)
        try request.require(QuestionnairePolicy.mayBuild(request.actor, owner: .organiser(c.organiserID)))
        let input = try request.content.decode(QuestionnaireInput.self)
        let q = Questionnaire()
        try await request.db.transaction { db in
            try await input.apply(to: q, origin: .collaboration(c), request: request, on: db)
            try await Audit.record(
                "questionnaire:create", subject: "questionnaire", id: q.id!.uuidString, summary: q.title, by: request,
                on: db)
        }
        let survey = q.audienceValue.isSurvey ? try await SurveySettings.find(q.id, on: request.db) : nil
        return try await Self.json(q, .collaboration(c), survey: survey, mayBuild: true)
            .created(at: "/api/v1" + q.href, for: request)
    }

    func show(_ request: Request) async throws -> QuestionnaireJSON {
        let access = try await QuestionnaireAccess.load(request)
        return try await Self.json(access, on: request.db)
    }

    func update(_ request: Request) async throws -> QuestionnaireJSON {
        let access = try await QuestionnaireAccess.build(request)
        let input = try request.content.decode(QuestionnaireInput.self)
        try await request.db.transaction { db in
            try await input.apply(to: access.questionnaire, origin: access.origin, request: request, on: db)
            try await Audit.record(
                "questionnaire:update", subject: "questionnaire", id: access.questionnaire.id!.uuidString,
                summary: "\(access.questionnaire.title) (\(access.questionnaire.revision))", by: request, on: db)
        }
        return try await Self.json(access, on: request.db)
    }

    func send(_ request: Request) async throws -> QuestionnaireSending.Sent {
        try await QuestionnaireSending.send(try await QuestionnaireAccess.build(request), request: request)
    }

    func close(_ request: Request) async throws -> QuestionnaireJSON {
        let access = try await QuestionnaireAccess.build(request)
        try await QuestionnaireLifecycle.close(access, request: request)
        return Self.json(access.questionnaire, access.origin)
    }

    struct CopyInput: Content { var title: String?; var opensAt: String?; var closesAt: String?; var prefill: Bool? }

    /// Next year's questionnaire: the same questions and audience, new dates, answers pre-filled from this one.
    func copy(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        let given = try request.content.decode(CopyInput.self)
        let q = try await QuestionnaireLifecycle.nextEdition(
            of: access, title: given.title, opensAt: given.opensAt, closesAt: given.closesAt,
            prefill: given.prefill ?? true, request: request)
        let survey = try await SurveySettings.find(q.id, on: request.db)
        return try await Self.json(q, access.origin, survey: survey, mayBuild: true)
            .encodeResponse(status: .created, for: request)
    }

    struct RemindedJSON: Content { var reminded: Int }

    func remind(_ request: Request) async throws -> RemindedJSON {
        RemindedJSON(
            reminded: try await QuestionnaireLifecycle.remind(
                try await QuestionnaireAccess.build(request), request: request))
    }
}

/// An answer in JSON: a string (an option, a text, "yes"/"no"), a number, true/false, a list of
/// options, or an object of matrix statements and points. Read into the same `RawAnswer` a form gives.
enum AnswerJSON: Codable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([String])
    case matrix([String: Double])
    case none

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .none
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let l = try? c.decode([String].self) {
            self = .list(l)
        } else if let m = try? c.decode([String: Double].self) {
            self = .matrix(m)
        } else {
            throw DecodingError.dataCorruptedError(
                in: c,
                debugDescription: "An answer is a string, number, boolean, list of options or object of statements")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .list(let l): try c.encode(l)
        case .matrix(let m): try c.encode(m)
        case .none: try c.encodeNil()
        }
    }

    var raw: RawAnswer {
        switch self {
        case .string(let s): RawAnswer(values: [s])
        case .number(let n): RawAnswer(values: [NumberText.plain(n)])
        case .bool(let b): RawAnswer(values: [b ? "yes" : "no"])
        case .list(let l): RawAnswer(values: l)
        case .matrix(let m): RawAnswer(statements: m.mapValues { NumberText.plain($0) })
        case .none: RawAnswer()
        }
    }

    init(_ value: AnswerValue) {
        switch value {
        case .option(let o): self = .string(o)
        case .options(let os): self = .list(os)
        case .scale(let p): self = .number(Double(p))
        case .number(let n): self = .number(n)
        case .yesNo(let y): self = .bool(y)
        case .text(let t): self = .string(t)
        case .matrix(let points): self = .matrix(points.mapValues(Double.init))
        }
    }
}
