import Foundation

/// A signed-in person asks a municipality for access ("I work for Lund municipality as a teacher").
/// The municipality's coordinators, or an administrator, approve it, which makes the person a
/// member there: the only way besides a grant that a person becomes "of" a municipality.
public enum AccessRequestStatus: String, Codable, Sendable, CaseIterable {
    case pending, approved, refused
}

public enum AccessRequestPolicy {
    /// Anyone signed in may ask, but not for a municipality they already act for.
    public static func mayAsk(_ actor: Actor, for municipality: MunicipalityKey) -> Bool {
        actor.isSignedIn && !actor.belongs(to: municipality)
    }

    /// Those who may grant membership there decide; never the person who asked.
    public static func mayDecide(_ actor: Actor, in municipality: MunicipalityKey, askedBy requester: UUID) -> Bool {
        actor.userID != requester && MunicipalityRolePolicy.mayGrant(actor, .member, in: municipality)
    }

    /// Whether the person's identity provider settles the request by itself: the installation
    /// trusts that provider's word on municipalities, and its claim names the one asked for.
    public static func isApprovedByProvider(
        _ provider: OpenIDProvider?, claimed: MunicipalityKey?, asked: MunicipalityKey
    ) -> Bool {
        guard let provider, provider.approvesMunicipality, let claimed else { return false }
        return claimed == asked
    }

    /// The longest description of one's work a request takes.
    public static let workMaxLength = 200
}
