import Fluent
import Foundation
import SamradCore
import Vapor

/// QuestionnairePages: response rate.
extension QuestionnairePages {
    struct ProgressRow: Encodable {
        var name: String
        var status: String
        var statusLabel: String
        var updated: String?
        var submitted: String?
        var href: String
    }
    struct ProgressContext: Encodable {
        var page: PageContext
        var title: String
        var href: String
        var asked: Int
        var submitted: Int
        var drafting: Int
        var notStarted: Int
        var rate: String
        var open: Bool
        var rows: [ProgressRow]
        var filters: [Option]
    }

    func progress(_ request: Request) async throws -> View {
        let access = try await QuestionnaireAccess.build(request)
        let q = access.questionnaire, zone = access.timeZone
        let p = try await QuestionnaireProgress.of(q, request: request)
        let filter = request.query[String.self, at: "status"] ?? ""
        let rows = p.units.filter { filter.isEmpty || $0.status == filter }.map { u in
            ProgressRow(
                name: u.name, status: u.status, statusLabel: Self.statusLabel(u.status, request: request),
                updated: u.updatedAt.map {
                    request.t(
                        "questionnaires.updated_by",
                        [DateText.dateTime($0, request.language, zone: zone), u.updatedBy ?? "–"])
                },
                submitted: u.submittedAt.map { DateText.dateTime($0, request.language, zone: zone) },
                href: ResponseUnit(path: u.unit).map { AnswerPages.href(q, $0) } ?? q.href)
        }
        let rate =
            p.asked == 0
            ? "–"
            : NumberText.decimal(Double(p.submitted) / Double(p.asked) * 100, request.language, fractionDigits: 0)
                + " %"
        return try await request.view.render(
            "questionnaires/progress",
            ProgressContext(
                page: PageContext(request, titleKey: "questionnaires.progress_title"), title: q.title, href: q.href,
                asked: p.asked, submitted: p.submitted,
                drafting: p.drafting, notStarted: p.notStarted, rate: rate,
                open: q.sentAt != nil && q.window.isOpen(at: Date()), rows: rows,
                filters: [Option(value: "", label: request.t("questionnaires.all_statuses"), selected: filter.isEmpty)]
                    + ResponseStatus.allCases.map {
                        Option(
                            value: $0.rawValue, label: Self.statusLabel($0.rawValue, request: request),
                            selected: filter == $0.rawValue)
                    }))
    }

    func remind(_ request: Request) async throws -> Response {
        let access = try await QuestionnaireAccess.build(request)
        do {
            let reminded = try await QuestionnaireLifecycle.remind(access, request: request)
            request.setNotice("questionnaires.reminded", [String(reminded)])
        } catch let error as SamradError where error.kind == .conflict {
            request.setNotice(refusal: error)
        }
        return request.redirect(to: access.questionnaire.href + "/progress")
    }
}
