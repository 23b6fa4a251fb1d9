import Fluent
import Foundation
import SamradCore
import SQLKit
import Vapor

/// A survey's results as one viewer may see them, in the same shape as a questionnaire's
/// (`ResultsReport`), so the results page, its CSV, the API and a meeting's agenda show them alike.
/// The viewpoint is a place: a school ("se/0114/44227469") or a municipality ("se/0114"); its groups
/// are the school, the municipality, its cluster, its similar municipalities, its region and its
/// country. Organisers choose any place (or see each country); the people of a registered
/// municipality see their own municipality and its schools; the public each country. Which groups
/// show anything is decided once for all viewers by `SurveyResults`.
enum SurveyReport {
    /// A place results are seen from.
    struct Place: Hashable {
        var municipality: MunicipalityKey
        var school: String?

        init(municipality: MunicipalityKey, school: String? = nil) {
            self.municipality = municipality
            self.school = school
        }

        /// "se/0114" or "se/0114/44227469".
        init?(path: String) {
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count == 2 || parts.count == 3, let country = Country(rawValue: parts[0]) else { return nil }
            municipality = MunicipalityKey(country, parts[1])
            school = parts.count == 3 ? parts[2] : nil
        }

        var path: String { municipality.description + (school.map { "/\($0)" } ?? "") }
    }

    /// The figures of every group, with the places answers came from.
    struct Loaded {
        var results: SurveyResults
        var units: [SurveyUnits.Listed]
        var grouping: SurveyGrouping
        var clusterOf: [MunicipalityKey: String]
    }

    static func load(_ q: Questionnaire, request: Request) async throws -> Loaded {
        let clock = ContinuousClock()
        let started = clock.now
        let id = try q.requireID()
        let tally = try await request.application.surveyTallies.current(q, on: request.db)
        let units = try await SurveyUnits.all(id, on: request.db)
        let clusterOf = try await clusters(of: q, on: request.db)
        let read = clock.now
        var grouping = SurveyGrouping()
        for unit in units {
            let key = unit.municipality
            let m = key.flatMap { request.municipalities[$0] }
            grouping.add(
                school: key.flatMap { unit.school_code.isEmpty ? nil : "\($0.country.rawValue)/\(unit.school_code)" },
                place: .init(
                    municipality: key, region: m.map { "\($0.country.rawValue)/\($0.regionCode)" },
                    similar: m.flatMap { m in m.groupCode.map { "\(m.country.rawValue)/\($0)" } },
                    cluster: key.flatMap { clusterOf[$0] }))
        }
        let results = await request.application.surveyTallies.results(
            id, revision: q.revision, tally: tally, grouping: grouping, threshold: q.surveyThreshold)
        request.storage[ResultsTiming.self] = ResultsTiming(
            read: (read - started).milliseconds, compute: (clock.now - read).milliseconds)
        return Loaded(results: results, units: units, grouping: grouping, clusterOf: clusterOf)
    }

    static func clusters(of q: Questionnaire, on db: any Database) async throws -> [MunicipalityKey: String] {
        struct MemberRow: Decodable {
            var cluster_id: UUID; var municipality_country: String; var municipality_code: String
        }
        // A municipality's own survey has no clusters.
        guard let collaborationID = q.collaborationID else { return [:] }
        let members = try await db.sql.raw(
            """
            SELECT m.cluster_id, m.municipality_country, m.municipality_code FROM \(ident: ClusterMember.schema) m
            JOIN \(ident: Cluster.schema) c ON c.id = m.cluster_id WHERE c.collaboration_id = \(bind: collaborationID)
            """
        ).all(decoding: MemberRow.self)
        var clusterOf: [MunicipalityKey: String] = [:]
        for m in members {
            if let country = Country(rawValue: m.municipality_country) {
                clusterOf[MunicipalityKey(country, m.municipality_code)] = m.cluster_id.uuidString.lowercased()
            }
        }
        return clusterOf
    }

    /// The places the viewer may choose: organisers every municipality and school answers came
    /// from; the people of a registered municipality theirs and its schools.
    static func places(_ access: QuestionnaireAccess, units: [SurveyUnits.Listed], on db: any Database) async throws
        -> [Place]
    {
        var places: [Place] = []
        var seen: Set<Place> = []
        let mine: Set<MunicipalityKey>
        if access.mayBuild {
            mine = []
        } else {
            mine = Set(
                try await QuestionnaireAccess.surveyed(access.questionnaire, on: db)
                    .filter { access.actor.belongs(to: $0) })
            // Their own municipalities come first and count even before anyone of them answered.
            for key in mine.sorted() where seen.insert(Place(municipality: key)).inserted {
                places.append(Place(municipality: key))
            }
        }
        let ordered = units.sorted {
            ($0.municipality_country, $0.municipality_code) < ($1.municipality_country, $1.municipality_code)
        }
        for unit in ordered {
            guard let key = unit.municipality else { continue }
            guard access.mayBuild || mine.contains(key) else { continue }
            if seen.insert(Place(municipality: key)).inserted { places.append(Place(municipality: key)) }
            if !unit.school_code.isEmpty {
                let school = Place(municipality: key, school: unit.school_code)
                if seen.insert(school).inserted { places.append(school) }
            }
        }
        return places
    }

    static func make(
        _ access: QuestionnaireAccess, viewpoint requested: String?, participant: Bool, request: Request
    ) async throws -> ResultsReport {
        let q = access.questionnaire
        let loaded = try await load(q, request: request)
        let results = loaded.results
        // A meeting's evaluation is read as one: everyone who answered.
        let evaluation = try await SurveySettings.find(q.id, on: request.db)?.evaluation ?? false
        let places = (participant || access.mayBuild) && !evaluation
            ? try await places(access, units: loaded.units, on: request.db) : []
        var place: Place?
        if let requested, !requested.isEmpty {
            guard let chosen = Place(path: requested) else {
                throw SamradError.invalid([FieldError(field: "municipality", "validation.municipality")])
            }
            // A place the viewer may not see is refused as one that is not there.
            guard access.mayBuild || places.contains(chosen) else {
                throw SamradError.invalid([FieldError(field: "municipality", "validation.municipality")])
            }
            place = chosen
        } else if !access.mayBuild && !evaluation {
            place = places.first
        }
        // A municipality's own survey is read as the municipality and its schools: nothing lies beyond.
        let own = q.ownMunicipality
        if let own, place == nil { place = Place(municipality: own) }
        let countries = Set(loaded.grouping.places.compactMap(\.municipality?.country)).sorted()
        var groups: [SurveyGroup] = []
        if let place {
            if let school = place.school {
                groups.append(SurveyGroup(.school, "\(place.municipality.country.rawValue)/\(school)"))
            }
            groups.append(.municipality(place.municipality))
            let m = own == nil ? request.municipalities[place.municipality] : nil
            if let cluster = loaded.clusterOf[place.municipality] { groups.append(SurveyGroup(.cluster, cluster)) }
            if let code = m?.groupCode { groups.append(SurveyGroup(.similar, "\(m!.country.rawValue)/\(code)")) }
            if let m { groups.append(SurveyGroup(.region, "\(m.country.rawValue)/\(m.regionCode)")) }
            if own == nil { groups.append(.country(place.municipality.country)) }
        } else if evaluation {
            groups = [.all]
        } else if countries.count == 1 && loaded.grouping.places.allSatisfy({ $0.municipality != nil }) {
            groups = [.country(countries[0])]
        } else {
            // Several countries, or respondents of none (a meeting's participants from an association).
            groups = [.all] + countries.map(SurveyGroup.country)
        }
        let labels = try await labels(groups, q: q, request: request)
        let mayReadTexts = QuestionnairePolicy.mayReadTexts(
            request.actor, owner: access.owner, visibility: q.visibilityValue,
            textsPublished: q.textsPublished, isParticipant: participant)
        // Texts are listed for the viewer's narrowest shown group, never for a hidden one.
        let textGroup = groups.first { g in results.respondents(g) != nil }
        let texts = mayReadTexts ? try await Self.texts(q, of: textGroup, loaded: loaded, on: request.db) : [:]
        let language = request.language
        var questions: [ResultsReport.QuestionResult] = []
        for question in q.form.questions {
            var items: [ResultsReport.Item] = []
            for (i, item) in results.items.items.enumerated() where item.question == question.key {
                items.append(
                    ResultsReport.Item(
                        statement: item.statement,
                        label: item.statement.flatMap { s in
                            question.statements.first { $0.key == s }?.label.text(language)
                        },
                        codes: item.codes.map {
                            .init(
                                key: $0,
                                label: ResultsReport.codeLabel(question, $0, language: language, request: request))
                        },
                        own: nil,
                        groups: groups.map { g in results.figures(g, item: i).map(ResultsReport.Figures.init) }))
            }
            questions.append(
                ResultsReport.QuestionResult(
                    key: question.key, kind: question.kind.rawValue, text: question.text.text(language),
                    unit: question.number?.unit.text(language), items: items,
                    texts: question.kind.isText && mayReadTexts ? texts[question.key] ?? [] : nil))
        }
        return ResultsReport(
            questionnaire: try q.requireID(), title: q.title,
            respondents: groups.compactMap { results.respondents($0) }.max() ?? 0, threshold: q.surveyThreshold,
            viewpoint: place?.path, viewpointName: place.map { name($0, labels: labels, groups: groups) },
            groups: zip(groups, labels).map { ResultsReport.Group(kind: $0.kind.rawValue, key: $0.key, label: $1) },
            questions: questions)
    }

    static func name(_ place: Place, labels: [String], groups: [SurveyGroup]) -> String {
        labels.first ?? place.path
    }

    /// Every group's name as the viewer reads it.
    static func labels(_ groups: [SurveyGroup], q: Questionnaire, request: Request) async throws -> [String] {
        let schoolCodes = groups.filter { $0.kind == .school }.map { String($0.key.split(separator: "/").last ?? "") }
        let schools =
            schoolCodes.isEmpty ? [] : try await School.query(on: request.db).filter(\.$code ~~ schoolCodes).all()
        var clusters: [Cluster] = []
        if let id = q.collaborationID {
            clusters = try await Cluster.query(on: request.db).filter(\.$collaborationID == id).all()
        }
        let clusterNames = Dictionary(uniqueKeysWithValues: clusters.map { ($0.id!.uuidString.lowercased(), $0.name) })
        return groups.map { g in
            switch g.kind {
            case .school:
                return schools.first { "\($0.country)/\($0.code)" == g.key }?.name ?? g.key
            case .municipality:
                return MunicipalityKey(path: g.key).flatMap { request.municipalities[$0]?.name } ?? g.key
            case .cluster, .similar, .region:
                let kind: GroupKind = g.kind == .cluster ? .cluster : g.kind == .similar ? .similar : .region
                return ResultsReport.label(ComparisonGroup(kind, g.key), request: request, clusterNames: clusterNames)
            case .country:
                return request.t("country.\(g.key)")
            case .all:
                return request.t("questionnaires.group_all")
            }
        }
    }

    /// The text answers of a shown group's units, in a stable order without anything else.
    static func texts(
        _ q: Questionnaire, of group: SurveyGroup?, loaded: Loaded, on db: any Database
    ) async throws -> [String: [String]] {
        guard let group else { return [:] }
        let units = loaded.grouping.places.indices.filter { u in
            let place = loaded.grouping.places[u]
            switch group.kind {
            case .school: return loaded.grouping.schools[u] == group.key
            case .municipality: return place.municipality?.description == group.key
            case .cluster: return place.cluster == group.key
            case .similar: return place.similar == group.key
            case .region: return place.region == group.key
            case .country: return place.municipality?.country.rawValue == group.key
            case .all: return true
            }
        }
        guard !units.isEmpty else { return [:] }
        struct Row: Decodable { var question: String; var text: String }
        let rows = try await db.sql.select().columns("question", "text").from("survey_texts")
            .where("questionnaire_id", .equal, q.requireID()).where("unit", .in, units)
            .orderBy("question").orderBy("text").all(decoding: Row.self)
        // As with counts: fewer writers than the threshold are not listed.
        return Dictionary(grouping: rows, by: \.question).mapValues { $0.map(\.text) }
            .filter { $0.value.count >= q.surveyThreshold }
    }

    /// The places as the results page offers them: "All countries" for organisers, then each
    /// municipality followed by its schools.
    static func options(
        _ access: QuestionnaireAccess, selected: String?, request: Request
    ) async throws -> [Option] {
        let units = try await SurveyUnits.all(access.questionnaire.requireID(), on: request.db)
        let places = try await places(access, units: units, on: request.db)
        let codes = places.compactMap(\.school)
        let schools = codes.isEmpty ? [] : try await School.query(on: request.db).filter(\.$code ~~ codes).all()
        var options: [Option] = []
        if access.mayBuild {
            options.append(Option(value: "", label: request.t("questionnaires.view_all"), selected: selected == nil))
        }
        for place in places {
            let municipality = request.municipalities[place.municipality]?.name ?? place.municipality.description
            let label =
                place.school.map { code in
                    let school = schools.first { $0.code == code && $0.country == place.municipality.country.rawValue }
                    return "– \(school?.name ?? code) (\(municipality))"
                } ?? municipality
            options.append(Option(value: place.path, label: label, selected: selected == place.path))
        }
        return options
    }
}
