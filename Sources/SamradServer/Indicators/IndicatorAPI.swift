import Fluent
import Foundation
import SamradCore
import Vapor

/// The indicators over the API: the catalogue, and a municipality's or school's series beside its
/// comparison groups with ranks and changes — the dashboard's figures as data.
struct IndicatorAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("indicators", use: catalogue)
        api.get("municipalities", ":country", ":code", "indicators", use: municipality)
        api.get("schools", ":country", ":code", "indicators", use: school)
    }

    struct IndicatorJSON: Content {
        var code: String
        var names: [String: String]
        var unit: String
        var direction: String
        var level: String
        var category: String
        var country: String?
        var source: String
        var licence: String
        var decimals: Int

        init(_ i: Indicator) {
            code = i.code
            names = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0.rawValue, i.name($0)) })
            unit = i.unit.rawValue
            direction = i.direction.rawValue
            level = i.level.rawValue
            category = i.category.rawValue
            country = i.country?.rawValue
            source = i.source
            licence = i.licence
            decimals = i.decimals
        }
    }

    struct CatalogueJSON: Content { var items: [IndicatorJSON] }

    func catalogue(_ request: Request) async throws -> CatalogueJSON {
        CatalogueJSON(items: try await request.indicators().catalogue.map(IndicatorJSON.init))
    }

    struct GroupJSON: Content { var kind: String; var label: String; var members: [String] }
    struct YearJSON: Content {
        var year: Int
        var schoolYear: String
        var value: Double?
        var status: String
        var pupils: Int?
        /// The groups' means in the order of `groups`; null where no member has a published value.
        var means: [Double?]
        var rank: Int?
        var ranked: Int
    }
    struct ChangeJSON: Content {
        var fromYear: Int
        var toYear: Int
        var difference: Double
        var low: Double?
        var high: Double?
        var verdict: String
        var improved: Bool?

        init(_ c: Change) {
            fromYear = c.fromYear
            toYear = c.toYear
            difference = c.difference
            low = c.interval?.lowerBound
            high = c.interval?.upperBound
            verdict = c.verdict.rawValue
            improved = c.improved
        }
    }
    struct SeriesJSON: Content {
        var indicator: String; var years: [YearJSON]; var yearOnYear: ChangeJSON?; var overPeriod: ChangeJSON?
    }
    struct DashboardJSON: Content {
        var unit: String; var name: String; var groups: [GroupJSON]; var series: [SeriesJSON]
    }

    func json(_ subject: DashboardSubject, snapshot: IndicatorSnapshot, category: IndicatorCategory?) -> DashboardJSON {
        var series: [SeriesJSON] = []
        for indicator in snapshot.indicators(for: subject.unit.level, in: subject.unit.country)
        where category == nil || indicator.category == category {
            let c = IndicatorDashboard.comparison(indicator, subject, snapshot: snapshot)
            series.append(
                SeriesJSON(
                    indicator: indicator.code,
                    years: c.years.map {
                        YearJSON(
                            year: $0.year, schoolYear: ObservationValue.schoolYear($0.year), value: $0.own.value,
                            status: $0.own.status.rawValue,
                            pupils: $0.own.pupils, means: $0.means, rank: $0.rank, ranked: $0.ranked)
                    }, yearOnYear: c.yearOnYear.map(ChangeJSON.init), overPeriod: c.overPeriod.map(ChangeJSON.init)))
        }
        return DashboardJSON(
            unit: "\(subject.unit.country.rawValue)/\(subject.unit.code)", name: subject.name,
            groups: subject.groups.map { GroupJSON(kind: $0.kind.rawValue, label: $0.label, members: $0.members) },
            series: series)
    }

    func municipality(_ request: Request) async throws -> DashboardJSON {
        let m = try MunicipalityAccess.load(request)
        let category = try IndicatorPages.category(request)
        let snapshot = try await request.indicators()
        let clusters = try await ClusterChoice.all(
            for: m.key, chosen: request.query[String.self, at: "cluster"], actor: request.actor,
            on: request.db)
        let subject = DashboardSubject.municipality(
            m, cluster: clusters.first { $0.selected }, directory: request.municipalities, snapshot: snapshot,
            showPrivate: try await IndicatorPages.mayViewPrivate(request, m.key), t: IndicatorPages.t(request))
        return json(subject, snapshot: snapshot, category: category)
    }

    func school(_ request: Request) async throws -> DashboardJSON {
        let snapshot = try await request.indicators()
        let s = try IndicatorPages.school(request, snapshot)
        let category = try IndicatorPages.category(request)
        let subject = DashboardSubject.school(
            s, directory: request.municipalities, snapshot: snapshot,
            showPrivate: try await IndicatorPages.mayViewPrivate(request, s.municipality), t: IndicatorPages.t(request))
        return json(subject, snapshot: snapshot, category: category)
    }
}
