import Foundation

/// How long a signed-in session lasts, kept by the server whatever the cookie says: at most `lifetime` after
/// sign-in, and it ends after `idleTimeout` without a request. An installation sets both.
public struct SessionTerms: Sendable, Equatable {
    public var lifetime: TimeInterval
    public var idleTimeout: TimeInterval

    public static let standard = SessionTerms(lifetime: 14 * 24 * 3600, idleTimeout: 24 * 3600)

    public init(lifetime: TimeInterval, idleTimeout: TimeInterval) {
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
    }

    /// From the installation's settings in hours; a missing, unreadable or non-positive value keeps the standard,
    /// and the idle time is never longer than the lifetime.
    public init(lifetimeHours: String?, idleMinutes: String?) {
        let lifetime =
            lifetimeHours.flatMap(Double.init).flatMap { $0 > 0 ? $0 * 3600 : nil }
            ?? Self.standard.lifetime
        let idle = idleMinutes.flatMap(Double.init).flatMap { $0 > 0 ? $0 * 60 : nil } ?? Self.standard.idleTimeout
        self.init(lifetime: lifetime, idleTimeout: min(idle, lifetime))
    }

    public func isLive(createdAt: Date, lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(createdAt) < lifetime && now.timeIntervalSince(lastSeenAt) < idleTimeout
    }
}
