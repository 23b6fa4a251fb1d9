import SamradCore
import Vapor

/// The municipality a route's path names (`…/:country/:code`), from the directory in memory: every
/// route about one municipality starts here, and an unknown one is a 404 in the reader's language.
/// What the actor may do with it is each feature's policy.
enum MunicipalityAccess {
    static func load(_ request: Request) throws -> Municipality {
        guard let country = request.parameters.get("country").flatMap(Country.init(rawValue:)),
            let code = request.parameters.get("code"),
            let municipality = request.municipalities[MunicipalityKey(country, code)]
        else {
            throw SamradError.notFound("error.municipality_not_found")
        }
        return municipality
    }
}
