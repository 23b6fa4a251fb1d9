import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// AccountPages: sign-in.
extension AccountPages {
    func signInForm(_ request: Request) async throws -> Response {
        try await signInPage(request)
    }

    /// An account belongs to the person in the register with the same e-mail address (when exactly
    /// one has it): that is how "my meetings", registering oneself and calendar feeds know who it is.
    static func linkPerson(_ user: User, on db: any Database) async throws {
        guard user.personID == nil else { return }
        let people = try await Person.query(on: db).filter(\.$email == user.email).limit(2).all()
        guard people.count == 1 else { return }
        user.personID = people[0].id
        try await user.save(on: db)
    }

    /// Only local paths, so the sign-in form cannot send people to another site.
    static func safeNext(_ next: String?) -> String { LocalPath.checked(next) }

    struct Credentials: Content { var email: String?; var password: String?; var next: String? }

    func signIn(_ request: Request) async throws -> Response {
        let input = try request.content.decode(Credentials.self)
        let email = (input.email ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let address = request.clientAddress
        let since = Date().addingTimeInterval(-Self.throttle.window)
        let values = ["email": input.email ?? "", "next": Self.safeNext(input.next)]
        // The attempt is counted before the password is tried, so attempts made at once all count:
        // of a burst, no more than the limit get as far as bcrypt. A success clears the count.
        try await SignInFailure(email: email, address: address, at: Date()).create(on: request.db)
        let forAccount = try await SignInFailure.query(on: request.db).filter(\.$email == email).filter(\.$at > since)
            .count()
        let fromAddress = try await SignInFailure.query(on: request.db).filter(\.$address == address).filter(
            \.$at > since
        ).count()
        if Self.throttle.isLocked(failuresForAccount: forAccount - 1, failuresFromAddress: fromAddress - 1) {
            let error = SamradError(.tooManyRequests, "signin.locked", [String(Int(Self.throttle.window / 60))])
            return try await signInPage(request, values: values, error: error, status: .tooManyRequests)
        }
        let user = try await User.query(on: request.db).filter(\.$email == email).first()
        // An address without an account takes as long as one with: the answer's time tells nothing.
        let hash = user.flatMap { $0.disabled ? nil : $0.passwordHash }
        let verified = try await request.password.async.verify(
            input.password ?? "",
            created: hash ?? request.application.timingHash)
        if let user, hash != nil, verified {
            // With an identity provider for everyone else, a password is for administrators only:
            // told only once the password is right, so the answer says nothing about the address.
            let settings = request.application.settings
            if settings.passwordSignIn == .administrators, !settings.openIDProviders.isEmpty {
                let administrator = try await RoleAssignment.query(on: request.db)
                    .filter(\.$userID == user.requireID()).filter(\.$kind == RoleKind.administrator.rawValue).count()
                if administrator == 0 {
                    let error = SamradError(.forbidden, "signin.password_administrators_only")
                    return try await signInPage(request, values: values, error: error, status: .forbidden)
                }
            }
            try await Self.linkPerson(user, on: request.db)
            if user.totpSecret != nil {
                // The password is right; the session starts with the code. The failures stay counted until
                // then, so knowing the password does not buy more guesses at the code.
                try await Self.awaitCode(from: user, next: Self.safeNext(input.next), request: request)
                return request.redirect(to: "/sign-in/code")
            }
            try await SignInFailure.query(on: request.db).filter(\.$email == email).delete()
            try await Self.startSession(for: user, request: request)
            return request.redirect(to: Self.safeNext(input.next))
        }
        let error = SamradError(.unauthenticated, "signin.failed")
        return try await signInPage(request, values: values, error: error, status: .unauthorized)
    }

    func signOut(_ request: Request) async throws -> Response {
        if request.hasSession { request.session.destroy() }
        return request.redirect(to: "/")
    }
}
