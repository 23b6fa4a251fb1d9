import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// A meeting with what deciding about it needs: its collaboration, its cluster and the actor's
/// relation to it. Every meeting route starts here, so `MeetingPolicy` is asked in one way.
struct MeetingAccess {
    var meeting: Meeting
    var collaboration: Collaboration
    var cluster: Cluster?
    var scope: MeetingScope
    /// The own registration of the person the actor acts as (signed in, or by the meeting's link).
    var attendance: Attendance?
    var actor: Actor

    var attending: Bool { attendance?.statusValue.isActive ?? false }
    var mayRun: Bool { MeetingPolicy.mayRun(actor, scope) }
    var mayShapeAgenda: Bool { MeetingPolicy.mayShapeAgenda(actor, scope) }
    var mayViewContent: Bool { MeetingPolicy.mayViewContent(actor, scope, attending: attending) }
    /// Whether the join link and dial-in are shown to this actor.
    var mayJoinOnline: Bool {
        MeetingPolicy.mayJoinOnline(actor, scope, registered: attendance?.statusValue == .registered)
    }
    var actingPerson: UUID? { MeetingPolicy.actingPerson(actor, scope) }

    /// The meeting of the path, if the actor may see it (others get 404, as for drafts).
    static func load(_ request: Request) async throws -> MeetingAccess {
        guard let id = request.parameterID("meeting"),
            let meeting = try await Meeting.plain(id, on: request.db)
        else {
            throw SamradError.notFound("error.meeting_not_found")
        }
        let access = try await of(meeting, request: request)
        guard MeetingPolicy.mayView(request.actor, access.scope, attending: access.attending) else {
            throw SamradError.notFound("error.meeting_not_found")
        }
        return access
    }

    /// The same, for those who run the meeting only.
    static func run(_ request: Request) async throws -> MeetingAccess {
        let access = try await load(request)
        try request.require(access.mayRun)
        return access
    }

    /// The same, for those who shape the agenda: who run it and the host's coordinators.
    static func agenda(_ request: Request) async throws -> MeetingAccess {
        let access = try await load(request)
        try request.require(access.mayShapeAgenda)
        return access
    }

    static func of(_ meeting: Meeting, request: Request) async throws -> MeetingAccess {
        guard let collaboration = try await Collaboration.plain(meeting.collaborationID, on: request.db) else {
            throw SamradError.notFound("error.meeting_not_found")
        }
        var cluster: Cluster?
        var members: [MunicipalityKey]?
        if let clusterID = meeting.clusterID {
            cluster = try await Cluster.plain(clusterID, on: request.db)
            members = MunicipalityRow.keys(
                try await request.db.sql.raw(
                    """
                    SELECT municipality_country, municipality_code FROM cluster_members
                    WHERE cluster_id = \(bind: clusterID)
                    """
                ).all(decoding: MunicipalityRow.self))
        }
        var scope = try await Self.scope(
            meeting.statusValue, collaboration, cluster: cluster, members: members, on: request.db)
        scope.meetingID = meeting.id
        scope.host = meeting.host
        var attendance: Attendance?
        if let person = MeetingPolicy.actingPerson(request.actor, scope) {
            let id = try meeting.requireID()
            attendance = try await Attendance.plain(
                "SELECT * FROM attendances WHERE meeting_id = \(bind: id) AND person_id = \(bind: person)",
                on: request.db
            ).first
        }
        return MeetingAccess(
            meeting: meeting, collaboration: collaboration, cluster: cluster, scope: scope, attendance: attendance,
            actor: request.actor)
    }

    static func scope(
        _ status: MeetingStatus, _ c: Collaboration, cluster: Cluster?, members: [MunicipalityKey]?, on db: any Database
    ) async throws -> MeetingScope {
        let id = try c.requireID()
        // Two columns each instead of whole models: every meeting request asks this.
        let sql = db.sql
        struct Role: Decodable { var person_id: UUID }
        let registered = try await Registration.registeredMunicipalities(id, on: db)
        let attached = try await sql.raw(
            "SELECT person_id FROM collaboration_roles WHERE collaboration_id = \(bind: id)"
        ).all(decoding: Role.self).map(\.person_id)
        return MeetingScope(
            collaborationID: id, organiserID: c.organiserID, collaborationPublished: c.statusValue.isPublished,
            status: status,
            clusterMembers: members, facilitatorID: cluster?.facilitatorID, registered: Set(registered),
            attached: Set(attached))
    }
}

extension MeetingAccess {
    /// The meetings of one collaboration the actor may see, each with its scope: what a list needs,
    /// read in a fixed number of queries.
    static func visible(
        _ c: Collaboration, _ meetings: [Meeting], request: Request
    ) async throws -> [(meeting: Meeting, scope: MeetingScope)] {
        let base = try await scope(.planned, c, cluster: nil, members: nil, on: request.db)
        let clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == c.requireID()).all()
        let members = Dictionary(
            grouping: try await ClusterMember.query(on: request.db).filter(\.$collaborationID == c.requireID()).all(),
            by: \.clusterID)
        var attending: Set<UUID> = []
        if let person = request.actor.personID, request.actor.isSignedIn, !meetings.isEmpty {
            attending = Set(
                try await Attendance.query(on: request.db).filter(\.$personID == person).filter(
                    \.$meetingID ~~ meetings.compactMap(\.id)
                )
                .filter(\.$status != AttendanceStatus.cancelled.rawValue).all().map(\.meetingID))
        }
        return meetings.compactMap { m in
            var s = base
            s.status = m.statusValue
            s.meetingID = m.id
            s.host = m.host
            if let clusterID = m.clusterID {
                s.clusterMembers = (members[clusterID] ?? []).map(\.municipality)
                s.facilitatorID = clusters.first { $0.id == clusterID }?.facilitatorID
            }
            return MeetingPolicy.mayView(request.actor, s, attending: attending.contains(m.id!)) ? (m, s) : nil
        }
    }
}

/// A person's meetings: those they registered for, and the published ones they are invited to (by
/// a seat of a registered municipality, by their municipality's cluster, as a facilitator or an
/// attached person, or by their position for open conferences).
enum MyMeetings {
    struct Entry {
        var meeting: Meeting
        var attendance: Attendance?
    }

    /// `municipalities`: those the person's account is a member or coordinator of (never the
    /// person record's own field, which they may edit).
    static func of(
        _ person: Person, municipalities: Set<MunicipalityKey>, since: Date,
        on db: any Database
    ) async throws -> [Entry] {
        let personID = try person.requireID()
        let attendances = try await Attendance.query(on: db).filter(\.$personID == personID).all()
        // Seats of registered municipalities and attached roles: the collaborations' own meetings.
        let seats = try await RegistrationSeat.query(on: db).filter(\.$personID == personID).all()
        var collaborations = Set(
            try await Registration.query(on: db).filter(\.$id ~~ seats.map(\.registrationID))
                .filter(\.$status == RegistrationStatus.registered.rawValue).all().map(\.collaborationID))
        collaborations.formUnion(
            try await CollaborationRole.query(on: db).filter(\.$personID == personID).all().map(\.collaborationID))
        // Clusters: the account's municipalities', and those the person facilitates.
        var clusters = Set(try await Cluster.query(on: db).filter(\.$facilitatorID == personID).all().compactMap(\.id))
        if !municipalities.isEmpty {
            clusters.formUnion(
                try await ClusterMember.query(on: db).filter(municipalities: municipalities).all().map(\.clusterID))
        }
        // One query for the meetings (each decoded once): those once registered for (the feed then
        // carries their cancellation too), the collaborations' and clusters' published ones, and
        // open conferences, kept below when they are for the person's position.
        let attended = attendances.map(\.meetingID)
        let shown = [MeetingStatus.published, .held, .cancelled].map(\.rawValue)
        let meetings = try await Meeting.query(on: db).filter(\.$endsAt >= since).filter(\.$status ~~ shown)
            .group(.or) { or in
                if !attended.isEmpty { or.filter(\.$id ~~ attended) }
                if !collaborations.isEmpty {
                    or.group(.and) { $0.filter(\.$collaborationID ~~ collaborations).filter(\.$clusterID == nil) }
                }
                if !clusters.isEmpty { or.filter(\.$clusterID ~~ clusters) }
                or.filter(\.$audience == MeetingAudience.open.rawValue)
            }
            .sort(\.$startsAt).all()
        let attendedSet = Set(attended)
        let byMeeting = Dictionary(attendances.map { ($0.meetingID, $0) }, uniquingKeysWith: { a, _ in a })
        return meetings.filter { m in
            m.audienceValue != .open || attendedSet.contains(m.id!) || m.audiencePositions.contains(person.position)
                || collaborations.contains(m.collaborationID) && m.clusterID == nil
        }.map { Entry(meeting: $0, attendance: byMeeting[$0.id!]) }
    }
}
