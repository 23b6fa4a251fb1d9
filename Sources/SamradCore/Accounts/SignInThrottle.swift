/// When repeated failed sign-ins lock an account or an address for a while. Counting per account
/// stops guessing one password; counting per address stops trying many accounts from one place.
public struct SignInThrottle: Sendable {
    public var window: Double
    public var maxFailuresPerAccount: Int
    public var maxFailuresPerAddress: Int

    public init(window: Double = 15 * 60, maxFailuresPerAccount: Int = 5, maxFailuresPerAddress: Int = 30) {
        self.window = window
        self.maxFailuresPerAccount = maxFailuresPerAccount
        self.maxFailuresPerAddress = maxFailuresPerAddress
    }

    /// Failures are counted within `window` seconds before now.
    public func isLocked(failuresForAccount: Int, failuresFromAddress: Int) -> Bool {
        failuresForAccount >= maxFailuresPerAccount || failuresFromAddress >= maxFailuresPerAddress
    }
}
