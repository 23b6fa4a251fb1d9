import Fluent
import Foundation
import SamradCore
import Vapor

/// Class codes of a pupil survey (`/questionnaires/<id>/class-codes`): a teacher, or anyone of a
/// registered municipality, makes one for a school of their municipality, a grade and the number of
/// pupils in the class, and hands it out; organisers make them for every registered municipality.
/// Each sees the codes of the schools they may make codes for, with how many have answered.
struct ClassCodeDesk: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let codes = routes.grouped("questionnaires", ":questionnaire", "class-codes")
        codes.get(use: page)
        codes.post(use: create)
    }

    /// The questionnaire, if a pupil survey, and the schools the actor may make codes for.
    static func load(_ request: Request) async throws -> (QuestionnaireAccess, [School]) {
        let access = try await QuestionnaireAccess.load(request)
        guard access.questionnaire.audienceValue == .pupils else {
            throw SamradError.notFound("questionnaires.error.not_found")
        }
        let registered = try await Registration.registeredMunicipalities(
            access.questionnaire.collaborationID, on: request.db)
        let organiserID = access.collaboration.organiserID
        let allowed = Set(registered.filter {
            SurveyPolicy.mayMakeClassCode(access.actor, organiserID: organiserID, municipality: $0)
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

    struct CodeForm: Content {
        var school: String?
        var grade: String?
        var capacity: String?
    }

    func create(_ request: Request) async throws -> Response {
        let (access, schools) = try await Self.load(request)
        let input = try request.content.decode(CodeForm.self)
        var v = Validation()
        let school = input.school.flatMap(UUID.init(uuidString:)).flatMap { id in schools.first { $0.id == id } }
        if school == nil { v.add("school", "surveys.error.school") }
        let grade = v.wholeNumber("grade", input.grade, in: SurveyGrade.range)
        let capacity = v.wholeNumber("capacity", input.capacity, in: SurveyPolicy.classSize)
        do {
            try v.check()
        } catch let error as SamradError {
            let values = ["school": input.school ?? "", "grade": input.grade ?? "", "capacity": input.capacity ?? ""]
            return try await request.renderForm(
                "surveys/class-codes",
                Self.context(
                    access, schools: schools, form: FormState(values: values, error: error, request: request),
                    request: request))
        }
        let code = SurveyClassCode()
        code.questionnaireID = try access.questionnaire.requireID()
        code.code = ClassCode.make()
        code.schoolID = try school!.requireID()
        code.grade = grade!
        code.capacity = capacity!
        code.used = 0
        code.createdBy = request.currentUser?.name
        try await request.db.transaction { db in
            try await code.create(on: db)
            try await Audit.record(
                "survey:class_code", subject: "questionnaire", id: code.questionnaireID.uuidString,
                summary: "\(school!.name), \(code.grade): \(ClassCode.display(code.code))", by: request, on: db)
        }
        return request.redirect(
            to: access.questionnaire.href + "/class-codes", notice: "surveys.codes_made",
            [ClassCode.display(code.code)])
    }
}
