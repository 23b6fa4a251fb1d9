import Fluent
import Vapor

/// What every installation has beneath the features: the service pages (health, robots, the API
/// document), the confirmation page, the audit trail, job leases and the cross-feature indexes.
struct ServiceFeature: Feature {
    var routes: [any RouteCollection] { [ServicePages(), APIDocument(), Confirmation()] }
    var migrations: [any Migration] { [M005Audit(), M015Instances(), M016Trust(), M028DataVersion()] }
}
