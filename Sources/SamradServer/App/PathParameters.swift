import FluentKit
import SamradCore
import Vapor

extension Request {
    /// The identifier a path segment names; nil when the segment is not one, so the route answers 404, not 500.
    func parameterID(_ name: String) -> UUID? {
        parameters.get(name).flatMap(UUID.init(uuidString:))
    }
}

extension Model where IDValue == UUID {
    /// The row a path segment names, or a 404 that says what was not found.
    static func find(from request: Request, _ parameter: String, notFound key: String) async throws -> Self {
        guard let id = request.parameterID(parameter), let row = try await find(id, on: request.db) else {
            throw SamradError.notFound(key)
        }
        return row
    }
}
