/// Markup written in Swift where a template costs too much (a table of 290 municipalities: Leaf
/// resolves every variable of every row by its dotted path and escapes character by character).
/// Escaped by default like a template: every interpolated string goes through `HTMLText.escape`,
/// only another fragment or a number goes in as it is. The literal parts are the program's own.
public struct HTMLFragment: ExpressibleByStringInterpolation, Sendable, Equatable, Encodable {
    public private(set) var html: String

    public init() { html = "" }
    public init(stringLiteral literal: String) { html = literal }
    public init(stringInterpolation: Interpolation) { html = stringInterpolation.html }

    private init(markup: String) { html = markup }

    /// Markdown that people write, as `SafeMarkdown` makes it safe: the one markup from outside that
    /// goes in as it is.
    public static func markdown(_ text: String) -> HTMLFragment { HTMLFragment(markup: SafeMarkdown.html(text)) }

    public var isEmpty: Bool { html.isEmpty }

    public mutating func append(_ fragment: HTMLFragment) { html += fragment.html }

    /// The fragments one after the other.
    public init(joining fragments: some Sequence<HTMLFragment>, separator: HTMLFragment = "") {
        html = fragments.map(\.html).joined(separator: separator.html)
    }

    /// Encoded as its markup, for a template's `#unsafeHTML`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(html)
    }

    public struct Interpolation: StringInterpolationProtocol {
        var html = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            html.reserveCapacity(literalCapacity + interpolationCount * 24)
        }

        public mutating func appendLiteral(_ literal: String) { html += literal }
        public mutating func appendInterpolation(_ text: String) { html += HTMLText.escape(text) }
        public mutating func appendInterpolation(_ text: String?) { html += text.map(HTMLText.escape) ?? "" }
        public mutating func appendInterpolation(_ fragment: HTMLFragment) { html += fragment.html }
        public mutating func appendInterpolation(_ number: Int) { html += String(number) }
    }
}
