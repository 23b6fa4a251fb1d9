import Foundation

/// Who may form clusters and who sees which. Organisers of the collaboration form, change and export
/// them and see all; a participant sees the clusters their municipality is in, with its members
/// and contacts: as its coordinator or member, or through an invitation link.
public enum ClusterPolicy {
    public static func mayPlan(_ actor: Actor, organiserID: UUID) -> Bool {
        CollaborationPolicy.mayManage(actor, organiserID: organiserID)
    }

    public static func mayView(
        _ actor: Actor, organiserID: UUID, collaborationID: UUID,
        members: [MunicipalityKey]
    ) -> Bool {
        mayPlan(actor, organiserID: organiserID)
            || members.contains { key in
                actor.belongs(to: key) || actor.holdsPass(collaborationID, key)
            }
    }
}
