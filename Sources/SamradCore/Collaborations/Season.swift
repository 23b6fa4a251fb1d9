import Foundation

/// A collaboration or programme that runs again: "Kommunesamarbejde om folkeskolen 2014, 2015,
/// 2016". The next season is a copy moved on by whole years; each season names the one before.
public enum Season {
    /// The title of the season `years` on: every year in it moves ("Politisk del 2014" → "… 2015",
    /// "2014/15" → "2015/16"); a title without a year gets the new year at the end.
    public static func nextTitle(_ title: String, years: Int, startYear: Int?) -> String {
        let characters = Array(title)
        var moved = ""
        var found = false
        var index = 0
        // Runs of digits: a run of four starting 19 or 20 is a year, and "/15" after it its short end.
        func run(from start: Int) -> Int {
            var end = start
            while end < characters.count, characters[end].isASCII, characters[end].isNumber { end += 1 }
            return end
        }
        while index < characters.count {
            guard characters[index].isASCII, characters[index].isNumber else {
                moved.append(characters[index]); index += 1; continue
            }
            let end = run(from: index)
            let digits = String(characters[index..<end])
            guard digits.count == 4, digits.hasPrefix("19") || digits.hasPrefix("20"), let year = Int(digits) else {
                moved += digits; index = end; continue
            }
            moved += String(year + years)
            found = true
            index = end
            if index + 1 < characters.count, characters[index] == "/", run(from: index + 1) == index + 3,
                let short = Int(String(characters[(index + 1)..<(index + 3)]))
            {
                moved += "/" + String(format: "%02d", (short + years) % 100)
                index += 3
            }
        }
        if found { return moved }
        return startYear.map { "\(title) \($0 + years)" } ?? title
    }

    /// A moment `years` on, at the same local time in the collaboration's zone.
    public static func move(_ date: Date, years: Int, zone: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .year, value: years, to: date) ?? date
    }

    /// An ISO date `years` on; 29 February becomes 28 February in a common year.
    public static func move(isoDate: String, years: Int) -> String? {
        let parts = isoDate.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, DateText.isISODate(isoDate) else { return nil }
        let year = parts[0] + years
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let day = parts[1] == 2 && parts[2] == 29 && !leap ? 28 : parts[2]
        return String(format: "%04d-%02d-%02d", year, parts[1], day)
    }

    /// The seasons of one line in order, from the first to the last, given each season's
    /// predecessor. Where a season was copied twice, both copies follow it, in the order given.
    public static func line<ID: Hashable>(of id: ID, previous: [ID: ID], order: [ID]) -> [ID] {
        var first = id
        var seen: Set<ID> = [id]
        while let before = previous[first], seen.insert(before).inserted { first = before }
        var followers: [ID: [ID]] = [:]
        for season in order { if let before = previous[season] { followers[before, default: []].append(season) } }
        var line: [ID] = []
        var queue = [first]
        var placed: Set<ID> = []
        while !queue.isEmpty {
            let season = queue.removeFirst()
            guard placed.insert(season).inserted else { continue }
            line.append(season)
            queue += followers[season] ?? []
        }
        return line
    }

    /// How far a copy may move: at least a year, at most five.
    public static let years = 1...5
}
