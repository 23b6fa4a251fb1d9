import Foundation

/// How an invitation reaches a municipality: the people in the positions the organiser chose, the
/// municipality's coordinators (always told, whatever the positions), and its official mailbox when
/// nobody else is known. An address gets one e-mail, however many ways it is known.
public enum InvitationReach {
    public enum Channel: String, Codable, Sendable, CaseIterable {
        case position, coordinator, mailbox
    }

    public struct Recipient: Sendable, Equatable {
        public var channel: Channel
        public var name: String
        public var email: String
        /// The person record, if the recipient has one; a coordinator's account may have none, a
        /// mailbox never does.
        public var personID: UUID?
        public var userID: UUID?

        public init(channel: Channel, name: String, email: String, personID: UUID? = nil, userID: UUID? = nil) {
            self.channel = channel
            self.name = name
            self.email = email
            self.personID = personID
            self.userID = userID
        }
    }

    /// The municipality's recipients, position holders first. A coordinator who also holds a chosen
    /// position is told once, as the position holder; the mailbox only when no one else is known.
    public static func recipients(
        positionHolders: [Recipient], coordinators: [Recipient],
        mailbox: String?
    ) -> [Recipient] {
        var seen: Set<String> = []
        var out: [Recipient] = []
        for recipient in positionHolders + coordinators {
            let address = recipient.email.trimmingCharacters(in: .whitespaces).lowercased()
            guard !address.isEmpty, seen.insert(address).inserted else { continue }
            out.append(recipient)
        }
        if out.isEmpty, let mailbox = mailbox?.trimmingCharacters(in: .whitespaces), !mailbox.isEmpty {
            out.append(Recipient(channel: .mailbox, name: mailbox, email: mailbox))
        }
        return out
    }

    /// Whether an invited municipality was reached: by someone, or by nobody at all. Answering
    /// without an invitation is neither.
    public enum State: String, Codable, Sendable, CaseIterable {
        case reached, nobody
    }
}
