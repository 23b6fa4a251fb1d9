import AsyncKit
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOCore
import NIOPosix
import Foundation
import SamradCore
import Vapor

/// Turns every error into a localized answer: RFC 9457 problem+json under /api, an error page
/// elsewhere. Unexpected errors are logged and answered without internals.
struct ErrorResponder: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let problem = Problem(error, request: request)
            if problem.httpStatus == .internalServerError {
                request.logger.report(error: error)
            }
            let response: Response
            if request.wantsJSON {
                response = try problem.response()
            } else if problem.httpStatus == .unauthorized, request.method == .GET {
                // A page that needs an account sends the visitor to sign in and then back.
                let next = request.url.string.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F"
                response = request.redirect(to: "/sign-in?next=\(next)")
            } else {
                response = try await ErrorPage.render(problem, on: request)
            }
            // The database comes back by itself (a restart, a fail-over): clients may try again soon.
            if problem.httpStatus == .serviceUnavailable {
                response.headers.replaceOrAdd(name: .retryAfter, value: "5")
            }
            return response
        }
    }
}

/// RFC 9457 problem details.
struct Problem: Content {
    var type: String
    var title: String
    var status: UInt
    var detail: String
    var instance: String
    var errors: [FieldMessage]?

    struct FieldMessage: Content {
        var field: String
        var message: String
    }

    var httpStatus: HTTPResponseStatus { HTTPResponseStatus(statusCode: Int(status)) }

    init(status: HTTPResponseStatus, kind: String, detail: String, instance: String, errors: [FieldMessage]? = nil) {
        self.type = "urn:samrad:problem:\(kind)"
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.instance = instance
        self.errors = errors
    }

    init(_ error: any Error, request: Request) {
        let language = request.language
        let catalog = request.catalog
        let path = request.url.path
        switch error {
        case let error as SamradError:
            let fields =
                error.fieldErrors.isEmpty
                ? nil
                : error.fieldErrors.map {
                    FieldMessage(field: $0.field, message: catalog.message(for: $0, language))
                }
            self.init(
                status: error.kind.httpStatus, kind: error.kind.rawValue,
                detail: catalog.message(for: error, language), instance: path, errors: fields)
        case let error as DecodingError:
            let (field, key) = Problem.describe(error)
            let message = catalog.text(key, language, [field])
            self.init(
                status: .unprocessableEntity, kind: "invalidInput",
                detail: catalog.text("error.invalid_input", language),
                instance: path, errors: [FieldMessage(field: field, message: message)])
        case let error as any AbortError:
            let status = error.status
            let key: String
            switch status {
            case .notFound: key = "error.not_found"
            case .payloadTooLarge: key = "error.too_large"
            case .unsupportedMediaType: key = "error.unsupported_media_type"
            case .badRequest: key = "error.bad_request"
            case .methodNotAllowed: key = "error.method_not_allowed"
            case .unauthorized: key = "error.unauthenticated"
            case .forbidden: key = "error.forbidden"
            case .serviceUnavailable: key = "error.unavailable"
            default: key = status.code >= 500 ? "error.internal" : "error.bad_request"
            }
            self.init(
                status: status, kind: status.code >= 500 ? "internal" : "request", detail: catalog.text(key, language),
                instance: path)
        case let error as any DatabaseError where error.isConstraintFailure:
            // Something still points at what was to go (a seat at a person): a conflict the person
            // can resolve, not a server failure.
            self.init(
                status: .conflict, kind: "conflict", detail: catalog.text("error.still_in_use", language),
                instance: path)
        default:
            if Problem.isDatabaseUnavailable(error) {
                self.init(
                    status: .serviceUnavailable, kind: "unavailable",
                    detail: catalog.text("error.unavailable", language), instance: path)
            } else {
                self.init(
                    status: .internalServerError, kind: "internal", detail: catalog.text("error.internal", language),
                    instance: path)
            }
        }
    }

    func response() throws -> Response {
        let response = Response(status: httpStatus)
        response.headers.contentType = HTTPMediaType(
            type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        response.body = .init(data: try JSONEncoder().encode(self))
        return response
    }

    static func describe(_ error: DecodingError) -> (field: String, key: String) {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return ((parent.isEmpty ? "" : parent + ".") + key.stringValue, "validation.required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return (path(context).isEmpty ? "body" : path(context), "validation.type")
        case .dataCorrupted(let context):
            return (path(context).isEmpty ? "body" : path(context), "validation.malformed")
        @unknown default:
            return ("body", "validation.malformed")
        }
    }

    /// The database being away or overloaded is not a bug: 503 with a clear message, not a 500.
    static func isDatabaseUnavailable(_ error: any Error) -> Bool {
        switch error {
        case let error as PSQLError:
            return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed]
                .contains(error.code)
        case let error as SQLiteError:
            return error.reason == .busy || error.reason == .locked
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is ChannelError, is IOError:
            return true
        default:
            return false
        }
    }
}

extension SamradError.Kind {
    var httpStatus: HTTPResponseStatus {
        switch self {
        case .invalidInput: .unprocessableEntity
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge: .payloadTooLarge
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        }
    }
}

extension Request {
    /// API paths answer in JSON; so does a client that asks only for JSON.
    var wantsJSON: Bool {
        if url.path.hasPrefix("/api/") || url.path == "/healthz" { return true }
        let accept = headers.first(name: .accept) ?? ""
        return accept.contains("json") && !accept.contains("html")
    }
}

/// The page shown for an error outside the API.
enum ErrorPage {
    struct Context: Encodable {
        var page: PageContext
        var status: UInt
        var message: String
        var fields: [Problem.FieldMessage]
        /// What the reader can do next: sign in, ask for access.
        var hint: String?
        var signInHref: String?
    }

    static func render(_ problem: Problem, on request: Request) async throws -> Response {
        // A refusal is not a failure: it says plainly what is so, and what to do.
        let title =
            switch problem.status {
            case 401: "error.unauthenticated_title"
            case 403: "error.forbidden_title"
            case 404: "error.not_found_title"
            case 409: "error.conflict_title"
            case 413: "error.too_large_title"
            case 422: "error.invalid_title"
            case 429: "error.too_many_title"
            case 503: "error.unavailable_title"
            default: "error.title"
            }
        let page = PageContext(request, titleKey: title)
        let hint: String? =
            switch problem.status {
            case 403: request.t("error.forbidden_hint")
            default: nil
            }
        let next =
            LocalPath.checked(request.url.path)
            .addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "/-._~").union(.alphanumerics))
            ?? "/"
        let signIn = problem.status == 401 && request.method == .GET ? "/sign-in?next=" + next : nil
        let context = Context(
            page: page, status: problem.status, message: problem.detail, fields: problem.errors ?? [],
            hint: hint, signInHref: signIn)
        do {
            let view = try await request.view.render("error", context)
            let response = try await view.encodeResponse(status: problem.httpStatus, for: request)
            CSRFGuard.finish(response, request)
            return response
        } catch {
            // The error page itself failed (e.g. a missing template): answer in plain text.
            return Response(status: problem.httpStatus, body: .init(string: problem.detail))
        }
    }
}
