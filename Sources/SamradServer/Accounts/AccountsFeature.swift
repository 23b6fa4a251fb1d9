import Fluent
import Vapor

/// Accounts, sign-in and sessions, administration, and the roles that give rights over a
/// municipality.
struct AccountsFeature: Feature {
    var routes: [any RouteCollection] {
        [
            AccountPages(), AdminPages(), MunicipalityRolePages(), MunicipalityRoleAPI(), AccessRequestPages(),
        ]
    }
    var migrations: [any Migration] {
        [M002Accounts(), SessionRecord.migration, M017Sessions(), M021SessionOwners(), M022TwoFactor(),
            M023IdentityLinks(), M024AccessRequests()]
    }
    var scheduled: [ScheduledTask] {
        [
            ScheduledTask(under: .sessionPurge) { app in
                _ = try await SessionStore.purge(app.settings.sessions, on: app.db)
            }
        ]
    }
}
