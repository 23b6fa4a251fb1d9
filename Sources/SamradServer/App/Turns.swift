import Foundation

/// Heavy work that takes turns: at most `limit` at once on an instance, the rest wait in order.
/// It bounds the memory and CPU that, say, several large imports started together would take.
actor Turns {
    let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func run<T: Sendable>(_ work: @Sendable () async throws -> T) async rethrows -> T {
        await take()
        defer { give() }
        return try await work()
    }

    private func take() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// The turn passes straight to the first in line, so `running` stays counted.
    private func give() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}
