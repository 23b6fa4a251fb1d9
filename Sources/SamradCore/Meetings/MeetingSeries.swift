import Foundation

/// A series of meetings planned in one step: "twice a year for two years, spring at a host in
/// rotation and autumn at a fixed venue in Stockholm", or "six cluster meetings, one every two
/// months, hosted by each member in turn".
public struct MeetingSeriesRequest: Sendable {
    public enum Step: Sendable, Equatable {
        case weeks(Int)
        case months(Int)

        /// The step a form asks for: the unit ("months" when none is given, the default) and how many
        /// of it, by default every 6 months (twice a year) or every 8 weeks. Nil for an unknown unit.
        public init?(unit: String?, every: Int?) {
            switch (unit ?? "").isEmpty ? "months" : unit! {
            case "months": self = .months(every ?? 6)
            case "weeks": self = .weeks(every ?? 8)
            default: return nil
            }
        }

        /// As stored with the series: "6 months", "8 weeks".
        public var text: String {
            switch self {
            case .months(let n): "\(n) months"
            case .weeks(let n): "\(n) weeks"
            }
        }
    }

    /// Where the n-th meeting is: at the next host of the rotation, or at the fixed venue.
    public enum Venue: String, Sendable, Equatable, CaseIterable {
        case rotation
        case fixed
    }

    /// Which venue each meeting takes, repeated: [.rotation] every meeting rotates; [.rotation,
    /// .fixed] alternates, starting with a host.
    public enum Pattern: String, Sendable, CaseIterable {
        case rotation
        case fixed
        case rotationThenFixed = "rotation_then_fixed"
        case fixedThenRotation = "fixed_then_rotation"

        public var venues: [Venue] {
            switch self {
            case .rotation: return [.rotation]
            case .fixed: return [.fixed]
            case .rotationThenFixed: return [.rotation, .fixed]
            case .fixedThenRotation: return [.fixed, .rotation]
            }
        }
    }

    /// The first meeting's local start, "2027-04-20T13:00", in `zone`.
    public var firstStart: String
    public var durationMinutes: Int
    public var count: Int
    public var step: Step
    public var zone: String
    public var pattern: Pattern
    /// A meeting that would fall on a Saturday or Sunday moves to the Monday after.
    public var avoidWeekends: Bool

    public init(
        firstStart: String, durationMinutes: Int, count: Int, step: Step, zone: String, pattern: Pattern,
        avoidWeekends: Bool = true
    ) {
        self.firstStart = firstStart
        self.durationMinutes = durationMinutes
        self.count = count
        self.step = step
        self.zone = zone
        self.pattern = pattern
        self.avoidWeekends = avoidWeekends
    }
}

/// One meeting of a planned series.
public struct PlannedMeeting: Sendable, Equatable {
    /// 1-based.
    public var number: Int
    public var times: MeetingTimes
    public var venue: MeetingSeriesRequest.Venue
    /// Index into the hosts the series was planned with (rotation meetings only).
    public var host: Int?
}

public enum MeetingSeries {
    /// The dates and hosts of a series. `hosts`: where each possible host lies; `hosted`: how often
    /// each hosted a meeting of this collaboration or cluster before, so the rotation goes on fairly
    /// across series and years. Throws field messages for bad input.
    public static func plan(
        _ request: MeetingSeriesRequest, hosts: [(latitude: Double, longitude: Double)], hosted: [Int]? = nil
    ) throws -> [PlannedMeeting] {
        var v = Validation()
        if !MeetingZones.isKnown(request.zone) { v.add("timeZone", "meetings.error.zone") }
        let first =
            MeetingZones.isKnown(request.zone) ? DateText.parseLocal(request.firstStart, zone: request.zone) : nil
        if first == nil { v.add("firstStart", "validation.date_time") }
        if !(1...40).contains(request.count) { v.add("count", "validation.range", ["1", "40"]) }
        if !(15...(7 * 24 * 60)).contains(request.durationMinutes) {
            v.add("durationMinutes", "validation.range", ["15", String(7 * 24 * 60)])
        }
        switch request.step {
        case .weeks(let n) where !(1...52).contains(n): v.add("every", "validation.range", ["1", "52"])
        case .months(let n) where !(1...24).contains(n): v.add("every", "validation.range", ["1", "24"])
        default: break
        }
        let venues = (0..<max(0, request.count)).map { request.pattern.venues[$0 % request.pattern.venues.count] }
        let rotating = venues.filter { $0 == .rotation }.count
        if rotating > 0 && hosts.isEmpty { v.add("pattern", "meetings.error.no_hosts") }
        try v.check()

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: request.zone)!
        // Steps are counted from the first meeting in local time, so 13:00 stays 13:00 across summer
        // time and the 31st becomes the last day of shorter months.
        let rotation = HostRotation.suggest(points: hosts, meetings: rotating, hosted: hosted)
        var nextHost = 0
        var meetings: [PlannedMeeting] = []
        for index in 0..<request.count {
            var offset = DateComponents()
            switch request.step {
            case .weeks(let n): offset.day = 7 * n * index
            case .months(let n): offset.month = n * index
            }
            var start = calendar.date(byAdding: offset, to: first!)!
            if request.avoidWeekends {
                let weekday = calendar.component(.weekday, from: start)  // 1 Sunday … 7 Saturday
                if weekday == 7 { start = calendar.date(byAdding: .day, value: 2, to: start)! }
                if weekday == 1 { start = calendar.date(byAdding: .day, value: 1, to: start)! }
            }
            let end = start.addingTimeInterval(TimeInterval(request.durationMinutes * 60))
            var host: Int?
            if venues[index] == .rotation {
                host = rotation[nextHost]
                nextHost += 1
            }
            meetings.append(
                PlannedMeeting(
                    number: index + 1, times: MeetingTimes(start: start, end: end, zone: request.zone),
                    venue: venues[index], host: host))
        }
        return meetings
    }
}
