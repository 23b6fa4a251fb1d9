import Fluent
import Foundation
import SamradCore
import Vapor

/// Class codes of a pupil survey (`/questionnaires/<id>/class-codes`, and the same under
/// `/api/v1`): a teacher, or anyone of a registered municipality, makes one for a school of their
/// municipality, a grade and the number of pupils in the class (or one for each of a grade's
/// classes at once), and hands it out; organisers make them for every registered municipality.
/// Each sees the codes of the schools they may make codes for, with how many have answered.
struct ClassCodeDesk: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let codes = routes.grouped("questionnaires", ":questionnaire", "class-codes")
        codes.get(use: page)
        codes.post(use: create)
        let api = routes.grouped("api", "v1", "questionnaires", ":questionnaire", "class-codes")
        api.get(use: list)
        api.post(use: createJSON)
    }

    /// The questionnaire, if a pupil survey, and the schools the actor may make codes for.
    static func load(_ request: Request) async throws -> (QuestionnaireAccess, [School]) {
        let access = try await QuestionnaireAccess.load(request)
        guard access.questionnaire.audienceValue == .pupils else {
            throw SamradError.notFound("questionnaires.error.not_found")
        }
        let surveyed = try await QuestionnaireAccess.surveyed(access.questionnaire, on: request.db)
        let allowed = Set(surveyed.filter {
            SurveyPolicy.mayMakeClassCode(access.actor, owner: access.owner, municipality: $0)
        })
        try request.require(!allowed.isEmpty)
        let schools = try await School.query(on: request.db).filter(\.$kind == IndicatorLevel.school.rawValue)
            .filter(\.$country ~~ Set(allowed.map(\.country.rawValue))).sort(\.$name).all()
            .filter { $0.municipality.map(allowed.contains) ?? false }
        return (access, schools)
    }

    struct Row: Encodable {
        var code: String
        var school: String
        var grade: String
        var answers: String
        var createdBy: String
    }

    struct Context: Encodable {
        var page: PageContext
        var title: String
        var backHref: String
        var schools: [Option]
        var grades: [Option]
        var rows: [Row]
        var form: FormState
        var classLink: String
    }

    static func context(
        _ access: QuestionnaireAccess, schools: [School], form: FormState = FormState(), request: Request
    ) async throws -> Context {
        let byID = Dictionary(schools.compactMap { s in s.id.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        let codes = try await SurveyClassCode.query(on: request.db)
            .filter(\.$questionnaireID == access.questionnaire.requireID())
            .sort(\.$createdAt, .descending).all().filter { byID[$0.schoolID] != nil }
        let chosenSchool = form.values["school"] ?? ""
        let chosenGrade = form.values["grade"] ?? ""
        return Context(
            page: PageContext(request, titleKey: "surveys.codes_title", title: access.questionnaire.title),
            title: access.questionnaire.title, backHref: access.questionnaire.href,
            schools: [
                Option(value: "", label: request.t("surveys.codes_choose_school"), selected: chosenSchool.isEmpty)
            ]
                + schools.map {
                    let name = "\($0.name) (\(request.municipalities[$0.municipality!]?.name ?? $0.municipalityCode))"
                    return Option(value: $0.id!.uuidString, label: name, selected: chosenSchool == $0.id!.uuidString)
                },
            grades: SurveyGrade.range.map {
                Option(
                    value: String($0), label: SurveyAnswerContext.grade($0, request),
                    selected: chosenGrade == String($0))
            },
            rows: codes.map { code in
                Row(
                    code: ClassCode.display(code.code), school: byID[code.schoolID]?.name ?? "",
                    grade: SurveyAnswerContext.grade(code.grade, request),
                    answers: request.t("surveys.codes_used", [String(code.used), String(code.capacity)]),
                    createdBy: code.createdBy ?? "")
            },
            form: form, classLink: request.settings.publicBaseURL + "/class")
    }

    func page(_ request: Request) async throws -> View {
        let (access, schools) = try await Self.load(request)
        return try await request.view.render(
            "surveys/class-codes", Self.context(access, schools: schools, request: request))
    }

    /// A school named by its id (the page's select) or its official code (the API's).
    struct CodeForm: Content {
        var school: String?
        var grade: String?
        var capacity: String?
        /// Several classes of the grade at once, each with its own code.
        var classes: String?
    }

    /// Makes the codes asked for, all or none, and returns them.
    static func make(
        _ input: CodeForm, access: QuestionnaireAccess, schools: [School], request: Request
    ) async throws -> [SurveyClassCode] {
        var v = Validation()
        let named = (input.school ?? "").trimmingCharacters(in: .whitespaces)
        let school = schools.first { $0.id?.uuidString.lowercased() == named.lowercased() || $0.code == named }
        if school == nil { v.add("school", "surveys.error.school") }
        let grade = v.wholeNumber("grade", input.grade, in: SurveyGrade.range)
        let capacity = v.wholeNumber("capacity", input.capacity, in: SurveyPolicy.classSize)
        let classes = v.wholeNumber("classes", input.classes, in: 1...20, default: 1)
        try v.check()
        let id = try access.questionnaire.requireID(), schoolID = try school!.requireID()
        let codes = (0..<classes!).map { _ in
            let code = SurveyClassCode()
            code.questionnaireID = id
            code.code = ClassCode.make()
            code.schoolID = schoolID
            code.grade = grade!
            code.capacity = capacity!
            code.used = 0
            code.createdBy = request.currentUser?.name
            return code
        }
        try await request.db.transaction { db in
            for code in codes { try await code.create(on: db) }
            try await Audit.record(
                "survey:class_code", subject: "questionnaire", id: id.uuidString,
                summary: "\(school!.name), \(grade!): "
                    + codes.map { ClassCode.display($0.code) }.joined(separator: ", "),
                by: request, on: db)
        }
        return codes
    }

    func create(_ request: Request) async throws -> Response {
        let (access, schools) = try await Self.load(request)
        let input = try request.content.decode(CodeForm.self)
        do {
            let codes = try await Self.make(input, access: access, schools: schools, request: request)
            return request.redirect(
                to: access.questionnaire.href + "/class-codes",
                notice: codes.count == 1 ? "surveys.codes_made" : "surveys.codes_made_several",
                [codes.map { ClassCode.display($0.code) }.joined(separator: ", ")])
        } catch let error as SamradError where error.kind == .invalidInput {
            let values = [
                "school": input.school ?? "", "grade": input.grade ?? "", "capacity": input.capacity ?? "",
                "classes": input.classes ?? "",
            ]
            return try await request.renderForm(
                "surveys/class-codes",
                Self.context(
                    access, schools: schools, form: FormState(values: values, error: error, request: request),
                    request: request))
        }
    }

    // MARK: API

    struct CodeJSON: Content {
        var code: String
        var school: String
        var schoolName: String
        var grade: Int
        var capacity: Int
        var used: Int
        var createdBy: String?
    }

    struct CodesJSON: Content { var codes: [CodeJSON] }

    static func json(_ codes: [SurveyClassCode], schools: [School]) -> CodesJSON {
        CodesJSON(
            codes: codes.compactMap { code in
                guard let school = schools.first(where: { $0.id == code.schoolID }) else { return nil }
                return CodeJSON(
                    code: code.code, school: "\(school.country)/\(school.code)", schoolName: school.name,
                    grade: code.grade, capacity: code.capacity, used: code.used, createdBy: code.createdBy)
            })
    }

    func list(_ request: Request) async throws -> CodesJSON {
        let (access, schools) = try await Self.load(request)
        let codes = try await SurveyClassCode.query(on: request.db)
            .filter(\.$questionnaireID == access.questionnaire.requireID()).sort(\.$createdAt).all()
        return Self.json(codes, schools: schools)
    }

    /// The API names a school by its code ("280001" or "dk/280001"); grade, capacity and classes
    /// are numbers.
    struct CodeInput: Content {
        var school: String?
        var grade: Int?
        var capacity: Int?
        var classes: Int?
    }

    func createJSON(_ request: Request) async throws -> Response {
        let (access, schools) = try await Self.load(request)
        let input = try request.content.decode(CodeInput.self)
        let form = CodeForm(
            school: input.school.map { String($0.split(separator: "/").last ?? "") },
            grade: input.grade.map(String.init),
            capacity: input.capacity.map(String.init), classes: input.classes.map(String.init))
        let codes = try await Self.make(form, access: access, schools: schools, request: request)
        return try await Self.json(codes, schools: schools).encodeResponse(status: .created, for: request)
    }
}
