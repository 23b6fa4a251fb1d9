import Foundation

public enum RoleKind: String, CaseIterable, Codable, Sendable {
    /// Runs the installation: accounts, roles, the directory, the audit log.
    case administrator
    /// Works for an organisation (an association such as KL or SKR) and runs its collaborations.
    case organiser
    /// Speaks for a municipality's administration: registers it, maintains its people and grants
    /// its members.
    case coordinator
    /// One of a municipality's own people: reads its private figures, unshared dialogues and
    /// clusters, drafts its answers. Granted by the municipality's coordinator or an administrator,
    /// never taken from the person record, which a person may edit.
    case member
}

/// One role given to one account, scoped to an organisation (organiser) or a municipality
/// (coordinator, member).
public struct RoleGrant: Hashable, Codable, Sendable {
    public var kind: RoleKind
    public var organisationID: UUID?
    public var municipality: MunicipalityKey?

    public init(kind: RoleKind, organisationID: UUID? = nil, municipality: MunicipalityKey? = nil) {
        self.kind = kind
        self.organisationID = organisationID
        self.municipality = municipality
    }
}

/// The right an invited person gets by opening the personal link in an invitation e-mail: to answer
/// for one municipality in one collaboration, without an account.
public struct RegistrationPass: Hashable, Codable, Sendable {
    public var collaborationID: UUID
    public var municipality: MunicipalityKey
    /// The invited person the link was sent to; nil for the municipality's official mailbox.
    public var personID: UUID?

    public init(collaborationID: UUID, municipality: MunicipalityKey, personID: UUID?) {
        self.collaborationID = collaborationID
        self.municipality = municipality
        self.personID = personID
    }
}

/// The right an invited person gets by opening the personal link in a meeting's e-mail: to register
/// for that meeting, or cancel, as themselves, and to see it as one invited, without an account.
public struct MeetingPass: Hashable, Codable, Sendable {
    public var meetingID: UUID
    public var personID: UUID

    public init(meetingID: UUID, personID: UUID) {
        self.meetingID = meetingID
        self.personID = personID
    }
}

/// Who is asking: a public visitor (no account) or a signed-in account with its roles, and the
/// registration passes opened in this browser session.
public struct Actor: Sendable, Equatable {
    public var userID: UUID?
    public var personID: UUID?
    public var grants: Set<RoleGrant>
    public var passes: Set<RegistrationPass>
    public var meetingPasses: Set<MeetingPass>

    public static let visitor = Actor(userID: nil, personID: nil, grants: [])

    public init(
        userID: UUID?, personID: UUID?, grants: Set<RoleGrant>, passes: Set<RegistrationPass> = [],
        meetingPasses: Set<MeetingPass> = []
    ) {
        self.meetingPasses = meetingPasses
        self.userID = userID
        self.personID = personID
        self.grants = grants
        self.passes = passes
    }

    public var isSignedIn: Bool { userID != nil }
    public var isAdministrator: Bool { grants.contains { $0.kind == .administrator } }
    public var isOrganiser: Bool { grants.contains { $0.kind == .organiser } }

    public func organises(_ organisationID: UUID?) -> Bool {
        guard let organisationID else { return false }
        return grants.contains { $0.kind == .organiser && $0.organisationID == organisationID }
    }

    public func holdsPass(_ collaborationID: UUID?, _ municipality: MunicipalityKey) -> Bool {
        guard let collaborationID else { return false }
        return passes.contains { $0.collaborationID == collaborationID && $0.municipality == municipality }
    }

    /// The person a meeting link opened in this session lets the browser act as for `meetingID`.
    public func meetingPassPerson(_ meetingID: UUID?) -> UUID? {
        guard let meetingID else { return nil }
        return meetingPasses.first { $0.meetingID == meetingID }?.personID
    }

    public func coordinates(_ municipality: MunicipalityKey?) -> Bool {
        guard let municipality else { return false }
        return grants.contains { $0.kind == .coordinator && $0.municipality == municipality }
    }

    /// The municipalities this account is one of the people of: by a member or coordinator role.
    public var municipalities: Set<MunicipalityKey> {
        Set(grants.compactMap { $0.kind == .member || $0.kind == .coordinator ? $0.municipality : nil })
    }

    /// Whether the account speaks as one of the municipality's people (member or coordinator).
    public func belongs(to municipality: MunicipalityKey?) -> Bool {
        guard let municipality else { return false }
        return grants.contains { ($0.kind == .member || $0.kind == .coordinator) && $0.municipality == municipality }
    }
}
