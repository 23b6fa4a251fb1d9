/// How often one address may send the forms that make or open accounts without being signed in (a
/// password reset, the set-up link, an invitation): enough for a room of people on one network
/// accepting their invitations together, too few to mail strangers or try links by the thousand.
/// Questionnaire links and unsubscribing are not limited: a school's teachers answer from one
/// address, and mail providers unsubscribe for thousands from a few.
public struct PublicFormLimit: Sendable {
    public var window: Double
    public var maxPerAddress: Int
    /// Password reset mails to one account within `window`, whoever asks.
    public var maxResetsPerAccount: Int

    public init(window: Double = 10 * 60, maxPerAddress: Int = 60, maxResetsPerAccount: Int = 3) {
        self.window = window
        self.maxPerAddress = maxPerAddress
        self.maxResetsPerAccount = maxResetsPerAccount
    }

    /// The forms it covers, by the first part of their path.
    public static let forms: Set<String> = ["password", "setup", "invitations"]

    public func isExceeded(postsFromAddress: Int) -> Bool { postsFromAddress >= maxPerAddress }
}
