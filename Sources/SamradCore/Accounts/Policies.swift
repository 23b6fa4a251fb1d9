import Foundation

/// What an account may do with accounts, roles and the audit log. One place decides; routes ask.
public enum AccountPolicy {
    public static func mayManageAccounts(_ actor: Actor) -> Bool { actor.isAdministrator }
    public static func mayReadAuditLog(_ actor: Actor) -> Bool { actor.isAdministrator }
    public static func mayReadOutbox(_ actor: Actor) -> Bool { actor.isAdministrator }
    public static func mayImportDirectory(_ actor: Actor) -> Bool { actor.isAdministrator }
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

    public static func mayEdit(_ actor: Actor, personID: UUID? = nil, of affiliation: Affiliation) -> Bool {
        if actor.isAdministrator { return true }
        if let personID, actor.personID == personID { return true }
        return actor.coordinates(affiliation.municipality) || actor.organises(affiliation.organisationID)
    }

    /// Creating a person is editing the place the person will belong to.
    public static func mayCreate(_ actor: Actor, in affiliation: Affiliation) -> Bool {
        if actor.isAdministrator { return true }
        guard affiliation.municipality != nil || affiliation.organisationID != nil else { return false }
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
