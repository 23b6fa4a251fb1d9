import Fluent
import Foundation
import SamradCore
import Vapor

/// What a collaboration did in a period, read from the features that keep it: who took part, the
/// meetings held with who came, what was decided and committed to, the questionnaires and goals,
/// the materials published; with the same figures per cluster. The page and the programme's report
/// are written from it.
struct CollaborationReport {
    struct HeldMeeting {
        var meeting: Meeting
        var attendance: AttendanceTally
        var commitments: [Commitment]
    }

    var collaboration: Collaboration
    var period: ReportPeriod
    var participants: [MunicipalityKey]
    var clusters: [Cluster]
    var clusterOf: [MunicipalityKey: UUID]
    var meetings: [HeldMeeting]
    var questionnaires: [Questionnaire]
    var goals: [CollaborationGoalStanding.Entry]
    var materials: [KnowledgeMaterial]
    /// The years in which any of its meetings was held, whatever the period.
    var meetingYears: [Int]
    /// The ISO day of the report in the collaboration's zone; commitments due before it are overdue.
    var today: String

    static func make(_ c: Collaboration, period: ReportPeriod, request: Request) async throws -> CollaborationReport {
        let db = request.db
        let id = try c.requireID()
        let zone = TimeZone(identifier: c.timeZone) ?? TimeZone(identifier: "Europe/Copenhagen")!
        let now = Date()
        let participants = try await Registration.registeredMunicipalities(id, on: db)
            .sorted { request.municipalities.order(of: $0) < request.municipalities.order(of: $1) }
        let clusters = try await Cluster.query(on: db).filter(\.$collaborationID == id).sort(\.$position).all()
        var clusterOf: [MunicipalityKey: UUID] = [:]
        for member in try await ClusterMember.query(on: db).filter(\.$collaborationID == id).all() {
            guard let country = Country(rawValue: member.municipalityCountry) else { continue }
            clusterOf[MunicipalityKey(country, member.municipalityCode)] = member.clusterID
        }
        // Held: announced or marked held, and begun by now; planned and cancelled meetings were not held.
        let everyMeeting = try await Meeting.query(on: db).filter(\.$collaborationID == id)
            .filter(\.$status ~~ [MeetingStatus.published.rawValue, MeetingStatus.held.rawValue])
            .filter(\.$startsAt <= now).sort(\.$startsAt).all()
        let meetings = everyMeeting.filter { period.contains($0.startsAt, zone: zone) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let meetingIDs = try meetings.map { try $0.requireID() }
        let attendances =
            meetingIDs.isEmpty
            ? [] : try await Attendance.query(on: db).filter(\.$meetingID ~~ meetingIDs).all()
        let commitments =
            meetingIDs.isEmpty
            ? [] : try await Commitment.query(on: db).filter(\.$meetingID ~~ meetingIDs).sort(\.$createdAt).all()
        let held = meetings.map { m in
            let own = attendances.filter { $0.meetingID == m.id && $0.status == AttendanceStatus.registered.rawValue }
            return HeldMeeting(
                meeting: m,
                attendance: AttendanceTally(
                    registered: own.count, checkedIn: own.filter { $0.checkedInAt != nil }.count),
                commitments: commitments.filter { $0.meetingID == m.id })
        }
        // Sent questionnaires that closed in the period (or are still open when it is the whole).
        let questionnaires = try await Questionnaire.query(on: db).filter(\.$collaborationID == id)
            .filter(\.$sentAt != nil).sort(\.$closesAt).all()
            .filter { period.contains($0.closedAt ?? $0.closesAt, zone: zone) }
        let goals = try await CollaborationGoalStanding.entries(
            collaborationID: id, municipalities: participants, request: request)
        let materials = try await KnowledgeMaterial.query(on: db).filter(\.$collaborationID == id)
            .filter(\.$status == EditorialStatus.published.rawValue).sort(\.$publishedAt).all()
            .filter { $0.publishedAt.map { period.contains($0, zone: zone) } ?? false }
        return CollaborationReport(
            collaboration: c, period: period, participants: participants, clusters: clusters, clusterOf: clusterOf,
            meetings: held, questionnaires: questionnaires, goals: goals, materials: materials,
            meetingYears: everyMeeting.map { calendar.component(.year, from: $0.startsAt) },
            today: String(DateText.local(now, zone: zone.identifier).prefix(10)))
    }

    /// The years the report can be asked for.
    var years: [Int] {
        ReportPeriod.years(
            periodStart: collaboration.periodStart, periodEnd: collaboration.periodEnd, meetingYears: meetingYears)
    }

    var attendance: AttendanceTally { meetings.map(\.attendance).reduce(AttendanceTally(), +) }

    func commitments(_ held: [HeldMeeting]) -> CommitmentTally {
        var tally = CommitmentTally()
        for c in held.flatMap(\.commitments) {
            tally.add(done: c.status == Commitment.Status.done.rawValue, dueDate: c.dueDate, today: today)
        }
        return tally
    }

    /// The meetings of a cluster (nil: those of the whole collaboration, held for all).
    func meetings(of cluster: UUID?) -> [HeldMeeting] { meetings.filter { $0.meeting.clusterID == cluster } }

    func members(of cluster: UUID) -> [MunicipalityKey] { participants.filter { clusterOf[$0] == cluster } }

    /// Goals achieved or on track, of all goals set, among some municipalities.
    func goalsOnCourse(_ among: Set<MunicipalityKey>) -> (onCourse: Int, total: Int) {
        let theirs = goals.filter { among.contains($0.municipality) }
        return (theirs.filter { $0.status == .achieved || $0.status == .onTrack }.count, theirs.count)
    }
}
