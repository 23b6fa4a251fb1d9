import Foundation
import Ink

/// Markdown that people write (descriptions, minutes, articles) turned into HTML that cannot carry
/// script: raw HTML is shown as text, and links and images keep only http(s), mailto and local
/// addresses without characters that could leave the attribute.
public enum SafeMarkdown {
    /// The HTML of a text is the same every time: pages that show the same agenda and minutes on
    /// every request parse each text once (bounded; emptied when full).
    private final class Rendered: @unchecked Sendable {
        let lock = NSLock()
        var html: [String: String] = [:]
        var bytes = 0
        let limit = 4 << 20
    }
    private static let rendered = Rendered()

    public static func html(_ markdown: String) -> String {
        if markdown.isEmpty { return "" }
        let kept = rendered.lock.withLock { rendered.html[markdown] }
        if let kept { return kept }
        let html = render(markdown)
        let size = markdown.utf8.count + html.utf8.count
        rendered.lock.withLock {
            if rendered.bytes + size > rendered.limit { (rendered.html, rendered.bytes) = ([:], 0) }
            if rendered.html.updateValue(html, forKey: markdown) == nil { rendered.bytes += size }
        }
        return html
    }

    private static func render(_ markdown: String) -> String {
        var parser = MarkdownParser()
        parser.addModifier(
            Modifier(target: .links) { input in
                guard let url = destination(of: input.markdown), isSafe(url) else { return text(of: input.markdown) }
                return input.html
            })
        parser.addModifier(
            Modifier(target: .images) { input in
                // Ink writes the alt text into its attribute without escaping quotes: written here.
                let alt = String(input.markdown.dropFirst(2).prefix { $0 != "]" })
                    .replacingOccurrences(of: "&lt;", with: "<")
                guard let url = destination(of: input.markdown), isSafe(url), !url.hasPrefix("mailto:") else {
                    return HTMLText.escape(alt)
                }
                return "<img src=\"\(HTMLText.escape(url))\" alt=\"\(HTMLText.escape(alt))\"/>"
            })
        parser.addModifier(
            Modifier(target: .html) { input in
                "<p>" + HTMLText.escape(String(input.markdown)) + "</p>"
            })
        // "<" starts no tag anywhere: inline HTML becomes text as well.
        return parser.html(from: markdown.replacingOccurrences(of: "<", with: "&lt;"))
    }

    /// The text a reader sees, without markup: what search indexes and what a passage quotes.
    public static func plainText(_ markdown: String) -> String {
        var out = ""
        var inTag = false
        for c in html(markdown) {
            if c == "<" { inTag = true; continue }
            if c == ">" && inTag { inTag = false; out.append(" "); continue }
            if !inTag { out.append(c) }
        }
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    public struct Problem: Equatable, Sendable {
        public var key: String
        public var arguments: [String]
    }

    /// Links a writer should fix before saving: one left open ("[text](https://…" without its ")"),
    /// or one whose address is not http(s), mailto or a local path (such a link would be shown as
    /// plain text). Each named with its text, so the writer finds it.
    public static func problems(_ markdown: String) -> [Problem] {
        var problems: [Problem] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: true) {
            var rest = line[...]
            while let open = rest.range(of: "](") {
                let label = String(
                    rest[..<open.lowerBound].split(separator: "[", omittingEmptySubsequences: false).last ?? ""
                )
                .trimmingCharacters(in: .whitespaces)
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else {
                    problems.append(Problem(key: "markdown.error.link_open", arguments: [String(label.prefix(60))]))
                    break
                }
                let url = after[..<close].trimmingCharacters(in: .whitespaces)
                if !isSafe(url) {
                    problems.append(
                        Problem(
                            key: "markdown.error.link_address",
                            arguments: [String(label.prefix(60)), String(url.prefix(80))]))
                }
                rest = after[after.index(after: close)...]
            }
        }
        return problems
    }

    static func destination(of markdown: Substring) -> String? {
        guard let open = markdown.range(of: "](") else { return nil }
        var url = markdown[open.upperBound...]
        if url.hasSuffix(")") { url = url.dropLast() }
        return String(url).trimmingCharacters(in: .whitespaces)
    }

    static func text(of markdown: Substring) -> String {
        let label = markdown.dropFirst().prefix { $0 != "]" }
        return HTMLText.escape(String(label))
    }

    static func isSafe(_ url: String) -> Bool {
        if url.contains(where: { "\"'<>` \\".contains($0) || $0.isNewline }) { return false }
        let lower = url.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") { return true }
        if lower.hasPrefix("//") { return false }
        return lower.hasPrefix("/") || lower.hasPrefix("#")
    }

}
