import Foundation
import XCTest
@testable import SamradCore

final class MeetingSeriesTests: XCTestCase {
    // Fourteen Swedish municipalities spread over Götaland and Svealand (rough points).
    let hosts: [(latitude: Double, longitude: Double)] = [
        (59.33, 18.07), (57.71, 11.97), (55.60, 13.00), (58.41, 15.62), (59.86, 17.64), (56.88, 14.81), (58.59, 16.18),
        (57.78, 14.16), (59.61, 16.55), (60.67, 17.14), (56.16, 15.59), (59.27, 15.21), (57.49, 12.07), (56.05, 12.69),
    ]

    func local(_ date: Date, _ zone: String = "Europe/Stockholm") -> String { DateText.local(date, zone: zone) }

    func testSpringRotatesAutumnIsFixedAndTheClockStaysLocalAcrossSummerTime() throws {
        let request = MeetingSeriesRequest(
            firstStart: "2027-04-20T10:00", durationMinutes: 360, count: 4, step: .months(6),
            zone: "Europe/Stockholm", pattern: .rotationThenFixed)
        let plan = try MeetingSeries.plan(request, hosts: hosts)
        XCTAssertEqual(
            plan.map { local($0.times.start) },
            ["2027-04-20T10:00", "2027-10-20T10:00", "2028-04-20T10:00", "2028-10-20T10:00"])
        XCTAssertEqual(
            plan.map { local($0.times.end) },
            ["2027-04-20T16:00", "2027-10-20T16:00", "2028-04-20T16:00", "2028-10-20T16:00"])
        XCTAssertEqual(plan.map(\.venue), [.rotation, .fixed, .rotation, .fixed])
        XCTAssertNotNil(plan[0].host)
        XCTAssertNil(plan[1].host)
        XCTAssertNotEqual(plan[0].host, plan[2].host, "nobody hosts twice before everyone has hosted")
        // April is summer time (+02:00) and October 20 too, but the UTC hours differ from winter.
        XCTAssertEqual(ISO8601DateFormatter().string(from: plan[0].times.start), "2027-04-20T08:00:00Z")
    }

    func testWeekendsMoveToMondayAndMonthEndsShorten() throws {
        // 31 January 2027 is a Sunday; 28 February 2027 (the 31st's month step) is a Sunday as well.
        let request = MeetingSeriesRequest(
            firstStart: "2027-01-31T13:00", durationMinutes: 180, count: 3, step: .months(1),
            zone: "Europe/Copenhagen", pattern: .fixed)
        let plan = try MeetingSeries.plan(request, hosts: [])
        XCTAssertEqual(
            plan.map { local($0.times.start, "Europe/Copenhagen") },
            ["2027-02-01T13:00", "2027-03-01T13:00", "2027-03-31T13:00"])
        var kept = request
        kept.avoidWeekends = false
        XCTAssertEqual(
            try MeetingSeries.plan(kept, hosts: []).map { local($0.times.start, "Europe/Copenhagen") },
            ["2027-01-31T13:00", "2027-02-28T13:00", "2027-03-31T13:00"])
    }

    func testSixClusterMeetingsHostedByEachMemberInTurn() throws {
        let request = MeetingSeriesRequest(
            firstStart: "2027-02-02T09:00", durationMinutes: 180, count: 6, step: .months(2),
            zone: "Europe/Copenhagen", pattern: .rotation)
        let plan = try MeetingSeries.plan(request, hosts: Array(hosts.prefix(6)))
        XCTAssertEqual(Set(plan.compactMap(\.host)), Set(0..<6), "six members host one meeting each")
    }

    func testTheRotationContinuesFromEarlierHosting() throws {
        let request = MeetingSeriesRequest(
            firstStart: "2029-04-17T10:00", durationMinutes: 360, count: 4, step: .months(6),
            zone: "Europe/Stockholm", pattern: .rotationThenFixed)
        var hosted = [Int](repeating: 1, count: 14)
        hosted[5] = 0
        hosted[9] = 0
        let plan = try MeetingSeries.plan(request, hosts: hosts, hosted: hosted)
        XCTAssertEqual(Set(plan.compactMap(\.host)), [5, 9], "those who have not hosted yet come first")
        // Over many years hosting stays even: nobody hosts a second time before all have hosted once.
        var counts = [Int](repeating: 0, count: 14)
        for year in 0..<7 {
            let series = MeetingSeriesRequest(
                firstStart: "\(2030 + year)-04-16T10:00", durationMinutes: 360, count: 4, step: .months(6),
                zone: "Europe/Stockholm", pattern: .rotation)
            for meeting in try MeetingSeries.plan(series, hosts: hosts, hosted: counts) { counts[meeting.host!] += 1 }
            XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1, "after year \(year + 1): \(counts)")
        }
        XCTAssertEqual(counts, [Int](repeating: 2, count: 14))
    }

    func testBadInputNamesEveryField() {
        let request = MeetingSeriesRequest(
            firstStart: "27 May", durationMinutes: 5, count: 41, step: .months(30), zone: "Mars/Olympus",
            pattern: .rotation)
        XCTAssertThrowsError(try MeetingSeries.plan(request, hosts: [])) { error in
            let fields = Set((error as! SamradError).fieldErrors.map(\.field))
            XCTAssertEqual(fields, ["timeZone", "firstStart", "count", "durationMinutes", "every", "pattern"])
        }
    }
}

final class MeetingRulesTests: XCTestCase {
    let zone = "Europe/Copenhagen"
    func at(_ text: String) -> Date { DateText.parseLocal(text, zone: zone)! }
    func times(_ start: String, _ end: String) -> MeetingTimes {
        MeetingTimes(start: at(start), end: at(end), zone: zone)
    }

    func messages(
        _ t: MeetingTimes, deadline: Date? = nil, period: (String?, String?) = (nil, nil),
        others: [(String, MeetingTimes)] = []
    ) -> [String] {
        var v = Validation()
        MeetingRules.checkTimes(
            t, deadline: deadline, period: period, others: others.map { (title: $0.0, times: $0.1) }, into: &v)
        return v.errors.map { "\($0.field) \($0.messageKey) \($0.arguments.joined(separator: ","))" }
    }

    func testEndBeforeStartOutsideThePeriodAndOverlapAreNamed() {
        XCTAssertEqual(
            messages(times("2014-05-27T13:00", "2014-05-27T16:00"), period: ("2014-05-01", "2015-12-31")), [])
        XCTAssertEqual(
            messages(times("2014-05-27T16:00", "2014-05-27T13:00")), ["endsAt meetings.error.end_before_start "])
        XCTAssertEqual(
            messages(times("2014-04-27T13:00", "2014-04-27T16:00"), period: ("2014-05-01", nil)),
            ["startsAt meetings.error.before_period 2014-05-01"])
        XCTAssertEqual(
            messages(times("2016-01-01T13:00", "2016-01-01T16:00"), period: (nil, "2015-12-31")),
            ["startsAt meetings.error.after_period 2015-12-31"])
        XCTAssertEqual(
            messages(times("2014-05-27T13:00", "2014-05-27T16:00"), deadline: at("2014-05-28T12:00")),
            ["registrationDeadline meetings.error.deadline_after_start "])
        let other = times("2014-05-27T15:00", "2014-05-27T18:00")
        XCTAssertEqual(
            messages(times("2014-05-27T13:00", "2014-05-27T16:00"), others: [("Klyngemøde 2", other)]),
            ["startsAt meetings.error.overlap Klyngemøde 2"])
        XCTAssertEqual(
            messages(times("2014-05-27T10:00", "2014-05-27T15:00"), others: [("Klyngemøde 2", other)]), [],
            "ending when the other starts is no overlap")
        XCTAssertEqual(messages(times("2014-05-27T13:00", "2014-06-05T13:00")), ["endsAt meetings.error.too_long 7"])
    }

    func testRegistrationClosesAtTheDeadlineAndQuotasHold() {
        let start = at("2015-03-10T09:00"), deadline = at("2015-02-20T23:59")
        XCTAssertNoThrow(
            try MeetingRules.checkOpen(
                status: .published, start: start, deadline: deadline, now: at("2015-02-01T12:00")))
        XCTAssertThrowsError(
            try MeetingRules.checkOpen(
                status: .published, start: start, deadline: deadline, now: at("2015-02-21T08:00"))
        ) {
            XCTAssertEqual(($0 as! SamradError).messageKey, "attendance.error.after_deadline")
        }
        XCTAssertThrowsError(
            try MeetingRules.checkOpen(status: .planned, start: start, deadline: nil, now: at("2015-02-01T12:00"))
        ) {
            XCTAssertEqual(($0 as! SamradError).messageKey, "attendance.error.closed")
        }
        XCTAssertThrowsError(
            try MeetingRules.checkOpen(status: .cancelled, start: start, deadline: nil, now: at("2015-02-01T12:00")))
        XCTAssertNoThrow(try MeetingRules.checkQuota(4, activeOfMunicipality: 3, municipalityName: "Aarhus"))
        XCTAssertThrowsError(try MeetingRules.checkQuota(4, activeOfMunicipality: 4, municipalityName: "Aarhus")) {
            XCTAssertEqual(($0 as! SamradError).arguments, ["4", "Aarhus"])
        }
        XCTAssertEqual(MeetingRules.placement(registered: 59, capacity: 60), .registered)
        XCTAssertEqual(MeetingRules.placement(registered: 60, capacity: 60), .waitlisted)
        XCTAssertEqual(MeetingRules.placement(registered: 600, capacity: nil), .registered)
        let a = UUID(), b = UUID(), c = UUID()
        XCTAssertEqual(
            MeetingRules.promotions(waitlisted: [(b, 7), (a, 3), (c, 9)], registered: 58, capacity: 60), [a, b])
    }

    func testDaysAndSpansAsEachLanguageWritesThem() {
        XCTAssertEqual(DateText.day("2027-03-10", .da), "10. marts 2027")
        XCTAssertEqual(DateText.day("2027-03-10", .sv), "10 mars 2027")
        XCTAssertNil(DateText.day("10/3/2027", .en))
        XCTAssertEqual(
            DateText.span(at("2014-05-27T13:00"), at("2014-05-27T16:00"), .da, zone: zone),
            "27. maj 2014 kl. 13.00–16.00")
        XCTAssertEqual(
            DateText.span(at("2014-05-27T13:00"), at("2014-05-28T12:00"), .en, zone: zone),
            "27 May 2014, 13:00 – 28 May 2014, 12:00")
    }

    func testAgendaTimesFollowTheDurations() {
        let (starts, end) = AgendaSchedule.starts(meetingStart: at("2014-05-27T13:00"), durations: [15, 45, 30, 90])
        XCTAssertEqual(
            starts.map { DateText.local($0, zone: zone) },
            ["2014-05-27T13:00", "2014-05-27T13:15", "2014-05-27T14:00", "2014-05-27T14:30"])
        XCTAssertEqual(DateText.local(end, zone: zone), "2014-05-27T16:00")
    }
}

final class MeetingPolicyTests: XCTestCase {
    let organisation = UUID(), collaboration = UUID(), facilitator = UUID(), researcher = UUID()
    let aarhus = MunicipalityKey(.dk, "751"), odense = MunicipalityKey(.dk, "461"), vejle = MunicipalityKey(.dk, "630")

    func scope(_ status: MeetingStatus = .published, cluster: [MunicipalityKey]? = nil) -> MeetingScope {
        MeetingScope(
            collaborationID: collaboration, organiserID: organisation, collaborationPublished: true, status: status,
            clusterMembers: cluster,
            facilitatorID: facilitator, registered: [aarhus, odense], attached: [researcher])
    }
    func person(_ id: UUID = UUID()) -> Actor { Actor(userID: UUID(), personID: id, grants: []) }
    var organiser: Actor {
        Actor(userID: UUID(), personID: nil, grants: [RoleGrant(kind: .organiser, organisationID: organisation)])
    }
    func member(_ key: MunicipalityKey) -> Actor {
        Actor(userID: UUID(), personID: UUID(), grants: [RoleGrant(kind: .member, municipality: key)])
    }
    func coordinator(_ key: MunicipalityKey) -> Actor {
        Actor(userID: UUID(), personID: nil, grants: [RoleGrant(kind: .coordinator, municipality: key)])
    }

    func testPlannedMeetingsAreForThoseWhoRunThem() {
        XCTAssertTrue(MeetingPolicy.mayView(organiser, scope(.planned), attending: false))
        XCTAssertTrue(MeetingPolicy.mayView(person(facilitator), scope(.planned, cluster: [aarhus]), attending: false))
        XCTAssertFalse(MeetingPolicy.mayView(coordinator(aarhus), scope(.planned), attending: false))
        XCTAssertFalse(MeetingPolicy.mayView(.visitor, scope(.planned), attending: false))
    }

    func testPublicMeetingsShowTheirAgendaButNotTheirMaterials() {
        XCTAssertTrue(MeetingPolicy.mayView(.visitor, scope(), attending: false))
        XCTAssertFalse(MeetingPolicy.mayViewContent(.visitor, scope(), attending: false))
        XCTAssertFalse(
            MeetingPolicy.mayViewContent(coordinator(vejle), scope(), attending: false), "Vejle is not registered")
        XCTAssertTrue(MeetingPolicy.mayViewContent(coordinator(aarhus), scope(), attending: false))
        XCTAssertTrue(MeetingPolicy.mayViewContent(member(odense), scope(), attending: false))
        XCTAssertFalse(
            MeetingPolicy.mayViewContent(person(), scope(), attending: false), "no role: not of a municipality")
        XCTAssertTrue(MeetingPolicy.mayViewContent(person(researcher), scope(), attending: false))
        XCTAssertTrue(
            MeetingPolicy.mayViewContent(member(vejle), scope(), attending: true),
            "a registered guest of an open conference")
    }

    func testClusterMeetingsAreForTheCluster() {
        let cluster = scope(cluster: [aarhus])
        XCTAssertFalse(MeetingPolicy.mayView(.visitor, cluster, attending: false))
        XCTAssertFalse(
            MeetingPolicy.mayView(coordinator(odense), cluster, attending: false), "registered, but in another cluster")
        XCTAssertTrue(MeetingPolicy.mayView(coordinator(aarhus), cluster, attending: false))
        XCTAssertTrue(MeetingPolicy.mayRun(person(facilitator), cluster))
        XCTAssertFalse(MeetingPolicy.mayRun(coordinator(aarhus), cluster))
        let pass = Actor(
            userID: nil, personID: nil, grants: [],
            passes: [RegistrationPass(collaborationID: collaboration, municipality: aarhus, personID: UUID())])
        XCTAssertTrue(MeetingPolicy.mayView(pass, cluster, attending: false))
    }

    func testTheJoinLinkIsForThoseRegisteredAndThoseWhoRunTheMeeting() {
        XCTAssertTrue(MeetingPolicy.mayJoinOnline(organiser, scope(), registered: false))
        XCTAssertTrue(MeetingPolicy.mayJoinOnline(person(facilitator), scope(cluster: [aarhus]), registered: false))
        XCTAssertTrue(MeetingPolicy.mayJoinOnline(person(), scope(), registered: true))
        XCTAssertFalse(MeetingPolicy.mayJoinOnline(.visitor, scope(), registered: false))
        XCTAssertFalse(MeetingPolicy.mayJoinOnline(.visitor, scope(), registered: true), "nobody acts: no person")
        XCTAssertFalse(
            MeetingPolicy.mayJoinOnline(coordinator(aarhus), scope(), registered: false),
            "invited and sees the materials, but has not registered")
        XCTAssertFalse(MeetingPolicy.mayJoinOnline(person(researcher), scope(), registered: false))
        XCTAssertFalse(MeetingPolicy.mayJoinOnline(coordinator(vejle), scope(), registered: false))
    }

    func testTheHostsCoordinatorShapesTheAgendaEvenWhilePlanned() {
        var hosted = scope(.planned)
        hosted.host = aarhus
        XCTAssertTrue(MeetingPolicy.mayShapeAgenda(coordinator(aarhus), hosted))
        XCTAssertTrue(MeetingPolicy.mayView(coordinator(aarhus), hosted, attending: false))
        XCTAssertFalse(MeetingPolicy.mayRun(coordinator(aarhus), hosted), "the agenda, not the meeting")
        XCTAssertFalse(MeetingPolicy.mayShapeAgenda(member(aarhus), hosted))
        XCTAssertFalse(MeetingPolicy.mayShapeAgenda(coordinator(odense), hosted))
        XCTAssertFalse(MeetingPolicy.mayView(coordinator(odense), hosted, attending: false))
        XCTAssertTrue(MeetingPolicy.mayShapeAgenda(organiser, hosted))
        hosted.status = .cancelled
        XCTAssertFalse(MeetingPolicy.mayShapeAgenda(coordinator(aarhus), hosted))
        XCTAssertFalse(MeetingPolicy.mayShapeAgenda(coordinator(aarhus), scope()), "no host")
    }

    func testRegisteringOthersIsForTheirCoordinatorOrTheOrganiser() {
        let someone = UUID()
        XCTAssertTrue(
            MeetingPolicy.mayRegister(person(someone), personID: someone, personMunicipality: aarhus, scope()))
        XCTAssertFalse(MeetingPolicy.mayRegister(person(), personID: someone, personMunicipality: aarhus, scope()))
        XCTAssertTrue(
            MeetingPolicy.mayRegister(coordinator(aarhus), personID: someone, personMunicipality: aarhus, scope()))
        XCTAssertFalse(
            MeetingPolicy.mayRegister(coordinator(odense), personID: someone, personMunicipality: aarhus, scope()))
        XCTAssertTrue(MeetingPolicy.mayRegister(organiser, personID: someone, personMunicipality: aarhus, scope()))
    }
}

final class ICalendarTests: XCTestCase {
    let zone = "Europe/Copenhagen"

    func event(sequence: Int = 0, cancelled: Bool = false) -> ICalendar.Event {
        ICalendar.Event(
            uid: "5f0c@samrad.example", sequence: sequence, start: DateText.parseLocal("2014-05-27T13:00", zone: zone)!,
            end: DateText.parseLocal("2014-05-27T16:00", zone: zone)!, zone: zone,
            summary: "Politisk møde; første, del 1",
            description: "Dagsorden:\n1. Velkomst\\intro", location: "Hotel Nyborg Strand, Østerøvej 2, 5800 Nyborg",
            cancelled: cancelled)
    }

    func testEventsCarryTheirZoneAndSequence() {
        let text = ICalendar(events: [event(sequence: 2)]).text(now: Date(timeIntervalSince1970: 0))
        XCTAssertTrue(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        XCTAssertTrue(text.contains("\r\nDTSTART;TZID=Europe/Copenhagen:20140527T130000\r\n"))
        XCTAssertTrue(text.contains("\r\nDTEND;TZID=Europe/Copenhagen:20140527T160000\r\n"))
        XCTAssertTrue(text.contains("\r\nSEQUENCE:2\r\n"))
        XCTAssertTrue(text.contains("\r\nDTSTAMP:19700101T000000Z\r\n"))
        XCTAssertTrue(text.contains("\r\nSUMMARY:Politisk møde\\; første\\, del 1\r\n"))
        XCTAssertTrue(text.contains("DESCRIPTION:Dagsorden:\\n1. Velkomst\\\\intro"))
        XCTAssertTrue(text.contains("STATUS:CONFIRMED"))
        // Summer time in 2014 began on 30 March at 02:00 local and ended on 26 October at 03:00 local.
        XCTAssertTrue(
            text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20140330T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"))
        XCTAssertTrue(
            text.contains("BEGIN:STANDARD\r\nDTSTART:20141026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"))
        XCTAssertTrue(text.hasSuffix("END:VCALENDAR\r\n"))
    }

    func testCancellationsUseTheCancelMethod() {
        let text = ICalendar(method: .cancel, events: [event(sequence: 3, cancelled: true)]).text()
        XCTAssertTrue(text.contains("\r\nMETHOD:CANCEL\r\n"))
        XCTAssertTrue(text.contains("\r\nSTATUS:CANCELLED\r\n"))
    }

    func testLongLinesFoldAt75OctetsWithoutSplittingCharacters() {
        var long = event()
        long.description = String(repeating: "Skoleudvikling på tværs af kommuner – æøå ÆØÅ. ", count: 8)
        let text = ICalendar(events: [long]).text()
        for line in text.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.utf8.count, 75, line)
            XCTAssertNotNil(String(data: Data(line.utf8), encoding: .utf8))
        }
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        XCTAssertTrue(unfolded.contains("DESCRIPTION:" + ICalendar.escape(long.description) + "\r\n"))
    }

    func testZonesWithoutSummerTimeGetOneStandardPart() {
        var utc = event()
        utc.zone = "UTC"
        let text = ICalendar(events: [utc]).text()
        XCTAssertTrue(
            text.contains(
                "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
                    + "TZOFFSETTO:+0000\r\n"
            ))
    }
}

final class MeetingSeriesStepTests: XCTestCase {
    func testTheStepDefaultsToTwiceAYearOrEveryEightWeeks() {
        XCTAssertEqual(MeetingSeriesRequest.Step(unit: nil, every: nil), .months(6))
        XCTAssertEqual(MeetingSeriesRequest.Step(unit: "", every: 3), .months(3))
        XCTAssertEqual(MeetingSeriesRequest.Step(unit: "weeks", every: nil), .weeks(8))
        XCTAssertNil(MeetingSeriesRequest.Step(unit: "fortnights", every: 1))
        XCTAssertEqual(MeetingSeriesRequest.Step(unit: "weeks", every: 2)?.text, "2 weeks")
        XCTAssertEqual(MeetingSeriesRequest.Step.months(6).text, "6 months")
    }

    func testASeriesIsCheckedMeetingByMeetingAndAgainstItself() throws {
        let planned = try MeetingSeries.plan(
            MeetingSeriesRequest(
                firstStart: "2027-04-20T10:00", durationMinutes: 120, count: 3, step: .weeks(0 + 1),
                zone: "Europe/Stockholm", pattern: .fixed),
            hosts: [], hosted: [])
        var v = Validation()
        MeetingRules.checkSeries(
            planned, title: "Möte", period: ("2027-01-01", "2027-04-30"), others: [], sameCluster: true, into: &v)
        XCTAssertEqual(v.errors.map(\.messageKey), ["meetings.error.series_after_period"])
        XCTAssertEqual(v.errors.first?.arguments.prefix(2), ["3", "2027-05-04"])
        var overlapping = Validation()
        MeetingRules.checkSeries(
            planned, title: "Möte", period: (nil, nil), others: [(title: "Annat", times: planned[1].times)],
            sameCluster: true, into: &overlapping)
        XCTAssertEqual(overlapping.errors.map(\.messageKey), ["meetings.error.series_overlap"])
    }
}
