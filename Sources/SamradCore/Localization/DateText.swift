import Foundation

/// Dates and times as each language writes them, in a named zone. Month names are written out here
/// so the output does not depend on the locale data the platform's Foundation carries.
public enum DateText {
    static let months: [Language: [String]] = [
        .da: [
            "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november",
            "december",
        ],
        .sv: [
            "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
            "november", "december",
        ],
        .en: [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ],
    ]

    /// Gregorian calendars by zone, made once: making one costs more than the date it formats.
    private static let calendars = CalendarCache()

    final class CalendarCache: @unchecked Sendable {
        private let lock = NSLock()
        private var byZone: [String: Calendar] = [:]

        func calendar(_ zone: String) -> Calendar {
            lock.lock()
            defer { lock.unlock() }
            if let calendar = byZone[zone] { return calendar }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
            if byZone.count < 64 { byZone[zone] = calendar }
            return calendar
        }
    }

    static func parts(_ date: Date, zone: String) -> DateComponents {
        calendars.calendar(zone).dateComponents([.year, .month, .day, .hour, .minute], from: date)
    }

    /// An ISO day as the language writes it: "2027-03-10" → "10. marts 2027"; nil if it is no day.
    public static func day(_ iso: String, _ language: Language) -> String? {
        let numbers = iso.split(separator: "-").compactMap { Int($0) }
        guard iso.count == 10, numbers.count == 3, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]) else {
            return nil
        }
        let month = months[language]![numbers[1] - 1]
        return language == .da ? "\(numbers[2]). \(month) \(numbers[0])" : "\(numbers[2]) \(month) \(numbers[0])"
    }

    /// "9. maj 2014", "9 maj 2014", "9 May 2014".
    public static func date(_ date: Date, _ language: Language, zone: String) -> String {
        let p = parts(date, zone: zone)
        let month = months[language]![(p.month ?? 1) - 1]
        switch language {
        case .da: return "\(p.day!). \(month) \(p.year!)"
        case .sv, .en: return "\(p.day!) \(month) \(p.year!)"
        }
    }

    /// "9. maj 2014 kl. 12.00", "9 maj 2014 kl. 12:00", "9 May 2014, 12:00".
    public static func dateTime(_ value: Date, _ language: Language, zone: String) -> String {
        let p = parts(value, zone: zone)
        let hh = p.hour! < 10 ? "0\(p.hour!)" : "\(p.hour!)"
        let mm = p.minute! < 10 ? "0\(p.minute!)" : "\(p.minute!)"
        switch language {
        case .da: return "\(date(value, language, zone: zone)) kl. \(hh).\(mm)"
        case .sv: return "\(date(value, language, zone: zone)) kl. \(hh):\(mm)"
        case .en: return "\(date(value, language, zone: zone)), \(hh):\(mm)"
        }
    }

    /// "13.00" (da) or "13:00".
    public static func time(_ value: Date, _ language: Language, zone: String) -> String {
        let p = parts(value, zone: zone)
        let hh = p.hour! < 10 ? "0\(p.hour!)" : "\(p.hour!)"
        let mm = p.minute! < 10 ? "0\(p.minute!)" : "\(p.minute!)"
        return language == .da ? "\(hh).\(mm)" : "\(hh):\(mm)"
    }

    /// A meeting's time: "27. maj 2014 kl. 13.00–16.00" on one day, both ends in full otherwise.
    public static func span(_ start: Date, _ end: Date, _ language: Language, zone: String) -> String {
        if DateText.local(start, zone: zone).prefix(10) == DateText.local(end, zone: zone).prefix(10) {
            return "\(dateTime(start, language, zone: zone))–\(time(end, language, zone: zone))"
        }
        return "\(dateTime(start, language, zone: zone)) – \(dateTime(end, language, zone: zone))"
    }

    /// Reads "2014-05-09T12:00" (an HTML datetime-local value) as a time in `zone`.
    public static func parseLocal(_ text: String, zone: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// The datetime-local value of a moment in `zone`: "2014-05-09T12:00".
    public static func local(_ date: Date, zone: String) -> String {
        let p = parts(date, zone: zone)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(p.year!)-\(two(p.month!))-\(two(p.day!))T\(two(p.hour!)):\(two(p.minute!))"
    }

    /// The ISO day of a moment in `zone`: "2014-05-09".
    public static func isoDay(_ date: Date, zone: String) -> String { String(local(date, zone: zone).prefix(10)) }

    /// Checks an ISO date "2014-05-27".
    public static func isISODate(_ text: String) -> Bool {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return text.count == 10 && formatter.date(from: text) != nil
    }
}

/// URL names made from titles: "Kommunesamarbejde om folkeskolen 2014" → "kommunesamarbejde-om-folkeskolen-2014".
public enum Slug {
    public static func make(_ title: String) -> String {
        let folded = NordicCollation.fold(title)
        var slug = ""
        for scalar in folded.unicodeScalars {
            if scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar)) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        let trimmed = slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return String(trimmed.prefix(80)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// The slug of `title`, numbered (`-2`, `-3` …) past the ones `taken` says are in use.
    public static func unique(
        _ title: String, fallback: String, taken: (String) async throws -> Bool
    ) async rethrows -> String {
        let base = make(title).isEmpty ? fallback : make(title)
        var slug = base
        var n = 2
        while try await taken(slug) {
            slug = "\(base)-\(n)"
            n += 1
        }
        return slug
    }
}
