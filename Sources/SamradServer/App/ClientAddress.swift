import Vapor

extension Request {
    /// The address of the person's computer. Behind a proxy named in TRUSTED_PROXIES (nginx in
    /// front of several instances) every request comes from the proxy, so the address is taken from
    /// X-Forwarded-For: the last one there that is not itself a trusted proxy. Anybody can write
    /// that header, which is why it is read only when the proxy sent the request.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        let trusted = settings.trustedProxies
        guard trusted.contains(peer) else { return peer }
        let forwarded = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return forwarded.last { !trusted.contains($0) && !$0.isEmpty } ?? peer
    }
}
