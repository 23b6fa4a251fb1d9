import Foundation
import SamradCore
import Vapor

/// `/municipalities/{country}/{code}/export.zip`: the municipality's export as a download.
struct MunicipalityExportPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("municipalities", ":country", ":code", "export.zip", use: download)
    }

    func download(_ request: Request) async throws -> Response {
        let municipality = try MunicipalityAccess.load(request)
        try request.require(ExportPolicy.mayExport(request.actor, municipality.key))
        let now = Date()
        let (export, files) = try await MunicipalityExport.files(
            of: municipality.key, directory: request.municipalities,
            features: request.application.features, on: request.db)
        let data = try export.zip(files, generatedAt: now)
        try await Audit.record(
            "municipality:export", subject: "municipality", id: municipality.key.description,
            summary: "\(municipality.name): export of \(data.count) bytes", by: request, on: request.db)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "zip")
        response.headers.contentDisposition = .init(.attachment, filename: export.fileName(at: now))
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}
