import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SamradCore
import ZIPFoundation

/// An uploaded table as CSV text: an Excel workbook (`.xlsx`, its first sheet) becomes comma CSV,
/// and a CSV file is decoded whatever it was saved as (`TextFile`). Every import reads its file
/// through this, so each takes the same files.
enum SpreadsheetUpload {
    static func text(_ data: Data) throws -> String {
        if isWorkbook(data) { return try XLSXSheet.read(data).text }
        return try TextFile.decode(data).text
    }

    /// UTF-8 CSV bytes for the importers that read bytes: the file itself when it already is.
    static func csvData(_ data: Data) throws -> Data {
        if !isWorkbook(data), data.withUnsafeBytes({ String(validating: $0.bindMemory(to: UInt8.self), as: UTF8.self) })
            != nil
        {
            return data
        }
        return Data(try text(data).utf8)
    }

    /// A ZIP's first bytes: an Office Open XML workbook.
    static func isWorkbook(_ data: Data) -> Bool { data.starts(with: [0x50, 0x4B, 0x03, 0x04]) }
}

/// The first worksheet of a workbook as rows of text: shared and inline strings, numbers as typed
/// (without a thousands separator), dates as ISO days ("2026-12-06") where the cell's format is a date.
struct XLSXSheet {
    var rows: [[String]]

    var text: String {
        guard let header = rows.first else { return "" }
        var writer = CSVWriter(header: header)
        for row in rows.dropFirst() {
            writer.append(row.count < header.count ? row + Array(repeating: "", count: header.count - row.count) : row)
        }
        return writer.text(separator: ",", defusingFormulas: false)
    }

    static var unreadable: SamradError {
        SamradError(.invalidInput, "xlsx.unreadable", fieldErrors: [FieldError(field: "file", "xlsx.unreadable")])
    }

    static func read(_ data: Data) throws -> XLSXSheet {
        guard let archive = try? Archive(data: data, accessMode: .read) else { throw unreadable }
        func part(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            var bytes = Data()
            _ = try archive.extract(entry, skipCRC32: false) { bytes.append($0) }
            return bytes
        }
        let sheetPath = try firstSheetPath(
            workbook: part("xl/workbook.xml"), relations: part("xl/_rels/workbook.xml.rels"))
        guard let sheet = try part(sheetPath) else { throw unreadable }
        let strings = try part("xl/sharedStrings.xml").map(SharedStrings.parse) ?? []
        let dateStyles = try part("xl/styles.xml").map(DateStyles.parse) ?? []
        return XLSXSheet(rows: try SheetCells.parse(sheet, strings: strings, dateStyles: dateStyles))
    }

    /// The first sheet the workbook lists, through its relationship; `xl/worksheets/sheet1.xml` when
    /// a writer left that out.
    static func firstSheetPath(workbook: Data?, relations: Data?) throws -> String {
        let fallback = "xl/worksheets/sheet1.xml"
        guard let workbook, let relations else { return fallback }
        let sheet = Elements.parse(workbook).first { $0.name == "sheet" }
        guard let id = sheet?.attributes["r:id"] else { return fallback }
        let relation = Elements.parse(relations).first { $0.name == "Relationship" && $0.attributes["Id"] == id }
        guard var target = relation?.attributes["Target"] else { return fallback }
        if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
        return target
    }
}

/// Start tags and their attributes, in order: enough for the workbook's small parts.
private final class Elements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String] }
    var found: [Element] = []

    static func parse(_ data: Data) -> [Element] {
        let collector = Elements()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        parser.parse()
        return collector.found
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        found.append(Element(name: name, attributes: attributes))
    }
}

/// `xl/sharedStrings.xml`: each `<si>`'s text, runs joined.
private final class SharedStrings: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current = ""
    var inText = false

    static func parse(_ data: Data) throws -> [String] {
        let collector = SharedStrings()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else { throw XLSXSheet.unreadable }
        return collector.strings
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if name == "si" { current = "" }
        if name == "t" { inText = true }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "t" { inText = false }
        if name == "si" { strings.append(current) }
    }
}

/// `xl/styles.xml`: for each cell style (`cellXfs`), whether its number format shows a date.
private final class DateStyles: NSObject, XMLParserDelegate {
    var customDateFormats: Set<Int> = []
    var styles: [Bool] = []
    var inCellXfs = false
    var formatIDs: [Int] = []

    static func parse(_ data: Data) throws -> [Bool] {
        let collector = DateStyles()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else { throw XLSXSheet.unreadable }
        return collector.formatIDs.map { id in (14...22).contains(id) || (45...47).contains(id)
            || collector.customDateFormats.contains(id) }
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "numFmt":
            // A format with a day, month or year in it that is not only in quotes or a colour.
            let code = (attributes["formatCode"] ?? "").lowercased()
                .replacingOccurrences(of: #""[^"]*""#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"\[[^\]]*\]"#, with: "", options: .regularExpression)
            if let id = attributes["numFmtId"].flatMap(Int.init), code.contains(where: { "dmy".contains($0) }) {
                customDateFormats.insert(id)
            }
        case "cellXfs": inCellXfs = true
        case "xf" where inCellXfs: formatIDs.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "cellXfs" { inCellXfs = false }
    }
}

/// A worksheet's `<sheetData>`: rows of cells placed by their references (`C5`), gaps left empty.
private final class SheetCells: NSObject, XMLParserDelegate {
    let strings: [String]
    let dateStyles: [Bool]
    var rows: [Int: [Int: String]] = [:]
    var row = 0
    var column = 0
    var type = ""
    var style = 0
    var value = ""
    var inValue = false

    init(strings: [String], dateStyles: [Bool]) {
        self.strings = strings
        self.dateStyles = dateStyles
    }

    static func parse(_ data: Data, strings: [String], dateStyles: [Bool]) throws -> [[String]] {
        let collector = SheetCells(strings: strings, dateStyles: dateStyles)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else { throw XLSXSheet.unreadable }
        guard let last = collector.rows.keys.max() else { return [] }
        return (1...last).map { index in
            let cells = collector.rows[index] ?? [:]
            guard let width = cells.keys.max() else { return [] }
            return (0...width).map { cells[$0] ?? "" }
        }
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "row":
            row = attributes["r"].flatMap(Int.init) ?? row + 1
            column = -1
        case "c":
            let reference = attributes["r"] ?? ""
            let letters = reference.prefix { $0.isLetter }.uppercased()
            column = letters.isEmpty
                ? column + 1 : letters.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
            type = attributes["t"] ?? "n"
            style = attributes["s"].flatMap(Int.init) ?? 0
            value = ""
        case "v", "t": inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { value += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": inValue = false
        case "c":
            let text: String
            switch type {
            case "s": text = Int(value).flatMap { strings.indices.contains($0) ? strings[$0] : nil } ?? ""
            case "inlineStr", "str": text = value
            case "b": text = value == "1" ? "true" : "false"
            case "e": text = ""
            default: text = number(value)
            }
            if !text.isEmpty { rows[row, default: [:]][column] = text }
        default: break
        }
    }

    /// A number as typed; a date as its ISO day when its style shows a date.
    func number(_ value: String) -> String {
        guard let number = Double(value) else { return value }
        if style < dateStyles.count, dateStyles[style] {
            let origin = Date(timeIntervalSince1970: -2_209_161_600)  // 1899-12-30, Excel's day 0
            let date = origin.addingTimeInterval(number.rounded(.down) * 86_400)
            return date.formatted(.iso8601.year().month().day())
        }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }
}
