import Foundation
import NIOConcurrencyHelpers
import SamradCore
import Vapor

/// A report page (the dialogue report, a collaboration's annual report) as a PDF, printed by
/// headless Chromium where the machine has it (the print stylesheet is the layout). Without
/// Chromium the page offers the browser's own print to PDF.
/// One report is printed at a time per server: a browser start costs a second and memory.
enum ReportPDF {
    /// `SAMRAD_CHROMIUM`, or chromium / chromium-browser / google-chrome on the PATH.
    static let tool: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SAMRAD_CHROMIUM"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }()

    private static let gate = NIOLockedValueBox(false)

    /// The rendered page as a PDF download. Whoever may read the page has been decided by rendering it.
    static func download(_ view: View, filename: String, request: Request) async throws -> Response {
        guard tool != nil else { throw SamradError.notFound() }
        let data = try await print(
            html: String(buffer: view.data), stylesheet: request.application.resources.url("Public/css/samrad.css"),
            on: request.application.threadPool)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return response
    }

    /// Prints the page's HTML with the stylesheet put inline and scripts left out.
    static func print(html: String, stylesheet: URL, on pool: NIOThreadPool) async throws -> Data {
        guard let tool else { throw SamradError.notFound() }
        guard
            gate.withLockedValue({ busy in
                if busy { return false }; busy = true; return true
            })
        else {
            throw SamradError(.tooManyRequests, "report.pdf_busy")
        }
        defer { gate.withLockedValue { $0 = false } }
        let css = (try? String(contentsOf: stylesheet, encoding: .utf8)) ?? ""
        var page = html.replacingOccurrences(
            of: #"<link rel="stylesheet" href="/css/samrad.css">"#, with: "<style>\(css)</style>")
        while let start = page.range(of: "<script"),
            let end = page.range(of: "</script>", range: start.upperBound..<page.endIndex)
        {
            page.removeSubrange(start.lowerBound..<end.upperBound)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("samrad-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("printed-report.html"),
            output = folder.appendingPathComponent("printed-report.pdf")
        try Data(page.utf8).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer",
            "--disable-extensions", "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
            "--print-to-pdf=\(output.path)", input.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await pool.runIfActive {
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { process.terminate() }
        }
        guard let data = try? Data(contentsOf: output), data.starts(with: Array("%PDF".utf8)) else {
            throw SamradError(.unavailable, "report.pdf_failed")
        }
        return data
    }
}
