import Vapor

/// The start page: what the signed-in person has to do.
struct StartFeature: Feature {
    var routes: [any RouteCollection] { [StartPage()] }
}
