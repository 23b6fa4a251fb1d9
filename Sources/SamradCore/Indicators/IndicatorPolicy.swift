import Foundation

/// Who may do what with indicators, goals and the school development dialogue. Published
/// statistics are public; a municipality's own imports, goals, reports and next steps are its own:
/// its coordinators keep them, its members read them, administrators see everything.
public enum IndicatorPolicy {
    public static func mayManageCatalogue(_ actor: Actor) -> Bool { actor.isAdministrator }

    /// Administrators import public statistics (every dashboard, rank and mean rests on them); a
    /// coordinator imports their own municipality's (and its schools') figures, kept private to it.
    public static func mayImport(_ actor: Actor) -> Bool {
        actor.isAdministrator || actor.grants.contains { $0.kind == .coordinator }
    }

    public static func importsPublicly(_ actor: Actor) -> Bool { actor.isAdministrator }

    /// Whether an import by `actor` may write values for this municipality.
    public static func mayImport(_ actor: Actor, for municipality: MunicipalityKey) -> Bool {
        importsPublicly(actor) || actor.coordinates(municipality)
    }

    /// A municipality's own figures: its coordinators and members, and administrators.
    public static func mayViewPrivate(_ actor: Actor, _ municipality: MunicipalityKey) -> Bool {
        actor.isAdministrator || actor.belongs(to: municipality)
    }

    /// Goals, next steps and schools of a municipality are kept by its coordinators.
    public static func mayKeep(_ actor: Actor, _ municipality: MunicipalityKey) -> Bool {
        actor.isAdministrator || actor.coordinates(municipality)
    }

    /// Goals set at a collaboration's request are seen side by side by its organisers and by the
    /// municipalities taking part.
    public static func mayViewCollaborationGoals(_ actor: Actor, organiserID: UUID, isParticipant: Bool) -> Bool {
        CollaborationPolicy.mayManage(actor, organiserID: organiserID) || (actor.isSignedIn && isParticipant)
    }

    public static func mayRequestGoals(_ actor: Actor, organiserID: UUID) -> Bool {
        CollaborationPolicy.mayManage(actor, organiserID: organiserID)
    }
}
