import Foundation
import Ink

/// Markdown that people write (descriptions, minutes, articles) turned into HTML that cannot carry
/// script: raw HTML is shown as text, and links and images keep only http(s), mailto and local
/// addresses without characters that could leave the attribute.
public enum SafeMarkdown {
    public static func html(_ markdown: String) -> String {
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .links) { input in
            guard let url = destination(of: input.markdown), isSafe(url) else { return text(of: input.markdown) }
            return input.html
        })
        parser.addModifier(Modifier(target: .images) { input in
            guard let url = destination(of: input.markdown), isSafe(url), !url.hasPrefix("mailto:") else {
                return escape(String(input.markdown.dropFirst(2).prefix { $0 != "]" }))
            }
            return input.html
        })
        parser.addModifier(Modifier(target: .html) { input in
            "<p>" + escape(String(input.markdown)) + "</p>"
        })
        // "<" starts no tag anywhere: inline HTML becomes text as well.
        return parser.html(from: markdown.replacingOccurrences(of: "<", with: "&lt;"))
    }

    static func destination(of markdown: Substring) -> String? {
        guard let open = markdown.range(of: "](") else { return nil }
        var url = markdown[open.upperBound...]
        if url.hasSuffix(")") { url = url.dropLast() }
        return String(url).trimmingCharacters(in: .whitespaces)
    }

    static func text(of markdown: Substring) -> String {
        let label = markdown.dropFirst().prefix { $0 != "]" }
        return escape(String(label))
    }

    static func isSafe(_ url: String) -> Bool {
        if url.contains(where: { "\"'<>` \\".contains($0) || $0.isNewline }) { return false }
        let lower = url.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") { return true }
        if lower.hasPrefix("//") { return false }
        return lower.hasPrefix("/") || lower.hasPrefix("#")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
