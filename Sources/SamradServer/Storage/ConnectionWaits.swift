import Dispatch
import FluentKit
import FluentSQLiteDriver
import NIOCore
import SQLKit
import Tracing

/// How long queries wait for a pooled connection, for `/metrics`. The pools (AsyncKit's) offer no
/// hook for it, so the configuration wraps each driver's database: a query first takes a connection
/// with `withConnection`, and the time until the connection is in hand is the wait. Inside a
/// transaction or `withConnection` the connection is held already and nothing more is timed.
/// `traced`: SQL statements also become spans of the request's trace (see `Traces`).
struct ConnectionWaits: DatabaseConfiguration {
    var wrapped: any DatabaseConfiguration
    let record: @Sendable (_ nanoseconds: UInt64) -> Void
    var traced = false

    var middleware: [any AnyModelMiddleware] {
        get { wrapped.middleware }
        set { wrapped.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        Driver(wrapped: wrapped.makeDriver(for: databases), record: record, traced: traced)
    }

    struct Driver: DatabaseDriver {
        let wrapped: any DatabaseDriver
        let record: @Sendable (UInt64) -> Void
        let traced: Bool

        func makeDatabase(with context: DatabaseContext) -> any Database {
            TimedDatabase(
                wrapped: wrapped.makeDatabase(with: context), record: record, traced: traced, holdsConnection: false)
        }

        func shutdown() { wrapped.shutdown() }
        func shutdownAsync() async { await wrapped.shutdownAsync() }
    }
}

/// A driver's database whose connection checkouts are timed. It speaks SQL like the one it wraps;
/// SQLite's own interface is reached through `Database.sqlite`.
struct TimedDatabase: Database, SQLDatabase {
    let wrapped: any Database
    let record: @Sendable (UInt64) -> Void
    let traced: Bool
    let holdsConnection: Bool

    var context: DatabaseContext { wrapped.context }
    var inTransaction: Bool { wrapped.inTransaction }

    private func holding(_ database: any Database) -> TimedDatabase {
        TimedDatabase(wrapped: database, record: record, traced: traced, holdsConnection: true)
    }

    /// Runs `body` on a connection of its own, timing how long it took to get one.
    private func checkedOut<T: Sendable>(
        _ body: @escaping @Sendable (any Database) -> EventLoopFuture<T>
    ) -> EventLoopFuture<T> {
        if holdsConnection { return body(wrapped) }
        let asked = DispatchTime.now().uptimeNanoseconds
        let record = record
        return wrapped.withConnection { connection in
            record(DispatchTime.now().uptimeNanoseconds &- asked)
            return body(connection)
        }
    }

    func execute(
        query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void
    ) -> EventLoopFuture<Void> {
        checkedOut { $0.execute(query: query, onOutput: onOutput) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        checkedOut { $0.execute(schema: schema) }
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> {
        checkedOut { $0.execute(enum: `enum`) }
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if holdsConnection { return wrapped.transaction { closure(holding($0)) } }
        let asked = DispatchTime.now().uptimeNanoseconds
        let record = record
        return wrapped.transaction { connection in
            record(DispatchTime.now().uptimeNanoseconds &- asked)
            return closure(holding(connection))
        }
    }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if holdsConnection { return closure(self) }
        let asked = DispatchTime.now().uptimeNanoseconds
        let record = record
        return wrapped.withConnection { connection in
            record(DispatchTime.now().uptimeNanoseconds &- asked)
            return closure(holding(connection))
        }
    }

    // SQLDatabase

    private var wrappedSQL: any SQLDatabase { wrapped as! any SQLDatabase }
    var dialect: any SQLDialect { wrappedSQL.dialect }
    var version: (any SQLDatabaseReportedVersion)? { wrappedSQL.version }
    var queryLogLevel: Logger.Level? { wrappedSQL.queryLogLevel }

    func execute(
        sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        checkedOut { ($0 as! any SQLDatabase).execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        guard traced else { return try await run(query, onRow) }
        // The statement's text only: the values travel as binds and stay out of the trace.
        let statement = serialize(query).sql
        let operation = statement.prefix { !$0.isWhitespace }.uppercased()
        try await withSpan(operation, ofKind: .client) { span in
            span.attributes["db.system.name"] = dialect.name
            span.attributes["db.operation.name"] = operation
            span.attributes["db.query.text"] = statement
            try await run(query, onRow)
        }
    }

    private func run(_ query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        if holdsConnection { return try await wrappedSQL.execute(sql: query, onRow) }
        try await execute(sql: query, onRow).get()
    }
}

extension Database {
    /// SQLite's own interface (reading rows on the connection's thread, SQLite-only statements), or
    /// nil on PostgreSQL.
    var sqlite: (any SQLiteDatabase)? {
        if let timed = self as? TimedDatabase { return timed.wrapped.sqlite }
        return self as? any SQLiteDatabase
    }
}
