import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SamradCore

/// Where and how to reach the SMTP server: smtp://[user:password@]host[:port][?starttls=true]
/// (smtp+starttls://… means the same as ?starttls=true). `&ca=/path/ca.pem` trusts that CA instead
/// of the system's, for an in-house mail relay with its own certificate.
struct SMTPServer: Sendable, Equatable {
    var host: String
    var port: Int
    var username: String?
    var password: String?
    var startTLS: Bool
    var caFile: String?
}

extension SMTPServer {
    init(url text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["smtp", "smtp+starttls"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            // The URL may hold a password: the message does not repeat it.
            throw SamradError(.invalidInput, "smtp.bad_url")
        }
        self.host = host
        port = components.port ?? (scheme == "smtp+starttls" ? 587 : 25)
        username = components.user
        password = components.password
        startTLS =
            scheme == "smtp+starttls"
            || components.queryItems?.contains { $0.name == "starttls" && $0.value == "true" } == true
        caFile = components.queryItems?.first { $0.name == "ca" }?.value
    }
}

struct SMTPError: Error, CustomStringConvertible {
    var description: String
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, optional STARTTLS (RFC 3207) and AUTH PLAIN
/// (RFC 4954), one message per connection. The outbox retries on any failure.
struct SMTPClient {
    let server: SMTPServer
    let eventLoopGroup: any EventLoopGroup

    func send(_ message: String, from: String, to: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.converse(message, from: from, to: to) }
            group.addTask {
                try await Task.sleep(nanoseconds: 30_000_000_000)
                throw SMTPError(description: "SMTP conversation timed out")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func converse(_ message: String, from: String, to: String) async throws {
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.seconds(10))
            .connect(host: server.host, port: server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = ReplyReader(inbound.makeAsyncIterator())
            func command(_ line: String, expect codes: Set<Int>) async throws -> [String] {
                if !line.isEmpty { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                let (code, lines) = try await replies.next()
                guard codes.contains(code) else {
                    let shown = line.hasPrefix("AUTH") ? "AUTH" : line
                    throw SMTPError(
                        description:
                            "SMTP server answered \(code) \(lines.joined(separator: " ")) to "
                                + "\(shown.isEmpty ? "greeting" : shown)"
                    )
                }
                return lines
            }
            _ = try await command("", expect: [220])
            var capabilities = try await command("EHLO samrad.localhost", expect: [250])
            if server.startTLS {
                guard capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                    throw SMTPError(description: "SMTP server does not offer STARTTLS")
                }
                _ = try await command("STARTTLS", expect: [220])
                var tls = TLSConfiguration.makeClientConfiguration()
                if let caFile = server.caFile { tls.trustRoots = .file(caFile) }
                let context = try NIOSSLContext(configuration: tls)
                // SNI takes names only; an address literal is checked against the certificate's IP.
                let isAddress = server.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
                let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : server.host)
                try await channel.channel.pipeline.addHandler(handler, position: .first).get()
                capabilities = try await command("EHLO samrad.localhost", expect: [250])
            }
            if let username = server.username {
                let token = Data("\0\(username)\0\(server.password ?? "")".utf8).base64EncodedString()
                _ = try await command("AUTH PLAIN \(token)", expect: [235])
            }
            _ = capabilities
            _ = try await command("MAIL FROM:<\(Self.address(from))>", expect: [250])
            _ = try await command("RCPT TO:<\(Self.address(to))>", expect: [250, 251])
            _ = try await command("DATA", expect: [354])
            // Dot-stuffing (RFC 5321 §4.5.2): a line starting with "." gets another ".".
            let stuffed = message.replacingOccurrences(of: "\r\n.", with: "\r\n..")
            _ = try await command(stuffed + (stuffed.hasSuffix("\r\n") ? "" : "\r\n") + ".", expect: [250])
            _ = try? await command("QUIT", expect: [221])
        }
    }

    /// The bare address of "Name <a@b>" or "a@b".
    static func address(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Reads SMTP replies: lines "250-…" continue, "250 …" ends a reply.
    struct ReplyReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending = ""

        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
            self.iterator = iterator
        }

        mutating func next() async throws -> (Int, [String]) {
            var lines: [String] = []
            while true {
                while let range = pending.range(of: "\r\n") {
                    let line = String(pending[..<range.lowerBound])
                    pending.removeSubrange(..<range.upperBound)
                    guard line.count >= 3, let code = Int(line.prefix(3)) else {
                        throw SMTPError(description: "Malformed SMTP reply: \(line)")
                    }
                    lines.append(String(line.dropFirst(4)))
                    if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, lines) }
                }
                guard var buffer = try await iterator.next() else {
                    throw SMTPError(description: "SMTP server closed the connection")
                }
                pending += buffer.readString(length: buffer.readableBytes) ?? ""
            }
        }
    }
}
