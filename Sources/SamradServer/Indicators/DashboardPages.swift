import Fluent
import Foundation
import SamradCore
import Vapor

/// IndicatorPages: dashboards.
extension IndicatorPages {
    struct Section: Encodable { var label: String; var entries: [DashboardEntry] }
    struct DashboardContext: Encodable {
        var page: PageContext
        var name: String
        var href: String
        var municipalityName: String
        var municipalityHref: String
        var isSchool: Bool
        var sections: [Section]
        var categories: [Option]
        var clusters: [Option]
        var groups: String
        var mayKeep: Bool
        var mayViewPrivate: Bool
        var schoolCount: Int
        var action: String
        var empty: Bool
        /// Pupil surveys' results beside the indicators, where the reader may see them.
        var pupilSurveys: [PupilSurveyFigures.Survey]
    }

    static func category(_ request: Request) throws -> IndicatorCategory? {
        guard let text = request.query[String.self, at: "category"], !text.isEmpty else { return nil }
        guard let category = IndicatorCategory(rawValue: text) else {
            throw SamradError.invalid([FieldError(field: "category", "validation.choice")])
        }
        return category
    }

    static func sections(_ entries: [DashboardEntry]) -> [Section] {
        IndicatorCategory.allCases.compactMap { category in
            let inCategory = entries.filter { $0.category == category.rawValue }
            return inCategory.isEmpty ? nil : Section(label: inCategory[0].categoryLabel, entries: inCategory)
        }
    }

    func categoryOptions(_ request: Request, _ chosen: IndicatorCategory?) -> [Option] {
        [Option(value: "", label: request.t("indicators.all_categories"), selected: chosen == nil)]
            + IndicatorCategory.allCases.map {
                Option(
                    value: $0.rawValue, label: request.t("indicators.category.\($0.rawValue)"), selected: $0 == chosen)
            }
    }

    /// The page says in a Server-Timing header how long the figures took (data: snapshot and
    /// cluster; compute: comparisons, ranks, changes and charts) apart from rendering.
    func municipalityDashboard(_ request: Request) async throws -> Response {
        let clock = ContinuousClock()
        let started = clock.now
        let m = try MunicipalityAccess.load(request)
        let category = try Self.category(request)
        let snapshot = try await request.indicators()
        let clusters = try await ClusterChoice.all(
            for: m.key, chosen: request.query[String.self, at: "cluster"], actor: request.actor,
            on: request.db)
        let showPrivate = try await Self.mayViewPrivate(request, m.key)
        let loaded = clock.now
        let subject = DashboardSubject.municipality(
            m, cluster: clusters.first { $0.selected }, directory: request.municipalities, snapshot: snapshot,
            showPrivate: showPrivate, t: Self.t(request))
        let entries = IndicatorDashboard.entries(
            subject, snapshot: snapshot, category: category, language: request.language, t: Self.t(request))
        let computed = clock.now
        func ms(_ d: Duration) -> String { String(format: "%.2f", d.milliseconds) }
        let response = try await request.view.render(
            "indicators/dashboard",
            DashboardContext(
                page: PageContext(request, titleKey: "indicators.dashboard_title", [m.name]), name: m.name,
                href: subject.href,
                municipalityName: m.name, municipalityHref: subject.href, isSchool: false,
                sections: Self.sections(entries),
                categories: categoryOptions(request, category),
                clusters: clusters.map {
                    Option(value: $0.id, label: "\($0.name) (\($0.collaboration))", selected: $0.selected)
                },
                groups: subject.groups.map(\.label).joined(separator: ", "),
                mayKeep: IndicatorPolicy.mayKeep(request.actor, m.key), mayViewPrivate: showPrivate,
                schoolCount: snapshot.schoolsOf[m.key]?.count ?? 0, action: subject.href + "/indicators",
                empty: entries.allSatisfy { !$0.hasData },
                pupilSurveys: try await PupilSurveyFigures.of(m.key, request: request))
        )
        .encodeResponse(for: request)
        response.headers.replaceOrAdd(
            name: "Server-Timing",
            value:
                "data;dur=\(ms(loaded - started)), compute;dur=\(ms(computed - loaded)), "
                + "render;dur=\(ms(clock.now - computed))"
        )
        return response
    }

    static func school(_ request: Request, _ snapshot: IndicatorSnapshot) throws -> SchoolInfo {
        guard let country = request.parameters.get("country").flatMap(Country.init(rawValue:)),
            let code = request.parameters.get("code"),
            let school = snapshot.school(country, code)
        else { throw SamradError.notFound() }
        return school
    }

    func schoolDashboard(_ request: Request) async throws -> View {
        let snapshot = try await request.indicators()
        let school = try Self.school(request, snapshot)
        let category = try Self.category(request)
        let showPrivate = try await Self.mayViewPrivate(request, school.municipality)
        let subject = DashboardSubject.school(
            school, directory: request.municipalities, snapshot: snapshot, showPrivate: showPrivate, t: Self.t(request))
        let entries = IndicatorDashboard.entries(
            subject, snapshot: snapshot, category: category, language: request.language, t: Self.t(request))
        let m = request.municipalities[school.municipality]
        return try await request.view.render(
            "indicators/dashboard",
            DashboardContext(
                page: PageContext(request, titleKey: "indicators.dashboard_title", [school.name]), name: school.name,
                href: school.href,
                municipalityName: m?.name ?? school.municipality.code,
                municipalityHref: "/municipalities/\(school.municipality.country.rawValue)/\(school.municipality.code)",
                isSchool: true, sections: Self.sections(entries), categories: categoryOptions(request, category),
                clusters: [],
                groups: subject.groups.map(\.label).joined(separator: ", "),
                mayKeep: IndicatorPolicy.mayKeep(request.actor, school.municipality), mayViewPrivate: showPrivate,
                schoolCount: 0, action: school.href, empty: entries.allSatisfy { !$0.hasData },
                pupilSurveys: try await PupilSurveyFigures.of(
                    school.municipality, school: school.code, request: request)))
    }
}
