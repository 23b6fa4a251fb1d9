import Fluent
import Foundation
import NIOConcurrencyHelpers
import SamradCore
import SQLKit
import Vapor

/// ImportPages: status.
extension ImportPages {
    struct ProblemLine: Encodable { var line: String; var message: String }
    struct StatusContext: Encodable {
        var page: PageContext; var fileName: String; var status: String; var statusKey: String; var running: Bool
        var phase: String; var done: Int; var total: Int; var percent: Int
        var rows: Int; var imported: Int; var rejected: Int; var problems: [ProblemLine]; var moreProblems: Int
        var message: String?; var retryHref: String?; var isKolada: Bool; var skipped: Bool
    }

    func status(_ request: Request) async throws -> Response {
        let user = try request.requireSignedIn()
        guard let id = request.parameterID("import"),
            let record = try await ObservationImportRecord.find(id, on: request.db),
            record.userID == user.id || request.actor.isAdministrator
        else { throw SamradError.notFound() }
        let running = record.status == "running"
        // This instance's own count, or what the instance running the import last wrote.
        let progress =
            request.application.storage[ImportProgress.Key.self]!.get(id)
            ?? (running
                ? record.progressPhase.map {
                    ImportProgress.State(phase: $0, done: record.progressDone ?? 0, total: record.progressTotal ?? 0)
                } : nil)
        let isKolada = record.format == "kolada"
        let problems = record.problems.map { p in
            ProblemLine(
                line: request.t(
                    (isKolada ? "imports.problem_item" : "imports.problem_line") + (p.field.isEmpty ? "" : "_field"),
                    [String(p.line), p.field]),
                message: request.t(p.key, p.arguments))
        }
        var retry: String?
        if record.status == "rejected",
            let upload = try await ImportUpload.query(on: request.db).filter(\.$userID == user.requireID())
                .filter(\.$fileName == record.fileName).sort(\.$createdAt, .descending).first()
        {
            retry = "/indicators/imports/uploads/\(upload.id!.uuidString.lowercased())"
        }
        let total = max(progress?.total ?? 0, 1)
        let context = StatusContext(
            page: PageContext(request, titleKey: "imports.status_title", [record.fileName]), fileName: record.fileName,
            status: request.t("imports.status.\(record.status)"), statusKey: record.status, running: running,
            phase: progress.map { request.t("imports.phase.\($0.phase)") } ?? "", done: progress?.done ?? 0,
            total: progress?.total ?? 0,
            percent: min(100, (progress?.done ?? 0) * 100 / total), rows: record.rows, imported: record.imported,
            rejected: record.rejected,
            problems: problems, moreProblems: max(0, record.rejected - Set(record.problems.map(\.line)).count),
            message: record.message.map { request.t($0) }, retryHref: retry, isKolada: isKolada,
            skipped: record.skipBadRows && record.rejected > 0)
        let response = try await request.view.render("indicators/import-status", context).encodeResponse(for: request)
        // While it runs the page reloads itself; screen readers hear the progress from a live region.
        if running { response.headers.replaceOrAdd(name: "Refresh", value: "1") }
        return response
    }
}
