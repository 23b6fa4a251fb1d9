import Foundation

/// Who may see and do what with collaborations, programmes and registrations. Organisers act for the
/// organisation that runs the collaboration; coordinators for their own municipality only; an invited
/// person who opened the personal link in the invitation for that collaboration and municipality only.
public enum CollaborationPolicy {
    public static func mayView(_ actor: Actor, status: CollaborationStatus, organiserID: UUID) -> Bool {
        status.isPublished || mayManage(actor, organiserID: organiserID)
    }

    /// Edit, change status, invite, attach partners and people, see the status board and exports.
    public static func mayManage(_ actor: Actor, organiserID: UUID) -> Bool {
        actor.isAdministrator || actor.organises(organiserID)
    }

    /// The annual and final report (attendance per meeting and municipality, commitments, results
    /// as the organiser sees them): its organisers, who send it to the funder and the board.
    public static func mayReadReport(_ actor: Actor, organiserID: UUID) -> Bool {
        mayManage(actor, organiserID: organiserID)
    }

    /// Register, change seats, decline or withdraw for a municipality; also see its registration and
    /// add a person of the municipality on the spot to fill a seat.
    public static func mayRegister(
        _ actor: Actor, collaborationID: UUID?, municipality: MunicipalityKey, organiserID: UUID
    ) -> Bool {
        actor.coordinates(municipality) || actor.holdsPass(collaborationID, municipality)
            || mayManage(actor, organiserID: organiserID)
    }

    /// Whether the account creates collaborations and programmes at all (for some organisation):
    /// others are turned away before their form is read.
    public static func mayCreateAny(_ actor: Actor) -> Bool {
        actor.isAdministrator || actor.isOrganiser
    }

    /// The organisations an account may create collaborations and programmes for.
    public static func mayCreate(_ actor: Actor, organiserID: UUID) -> Bool {
        mayManage(actor, organiserID: organiserID)
    }

    /// A programme is public once one of its collaborations is; before that only its organisers see it.
    public static func mayViewProgramme(_ actor: Actor, organiserID: UUID, publishedCollaborations: Int) -> Bool {
        publishedCollaborations > 0 || mayManage(actor, organiserID: organiserID)
    }

    /// Names of the researchers, the following group and other attached people are for signed-in
    /// members, as names of people are everywhere (`PeoplePolicy.mayList`); visitors see how many.
    public static func mayViewMemberNames(_ actor: Actor) -> Bool {
        PeoplePolicy.mayList(actor)
    }

    /// A collaboration's own documents: public ones for whoever sees the collaboration, members'
    /// ones for those who belong to it (`CollaborationReader.memberOf`) and its organisers.
    public static func mayRead(
        _ visibility: DocumentVisibility, _ reader: CollaborationReader, collaborationID: UUID, organiserID: UUID
    ) -> Bool {
        visibility == .public || reader.memberOf.contains(collaborationID)
            || mayManage(reader.actor, organiserID: organiserID)
    }
}

/// What a collaboration's own document is.
public enum DocumentKind: String, CaseIterable, Codable, Sendable {
    case projectDescription = "project_description"
    case invitationLetter = "invitation_letter"
    case agreement
    case report
    case other
}

/// Who reads a collaboration's document.
public enum DocumentVisibility: String, CaseIterable, Codable, Sendable {
    case `public`, members
}

/// Who keeps an organisation's invoicing details and issues the e-invoices of its paid tracks.
public enum InvoicingPolicy {
    /// The seller's numbers, bank account, VAT and invoice numbering: administrators and the
    /// organisation's organisers.
    public static func mayKeepSellerDetails(_ actor: Actor, organisationID: UUID) -> Bool {
        OrganisationPolicy.mayEdit(actor, organisationID: organisationID)
    }

    /// Issue a collaboration's invoices and read them: those who manage it, for its organisation.
    public static func mayIssue(_ actor: Actor, organiserID: UUID) -> Bool {
        CollaborationPolicy.mayManage(actor, organiserID: organiserID)
    }
}
