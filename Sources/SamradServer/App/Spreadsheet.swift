import Foundation
import SamradCore
import Vapor
import ZIPFoundation

/// A table as an Office Open XML workbook (ECMA-376), one sheet: numbers and dates as typed cells,
/// the header bold, frozen and filterable, columns as wide as their contents. Written here rather
/// than through libxlsxwriter so that `swift run samrad serve` needs no system library (see
/// bench/README.md for the measured cost).
struct XLSXWorkbook {
    var title: String
    var table: CSVWriter
    /// The time zone moments are shown in (a spreadsheet cell has none).
    var zone: TimeZone

    func data(generatedAt: Date = Date()) throws -> Data {
        let parts: [(String, String)] = [
            ("[Content_Types].xml", Self.contentTypes), ("_rels/.rels", Self.packageRelationships),
            ("docProps/app.xml", Self.app), ("docProps/core.xml", core(generatedAt)),
            ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", Self.workbookRelationships),
            ("xl/styles.xml", Self.styles), ("xl/worksheets/sheet1.xml", sheet),
        ]
        let archive = try Archive(accessMode: .create)
        for (name, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: generatedAt,
                compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        // An archive made in memory always has its data; without it this is a server error, logged.
        guard let data = archive.data else { throw Archive.ArchiveError.unwritableArchive }
        return data
    }

    static let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static let contentTypes = declaration + """
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" \
        ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/worksheets/sheet1.xml" \
        ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
        <Override PartName="/xl/styles.xml" \
        ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        <Override PartName="/docProps/core.xml" \
        ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
        <Override PartName="/docProps/app.xml" \
        ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>
        """

    static let packageRelationships = declaration + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/>\
        <Relationship Id="rId2" \
        Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
        Target="docProps/core.xml"/>\
        <Relationship Id="rId3" Type="\(relationships)/extended-properties" Target="docProps/app.xml"/>\
        </Relationships>
        """

    static let workbookRelationships = declaration + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>\
        <Relationship Id="rId2" Type="\(relationships)/styles" Target="styles.xml"/></Relationships>
        """

    static let app = declaration + """
        <Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">\
        <Application>Samrad</Application></Properties>
        """

    /// Styles by index: 0 plain, 1 bold (header), 2 a day, 3 a moment; 14 and 22 are the built-in
    /// formats that Excel shows in the reader's own locale (06-12-2026 in Danish).
    static let styles = declaration + """
        <styleSheet xmlns="\(main)">\
        <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
        <font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill>\
        <fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """

    /// At most 31 characters, none of those Excel refuses in a sheet's name.
    var sheetName: String {
        let cleaned = title.map { "[]:*?/\\'".contains($0) ? " " : $0 }
        let name = String(String(cleaned).prefix(31)).trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? "Samrad" : name
    }

    var range: String {
        "A1:\(Self.column(max(table.header.count, 1) - 1))\(table.rows.count + 1)"
    }

    var workbook: String {
        Self.declaration + """
            <workbook xmlns="\(Self.main)" xmlns:r="\(Self.relationships)"><bookViews><workbookView/></bookViews>\
            <sheets><sheet name="\(Self.escape(sheetName))" sheetId="1" r:id="rId1"/></sheets>\
            <definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\
            '\(Self.escape(sheetName))'!\(absolute(range))</definedName></definedNames></workbook>
            """
    }

    func absolute(_ range: String) -> String {
        range.split(separator: ":").map { corner in
            let letters = corner.prefix { $0.isLetter }
            return "$\(letters)$\(corner.dropFirst(letters.count))"
        }.joined(separator: ":")
    }

    func core(_ date: Date) -> String {
        Self.declaration + """
            <cp:coreProperties \
            xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>\(Self.escape(title))</dc:title>\
            <dc:creator>Samrad</dc:creator>\
            <dcterms:created xsi:type="dcterms:W3CDTF">\(date.formatted(.iso8601))</dcterms:created>\
            </cp:coreProperties>
            """
    }

    var sheet: String {
        let kinds = SpreadsheetColumn.kinds(table.header)
        var widths = table.header.map { Double($0.count) }
        var rows = ""
        rows.reserveCapacity(table.rows.count * table.header.count * 24)
        rows += "<row r=\"1\">"
        for (column, name) in table.header.enumerated() {
            rows += "<c r=\"\(Self.column(column))1\" t=\"inlineStr\" s=\"1\"><is>\(Self.text(name))</is></c>"
        }
        rows += "</row>"
        for (index, fields) in table.rows.enumerated() {
            let r = index + 2
            rows += "<row r=\"\(r)\">"
            for (column, field) in fields.enumerated() {
                let kind = column < kinds.count ? kinds[column] : .text
                let reference = "\(Self.column(column))\(r)"
                switch SpreadsheetCell(field, kind: kind) {
                case .empty:
                    continue
                case .text(let text):
                    rows += "<c r=\"\(reference)\" t=\"inlineStr\"><is>\(Self.text(text))</is></c>"
                case .number(let number):
                    rows += "<c r=\"\(reference)\"><v>\(Self.number(number))</v></c>"
                case .day(let year, let month, let day):
                    rows += "<c r=\"\(reference)\" s=\"2\"><v>\(Self.serial(year, month, day))</v></c>"
                case .moment(let date):
                    rows += "<c r=\"\(reference)\" s=\"3\"><v>\(Self.number(serial(date)))</v></c>"
                case .wallClock(let year, let month, let day, let minutes):
                    let serial = Double(Self.serial(year, month, day)) + Double(minutes) / 1440
                    rows += "<c r=\"\(reference)\" s=\"3\"><v>\(Self.number(serial))</v></c>"
                }
                if column < widths.count { widths[column] = max(widths[column], Double(min(field.count, 60))) }
            }
            rows += "</row>"
        }
        let cols = widths.enumerated().map { column, width in
            let width = min(max(width, 8) + 2, 62)
            return "<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
        }.joined()
        return Self.declaration + """
            <worksheet xmlns="\(Self.main)" xmlns:r="\(Self.relationships)"><dimension ref="\(range)"/>\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" \
            state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>\
            <sheetFormatPr defaultRowHeight="15"/><cols>\(cols)</cols><sheetData>\(rows)</sheetData>\
            <autoFilter ref="\(range)"/></worksheet>
            """
    }

    /// A, B, …, Z, AA, AB, …
    static func column(_ index: Int) -> String {
        var index = index + 1
        var letters = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            index = (index - 1) / 26
        }
        return letters
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// Days since 1899-12-30, the day Excel's serial numbers count from.
    /// Counted by arithmetic on the Gregorian calendar (years from March, so the leap day comes last),
    /// not through `Calendar`, the largest cost in a profile of a workbook.
    static func serial(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        // 719,468 days from 0000-03-01 to 1970-01-01; 25,569 from 1899-12-30 to 1970-01-01.
        return era * 146_097 + dayOfEra - 719_468 + 25_569
    }

    /// A moment as the serial of its local day and time in `zone`.
    func serial(_ date: Date) -> Double {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let seconds = Double((parts.hour ?? 0) * 3600 + (parts.minute ?? 0) * 60 + (parts.second ?? 0))
        return Double(Self.serial(parts.year ?? 1900, parts.month ?? 1, parts.day ?? 1)) + seconds / 86_400
    }

    /// Inline text, keeping leading and trailing spaces and line breaks.
    static func text(_ value: String) -> String {
        let preserve =
            value.first?.isWhitespace == true || value.last?.isWhitespace == true || value.utf8.contains(10)
        return (preserve ? "<t xml:space=\"preserve\">" : "<t>") + escape(value) + "</t>"
    }

    /// XML 1.0 text: the five entities escaped, and the control characters XML cannot hold left out.
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension CSVWriter {
    /// The table as a download in the form the address asks for: `name.xlsx` a workbook, `name.csv`
    /// RFC 4180 CSV, and `name.csv?sep=semicolon` the form Danish and Swedish Excel open directly
    /// (semicolons, decimal commas). CSV carries a byte order mark, so Excel reads it as UTF-8.
    func download(_ request: Request, name: String, title: String? = nil) throws -> Response {
        if request.url.path.hasSuffix(".xlsx") {
            let zone = TimeZone(identifier: request.language == .sv ? "Europe/Stockholm" : "Europe/Copenhagen")!
            let data = try XLSXWorkbook(title: title ?? name, table: self, zone: zone).data()
            let response = Response(status: .ok, body: .init(data: data))
            response.headers.contentType = HTTPMediaType(
                type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response.headers.contentDisposition = .init(.attachment, filename: name + ".xlsx")
            return response
        }
        let semicolon = request.query[String.self, at: "sep"] == "semicolon"
        let response = Response(status: .ok, body: .init(string: "\u{FEFF}" + text(separator: semicolon ? ";" : ",")))
        response.headers.contentType = HTTPMediaType(
            type: "text", subType: "csv", parameters: ["charset": "utf-8", "header": "present"])
        // Its own name, so both forms can sit side by side in a downloads folder.
        let file = name + (semicolon ? "-semicolon" : "") + ".csv"
        response.headers.contentDisposition = .init(.attachment, filename: file)
        return response
    }
}

extension RoutesBuilder {
    /// A table's download at `….csv` and its workbook twin at `….xlsx`, both answered by `handler`.
    func spreadsheet(
        _ path: PathComponent..., use handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        guard let last = path.last, case .constant(let name) = last else { return }
        let base = Array(path.dropLast())
        get(base + [.constant(name + ".csv")], use: handler)
        get(base + [.constant(name + ".xlsx")], use: handler)
    }
}

/// The three ways a table is offered on a page: for Excel, as CSV for Danish or Swedish Excel, as
/// plain CSV.
struct DownloadLinks: Encodable {
    var label: String
    var xlsx: String
    var semicolonCSV: String
    var csv: String

    /// `base` without extension ("/collaborations/x/registrations"), `query` with its "?" or empty.
    init(base: String, query: String = "", label: String) {
        self.label = label
        xlsx = base + ".xlsx" + query
        csv = base + ".csv" + query
        semicolonCSV = base + ".csv" + (query.isEmpty ? "?" : query + "&") + "sep=semicolon"
    }
}
