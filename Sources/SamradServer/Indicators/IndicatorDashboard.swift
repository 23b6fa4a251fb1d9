import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// A municipality or a school as a dashboard shows it: whom it is compared with, and which own
/// figures the viewer may see.
struct DashboardSubject: Sendable {
    var unit: UnitKey
    var name: String
    var municipality: MunicipalityKey
    var groups: [PeerGroup]
    /// The unit's private figures by indicator, when the viewer may see them.
    var own: [String: [Observation]]

    var href: String {
        unit.level.isUnit
            ? "/schools/\(unit.country.rawValue)/\(unit.code)" : "/municipalities/\(unit.country.rawValue)/\(unit.code)"
    }

    /// A municipality's peers: its cluster (the chosen or latest), its similar municipalities, its
    /// region and its country.
    static func municipality(
        _ m: Municipality, cluster: ClusterChoice?, directory: MunicipalityDirectory, snapshot: IndicatorSnapshot,
        showPrivate: Bool, t: (String, [String]) -> String
    ) -> DashboardSubject {
        var groups: [PeerGroup] = []
        if let cluster {
            groups.append(
                PeerGroup(
                    .cluster, label: t("indicators.group.cluster", [cluster.name]),
                    members: cluster.members.filter { $0 != m.code }))
        }
        let similar = directory.similar(to: m)
        if !similar.isEmpty {
            groups.append(PeerGroup(.similar, label: t("indicators.group.similar", []), members: similar.map(\.code)))
        }
        let region = directory.all.filter { $0.country == m.country && $0.regionCode == m.regionCode }.map(\.code)
        groups.append(PeerGroup(.region, label: m.regionName, members: region))
        groups.append(PeerGroup(.country, label: t("indicators.group.country.\(m.country.rawValue)", [])))
        return DashboardSubject(
            unit: UnitKey(m.key), name: m.name, municipality: m.key, groups: groups,
            own: showPrivate ? snapshot.privates[m.key.description] ?? [:] : [:])
    }

    /// A unit's peers, units of its kind: the others of its municipality, those of its region and all
    /// of the country in the data.
    static func school(
        _ s: SchoolInfo, directory: MunicipalityDirectory, snapshot: IndicatorSnapshot, showPrivate: Bool,
        t: (String, [String]) -> String
    ) -> DashboardSubject {
        var groups: [PeerGroup] = []
        let municipality = directory[s.municipality]
        func units(_ key: MunicipalityKey) -> [SchoolInfo] {
            (snapshot.schoolsOf[key] ?? []).filter { $0.kind == s.kind }
        }
        let others = units(s.municipality).filter { $0.code != s.code }.map(\.code)
        let keys =
            s.kind == .dayCare
            ? (of: "indicators.group.day_care_of", region: "indicators.group.day_care_region",
                country: "indicators.group.day_care_country.")
            : (of: "indicators.group.schools_of", region: "indicators.group.schools_region",
                country: "indicators.group.schools_country.")
        groups.append(
            PeerGroup(.municipality, label: t(keys.of, [municipality?.name ?? s.municipality.code]), members: others))
        if let municipality {
            let inRegion = directory.all.filter { $0.country == s.country && $0.regionCode == municipality.regionCode }
                .flatMap { units($0.key) }.map(\.code)
            groups.append(
                PeerGroup(
                    .region, label: t(keys.region, [municipality.regionName]), members: inRegion))
        }
        groups.append(PeerGroup(.country, label: t(keys.country + s.country.rawValue, [])))
        let own =
            showPrivate
            ? (snapshot.privates[s.municipality.description] ?? [:]).mapValues { $0.filter { $0.unit == s.unit } } : [:]
        return DashboardSubject(unit: s.unit, name: s.name, municipality: s.municipality, groups: groups, own: own)
    }
}

/// The cluster a municipality is compared with: one of the clusters it belongs to.
struct ClusterChoice: Sendable, Encodable {
    var id: String
    var name: String
    var collaboration: String
    var members: [String]
    var selected: Bool

    /// The clusters the municipality is in that the actor may see (`ClusterPolicy`: the
    /// collaboration's organisers and the clusters' own municipalities; never a draft's), newest
    /// first; the chosen one (or the newest) with its members.
    static func all(
        for key: MunicipalityKey, chosen: String?, actor: Actor,
        on db: any Database
    ) async throws -> [ClusterChoice] {
        let sql = db.sql
        struct Row: Decodable {
            var id: UUID; var name: String; var title: String
            var collaboration_id: UUID; var organiser_id: UUID; var status: String
        }
        let found = try await sql.raw(
            """
            SELECT c.id, c.name, co.title, co.id AS collaboration_id, co.organiser_id, co.status
            FROM \(ident: ClusterMember.schema) m JOIN \(ident: Cluster.schema) c ON c.id = m.cluster_id
            JOIN \(ident: Collaboration.schema) co ON co.id = c.collaboration_id
            WHERE m.municipality_country = \(bind: key.country.rawValue) AND m.municipality_code = \(bind: key.code)
                ORDER BY c.created_at DESC
            """
        ).all(decoding: Row.self)
        guard !found.isEmpty else { return [] }
        struct Member: Decodable {
            var cluster_id: UUID; var municipality_country: String; var municipality_code: String
        }
        let rows = try await sql.select().column("cluster_id").column("municipality_country").column(
            "municipality_code"
        )
        .from(ClusterMember.schema).where("cluster_id", .in, found.map(\.id)).all(decoding: Member.self)
        let members = Dictionary(grouping: rows, by: \.cluster_id)
        func keys(_ id: UUID) -> [MunicipalityKey] {
            (members[id] ?? []).map {
                MunicipalityKey(Country(rawValue: $0.municipality_country) ?? key.country, $0.municipality_code)
            }
        }
        let visible = found.filter { row in
            let manages = CollaborationPolicy.mayManage(actor, organiserID: row.organiser_id)
            let published = (CollaborationStatus(rawValue: row.status) ?? .draft).isPublished
            return manages
                || (published
                    && ClusterPolicy.mayView(
                        actor, organiserID: row.organiser_id,
                        collaborationID: row.collaboration_id, members: keys(row.id)))
        }
        guard !visible.isEmpty else { return [] }
        let pick = visible.first { $0.id.uuidString.lowercased() == chosen?.lowercased() } ?? visible[0]
        return visible.map {
            ClusterChoice(
                id: $0.id.uuidString.lowercased(), name: $0.name, collaboration: $0.title,
                members: $0.id == pick.id ? keys(pick.id).map(\.code) : [], selected: $0.id == pick.id)
        }
    }
}

/// The figures of one indicator for one subject, worded for a page: chart, table, changes and rank.
struct DashboardEntry: Encodable {
    struct Row: Encodable {
        var year: String
        var own: String
        var ownStatus: String
        var cells: [String]
        var rank: String
    }

    var code: String
    var name: String
    var category: String
    var categoryLabel: String
    var unitLabel: String
    var svg: String
    var legend: [Legend]
    var latest: String
    var latestYear: String
    var rank: String
    var yearOnYear: String
    var yearOnYearVerdict: String
    var overPeriod: String
    var overPeriodVerdict: String
    var notes: [String]
    var headers: [String]
    var rows: [Row]
    /// The table of the figures, written here rather than by the template: forty tables of ten
    /// rows cost Leaf more than all the arithmetic.
    var tableHTML: String
    var source: String
    var licence: String
    var hasData: Bool
    var isPrivate: Bool

    struct Legend: Encodable { var kind: String; var label: String }

    /// The rows and headers stay out of the template's data: the table is already written.
    enum CodingKeys: String, CodingKey {
        case code, name, category, categoryLabel, unitLabel, svg, legend, latest, latestYear, rank, yearOnYear,
            yearOnYearVerdict
        case overPeriod, overPeriodVerdict, notes, tableHTML, source, licence, hasData, isPrivate
    }
}

/// The words every entry repeats, looked up once per page.
struct DashboardWords {
    var noData: String
    var status: [ObservationStatus: String]
    var rankOf: (String, String)
    var year: String
    var rank: String

    init(_ t: (String, [String]) -> String) {
        noData = t("indicators.no_data", [])
        status = Dictionary(
            uniqueKeysWithValues: ObservationStatus.allCases.filter { $0 != .reported }.map {
                ($0, t("indicators.status.\($0.rawValue)", []))
            })
        // The rank sentence is split around its two arguments once, then filled per row without a catalogue lookup.
        let template = t("indicators.rank_of", ["\u{1}", "\u{2}"])
        let first = template.components(separatedBy: "\u{1}")
        let second = (first.last ?? "").components(separatedBy: "\u{2}")
        rankOf = (first.first ?? "", second.first ?? "")
        year = t("indicators.year", [])
        rank = t("indicators.rank", [])
    }

    func rank(_ rank: Int, _ of: Int) -> String { "\(rankOf.0.isEmpty ? "" : rankOf.0)\(rank)\(rankOf.1)\(of)" }
}

enum IndicatorDashboard {
    /// Every indicator of the subject's level and country (optionally one category), with data first.
    static func entries(
        _ subject: DashboardSubject, snapshot: IndicatorSnapshot, category: IndicatorCategory?, language: Language,
        t: (String, [String]) -> String
    ) -> [DashboardEntry] {
        var result: [DashboardEntry] = []
        let words = DashboardWords(t)
        for indicator in snapshot.indicators(for: subject.unit.level, in: subject.unit.country)
        where category == nil || indicator.category == category {
            let comparison = comparison(indicator, subject, snapshot: snapshot)
            result.append(entry(comparison, subject: subject, language: language, words: words, t: t))
        }
        return result.filter(\.hasData) + result.filter { !$0.hasData }
    }

    static func comparison(
        _ indicator: Indicator, _ subject: DashboardSubject, snapshot: IndicatorSnapshot
    ) -> IndicatorComparison {
        let table =
            snapshot.table(indicator.code, subject.unit.country)
            ?? IndicatorTable(indicator: indicator.code, observations: [])
        var own: [Int: IndicatorTable.Cell] = [:]
        for o in subject.own[indicator.code] ?? [] where o.unit == subject.unit {
            own[o.year] = IndicatorTable.Cell(value: o.value, status: o.status, pupils: o.pupils)
        }
        return IndicatorComparison(
            table, indicator: indicator, unit: subject.unit.code, groups: subject.groups, own: own)
    }

    static func number(_ value: Double?, _ indicator: Indicator, _ language: Language) -> String {
        guard let value else { return "" }
        return NumberText.decimal(value, language, fractionDigits: indicator.decimals)
    }

    static func signed(_ value: Double, _ indicator: Indicator, _ language: Language) -> String {
        (value > 0 ? "+" : "") + NumberText.decimal(value, language, fractionDigits: indicator.decimals)
    }

    /// How an unpublished value reads: "suppressed (too few pupils)", "missing", "about 100".
    static func cellText(
        _ cell: IndicatorTable.Cell, _ indicator: Indicator, _ language: Language, words: DashboardWords
    ) -> String {
        cell.status == .reported ? number(cell.value, indicator, language) : words.status[cell.status] ?? ""
    }

    static func changeText(
        _ change: Change?, _ indicator: Indicator, _ language: Language, t: (String, [String]) -> String
    ) -> (String, String) {
        guard let change else { return ("", "") }
        let unit = t("indicators.unit_short.\(indicator.unit.rawValue)", [])
        var text = t(
            "indicators.change.text",
            [
                ObservationValue.schoolYear(change.fromYear), ObservationValue.schoolYear(change.toYear),
                signed(change.difference, indicator, language) + (unit.isEmpty ? "" : " " + unit),
            ])
        if let improved = change.improved {
            text += " " + t(improved ? "indicators.change.better" : "indicators.change.worse", [])
        }
        let interval =
            change.interval.map {
                [signed($0.lowerBound, indicator, language), signed($0.upperBound, indicator, language)]
            } ?? []
        text += " " + t("indicators.verdict.\(change.verdict.rawValue)", interval)
        return (text, change.verdict.rawValue)
    }

    static func entry(
        _ c: IndicatorComparison, subject: DashboardSubject, language: Language, words: DashboardWords,
        t: (String, [String]) -> String
    ) -> DashboardEntry {
        let indicator = c.indicator
        let headers = [subject.name] + c.groups.map(\.label)
        var rows: [DashboardEntry.Row] = []
        var notes: [String] = []
        var gaps: [Int: String] = [:]
        for (i, y) in c.years.enumerated() {
            let own = cellText(y.own, indicator, language, words: words)
            if y.own.status != .reported {
                gaps[i] = own
                notes.append("\(ObservationValue.schoolYear(y.year)): \(own)")
            }
            rows.append(
                DashboardEntry.Row(
                    year: ObservationValue.schoolYear(y.year), own: own, ownStatus: y.own.status.rawValue,
                    cells: y.means.map { mean in mean.map { number($0, indicator, language) } ?? words.noData },
                    rank: y.rank.map { words.rank($0, y.ranked) } ?? ""))
        }
        var series = [TrendChart.Series(kind: "own", label: subject.name, values: c.years.map { $0.own.reported })]
        for (g, group) in c.groups.enumerated() {
            series.append(
                TrendChart.Series(kind: group.kind.rawValue, label: group.label, values: c.years.map { $0.means[g] }))
        }
        let name = indicator.name(language)
        let chart = TrendChart(
            years: c.years.map(\.year), series: series, gaps: gaps, decimals: indicator.decimals, language: language,
            title: t("indicators.chart_title", [name, subject.name]))
        let latest = c.latest
        var (yoy, yoyVerdict) = changeText(c.yearOnYear, indicator, language, t: t)
        var (period, periodVerdict) = changeText(c.overPeriod, indicator, language, t: t)
        // The same caveat under both changes is said once, after the second: on a phone each chart
        // otherwise carries the same long sentence twice.
        if let a = c.yearOnYear, let b = c.overPeriod, a.verdict == b.verdict, a.interval == nil, b.interval == nil {
            let caveat = " " + t("indicators.verdict.\(a.verdict.rawValue)", [])
            if yoy.hasSuffix(caveat) && period.hasSuffix(caveat) {
                func ended(_ text: String) -> String {
                    var body = String(text.dropLast(caveat.count))
                    while body.hasSuffix(",") || body.hasSuffix(".") { body.removeLast() }
                    return body + "."
                }
                yoy = ended(yoy)
                period = ended(period) + caveat
            }
        }
        let directionNote =
            indicator.direction == .neutral
            ? t("indicators.direction.neutral", []) : t("indicators.rank_hint.\(indicator.direction.rawValue)", [])
        return DashboardEntry(
            code: indicator.code, name: name, category: indicator.category.rawValue,
            categoryLabel: t("indicators.category.\(indicator.category.rawValue)", []),
            unitLabel: t("indicators.unit.\(indicator.unit.rawValue)", []), svg: c.years.isEmpty ? "" : chart.svg,
            legend: c.years.count == 1 ? [] : series.map { DashboardEntry.Legend(kind: $0.kind, label: $0.label) },
            latest: latest.map { number($0.own.reported, indicator, language) } ?? "",
            latestYear: latest.map { ObservationValue.schoolYear($0.year) } ?? "",
            rank: latest.flatMap { y in
                y.rank.map { t("indicators.rank_sentence", [String($0), String(y.ranked), directionNote]) }
            } ?? "",
            yearOnYear: yoy, yearOnYearVerdict: yoyVerdict, overPeriod: period, overPeriodVerdict: periodVerdict,
            notes: notes,
            headers: headers, rows: rows,
            tableHTML: table(
                caption: "\(name) (\(t("indicators.unit.\(indicator.unit.rawValue)", [])))", headers: headers,
                rows: rows, words: words),
            source: ShippedIndicators.localized(indicator.source, t),
            licence: ShippedIndicators.localized(indicator.licence, t),
            hasData: c.years.contains { $0.own.status != .missing || $0.own.value != nil },
            isPrivate: !(subject.own[indicator.code] ?? []).isEmpty)
    }

    static func table(caption: String, headers: [String], rows: [DashboardEntry.Row], words: DashboardWords) -> String {
        let e = HTMLText.escape
        var html = "<table><caption>\(e(caption))</caption><thead><tr><th scope=\"col\">\(e(words.year))</th>"
        for h in headers { html += "<th scope=\"col\" class=\"num\">\(e(h))</th>" }
        html += "<th scope=\"col\" class=\"num\">\(e(words.rank))</th></tr></thead><tbody>"
        for r in rows {
            html += "<tr><th scope=\"row\">\(r.year)</th><td class=\"num \(r.ownStatus)\">\(e(r.own))</td>"
            for c in r.cells { html += "<td class=\"num\">\(e(c))</td>" }
            html += "<td class=\"num\">\(e(r.rank))</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
