import Foundation

/// A path on this site to send a browser back to (after signing in, after choosing a language).
/// Browsers drop tabs and line breaks from a URL and read `\` as `/`, so `/<TAB>/evil.example`
/// becomes `//evil.example`, another host: a path with any control character, space or backslash,
/// or one that starts with two slashes, is not taken.
public enum LocalPath {
    public static func checked(_ text: String?, otherwise fallback: String = "/") -> String {
        guard let text, text.hasPrefix("/"), !text.dropFirst().hasPrefix("/") else { return fallback }
        let refused = text.unicodeScalars.contains {
            $0.properties.generalCategory == .control || $0.properties.isWhitespace || $0 == "\\"
                || $0.properties.generalCategory == .format
        }
        guard !refused, let parsed = URLComponents(string: text), parsed.scheme == nil, parsed.host == nil,
            parsed.path.hasPrefix("/")
        else { return fallback }
        return text
    }
}
