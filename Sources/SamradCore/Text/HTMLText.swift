/// Text made safe for HTML (and SVG, and XML once `AtomFeed` drops what XML forbids): for element
/// content and for quoted attribute values. The one escaper every hand-written piece of markup uses
/// (charts, the cluster plan, Markdown, e-mail); templates escape through Leaf.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        // Most labels need nothing: skip the copy.
        if !text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
