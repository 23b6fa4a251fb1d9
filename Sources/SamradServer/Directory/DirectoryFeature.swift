import Fluent
import Vapor

/// Every Nordic municipality and its schools, read from the shipped data at start and held in
/// memory; municipality pages, the directory API, the municipalities' official mailboxes and
/// invoice addresses.
struct DirectoryFeature: Feature {
    var routes: [any RouteCollection] { [DirectoryPages(), Mailboxes(), InvoiceAddresses()] }
    var migrations: [any Migration] { [M001Directory(), M036InvoiceAddresses()] }

    func start(_ app: Application) async throws {
        try await DirectoryImport.run(on: app.db, files: app.resources, logger: app.logger)
        try await DirectoryStore.reload(app)
    }
}
