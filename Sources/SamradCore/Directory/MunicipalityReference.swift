import Foundation

/// A municipality as people write it in a form: its name ("Aarhus", "lyngby-taarbæk"), the name
/// with its key as the pickers offer it ("Aarhus (dk/751)"), or the key alone ("dk/751").
public enum MunicipalityReference: Equatable, Sendable {
    case found(Municipality)
    case unknown
    /// The name is used in more than one country (or twice in one): the key tells them apart.
    case ambiguous([Municipality])
}

extension MunicipalityDirectory {
    /// How pickers label a municipality, and the text `resolve` reads back.
    public static func label(_ m: Municipality) -> String { "\(m.name) (\(m.key))" }

    /// A stored key as a form shows it again: "Aarhus (dk/751)"; empty for none.
    public func label(of key: MunicipalityKey?) -> String {
        guard let key else { return "" }
        return self[key].map(Self.label) ?? key.description
    }

    /// Resolves one reference; `country` narrows a name to that country.
    public func resolve(_ text: String, in country: Country? = nil) -> MunicipalityReference {
        var name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let key = MunicipalityKey(path: name) { return self[key].map { .found($0) } ?? .unknown }
        // "Aarhus (dk/751)": the key in brackets decides.
        if name.hasSuffix(")"), let open = name.lastIndex(of: "(") {
            let inside = name[name.index(after: open)..<name.index(before: name.endIndex)]
            if let key = MunicipalityKey(path: String(inside)) { return self[key].map { .found($0) } ?? .unknown }
            name = String(name[..<open]).trimmingCharacters(in: .whitespaces)
        }
        let matches = named(name).filter { country == nil || $0.country == country }
        switch matches.count {
        case 0: return .unknown
        case 1: return .found(matches[0])
        default: return .ambiguous(matches)
        }
    }

    /// Resolves a list separated by commas, semicolons or lines. Keys may also be separated by
    /// spaces ("dk/751 dk/461"), as names may not. Every unknown or ambiguous entry is named.
    public func resolveList(
        _ text: String, field: String, in country: Country? = nil,
        _ v: inout Validation
    ) -> [Municipality] {
        var found: [Municipality] = []
        for piece in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isNewline }) {
            let entry = piece.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            switch resolve(entry, in: country) {
            case .found(let m): found.append(m)
            case .ambiguous(let candidates):
                v.add(
                    field, "validation.municipality_ambiguous",
                    [entry, candidates.map(Self.label).joined(separator: ", ")])
            case .unknown:
                let keys = entry.split(separator: " ").map { MunicipalityKey(path: String($0)) }
                if keys.count > 1, keys.allSatisfy({ $0.flatMap { self[$0] } != nil }) {
                    found += keys.compactMap { $0.flatMap { self[$0] } }
                } else {
                    v.add(field, "validation.municipality_unknown", [entry])
                }
            }
        }
        var seen: Set<MunicipalityKey> = []
        return found.filter { seen.insert($0.key).inserted }
    }

    /// One municipality from a form field; nil (with the field's message) when it is not known.
    public func municipality(
        _ field: String, _ text: String?, in country: Country? = nil,
        _ v: inout Validation
    ) -> Municipality? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        switch resolve(text, in: country) {
        case .found(let m): return m
        case .ambiguous(let candidates):
            v.add(
                field, "validation.municipality_ambiguous", [text, candidates.map(Self.label).joined(separator: ", ")])
        case .unknown:
            v.add(field, "validation.municipality_unknown", [text])
        }
        return nil
    }
}
