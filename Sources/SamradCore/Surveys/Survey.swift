import Foundation

/// A class code a teacher hands out for one school and grade: eight letters and digits without the
/// ones that are read wrongly on a board (0/O, 1/I/L), shown as two groups ("K7RM-2XQP").
public enum ClassCode {
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    /// A fresh code; 31^8 ≈ 850 billion codes, so guessing one of a survey's few thousand is hopeless.
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<8).map { _ in alphabet.randomElement(using: &generator)! })
    }

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    /// As typed by a pupil: case, spaces and dashes do not matter. nil when it cannot be a code.
    public static func normalised(_ typed: String) -> String? {
        var result = ""
        for character in typed.uppercased() {
            switch character {
            case " ", "-", "\u{2013}", "\u{00A0}": continue
            default:
                guard alphabet.contains(character) else { return nil }
                result.append(character)
            }
        }
        return result.count == 8 ? result : nil
    }

    /// "K7RM2XQP" → "K7RM-2XQP".
    public static func display(_ code: String) -> String {
        code.count == 8 ? "\(code.prefix(4))-\(code.suffix(4))" : code
    }
}

/// The grades a pupil survey may be given in: 0 (børnehaveklasse, förskoleklass) to 10.
public enum SurveyGrade {
    public static let range = 0...10
}
