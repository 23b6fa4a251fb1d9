import Fluent

/// The outbox and its delivery; features put their e-mail into it (`Outbox.enqueue`), and the
/// scheduled round delivers (`OutboxDelivery`).
struct MailFeature: Feature {
    var migrations: [any Migration] { [M004Outbox()] }
}
