/// The interface languages. Codes are BCP 47 primary tags.
public enum Language: String, CaseIterable, Codable, Sendable {
    case da, sv, en

    /// The language's own name, as shown in the language picker.
    public var endonym: String {
        switch self {
        case .da: "Dansk"
        case .sv: "Svenska"
        case .en: "English"
        }
    }

    /// The language mail to a municipality of `country` is written in: Norwegian reads Danish best,
    /// Finland's municipalities are addressed in Swedish (an official language there).
    public init(writingTo country: Country) {
        switch country {
        case .dk, .no: self = .da
        case .se, .fi: self = .sv
        }
    }

    /// Picks the best supported language from an Accept-Language header (RFC 9110 §12.5.4).
    /// Norwegian is closest to Danish in writing, so nb/nn/no fall back to Danish.
    public static func negotiate(acceptLanguage header: String?, fallback: Language = .en) -> Language {
        guard let header, !header.isEmpty else { return fallback }
        var best: (Language, Double)? = nil
        for (position, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            let language: Language?
            switch primary {
            case "da": language = .da
            case "sv": language = .sv
            case "en": language = .en
            case "nb", "nn", "no": language = .da
            default: language = nil
            }
            // Earlier entries win ties, as browsers list preferences in order.
            let score = quality - Double(position) * 1e-6
            if let language, score > (best?.1 ?? -1) { best = (language, score) }
        }
        return best?.0 ?? fallback
    }
}
