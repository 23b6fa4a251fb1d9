import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// Counts the posts of forms that need no account per client address, in the database so that all
/// instances count together, and answers 429 beyond `PublicFormLimit`. Signed-in people and the
/// sign-in form (which has its own throttle) are not counted.
struct PublicFormGuard: AsyncMiddleware {
    static let limit = PublicFormLimit()

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .POST, !request.actor.isSignedIn,
            let form = request.url.path.split(separator: "/").first.map(String.init),
            PublicFormLimit.forms.contains(form)
        else {
            return try await next.respond(to: request)
        }
        let address = request.clientAddress
        let now = Date()
        let sql = request.db.sql
        try await sql.raw(
            "DELETE FROM public_form_posts WHERE at < \(bind: now.addingTimeInterval(-Self.limit.window))"
        ).run()
        struct Count: Decodable { var n: Int }
        let count =
            try await sql.raw(
                "SELECT count(*) AS n FROM public_form_posts WHERE form = \(bind: form) AND address = \(bind: address)"
            )
            .first(decoding: Count.self)?.n ?? 0
        if Self.limit.isExceeded(postsFromAddress: count) {
            throw SamradError(.tooManyRequests, "form.too_many", [String(Int(Self.limit.window / 60))])
        }
        try await sql.raw(
            "INSERT INTO public_form_posts (form, address, at) VALUES (\(bind: form), \(bind: address), \(bind: now))"
        ).run()
        return try await next.respond(to: request)
    }
}
