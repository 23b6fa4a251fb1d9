import Foundation

/// How texts and queries become search terms, the same on SQLite (FTS5 over stems made here) and
/// PostgreSQL (its own `danish`/`swedish` configurations): words are runs of letters and digits,
/// lower-cased and stemmed by `Stemmer`; the passage shown with a result is the stretch of the
/// original text with the most hits, hits marked.
public enum SearchText {
    /// One word of a text and where it stands in it.
    public struct Word: Equatable, Sendable {
        public var text: String
        public var range: Range<String.Index>
    }

    /// Runs of letters and digits (and the marks that go with them), read scalar by scalar: search
    /// reads every word of every result, and walking grapheme clusters costs several times more.
    public static func words(_ text: String) -> [Word] {
        var words: [Word] = []
        let scalars = text.unicodeScalars
        var start: String.Index?
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let isWord: Bool
            if scalar.isASCII {
                // Most of a Danish or Swedish text; the same answer as the properties below, without their lookup.
                let v = scalar.value
                isWord = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
            } else {
                let p = scalar.properties
                isWord =
                    p.isAlphabetic || p.numericType != nil
                    || (start != nil && (p.generalCategory == .nonspacingMark || p.generalCategory == .spacingMark))
            }
            if isWord {
                if start == nil { start = index }
            } else if let s = start {
                words.append(Word(text: String(scalars[s..<index]).lowercased(), range: s..<index))
                start = nil
            }
            index = scalars.index(after: index)
        }
        if let s = start { words.append(Word(text: String(scalars[s...]).lowercased(), range: s..<text.endIndex)) }
        return words
    }

    /// The text as the SQLite index stores it: its words' stems, space-separated, without stop words.
    public static func stems(_ text: String, _ language: Language) -> String {
        words(text).lazy.filter { !StopWords.contains($0.text, language) }.map { Stemmer.stem($0.text, language) }
            .joined(separator: " ")
    }

    /// The stems a query searches for in a text of `language`: each once, stop words left out, at
    /// most 12 (a query is a few words, not a pasted page).
    public static func terms(_ query: String, _ language: Language) -> [String] {
        var seen = Set<String>()
        let terms = words(String(query.prefix(200))).filter { !StopWords.contains($0.text, language) }
            .map { Stemmer.stem($0.text, language) }.filter { seen.insert($0).inserted }
        return Array(terms.prefix(12))
    }

    /// An FTS5 query for what a person typed, for texts in one language: every stem a quoted term
    /// (so no word can be read as an FTS5 operator), all required. Nil when nothing searchable is left.
    public static func ftsQuery(_ query: String, _ language: Language) -> String? {
        let terms = terms(query, language)
        guard !terms.isEmpty else { return nil }
        return terms.map { "\"\($0)\"" }.joined(separator: " ")
    }

    /// A piece of a passage: text, and whether it is a hit.
    public struct Segment: Equatable, Sendable {
        public var text: String
        public var hit: Bool

        public init(_ text: String, hit: Bool) {
            self.text = text
            self.hit = hit
        }
    }

    /// About `length` characters of `text` around the most hits of the query, with … where it is
    /// cut; the start of the text when nothing matches.
    public static func passage(_ text: String, query: String, language: Language, length: Int = 200) -> [Segment] {
        let wanted = Set(terms(query, language))
        let all = words(text)
        // A text repeats its words: each distinct word is stemmed once.
        var stems: [String: Bool] = [:]
        let hits = all.filter { word in
            if let hit = stems[word.text] { return hit }
            // A stem is a prefix of its word (the stemmers only take endings off), so only words
            // that begin with a wanted stem are stemmed at all.
            let hit =
                wanted.contains(where: { word.text.hasPrefix($0) }) && !StopWords.contains(word.text, language)
                && wanted.contains(Stemmer.stem(word.text, language))
            stems[word.text] = hit
            return hit
        }
        // The window holding the most hits, starting at a hit; lengths in UTF-8 bytes, whose offsets
        // a native string gives at once.
        let utf8 = text.utf8
        func offset(_ i: String.Index) -> Int { utf8.distance(from: utf8.startIndex, to: i) }
        let starts = hits.map { offset($0.range.lowerBound) }
        var from = text.startIndex
        var best = 0
        for (i, start) in starts.enumerated() {
            let count = starts[i...].prefix { $0 < start + length }.count
            if count > best {
                best = count
                // A little before the first hit, from the start of a word.
                let back = max(0, start - 40)
                from = all.first { offset($0.range.lowerBound) >= back }?.range.lowerBound ?? hits[i].range.lowerBound
            }
        }
        // Ends after the last whole word within the length.
        let limit = offset(from) + length
        var to = text.endIndex
        if utf8.count > limit {
            to =
                all.last(where: { offset($0.range.upperBound) <= limit && $0.range.lowerBound >= from })?.range
                .upperBound ?? text.endIndex
        }
        var segments: [Segment] = from > text.startIndex ? [Segment("…", hit: false)] : []
        var cursor = from
        for hit in hits where hit.range.lowerBound >= from && hit.range.upperBound <= to {
            if cursor < hit.range.lowerBound {
                segments.append(Segment(String(text[cursor..<hit.range.lowerBound]), hit: false))
            }
            segments.append(Segment(String(text[hit.range]), hit: true))
            cursor = hit.range.upperBound
        }
        if cursor < to { segments.append(Segment(String(text[cursor..<to]), hit: false)) }
        if to < text.endIndex { segments.append(Segment("…", hit: false)) }
        return segments
    }
}
