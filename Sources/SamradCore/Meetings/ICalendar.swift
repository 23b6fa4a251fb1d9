import Foundation

/// An iCalendar object (RFC 5545) of meetings: a single .ics download, an e-mail attachment or a
/// subscription feed. Times are written in the meeting's zone with TZID and a VTIMEZONE built from
/// the zone's real transitions, so a calendar shows 13:00 in Copenhagen whatever its own zone.
public struct ICalendar: Sendable {
    public enum Method: String, Sendable { case publish = "PUBLISH", cancel = "CANCEL" }

    public struct Event: Sendable {
        /// Stable across changes: the meeting's id at the installation's host.
        public var uid: String
        /// Raised on every change the attendees should see (RFC 5545 3.8.7.4).
        public var sequence: Int
        public var start: Date
        public var end: Date
        public var zone: String
        public var summary: String
        public var description: String
        public var location: String?
        public var url: String?
        public var cancelled: Bool
        /// Not yet published: TENTATIVE; published or held: CONFIRMED.
        public var tentative: Bool
        public var lastModified: Date?
        public var organizerName: String?
        public var organizerEmail: String?

        public init(
            uid: String, sequence: Int, start: Date, end: Date, zone: String, summary: String, description: String = "",
            location: String? = nil, url: String? = nil, cancelled: Bool = false, tentative: Bool = false,
            lastModified: Date? = nil,
            organizerName: String? = nil, organizerEmail: String? = nil
        ) {
            self.uid = uid
            self.sequence = sequence
            self.start = start
            self.end = end
            self.zone = zone
            self.summary = summary
            self.description = description
            self.location = location
            self.url = url
            self.cancelled = cancelled
            self.tentative = tentative
            self.lastModified = lastModified
            self.organizerName = organizerName
            self.organizerEmail = organizerEmail
        }
    }

    /// nil for subscription feeds, which carry no iTIP method.
    public var method: Method?
    /// The feed's display name (X-WR-CALNAME, NAME of RFC 7986).
    public var name: String?
    public var events: [Event]

    public init(method: Method? = .publish, name: String? = nil, events: [Event]) {
        self.method = method
        self.name = name
        self.events = events
    }

    /// The object as text: CRLF line ends, lines folded at 75 octets.
    public func text(now: Date = Date()) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Samrad//Samrad meetings//EN", "CALSCALE:GREGORIAN"]
        if let method { lines.append("METHOD:\(method.rawValue)") }
        if let name {
            lines.append("NAME:\(Self.escape(name))")
            lines.append("X-WR-CALNAME:\(Self.escape(name))")
        }
        let zones = Dictionary(grouping: events, by: \.zone)
        for zone in zones.keys.sorted() {
            let times = zones[zone]!.flatMap { [$0.start, $0.end] }
            lines += Self.timeZone(zone, from: times.min()!, to: times.max()!)
        }
        // One calendar per zone for the whole object: making one is the costly part of a date.
        var calendars: [String: Calendar] = [:]
        func local(_ date: Date, _ zone: String) -> String {
            if calendars[zone] == nil {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
                calendars[zone] = calendar
            }
            return Self.stamp(
                calendars[zone]!.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date))
        }
        let stamp = Self.utc(now)
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:\(Self.escape(event.uid))")
            lines.append("DTSTAMP:\(stamp)")
            lines.append("SEQUENCE:\(event.sequence)")
            lines.append("DTSTART;TZID=\(event.zone):\(local(event.start, event.zone))")
            lines.append("DTEND;TZID=\(event.zone):\(local(event.end, event.zone))")
            lines.append("SUMMARY:\(Self.escape(event.summary))")
            if !event.description.isEmpty { lines.append("DESCRIPTION:\(Self.escape(event.description))") }
            if let location = event.location, !location.isEmpty { lines.append("LOCATION:\(Self.escape(location))") }
            if let url = event.url { lines.append("URL:\(url)") }
            if let email = event.organizerEmail {
                let name = event.organizerName.map { ";CN=\(Self.parameter($0))" } ?? ""
                lines.append("ORGANIZER\(name):mailto:\(email)")
            }
            lines.append("STATUS:\(event.cancelled ? "CANCELLED" : event.tentative ? "TENTATIVE" : "CONFIRMED")")
            if let modified = event.lastModified { lines.append("LAST-MODIFIED:\(local(modified, "UTC"))Z") }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    // MARK: Values

    /// TEXT values (3.3.11): backslash, semicolon, comma and line breaks are escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text.replacingOccurrences(of: "\r\n", with: "\n") {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r": out += "\\n"
            default:
                // Other control characters are not allowed in TEXT.
                if let scalar = character.unicodeScalars.first, scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.append(character)
            }
        }
        return out
    }

    /// A parameter value (3.2): quoted, without the characters a quoted value cannot hold.
    static func parameter(_ text: String) -> String {
        "\"" + text.filter { $0 != "\"" && !$0.isNewline && !($0.asciiValue.map { $0 < 0x20 } ?? false) } + "\""
    }

    /// Lines longer than 75 octets continue on the next line after CRLF and a space (3.1), never
    /// splitting a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var result = ""
        var octets = 0
        var limit = 75
        for character in line {
            let size = character.utf8.count
            if octets + size > limit {
                result += "\r\n "
                octets = 0
                limit = 74  // the leading space counts
            }
            result.append(character)
            octets += size
        }
        return result
    }

    static func utc(_ date: Date) -> String {
        let p = Self.components(date, TimeZone(identifier: "UTC")!)
        return Self.stamp(p) + "Z"
    }

    static func components(_ date: Date, _ zone: TimeZone) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    static func stamp(_ p: DateComponents) -> String {
        func pad(_ n: Int?, _ width: Int = 2) -> String {
            let s = String(n ?? 0)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(p.year, 4))\(pad(p.month))\(pad(p.day))T\(pad(p.hour))\(pad(p.minute))\(pad(p.second))"
    }

    /// RFC 5545 offset "+0100", "+0200".
    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        let hh = minutes / 60, mm = minutes % 60
        return sign + (hh < 10 ? "0\(hh)" : "\(hh)") + (mm < 10 ? "0\(mm)" : "\(mm)")
    }

    /// A VTIMEZONE with one observance per real transition from a year before the first meeting to a
    /// year after the last (each with its onset in the local time it replaces), so any parser gets the
    /// offsets right without rules of its own; a zone without transitions gets one STANDARD part.
    static func timeZone(_ identifier: String, from first: Date, to last: Date) -> [String] {
        guard let zone = TimeZone(identifier: identifier) else { return [] }
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(identifier)"]
        let start = first.addingTimeInterval(-366 * 86_400), end = last.addingTimeInterval(366 * 86_400)
        var before = zone.secondsFromGMT(for: start)
        var cursor = start
        var observances = 0
        while let transition = zone.nextDaylightSavingTimeTransition(after: cursor), transition <= end {
            let after = zone.secondsFromGMT(for: transition)
            let daylight = zone.isDaylightSavingTime(for: transition)
            let kind = daylight ? "DAYLIGHT" : "STANDARD"
            let onset = Self.stamp(Self.components(transition, TimeZone(secondsFromGMT: before)!))
            lines += [
                "BEGIN:\(kind)", "DTSTART:\(onset)", "TZOFFSETFROM:\(offset(before))", "TZOFFSETTO:\(offset(after))",
            ]
            if let name = zone.abbreviation(for: transition), !name.hasPrefix("GMT") {
                lines.append("TZNAME:\(escape(name))")
            }
            lines.append("END:\(kind)")
            before = after
            cursor = transition
            observances += 1
        }
        if observances == 0 {
            let offset = offset(zone.secondsFromGMT(for: first))
            lines += [
                "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:\(offset)", "TZOFFSETTO:\(offset)",
                "END:STANDARD",
            ]
        }
        lines.append("END:VTIMEZONE")
        return lines
    }
}
