import Fluent
import SamradCore

/// questionnaire_answers.csv of a municipality's export: the municipality's own responses and those
/// of its people (teachers, school leaders).
enum QuestionnaireExport {
    static func add(to export: MunicipalityExport, on db: any Database) async throws {
        let country = export.municipality.country.rawValue, code = export.municipality.code
        let collaborations = try await CollaborationNames.of(export, on: db)
        let peopleIDs = try await PersonNames.ofMunicipality(export, on: db).compactMap(\.id)
        let names = try await PersonNames.names([], in: export, on: db)
        let responses = try await QuestionnaireResponse.query(on: db).group(.or) { group in
            group.group(.and) { $0.filter(\.$municipalityCountry == country).filter(\.$municipalityCode == code) }
            if !peopleIDs.isEmpty { group.filter(\.$personID ~~ peopleIDs) }
        }.all()
        let questionnaires = Dictionary(
            uniqueKeysWithValues: try await Questionnaire.query(on: db)
                .filter(\.$id ~~ Set(responses.map(\.questionnaireID))).all().map { ($0.id!, $0) })
        let records = try await AnswerRecord.query(on: db).filter(\.$responseID ~~ responses.compactMap(\.id)).all()
        let answers = Dictionary(grouping: records, by: \.responseID)
        var rows: [[String]] = []
        for response in responses {
            let q = questionnaires[response.questionnaireID]
            let respondent = response.personID.flatMap { names[$0] } ?? export.municipality.description
            let sorted = (answers[response.id!] ?? []).sorted {
                ($0.question, $0.statement ?? "", $0.option ?? "") < ($1.question, $1.statement ?? "", $1.option ?? "")
            }
            for a in sorted {
                rows.append([
                    q?.title ?? "", q?.collaborationID.map(collaborations.slug) ?? "", respondent,
                    response.status, MunicipalityExport.timestamp(response.submittedAt),
                    a.question, a.statement ?? "", a.option ?? "", MunicipalityExport.number(a.number), a.text ?? "",
                ])
            }
        }
        export.csv(
            "questionnaire_answers.csv",
            "Every answer given by the municipality or its people, one row per answer "
                + "(a matrix statement or a chosen option each a row).",
            [
                "questionnaire", "collaboration", "respondent", "response_status", "submitted_at", "question",
                "statement", "option", "number", "text",
            ], rows)
    }
}
