import Foundation

/// Who a newsletter goes to: the people of one or more collaborations (a network, or tracks of a
/// programme) — those holding a seat for a registered municipality and those attached to it —
/// narrowed by position, municipality and region. Each address gets one copy; those who
/// unsubscribed from the sender's newsletters and those without an address are left out.
public struct NewsletterAudience: Codable, Sendable, Equatable {
    public var collaborations: [UUID]
    public var positions: [Position]
    public var municipalities: [MunicipalityKey]
    public var regions: [String]

    public init(
        collaborations: [UUID], positions: [Position] = [], municipalities: [MunicipalityKey] = [],
        regions: [String] = []
    ) {
        self.collaborations = collaborations
        self.positions = positions
        self.municipalities = municipalities
        self.regions = regions
    }

    /// Somebody who may receive a collaboration's newsletter.
    public struct Candidate: Sendable, Equatable {
        public var personID: UUID
        public var name: String
        public var email: String?
        /// The seat's position for seat holders; the person's own for attached people.
        public var position: Position?
        public var municipality: MunicipalityKey?
        public var regionCode: String?
        public var collaborationID: UUID

        public init(
            personID: UUID, name: String, email: String?, position: Position?, municipality: MunicipalityKey?,
            regionCode: String?,
            collaborationID: UUID
        ) {
            self.personID = personID
            self.name = name
            self.email = email
            self.position = position
            self.municipality = municipality
            self.regionCode = regionCode
            self.collaborationID = collaborationID
        }
    }

    public struct Recipient: Sendable, Equatable {
        public var personID: UUID
        public var name: String
        public var email: String
    }

    public func matches(_ c: Candidate) -> Bool {
        guard collaborations.contains(c.collaborationID) else { return false }
        if !positions.isEmpty, !(c.position.map(positions.contains) ?? false) { return false }
        if !municipalities.isEmpty, !(c.municipality.map(municipalities.contains) ?? false) { return false }
        if !regions.isEmpty, !(c.regionCode.map(regions.contains) ?? false) { return false }
        return true
    }

    /// The recipients, one per address (lower-cased), in name order. `unsubscribed`: lower-cased
    /// addresses that asked for no more newsletters from this sender.
    public func recipients(_ candidates: [Candidate], unsubscribed: Set<String>) -> [Recipient] {
        var seen = Set<String>()
        var out: [Recipient] = []
        for c in candidates where matches(c) {
            guard let email = c.email?.trimmingCharacters(in: .whitespaces).lowercased(), !email.isEmpty,
                !unsubscribed.contains(email), seen.insert(email).inserted
            else { continue }
            out.append(Recipient(personID: c.personID, name: c.name, email: email))
        }
        return out.sorted { ($0.name, $0.email) < ($1.name, $1.email) }
    }

    /// Reads the form's choices: `collaborations` (ids the sender may use), positions, municipalities
    /// (by name or key, as `MunicipalityDirectory.resolveList` reads them) and region codes.
    public static func validate(
        collaborations: [String], allowed: Set<UUID>, positions: [String], municipalities: String,
        directory: MunicipalityDirectory, regions: [String], knownRegions: Set<String>,
        into v: inout Validation
    ) -> NewsletterAudience {
        var ids: [UUID] = []
        for text in collaborations where !text.isEmpty {
            if let id = UUID(uuidString: text), allowed.contains(id) {
                ids.append(id)
            } else {
                v.add("collaborations", "validation.choice")
            }
        }
        if ids.isEmpty { v.add("collaborations", "newsletters.error.no_collaboration") }
        var chosen: [Position] = []
        for text in positions where !text.isEmpty {
            if let p = Position(rawValue: text) { chosen.append(p) } else { v.add("positions", "validation.choice") }
        }
        let keys = directory.resolveList(municipalities, field: "municipalities", &v).map(\.key)
        var regionCodes: [String] = []
        for text in regions where !text.isEmpty {
            if knownRegions.contains(text) { regionCodes.append(text) } else { v.add("regions", "validation.choice") }
        }
        return NewsletterAudience(collaborations: ids, positions: chosen, municipalities: keys, regions: regionCodes)
    }
}

/// Where a newsletter stands: written, waiting for its time, being put into the outbox, sent.
public enum NewsletterStatus: String, CaseIterable, Codable, Sendable {
    case draft, scheduled, sending, sent
}

/// Who reads the archive of sent newsletters: everybody (and its feed), or the members.
public enum NewsletterArchive: String, CaseIterable, Codable, Sendable {
    case `public`, members
}

/// Who writes and reads newsletters: the sender's organisers write and send them; the archive of
/// sent ones is for everybody or for the members of the sending collaboration.
public enum NewsletterPolicy {
    public static func mayWrite(_ actor: Actor, organiserID: UUID) -> Bool {
        CollaborationPolicy.mayManage(actor, organiserID: organiserID)
    }

    public static func mayView(
        _ reader: CollaborationReader, organiserID: UUID, collaborationID: UUID, status: NewsletterStatus,
        archive: NewsletterArchive
    ) -> Bool {
        if mayWrite(reader.actor, organiserID: organiserID) { return true }
        guard status == .sent else { return false }
        switch archive {
        case .public: return true
        case .members: return reader.memberOf.contains(collaborationID) || reader.editorOf.contains(collaborationID)
        }
    }
}
