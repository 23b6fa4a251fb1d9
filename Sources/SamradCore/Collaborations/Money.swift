import Foundation

/// Amounts in integer minor units (øre, öre, cent) with their currency; never floating point.
public enum Currency: String, CaseIterable, Codable, Sendable {
    case dkk = "DKK", sek = "SEK", nok = "NOK", eur = "EUR"
}

public struct Money: Codable, Sendable, Equatable, Hashable {
    public var minorUnits: Int
    public var currency: Currency

    public init(minorUnits: Int, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    public static func * (money: Money, factor: Int) -> Money {
        Money(minorUnits: money.minorUnits * factor, currency: money.currency)
    }

    /// Parses "12500", "12.500,50", "12 500.50" or "12500,5" as major units; nil when it is not an
    /// amount with at most two decimals.
    public static func parse(_ text: String, currency: Currency) -> Money? {
        var digits = text.trimmingCharacters(in: .whitespaces).filter { $0 != " " && $0 != "\u{00A0}" }
        guard !digits.isEmpty, !digits.hasPrefix("-") else { return nil }
        // The last separator followed by one or two digits is the decimal mark; others group.
        var fraction = ""
        if let mark = digits.lastIndex(where: { $0 == "," || $0 == "." }) {
            let tail = digits[digits.index(after: mark)...]
            if tail.count <= 2 && !tail.isEmpty {
                fraction = String(tail)
                digits = String(digits[..<mark])
            }
        }
        let whole = digits.filter { $0 != "," && $0 != "." }
        guard !whole.isEmpty || !fraction.isEmpty, (whole + fraction).allSatisfy(\.isASCIIDigit),
            let units = Int(whole.isEmpty ? "0" : whole), units < 1_000_000_000_000
        else { return nil }
        let cents = fraction.isEmpty ? 0 : Int(fraction.count == 1 ? fraction + "0" : fraction)!
        return Money(minorUnits: units * 100 + cents, currency: currency)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// How a collaboration charges the municipalities that take part.
public enum PriceModel: Codable, Sendable, Equatable {
    case free
    /// One amount per participating municipality.
    case perMunicipality(Money)
    /// An amount per planned meeting, times the number of meetings (the extent of the track).
    case perMeeting(Money, meetings: Int)
    /// An amount per registered participant.
    case perParticipant(Money)

    public var kind: String {
        switch self {
        case .free: "free"
        case .perMunicipality: "per_municipality"
        case .perMeeting: "per_meeting"
        case .perParticipant: "per_participant"
        }
    }

    public var unitPrice: Money? {
        switch self {
        case .free: nil
        case .perMunicipality(let m), .perMeeting(let m, _), .perParticipant(let m): m
        }
    }

    /// What one municipality pays with this many participants; nil when free.
    public func price(participants: Int) -> Money? {
        switch self {
        case .free: nil
        case .perMunicipality(let amount): amount
        case .perMeeting(let amount, let meetings): amount * meetings
        case .perParticipant(let amount): amount * participants
        }
    }
}
