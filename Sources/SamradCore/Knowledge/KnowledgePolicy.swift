import Foundation

/// A material as the policy needs to see it.
public struct MaterialStanding: Sendable {
    public var status: EditorialStatus
    public var visibility: MaterialVisibility
    public var collaborationID: UUID?
    public var ownerID: UUID?

    public init(status: EditorialStatus, visibility: MaterialVisibility, collaborationID: UUID?, ownerID: UUID?) {
        self.status = status
        self.visibility = visibility
        self.collaborationID = collaborationID
        self.ownerID = ownerID
    }
}

/// Who may read, write and edit materials. A draft is its author's alone; editors (the organisers
/// of the material's collaboration; administrators for materials of no collaboration and for all)
/// see what is submitted and decide; once published, visibility decides. The search's SQL filter
/// (`KnowledgeSearch.visible`) states the same rule for lists and is tested against this one.
public enum KnowledgePolicy {
    public static func mayWrite(_ actor: Actor) -> Bool { actor.isSignedIn }

    public static func isOwner(_ reader: CollaborationReader, _ m: MaterialStanding) -> Bool {
        reader.actor.userID != nil && reader.actor.userID == m.ownerID
    }

    public static func isEditor(_ reader: CollaborationReader, _ m: MaterialStanding) -> Bool {
        if reader.actor.isAdministrator { return true }
        guard let collaborationID = m.collaborationID else { return false }
        return reader.editorOf.contains(collaborationID)
    }

    public static func mayView(_ reader: CollaborationReader, _ m: MaterialStanding) -> Bool {
        if isOwner(reader, m) { return true }
        if m.status != .draft && isEditor(reader, m) { return true }
        guard m.status == .published else { return false }
        switch m.visibility {
        case .public: return true
        case .members:
            guard let collaborationID = m.collaborationID else { return reader.actor.isSignedIn }
            return reader.memberOf.contains(collaborationID)
        case .private: return false
        }
    }

    /// The author changes a draft or one sent back; editors may correct anything they see.
    public static func mayEdit(_ reader: CollaborationReader, _ m: MaterialStanding) -> Bool {
        if isOwner(reader, m) && (m.status == .draft || m.status == .changesRequested) { return true }
        return m.status != .draft && isEditor(reader, m)
    }

    /// Feedback on a participant's work (case 2) stays within its collaboration: its members (the
    /// people of registered municipalities, researchers and others attached, its organisers) and the
    /// author read and give it on a material they see, once it is submitted or published.
    public static func mayGiveFeedback(_ reader: CollaborationReader, _ m: MaterialStanding) -> Bool {
        guard let collaborationID = m.collaborationID, m.status == .submitted || m.status == .published,
            mayView(reader, m)
        else { return false }
        return isOwner(reader, m) || isEditor(reader, m) || reader.memberOf.contains(collaborationID)
    }

    /// A comment is taken back by whoever wrote it, or by an editor of the material.
    public static func mayDeleteFeedback(
        _ reader: CollaborationReader, _ m: MaterialStanding, writtenBy authorID: UUID?
    ) -> Bool {
        (authorID != nil && reader.actor.userID == authorID) || isEditor(reader, m)
    }

    public static func mayTake(
        _ step: EditorialStatus.Step, _ reader: CollaborationReader, _ m: MaterialStanding
    ) -> Bool {
        switch step {
        case .submit, .withdraw: return isOwner(reader, m)
        case .requestChanges, .publish, .unpublish: return isEditor(reader, m)
        }
    }

    /// The author deletes what is not published; editors delete anything they see.
    public static func mayDelete(_ reader: CollaborationReader, _ m: MaterialStanding) -> Bool {
        (isOwner(reader, m) && m.status != .published) || (m.status != .draft && isEditor(reader, m))
    }

    /// A material may be given to a collaboration its author belongs to or edits.
    public static func mayShare(with collaborationID: UUID, _ reader: CollaborationReader) -> Bool {
        reader.actor.isAdministrator || reader.memberOf.contains(collaborationID)
            || reader.editorOf.contains(collaborationID)
    }
}
