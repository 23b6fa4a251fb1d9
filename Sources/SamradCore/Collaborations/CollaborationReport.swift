import Foundation

/// What a collaboration's report covers: one calendar year (the annual report to the funder and the
/// association's board) or the whole collaboration (the final report).
public enum ReportPeriod: Sendable, Equatable {
    case year(Int)
    case whole

    /// `?year=2015`, or the whole collaboration when none is given. A year outside 1990…2100 or not a
    /// number is refused rather than read as "everything".
    public static func parse(_ text: String?) throws -> ReportPeriod {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return .whole }
        guard let year = Int(text), (1990...2100).contains(year) else {
            throw SamradError.invalid([FieldError(field: "year", "validation.range", ["1990", "2100"])])
        }
        return .year(year)
    }

    /// Whether a moment falls in the period, read in the collaboration's time zone.
    public func contains(_ date: Date, zone: TimeZone) -> Bool {
        guard case .year(let year) = self else { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.component(.year, from: date) == year
    }

    /// Whether an ISO day ("2027-06-01") falls in the period.
    public func contains(day: String) -> Bool {
        guard case .year(let year) = self else { return true }
        return day.prefix(4) == String(year)
    }

    /// The years a report can be asked for: from the start of the period (or the first meeting) to
    /// its end (or the last meeting), newest first.
    public static func years(periodStart: String?, periodEnd: String?, meetingYears: [Int]) -> [Int] {
        let bounds = [periodStart, periodEnd].compactMap { $0.flatMap { Int($0.prefix(4)) } } + meetingYears
        guard let first = bounds.min(), let last = bounds.max(), last - first < 60 else { return [] }
        return Array((first...last).reversed())
    }
}

/// Who came to the meetings held: the share of those registered who were checked in.
public struct AttendanceTally: Sendable, Equatable {
    public var registered: Int
    public var checkedIn: Int

    public init(registered: Int = 0, checkedIn: Int = 0) {
        self.registered = registered
        self.checkedIn = checkedIn
    }

    /// The share checked in, 0…1; nil while nobody was registered.
    public var rate: Double? { registered == 0 ? nil : Double(checkedIn) / Double(registered) }

    public static func + (a: AttendanceTally, b: AttendanceTally) -> AttendanceTally {
        AttendanceTally(registered: a.registered + b.registered, checkedIn: a.checkedIn + b.checkedIn)
    }
}

/// The commitments made at meetings: how many were kept, how many are still open and how many of
/// those are past their date on the day of the report.
public struct CommitmentTally: Sendable, Equatable {
    public var total = 0
    public var done = 0
    public var open = 0
    public var overdue = 0

    public init() {}

    /// `today`: the ISO day of the report, in the collaboration's zone.
    public mutating func add(done isDone: Bool, dueDate: String?, today: String) {
        total += 1
        if isDone {
            done += 1
        } else {
            open += 1
            if let dueDate, dueDate < today { overdue += 1 }
        }
    }

    public static func + (a: CommitmentTally, b: CommitmentTally) -> CommitmentTally {
        var sum = CommitmentTally()
        sum.total = a.total + b.total
        sum.done = a.done + b.done
        sum.open = a.open + b.open
        sum.overdue = a.overdue + b.overdue
        return sum
    }
}
