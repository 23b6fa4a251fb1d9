import Fluent
import Foundation
import SamradCore
import Vapor

/// PeopleImport: the API.
extension PeopleImport {
    func importAPI(_ request: Request) async throws -> Outcome {
        guard let body = request.body.data, body.readableBytes > 0 else {
            throw SamradError.invalid([FieldError(field: "file", "people_import.error.empty")])
        }
        let country = request.query[String.self, at: "country"].flatMap(Country.init(rawValue:)) ?? .dk
        return try await Self.run(
            SpreadsheetUpload.text(Data(body.readableBytesView)), country: country, request: request)
    }
}
