import Foundation

/// Numbers as each language writes them. Written out by hand so the output does not depend on which
/// locale data the platform's Foundation carries.
public enum NumberText {
    static func separators(_ language: Language) -> (group: String, decimal: String) {
        switch language {
        case .da: (".", ",")
        case .sv: ("\u{00A0}", ",")
        case .en: (",", ".")
        }
    }

    public static func integer(_ value: Int, _ language: Language) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped += separators(language).group }
            grouped.append(digit)
        }
        return (value < 0 ? "−" : "") + grouped
    }

    public static func decimal(_ value: Double, _ language: Language, fractionDigits: Int = 1) -> String {
        let scale = pow(10, Double(fractionDigits))
        let rounded = (abs(value) * scale).rounded() / scale
        let whole = Int(rounded)
        let fraction = Int(((rounded - Double(whole)) * scale).rounded())
        var text = integer(whole, language)
        if value < 0 && rounded != 0 { text = "−" + text }
        if fractionDigits > 0 {
            text +=
                separators(language).decimal
                + String(repeating: "0", count: max(0, fractionDigits - String(fraction).count)) + String(fraction)
        }
        return text
    }

    /// A file size: "820 kB", "2,4 MB" (decimal units, as file managers show them).
    public static func bytes(_ size: Int, _ language: Language) -> String {
        if size < 1_000 { return "\(size) B" }
        if size < 1_000_000 { return "\(integer(Int((Double(size) / 1_000).rounded()), language)) kB" }
        return "\(decimal(Double(size) / 1_000_000, language)) MB"
    }

    /// A number for a message that quotes a bound: no grouping, no trailing ".0".
    public static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
