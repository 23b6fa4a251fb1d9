import Foundation
import SamradCore
import XCTest

/// The four policies the authorization matrix covered only through routes, role by role here:
/// the administrator, the organiser of the owning organisation and of another, the municipality's
/// coordinator and member, another municipality's coordinator, a visitor.
final class PolicyTests: XCTestCase {
    let kl = UUID(), skr = UUID(), collaboration = UUID()
    let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461")

    func actor(_ grants: RoleGrant...) -> Actor { Actor(userID: UUID(), personID: UUID(), grants: Set(grants)) }
    var administrator: Actor { actor(RoleGrant(kind: .administrator)) }
    var organiser: Actor { actor(RoleGrant(kind: .organiser, organisationID: kl)) }
    var otherOrganiser: Actor { actor(RoleGrant(kind: .organiser, organisationID: skr)) }
    var coordinator: Actor { actor(RoleGrant(kind: .coordinator, municipality: aarhus)) }
    var member: Actor { actor(RoleGrant(kind: .member, municipality: aarhus)) }
    var otherCoordinator: Actor { actor(RoleGrant(kind: .coordinator, municipality: odense)) }

    func reader(_ actor: Actor, member: Bool = false) -> CollaborationReader {
        CollaborationReader(actor: actor, memberOf: member ? [collaboration] : [], editorOf: [])
    }

    func testOnlyTheMunicipalitysCoordinatorsAndAdministratorsTakeItsExport() {
        XCTAssertTrue(ExportPolicy.mayExport(administrator, aarhus))
        XCTAssertTrue(ExportPolicy.mayExport(coordinator, aarhus))
        XCTAssertFalse(ExportPolicy.mayExport(member, aarhus), "a member is not its administration")
        XCTAssertFalse(ExportPolicy.mayExport(otherCoordinator, aarhus))
        XCTAssertFalse(ExportPolicy.mayExport(organiser, aarhus))
        XCTAssertFalse(ExportPolicy.mayExport(.visitor, aarhus))
    }

    func testClustersArePlannedByTheOrganiserAndSeenByTheirMembers() {
        XCTAssertTrue(ClusterPolicy.mayPlan(organiser, organiserID: kl))
        XCTAssertTrue(ClusterPolicy.mayPlan(administrator, organiserID: kl))
        XCTAssertFalse(ClusterPolicy.mayPlan(otherOrganiser, organiserID: kl))
        XCTAssertFalse(ClusterPolicy.mayPlan(coordinator, organiserID: kl))
        func view(_ a: Actor, _ members: [MunicipalityKey]) -> Bool {
            ClusterPolicy.mayView(a, organiserID: kl, collaborationID: collaboration, members: members)
        }
        XCTAssertTrue(view(organiser, [odense]))
        XCTAssertTrue(view(member, [aarhus, odense]), "a member sees its municipality's cluster")
        XCTAssertFalse(view(member, [odense]), "and not another cluster")
        XCTAssertFalse(view(otherCoordinator, [aarhus]))
        XCTAssertFalse(view(.visitor, [aarhus]))
        let linked = Actor(
            userID: nil, personID: nil, grants: [],
            passes: [RegistrationPass(collaborationID: collaboration, municipality: aarhus, personID: nil)])
        XCTAssertTrue(view(linked, [aarhus]), "an invitation link of a member municipality")
        XCTAssertFalse(view(linked, [odense]))
    }

    func testNewslettersAreWrittenByTheOrganiserAndReadAsTheirArchiveSays() {
        XCTAssertTrue(NewsletterPolicy.mayWrite(organiser, organiserID: kl))
        XCTAssertFalse(NewsletterPolicy.mayWrite(otherOrganiser, organiserID: kl))
        XCTAssertFalse(NewsletterPolicy.mayWrite(coordinator, organiserID: kl))
        func view(_ r: CollaborationReader, _ status: NewsletterStatus, _ archive: NewsletterArchive) -> Bool {
            NewsletterPolicy.mayView(
                r, organiserID: kl, collaborationID: collaboration, status: status, archive: archive)
        }
        XCTAssertTrue(view(reader(organiser), .draft, .members), "the writer sees drafts")
        XCTAssertFalse(view(reader(member, member: true), .draft, .public), "nobody else does")
        XCTAssertFalse(view(reader(.visitor), .scheduled, .public))
        XCTAssertTrue(view(reader(.visitor), .sent, .public))
        XCTAssertFalse(view(reader(.visitor), .sent, .members))
        XCTAssertFalse(view(reader(otherCoordinator), .sent, .members))
        XCTAssertTrue(view(reader(member, member: true), .sent, .members))
    }

    func testGuidesAreWrittenByTheirOwnersAndSessionsStayWithTheMunicipalityUntilShared() {
        let guide = GuideStanding(
            organisationID: kl, municipality: nil, collaborationID: collaboration, audience: .collaboration,
            published: true)
        let own = GuideStanding(
            organisationID: nil, municipality: aarhus, collaborationID: nil, audience: .public, published: false)
        XCTAssertTrue(GuidePolicy.mayWrite(organiser, guide))
        XCTAssertFalse(GuidePolicy.mayWrite(otherOrganiser, guide))
        XCTAssertTrue(GuidePolicy.mayWrite(coordinator, own))
        XCTAssertFalse(GuidePolicy.mayWrite(otherCoordinator, own))
        XCTAssertFalse(GuidePolicy.mayWrite(member, own), "a member reads, the coordinator writes")
        XCTAssertTrue(GuidePolicy.mayCreate(coordinator))
        XCTAssertFalse(GuidePolicy.mayCreate(member))

        XCTAssertTrue(GuidePolicy.mayView(reader(member, member: true), guide))
        XCTAssertFalse(GuidePolicy.mayView(reader(.visitor), guide), "for the collaboration only")
        XCTAssertFalse(GuidePolicy.mayView(reader(.visitor), own), "a draft")
        XCTAssertTrue(GuidePolicy.mayView(reader(coordinator), own))

        XCTAssertTrue(GuidePolicy.mayKeepSession(coordinator, aarhus))
        XCTAssertFalse(GuidePolicy.mayKeepSession(member, aarhus))
        XCTAssertFalse(GuidePolicy.mayKeepSession(organiser, aarhus))
        func session(_ r: CollaborationReader, shared: Bool) -> Bool {
            GuidePolicy.mayViewSession(r, aarhus, shared: shared, guide: guide)
        }
        XCTAssertTrue(session(reader(member), shared: false), "the municipality's own people read it")
        XCTAssertFalse(session(reader(organiser), shared: false), "the organiser only once shared")
        XCTAssertTrue(session(reader(organiser), shared: true))
        XCTAssertFalse(session(reader(otherCoordinator), shared: true), "not a member of the collaboration")
        XCTAssertTrue(session(reader(otherCoordinator, member: true), shared: true))
        XCTAssertFalse(GuidePolicy.mayPutOnAgenda(reader(member, member: true), guide))
        XCTAssertTrue(
            GuidePolicy.mayPutOnAgenda(
                CollaborationReader(actor: organiser, memberOf: [], editorOf: [collaboration]), guide))
    }
}
