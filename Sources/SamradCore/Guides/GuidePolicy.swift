import Foundation

/// A discussion guide as the policy needs to see it. A guide is written by an organisation (for its
/// collaborations or for all) or by a municipality (for its own committees).
public struct GuideStanding: Sendable {
    public var organisationID: UUID?
    public var municipality: MunicipalityKey?
    public var collaborationID: UUID?
    public var audience: GuideAudience
    public var published: Bool

    public init(
        organisationID: UUID?, municipality: MunicipalityKey?, collaborationID: UUID?, audience: GuideAudience,
        published: Bool
    ) {
        self.organisationID = organisationID
        self.municipality = municipality
        self.collaborationID = collaborationID
        self.audience = audience
        self.published = published
    }
}

/// Who may write, read and use discussion guides, and who sees what municipalities agreed in their
/// local dialogues. A session is its municipality's own: its coordinators keep it and its people
/// read it; once the municipality shares the result, the guide's collaboration sees it.
public enum GuidePolicy {
    public static func mayWrite(_ actor: Actor, _ g: GuideStanding) -> Bool {
        actor.isAdministrator || actor.organises(g.organisationID) || actor.coordinates(g.municipality)
    }

    /// Organisers write guides for their organisation, coordinators for their municipality.
    public static func mayCreate(_ actor: Actor) -> Bool {
        actor.isAdministrator || actor.isOrganiser || actor.grants.contains { $0.kind == .coordinator }
    }

    public static func mayView(_ reader: CollaborationReader, _ g: GuideStanding) -> Bool {
        if mayWrite(reader.actor, g) { return true }
        guard g.published else { return false }
        switch g.audience {
        case .public: return true
        case .collaboration:
            guard let id = g.collaborationID else { return false }
            return reader.memberOf.contains(id) || reader.editorOf.contains(id)
        }
    }

    /// A municipality copies a published guide it may read, to adapt it to its own context (case 4:
    /// "put it into your local context"); the copy is the municipality's own draft.
    public static func mayAdapt(_ reader: CollaborationReader, _ g: GuideStanding, for municipality: MunicipalityKey)
        -> Bool
    {
        mayAdapt(reader, g) && (reader.actor.isAdministrator || reader.actor.coordinates(municipality))
    }

    /// Whether the reader could adapt the guide for some municipality: a published guide they read,
    /// and a municipality they coordinate.
    public static func mayAdapt(_ reader: CollaborationReader, _ g: GuideStanding) -> Bool {
        g.published && mayView(reader, g)
            && (reader.actor.isAdministrator || reader.actor.grants.contains { $0.kind == .coordinator })
    }

    /// Run (record) a session with the guide for a municipality.
    public static func mayKeepSession(_ actor: Actor, _ municipality: MunicipalityKey) -> Bool {
        actor.isAdministrator || actor.coordinates(municipality)
    }

    /// The municipality's own people read its sessions before they are shared.
    public static func mayViewSession(
        _ reader: CollaborationReader, _ municipality: MunicipalityKey,
        shared: Bool, guide: GuideStanding
    ) -> Bool {
        if mayKeepSession(reader.actor, municipality) { return true }
        if reader.actor.belongs(to: municipality) { return true }
        return shared && mayViewResults(reader, guide)
    }

    /// The shared results side by side: the collaboration's organisers and its members.
    public static func mayViewResults(_ reader: CollaborationReader, _ g: GuideStanding) -> Bool {
        if reader.actor.isAdministrator || reader.actor.organises(g.organisationID) { return true }
        guard let id = g.collaborationID else { return false }
        return reader.memberOf.contains(id) || reader.editorOf.contains(id)
    }

    /// Putting the results on one of the collaboration's meetings is for those who plan them.
    public static func mayPutOnAgenda(_ reader: CollaborationReader, _ g: GuideStanding) -> Bool {
        guard let id = g.collaborationID else { return false }
        return reader.actor.isAdministrator || reader.editorOf.contains(id)
    }
}
