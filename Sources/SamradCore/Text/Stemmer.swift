import Foundation

/// The Snowball stemmers for Danish and Swedish (snowballstem.org), written out in Swift so that
/// search on the embedded SQLite stems words the way PostgreSQL's `danish` and `swedish` text
/// search configurations do: "skoleudviklingen" and "skoleudvikling" both become
/// "skoleudvikling", "lærernes" and "lærerne" both "lær".
public enum Stemmer {
    public static func stem(_ word: String, _ language: Language) -> String {
        switch language {
        case .da: danish(word.lowercased())
        case .sv: swedish(word.lowercased())
        case .en: word.lowercased()
        }
    }

    // MARK: Regions

    /// R1: the region after the first non-vowel that follows a vowel, but at least 3 letters in.
    static func r1(_ w: [Character], vowels: Set<Character>) -> Int {
        var i = 1
        while i < w.count {
            if !vowels.contains(w[i]) && vowels.contains(w[i - 1]) { return max(3, i + 1) }
            i += 1
        }
        return w.count
    }

    /// The longest of `suffixes` that `w` ends with and that starts at or after `from`.
    static func longest(_ w: [Character], _ suffixes: [[Character]], from: Int) -> [Character]? {
        var best: [Character]?
        for s in suffixes where s.count <= w.count - from && w.count >= s.count && Array(w.suffix(s.count)) == s {
            if best == nil || s.count > best!.count { best = s }
        }
        return best
    }

    static func ends(_ w: [Character], _ s: String) -> Bool { w.count >= s.count && String(w.suffix(s.count)) == s }

    // MARK: Danish

    static let danishVowels: Set<Character> = ["a", "e", "i", "o", "u", "y", "æ", "å", "ø"]
    static let danishStep1: [[Character]] = [
        "hed", "ethed", "ered", "e", "erede", "ende", "erende", "ene", "erne", "ere", "en", "heden", "eren", "er",
        "heder", "erer", "heds", "es", "endes", "erendes", "enes", "ernes", "eres", "ens", "hedens", "erens", "ers",
        "ets", "erets", "et", "eret",
    ].map(Array.init)
    static let danishSEnding: Set<Character> = Set("abcdfghjklmnoprtvyzå")
    static let danishStep2: [[Character]] = ["gd", "dt", "gt", "kt"].map(Array.init)

    static func danish(_ word: String) -> String {
        var w = Array(word)
        let p1 = r1(w, vowels: danishVowels)
        // Step 1: the main endings; a final s only after a letter that allows it.
        if let s = longest(w, danishStep1 + [["s"]], from: p1) {
            if s == ["s"] {
                if w.count >= 2, danishSEnding.contains(w[w.count - 2]) { w.removeLast() }
            } else {
                w.removeLast(s.count)
            }
        }
        func step2() {
            if longest(w, danishStep2, from: p1) != nil { w.removeLast() }
        }
        step2()
        // Step 3: igst → ig; then lig, elig, els, ig (and step 2 again), løst → løs.
        if ends(w, "igst") { w.removeLast(2) }
        if let s = longest(w, ["ig", "lig", "elig", "els", "løst"].map(Array.init), from: p1) {
            if s == Array("løst") { w.removeLast() } else { w.removeLast(s.count); step2() }
        }
        // Step 4: a final consonant in R1 doubled loses one.
        if w.count >= 2, w.count - 1 >= p1, w[w.count - 1] == w[w.count - 2], !danishVowels.contains(w[w.count - 1]) {
            w.removeLast()
        }
        return String(w)
    }

    // MARK: Swedish

    static let swedishVowels: Set<Character> = ["a", "e", "i", "o", "u", "y", "ä", "å", "ö"]
    static let swedishStep1: [[Character]] = [
        "a", "arna", "erna", "heterna", "orna", "ad", "e", "ade", "ande", "arne", "are", "aste", "en", "anden", "aren",
        "heten", "ern", "ar", "er", "heter", "or", "as", "arnas", "ernas", "ornas", "es", "ades", "andes", "ens",
        "arens", "hetens", "erns", "at", "andet", "het", "ast",
    ].map(Array.init)
    static let swedishSEnding: Set<Character> = Set("bcdfghjklmnoprtvy")

    static func swedish(_ word: String) -> String {
        var w = Array(word)
        let p1 = r1(w, vowels: swedishVowels)
        if let s = longest(w, swedishStep1 + [["s"]], from: p1) {
            if s == ["s"] {
                if w.count >= 2, swedishSEnding.contains(w[w.count - 2]) { w.removeLast() }
            } else {
                w.removeLast(s.count)
            }
        }
        if longest(w, ["dd", "gd", "nn", "dt", "gt", "kt", "tt"].map(Array.init), from: p1) != nil { w.removeLast() }
        if let s = longest(w, ["lig", "ig", "els", "fullt", "löst"].map(Array.init), from: p1) {
            if s == Array("fullt") || s == Array("löst") { w.removeLast() } else { w.removeLast(s.count) }
        }
        return String(w)
    }
}
