import Foundation
import SamradCore
import Vapor

// What Accounts offers other features: the passes a browser session holds from personal links in
// e-mails, which `ActorResolver` turns into the actor's rights.

/// The registration passes of a browser session (links in collaboration invitations).
enum RegistrationPasses {
    static let store = SessionPasses<RegistrationPass>(key: "registration_passes")
    static var limit: Int { SessionPasses<RegistrationPass>.limit }

    static func read(_ session: Session, now: Date = Date()) -> Set<RegistrationPass> { store.read(session, now: now) }

    static func add(_ pass: RegistrationPass, until expiresAt: Date, to session: Session, now: Date = Date()) {
        store.add(pass, until: expiresAt, to: session, now: now)
    }
}

/// The meeting passes of a browser session (links in meeting e-mails).
enum MeetingPasses {
    static let store = SessionPasses<MeetingPass>(key: "meeting_passes")
}
