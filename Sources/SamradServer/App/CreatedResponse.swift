import Vapor

extension AsyncResponseEncodable {
    /// 201 Created with the new thing's address in the API (`Location`), as every create answers.
    func created(at location: String, for request: Request) async throws -> Response {
        let response = try await encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: location)
        return response
    }
}
