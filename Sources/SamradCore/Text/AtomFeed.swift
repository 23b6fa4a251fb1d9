import Foundation

/// An Atom feed (RFC 4287) of published articles or newsletters: readers follow the knowledge bank
/// and the newsletter archive without an account, so only what is public goes into one.
public struct AtomFeed: Sendable {
    public struct Entry: Sendable {
        public var id: String
        public var title: String
        public var link: String
        public var updated: Date
        public var published: Date?
        public var authors: [String]
        public var summary: String
        /// Already safe HTML (from `SafeMarkdown`), sent as escaped text of type "html".
        public var contentHTML: String?
        public var categories: [String]

        public init(
            id: String, title: String, link: String, updated: Date, published: Date? = nil, authors: [String] = [],
            summary: String,
            contentHTML: String? = nil, categories: [String] = []
        ) {
            self.id = id
            self.title = title
            self.link = link
            self.updated = updated
            self.published = published
            self.authors = authors
            self.summary = summary
            self.contentHTML = contentHTML
            self.categories = categories
        }
    }

    public var id: String
    public var title: String
    /// The feed's own address and the page it belongs to.
    public var selfLink: String
    public var pageLink: String
    public var language: Language
    public var entries: [Entry]

    public init(id: String, title: String, selfLink: String, pageLink: String, language: Language, entries: [Entry]) {
        self.id = id
        self.title = title
        self.selfLink = selfLink
        self.pageLink = pageLink
        self.language = language
        self.entries = entries
    }

    public static let contentType = "application/atom+xml; charset=utf-8"

    public var xml: String {
        let updated = entries.map(\.updated).max() ?? Date(timeIntervalSince1970: 0)
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(language.rawValue)">
            <id>\(Self.escape(id))</id>
            <title>\(Self.escape(title))</title>
            <updated>\(Self.date(updated))</updated>
            <link rel="self" type="application/atom+xml" href="\(Self.escape(selfLink))"/>
            <link rel="alternate" type="text/html" href="\(Self.escape(pageLink))"/>
            <generator>Samrad</generator>

            """
        for entry in entries {
            out += "<entry>\n<id>\(Self.escape(entry.id))</id>\n<title>\(Self.escape(entry.title))</title>\n"
            out += "<link rel=\"alternate\" type=\"text/html\" href=\"\(Self.escape(entry.link))\"/>\n"
            out += "<updated>\(Self.date(entry.updated))</updated>\n"
            if let published = entry.published { out += "<published>\(Self.date(published))</published>\n" }
            // Atom requires an author on every entry when the feed has none.
            for name in entry.authors.isEmpty ? [title] : entry.authors {
                out += "<author><name>\(Self.escape(name))</name></author>\n"
            }
            for category in entry.categories { out += "<category term=\"\(Self.escape(category))\"/>\n" }
            out += "<summary>\(Self.escape(entry.summary))</summary>\n"
            if let html = entry.contentHTML { out += "<content type=\"html\">\(Self.escape(html))</content>\n" }
            out += "</entry>\n"
        }
        return out + "</feed>\n"
    }

    static func date(_ date: Date) -> String {
        var formatter = Date.ISO8601FormatStyle()
        formatter.timeZone = TimeZone(identifier: "UTC")!
        return formatter.format(date)
    }

    /// XML text and attribute escaping: HTML's, with the characters XML 1.0 forbids dropped.
    public static func escape(_ text: String) -> String {
        var allowed = String.UnicodeScalarView()
        allowed.append(
            contentsOf: text.unicodeScalars.filter { s in
                s == "\t" || s == "\n" || s == "\r" || (s.value >= 0x20 && !(0xFFFE...0xFFFF).contains(s.value))
            })
        return HTMLText.escape(String(allowed))
    }
}
