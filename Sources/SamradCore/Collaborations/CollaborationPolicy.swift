import Foundation

/// Who may see and do what with collaborations and registrations. Organisers act for the
/// organisation that runs the collaboration; coordinators for their own municipality only.
public enum CollaborationPolicy {
    public static func mayView(_ actor: Actor, status: CollaborationStatus, organiserID: UUID) -> Bool {
        status.isPublished || mayManage(actor, organiserID: organiserID)
    }

    /// Edit, change status, invite, see the status board and exports.
    public static func mayManage(_ actor: Actor, organiserID: UUID) -> Bool {
        actor.isAdministrator || actor.organises(organiserID)
    }

    /// Register, change seats, decline or withdraw for a municipality; also see its registration.
    public static func mayRegister(_ actor: Actor, municipality: MunicipalityKey, organiserID: UUID) -> Bool {
        actor.coordinates(municipality) || mayManage(actor, organiserID: organiserID)
    }

    /// The organisations an account may create collaborations for.
    public static func mayCreate(_ actor: Actor, organiserID: UUID) -> Bool {
        mayManage(actor, organiserID: organiserID)
    }
}
