import Fluent
import Foundation
import SamradCore
import Vapor

/// A person's own data (`/profile/data`): what Samrad holds, as a ZIP, and erasure; the same for
/// administrators through the API (`/api/v1/people/{id}/export`, `…/erase`), audited.
struct PersonalDataPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("profile", "data", use: page)
        routes.get("profile", "data.zip", use: ownExport)
        routes.post("profile", "data", "erase", use: eraseOwn)
        routes.get("profile", "data", "erased", use: erased)
        routes.post("people", ":id", "erase", use: eraseFromForm)
        routes.get("people", ":id", "data.zip", use: personExport)
        let api = routes.grouped("api", "v1")
        api.get("me", "export", use: ownExport)
        api.get("people", ":id", "export", use: personExport)
        api.post("people", ":id", "erase", use: eraseAPI)
    }

    struct Context: Encodable {
        var page: PageContext
        var form: FormState
        var tables: [TableRow]
        var mayErase: Bool
        var isLastAdministrator: Bool
    }

    struct TableRow: Encodable {
        var name: String
        var description: String
        var rows: Int
    }

    func page(_ request: Request) async throws -> Response {
        try await render(request, form: FormState())
    }

    func render(_ request: Request, form: FormState, refusing error: SamradError? = nil) async throws -> Response {
        let user = try request.requireSignedIn()
        let subject = try await Erasure.subject(user: user, on: request.db)
        let export = try await Self.export(subject, request: request)
        let last = try await Erasure.isLastAdministrator(subject, on: request.db)
        let context = Context(
            page: PageContext(request, titleKey: "personal_data.title"), form: form,
            tables: export.tables.map {
                TableRow(name: $0.name, description: request.t("personal_data.table.\($0.name)"), rows: $0.rows.count)
            },
            mayErase: PersonalDataPolicy.mayErase(
                request.actor, personID: subject.personID, userID: subject.userID, isLastAdministrator: last),
            isLastAdministrator: last)
        guard let error else {
            return try await request.view.render("privacy/data", context).encodeResponse(for: request)
        }
        return try await request.renderForm("privacy/data", context, refusing: error)
    }

    static func export(_ subject: DataSubject, request: Request) async throws -> PersonExport {
        let export = PersonExport(subject: subject)
        for feature in request.application.features { try await feature.exportPerson(into: export, on: request.db) }
        return export
    }

    func ownExport(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        return try await download(Erasure.subject(user: user, on: request.db), request: request)
    }

    func personExport(_ request: Request) async throws -> Response {
        let subject = try await Self.subject(request)
        try request.require(
            PersonalDataPolicy.mayExport(request.actor, personID: subject.personID, userID: subject.userID))
        return try await download(subject, request: request)
    }

    func download(_ subject: DataSubject, request: Request) async throws -> Response {
        let now = Date()
        let export = try await Self.export(subject, request: request)
        let data = try export.zip(generatedAt: now)
        try await Audit.record(
            "person:export", subject: "person", id: subject.personID?.uuidString ?? subject.userID?.uuidString ?? "-",
            summary: "\(subject.name): \(export.tables.count) tables, \(data.count) bytes", by: request, on: request.db)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "zip")
        response.headers.contentDisposition = .init(.attachment, filename: export.fileName(at: now))
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// The person of `:id`, not erased already.
    static func subject(_ request: Request) async throws -> DataSubject {
        guard let id = request.parameterID("id"), let subject = try await Erasure.subject(personID: id, on: request.db)
        else {
            throw SamradError.notFound()
        }
        return subject
    }

    func erase(_ subject: DataSubject, request: Request) async throws -> Erasure.Outcome {
        let last = try await Erasure.isLastAdministrator(subject, on: request.db)
        guard PersonalDataPolicy.mayErase(
            request.actor, personID: subject.personID, userID: subject.userID, isLastAdministrator: false)
        else { throw SamradError(.forbidden, "error.forbidden") }
        if last { throw SamradError(.conflict, "personal_data.last_administrator") }
        let own = PersonalDataPolicy.isSelf(request.actor, personID: subject.personID, userID: subject.userID)
        return try await Erasure.erase(
            subject, requestedBy: own ? "self" : "administrator", features: request.application.features,
            catalog: request.application.catalog, on: request.db, actor: AuditActor(request))
    }

    func eraseAPI(_ request: Request) async throws -> Response {
        let subject = try await Self.subject(request)
        let outcome = try await erase(subject, request: request)
        if subject.userID == request.actor.userID { request.session.destroy() }
        return try await outcome.encodeResponse(status: .ok, for: request)
    }

    func eraseFromForm(_ request: Request) async throws -> Response {
        let subject = try await Self.subject(request)
        let outcome = try await erase(subject, request: request)
        if subject.userID == request.actor.userID {
            request.session.destroy()
            return request.redirect(to: "/profile/data/erased")
        }
        // Back to where the person belonged; their own page now shows the pseudonym.
        let home = subject.municipality.map { "/municipalities/\($0.country.rawValue)/\($0.code)" } ?? "/"
        return request.redirect(to: home, notice: "personal_data.erased", [outcome.pseudonym])
    }

    func eraseOwn(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        let subject = try await Erasure.subject(user: user, on: request.db)
        struct Input: Content { var confirm: String? }
        guard (try? request.content.decode(Input.self))?.confirm == "yes" else {
            let error = SamradError(
                .invalidInput, "personal_data.confirm_required",
                fieldErrors: [FieldError(field: "confirm", "personal_data.confirm_required")])
            return try await render(request, form: FormState(values: [:], error: error, request: request),
                refusing: error)
        }
        _ = try await erase(subject, request: request)
        request.session.destroy()
        return request.redirect(to: "/profile/data/erased")
    }

    /// Where a person lands after erasing themselves: the session is gone with the account, so the
    /// page itself says what happened.
    func erased(_ request: Request) async throws -> View {
        struct Context: Encodable { var page: PageContext }
        return try await request.view.render(
            "privacy/erased", Context(page: PageContext(request, titleKey: "personal_data.erased_title")))
    }
}
