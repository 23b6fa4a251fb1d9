import Foundation

/// An e-mail as Samrad writes it: plain UTF-8 text to one recipient, optionally with one text
/// attachment (a calendar entry).
public struct EmailMessage: Sendable, Equatable {
    public struct Attachment: Sendable, Equatable {
        public var filename: String
        /// e.g. "text/calendar; method=CANCEL"
        public var contentType: String
        public var text: String

        public init(filename: String, contentType: String, text: String) {
            self.filename = filename
            self.contentType = contentType
            self.text = text
        }
    }

    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    public var attachment: Attachment?
    /// An HTML version of the body (newsletters): sent as multipart/alternative after the text.
    public var html: String?
    /// More header lines, e.g. "List-Unsubscribe: <https://…>".
    public var headers: [String]

    public init(
        from: String, to: String, subject: String, body: String, attachment: Attachment? = nil, html: String? = nil,
        headers: [String] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.attachment = attachment
        self.html = html
        // A header line must not carry a line break of its own.
        self.headers = headers.filter { !$0.contains(where: \.isNewline) && $0.contains(": ") }
    }

    /// The message in Internet Message Format (RFC 5322) with MIME UTF-8 text (RFC 2045/2047), lines
    /// ending in CRLF, ready for SMTP DATA or an .eml file.
    public func rendered(messageID: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let body = Data(
            body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8
        )
        .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        var headers =
            [
                "From: \(from)",
                "To: \(to)",
                "Subject: \(EmailMessage.encodedWord(subject))",
                "Date: \(formatter.string(from: date))",
                "Message-ID: <\(messageID)>",
                "MIME-Version: 1.0",
            ] + self.headers
        if let html, attachment == nil {
            // multipart/alternative (RFC 2046 §5.1.4): plain text first, HTML last (preferred).
            let boundary = "samrad-alt-" + messageID.filter { $0.isLetter || $0.isNumber }
            let htmlBody = Data(
                html.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8
            )
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            let parts = [
                "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
                body,
                "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "",
                htmlBody,
                "--\(boundary)--",
            ]
            return headers.joined(separator: "\r\n") + "\r\n\r\n" + parts.joined(separator: "\r\n") + "\r\n"
        }
        guard let attachment else {
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
            return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
        }
        // multipart/mixed (RFC 2046): the text, then the attachment. The boundary comes from the
        // message id, and base64 parts can never contain it.
        let boundary = "samrad-" + messageID.filter { $0.isLetter || $0.isNumber }
        let file = Data(
            attachment.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
                .utf8
        )
        .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let name = attachment.filename.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && !$0.isNewline }
        headers.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
        let parts = [
            "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", body,
            "--\(boundary)", "Content-Type: \(attachment.contentType); charset=utf-8; name=\"\(name)\"",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"\(name)\"", "", file,
            "--\(boundary)--",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + parts.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 2047 encoded word for headers that are not plain ASCII.
    static func encodedWord(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 }) { return text }
        return "=?utf-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }
}

/// How long the outbox waits before it tries a failed delivery again, and when it gives up.
public struct DeliveryRetry: Sendable {
    public var baseDelay: Double
    public var maxDelay: Double
    public var maxAttempts: Int

    public init(baseDelay: Double = 30, maxDelay: Double = 3600, maxAttempts: Int = 10) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// Seconds to wait after the `attempt`-th failure (1-based): doubling, capped.
    public func delay(afterAttempt attempt: Int) -> Double {
        min(maxDelay, baseDelay * pow(2, Double(max(attempt - 1, 0))))
    }

    public func givesUp(afterAttempt attempt: Int) -> Bool { attempt >= maxAttempts }
}
