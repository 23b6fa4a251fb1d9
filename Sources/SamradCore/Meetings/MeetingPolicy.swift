import Foundation

/// What the rules of a meeting need to know about where it belongs.
public struct MeetingScope: Sendable {
    public var collaborationID: UUID
    public var organiserID: UUID
    public var collaborationPublished: Bool
    public var status: MeetingStatus
    /// The cluster's municipalities for a cluster meeting; nil for a meeting of the whole collaboration.
    public var clusterMembers: [MunicipalityKey]?
    /// The cluster's facilitator, who runs its meetings with the organisers.
    public var facilitatorID: UUID?
    /// The municipalities registered for the collaboration.
    public var registered: Set<MunicipalityKey>
    /// People attached to the collaboration (researchers, following group, facilitators, contacts).
    public var attached: Set<UUID>
    /// The meeting itself; nil where a rule is asked of a collaboration's meetings in general.
    public var meetingID: UUID?
    /// The municipality that hosts the meeting, whose coordinators shape its agenda.
    public var host: MunicipalityKey?

    public init(
        collaborationID: UUID, organiserID: UUID, collaborationPublished: Bool, status: MeetingStatus,
        clusterMembers: [MunicipalityKey]?,
        facilitatorID: UUID?, registered: Set<MunicipalityKey>, attached: Set<UUID>, meetingID: UUID? = nil
    ) {
        self.meetingID = meetingID
        self.collaborationID = collaborationID
        self.organiserID = organiserID
        self.collaborationPublished = collaborationPublished
        self.status = status
        self.clusterMembers = clusterMembers
        self.facilitatorID = facilitatorID
        self.registered = registered
        self.attached = attached
    }
}

/// Who sees and does what with meetings. Organisers plan, publish and change them; a cluster's
/// facilitator runs its meetings too (agenda, materials, attendance, minutes). A published meeting
/// of a published collaboration is public in its time, place and agenda; cluster meetings only to
/// their cluster. Materials, minutes and the list of who comes are for participants: those who run
/// it, the people attached to the collaboration, those who registered to come, and the people and
/// coordinators of the municipalities it is for.
public enum MeetingPolicy {
    public static func mayPlan(_ actor: Actor, organiserID: UUID) -> Bool {
        CollaborationPolicy.mayManage(actor, organiserID: organiserID)
    }

    public static func mayRun(_ actor: Actor, _ scope: MeetingScope) -> Bool {
        if mayPlan(actor, organiserID: scope.organiserID) { return true }
        guard let facilitator = scope.facilitatorID, let person = actor.personID else { return false }
        return actor.isSignedIn && person == facilitator
    }

    /// The agenda and its materials: those who run the meeting, and the coordinators of the host
    /// municipality, who shape the meeting they host (case 4: Lund prepares the spring meeting) —
    /// also while it is planned, and nothing else of it (not its time, status, attendance or minutes).
    public static func mayShapeAgenda(_ actor: Actor, _ scope: MeetingScope) -> Bool {
        mayRun(actor, scope) || (scope.status != .cancelled && actor.coordinates(scope.host))
    }

    /// `attending`: the person has an active registration for the meeting.
    public static func isParticipant(_ actor: Actor, _ scope: MeetingScope, attending: Bool) -> Bool {
        if mayRun(actor, scope) { return true }
        if attending { return true }
        if let person = actor.personID, actor.isSignedIn, scope.attached.contains(person) { return true }
        // The personal link of the meeting's e-mail went only to someone it is for.
        if actor.meetingPassPerson(scope.meetingID) != nil { return true }
        let municipalities: [MunicipalityKey] = scope.clusterMembers ?? Array(scope.registered)
        return municipalities.contains { key in
            actor.belongs(to: key) || actor.holdsPass(scope.collaborationID, key)
        }
    }

    public static func mayView(_ actor: Actor, _ scope: MeetingScope, attending: Bool) -> Bool {
        if mayShapeAgenda(actor, scope) { return true }
        guard scope.status != .planned else { return false }
        if scope.clusterMembers == nil && scope.collaborationPublished { return true }
        return isParticipant(actor, scope, attending: attending)
    }

    /// Materials, minutes, decisions, commitments and the names of who comes.
    public static func mayViewContent(_ actor: Actor, _ scope: MeetingScope, attending: Bool) -> Bool {
        if mayShapeAgenda(actor, scope) { return true }
        guard scope.status != .planned else { return false }
        return isParticipant(actor, scope, attending: attending)
    }

    /// The join link and dial-in of an online or hybrid meeting: those who run it and the person
    /// registered to come — not the waiting list, not everyone the meeting is for, never the public
    /// page or feed, where a link would let anyone into a political meeting.
    /// `registered`: the acting person's registration is confirmed (not waiting, not cancelled).
    public static func mayJoinOnline(_ actor: Actor, _ scope: MeetingScope, registered: Bool) -> Bool {
        mayRun(actor, scope) || (registered && actingPerson(actor, scope) != nil)
    }

    /// Registering someone or cancelling for them: the person, the coordinator of the person's
    /// municipality, or those who run the meeting.
    public static func mayRegister(
        _ actor: Actor, personID: UUID, personMunicipality: MunicipalityKey?, _ scope: MeetingScope
    ) -> Bool {
        if mayRun(actor, scope) { return true }
        if actor.isSignedIn, actor.personID == personID { return true }
        if actor.meetingPassPerson(scope.meetingID) == personID { return true }
        return actor.coordinates(personMunicipality)
    }

    /// The person the actor acts as for this meeting: the signed-in person, or the one whose
    /// personal link was opened in this browser.
    public static func actingPerson(_ actor: Actor, _ scope: MeetingScope) -> UUID? {
        if actor.isSignedIn, let person = actor.personID { return person }
        return actor.meetingPassPerson(scope.meetingID)
    }
}
