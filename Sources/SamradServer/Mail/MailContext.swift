import SamradCore
import Vapor

/// What composing an e-mail needs, from a request or from the application in scheduled work.
struct MailContext: Sendable {
    var catalog: Catalog
    var settings: Settings
    var directory: MunicipalityDirectory

    init(_ request: Request) { self.init(request.application) }
    init(_ app: Application) {
        catalog = app.catalog
        settings = app.settings
        directory = app.municipalities
    }
}
