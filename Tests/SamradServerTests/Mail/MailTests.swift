import Fluent
import SamradCore
@testable import SamradServer
import Vapor
import XCTest
import XCTVapor

final class MailTests: XCTestCase {
    func testSMTPURLs() throws {
        let plain = try SMTPServer(url: "smtp://127.0.0.1:2525")
        XCTAssertEqual(
            plain, SMTPServer(host: "127.0.0.1", port: 2525, username: nil, password: nil, startTLS: false, caFile: nil)
        )
        let secure = try SMTPServer(url: "smtp://mailer:s%C3%A6cret@relay.kommune.dk?starttls=true&ca=/etc/ca.pem")
        XCTAssertEqual(secure.port, 25)
        XCTAssertEqual(secure.username, "mailer")
        XCTAssertEqual(secure.password, "sæcret")
        XCTAssertTrue(secure.startTLS)
        XCTAssertEqual(secure.caFile, "/etc/ca.pem")
        XCTAssertEqual(try SMTPServer(url: "smtp+starttls://relay.example").port, 587)
        XCTAssertThrowsError(try SMTPServer(url: "http://relay.example")) { error in
            XCTAssertEqual((error as? SamradError)?.messageKey, "smtp.bad_url")
        }
        XCTAssertEqual(SMTPClient.address("Samrad <no-reply@samrad.dk>"), "no-reply@samrad.dk")
        XCTAssertEqual(SMTPClient.address(" anne@example.dk "), "anne@example.dk")
    }

    func testFailedDeliveriesWaitAndGiveUp() async throws {
        let app = try await makeTestApp()
        var settings = app.settings
        // Nothing listens on port 9 of the loopback interface: every attempt fails at once.
        settings.smtpURL = "smtp://127.0.0.1:9"
        settings.outboxRetryBase = 0
        try await Outbox.enqueue(to: "kim@example.dk", subject: "Hej", body: "Hej", settings: settings, on: app.db)
        for attempt in 1...10 {
            let sent = try await OutboxDelivery.deliverDue(application: app, settings: settings)
            XCTAssertEqual(sent, 0)
            let message = try await OutboxMessage.query(on: app.db).first()
            XCTAssertEqual(message?.attempts, attempt)
            XCTAssertEqual(message?.status, attempt < 10 ? "pending" : "failed")
            XCTAssertNotNil(message?.lastError)
        }
        // A failed message is shown to administrators and not tried again.
        let sentAfterGivingUp = try await OutboxDelivery.deliverDue(application: app, settings: settings)
        XCTAssertEqual(sentAfterGivingUp, 0)
        let attempts = try await OutboxMessage.query(on: app.db).first()?.attempts
        XCTAssertEqual(attempts, 10)
        let failed = try await OutboxMessage.query(on: app.db).first()
        XCTAssertEqual(failed?.body, "", "M6: a message given up on keeps no body")
        XCTAssertEqual(failed?.subject, "Hej")
        // One that went leaves its secret link nowhere in the database either.
        settings.smtpURL = nil
        settings.outboxDirectory = NSTemporaryDirectory() + "samrad-outbox-\(UUID().uuidString)"
        try await Outbox.enqueue(
            to: "kim@example.dk", subject: "Nulstil", body: "https://samrad.example/password/reset/hemmelig",
            settings: settings, on: app.db)
        let delivered = try await OutboxDelivery.deliverDue(application: app, settings: settings)
        XCTAssertEqual(delivered, 1)
        let gone = try await OutboxMessage.query(on: app.db).filter(\.$subject == "Nulstil").first()
        XCTAssertEqual(gone?.status, "sent")
        XCTAssertEqual(gone?.body, "")
        try await makeUser(app, email: "admin@example.dk", grants: [RoleGrant(kind: .administrator)])
        let client = Client(app)
        try await client.signIn("admin@example.dk", "correct horse battery")
        let page = try await client.get("/admin/outbox", headers: ["Accept-Language": "da"])
        XCTAssertTrue(page.body.string.contains("Mislykkedes"))
        try await app.asyncShutdown()
    }

    func testDemoContentIsMarkedAndLoadedOnce() async throws {
        let app = try await makeTestApp()
        try await SamradApp.loadDemo(on: app.db, logger: app.logger)
        try await SamradApp.loadDemo(on: app.db, logger: app.logger)
        let organisations = try await Organisation.query(on: app.db).all()
        XCTAssertEqual(organisations.count, 5)
        XCTAssertTrue(organisations.allSatisfy(\.isExample))
        let people = try await Person.query(on: app.db).all()
        XCTAssertEqual(people.count, 12)
        XCTAssertTrue(people.allSatisfy(\.isExample))
        let page = try await send(app, .GET, "/organisations", headers: ["Accept-Language": "sv"])
        XCTAssertTrue(page.body.string.contains("exempel"))
        let collaborations = try await Collaboration.query(on: app.db).all()
        XCTAssertEqual(collaborations.count, 8)
        XCTAssertTrue(collaborations.allSatisfy(\.isExample))
        let list = try await send(app, .GET, "/collaborations", headers: ["Accept-Language": "da"])
        XCTAssertTrue(list.body.string.contains("Politisk del – folkeskolen 2014 (eksempel)"))
        let aarhus = try await send(app, .GET, "/municipalities/dk/751")
        XCTAssertTrue(aarhus.body.string.contains("Politisk del – folkeskolen 2014 (eksempel)"))
        try await app.asyncShutdown()
    }
}
