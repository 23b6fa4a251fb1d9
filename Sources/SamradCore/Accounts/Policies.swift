import Foundation

/// What an account may do with accounts, roles and the audit log. One place decides; routes ask.
public enum AccountPolicy {
    public static func mayManageAccounts(_ actor: Actor) -> Bool { actor.isAdministrator }
    public static func mayReadAuditLog(_ actor: Actor) -> Bool { actor.isAdministrator }
    public static func mayReadOutbox(_ actor: Actor) -> Bool { actor.isAdministrator }
    public static func mayImportDirectory(_ actor: Actor) -> Bool { actor.isAdministrator }
    /// Municipalities' official mailboxes, told of invitations when no one else is known.
    public static func mayKeepMailboxes(_ actor: Actor) -> Bool { actor.isAdministrator }
    /// The municipalities' e-invoice addresses and organisation numbers, as the directory's mailboxes.
    public static func mayKeepInvoiceAddresses(_ actor: Actor) -> Bool { actor.isAdministrator }
}

/// Where a person or an organisation belongs, for deciding who may see and change it.
public struct Affiliation: Sendable, Equatable {
    public var municipality: MunicipalityKey?
    public var organisationID: UUID?

    public init(municipality: MunicipalityKey? = nil, organisationID: UUID? = nil) {
        self.municipality = municipality
        self.organisationID = organisationID
    }
}

/// Who may see and maintain people. Names and positions are for signed-in members; contact details
/// only for those who work with the person: administrators, organisers (they invite), the
/// coordinators of the person's own municipality and the person. A municipality never sees another
/// municipality's contact details.
public enum PeoplePolicy {
    public static func mayList(_ actor: Actor) -> Bool { actor.isSignedIn }

    public static func mayViewContact(_ actor: Actor, personID: UUID?, of affiliation: Affiliation) -> Bool {
        if actor.isAdministrator || actor.isOrganiser { return true }
        if let personID, actor.personID == personID { return true }
        return actor.coordinates(affiliation.municipality) || actor.organises(affiliation.organisationID)
    }

    /// Maintaining a person of a place: everything about them, where they belong included. Moving
    /// a person needs this for the old place and for the new one. Never granted to the person
    /// for themselves: where a person belongs is not theirs to choose.
    public static func mayEdit(_ actor: Actor, of affiliation: Affiliation) -> Bool {
        if actor.isAdministrator { return true }
        return actor.coordinates(affiliation.municipality) || actor.organises(affiliation.organisationID)
    }

    /// A person keeps their own name, phone and title (their language is their account's).
    public static func mayEditOwnDetails(_ actor: Actor, personID: UUID?) -> Bool {
        guard let personID, actor.isSignedIn else { return false }
        return actor.personID == personID
    }

    /// Whether the account keeps people of some place at all: others are turned away before their
    /// form is read.
    public static func mayCreateAny(_ actor: Actor) -> Bool {
        actor.isAdministrator || actor.isOrganiser || actor.grants.contains { $0.kind == .coordinator }
    }

    /// Creating a person is editing the place the person will belong to; organisers also add the
    /// people of any municipality they invite (a record about a person gives no rights, H1).
    public static func mayCreate(_ actor: Actor, in affiliation: Affiliation) -> Bool {
        if actor.isAdministrator { return true }
        guard affiliation.municipality != nil || affiliation.organisationID != nil else { return false }
        if affiliation.municipality != nil && affiliation.organisationID == nil && actor.isOrganiser { return true }
        return actor.coordinates(affiliation.municipality) || actor.organises(affiliation.organisationID)
    }
}

/// Who may see and maintain organisations. Organisations are public; administrators create them and
/// their organisers keep them up to date.
public enum OrganisationPolicy {
    public static func mayCreate(_ actor: Actor) -> Bool { actor.isAdministrator }
    public static func mayEdit(_ actor: Actor, organisationID: UUID) -> Bool {
        actor.isAdministrator || actor.organises(organisationID)
    }
}

/// Who gives and takes the roles of a municipality. Administrators make coordinators and members;
/// a coordinator makes the municipality's members (its own people), never coordinators. Nobody
/// gets a role by editing a record about themselves.
public enum MunicipalityRolePolicy {
    public static func mayManage(_ actor: Actor, _ municipality: MunicipalityKey) -> Bool {
        actor.isAdministrator || actor.coordinates(municipality)
    }

    public static func mayGrant(_ actor: Actor, _ kind: RoleKind, in municipality: MunicipalityKey) -> Bool {
        if actor.isAdministrator { return kind == .member || kind == .coordinator }
        return kind == .member && actor.coordinates(municipality)
    }

    /// The kinds a municipality's page offers to this actor, in the order shown.
    public static func grantable(_ actor: Actor, in municipality: MunicipalityKey) -> [RoleKind] {
        [RoleKind.member, .coordinator].filter { mayGrant(actor, $0, in: municipality) }
    }
}
