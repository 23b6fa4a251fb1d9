import Foundation

/// A signed-in person asks for access: "I work for Lund municipality as a teacher", or for an
/// organisation. The municipality's coordinators (the organisation's organisers), or an
/// administrator, approve it, which makes the person a member of the municipality (an organiser of
/// the organisation): the only way besides a grant that a person becomes "of" either.
public enum AccessRequestStatus: String, Codable, Sendable, CaseIterable {
    case pending, approved, refused
}

/// What a person asks to belong to.
public enum AccessTarget: Hashable, Sendable {
    case municipality(MunicipalityKey)
    case organisation(UUID)

    /// The role an approval grants.
    public var grant: RoleGrant {
        switch self {
        case .municipality(let key): RoleGrant(kind: .member, municipality: key)
        case .organisation(let id): RoleGrant(kind: .organiser, organisationID: id)
        }
    }
}

public enum AccessRequestPolicy {
    /// Anyone signed in may ask, but not for what they already belong to.
    public static func mayAsk(_ actor: Actor, for target: AccessTarget) -> Bool {
        guard actor.isSignedIn else { return false }
        switch target {
        case .municipality(let key): return !actor.belongs(to: key)
        case .organisation(let id): return !actor.organises(id)
        }
    }

    /// Those who may grant the role there decide; never the person who asked.
    public static func mayDecide(_ actor: Actor, on target: AccessTarget, askedBy requester: UUID) -> Bool {
        guard actor.userID != requester else { return false }
        switch target {
        case .municipality(let key): return MunicipalityRolePolicy.mayGrant(actor, .member, in: key)
        case .organisation(let id): return actor.isAdministrator || actor.organises(id)
        }
    }

    /// Whether the person's identity provider settles the request by itself: the installation
    /// trusts that provider's word on municipalities, and its claim names the one asked for.
    public static func isApprovedByProvider(
        _ provider: OpenIDProvider?, claimed: MunicipalityKey?, asked: AccessTarget
    ) -> Bool {
        guard let provider, provider.approvesMunicipality, let claimed else { return false }
        return asked == .municipality(claimed)
    }

    /// The longest description of one's work a request takes.
    public static let workMaxLength = 200
}
