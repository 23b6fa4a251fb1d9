import FluentPostgresDriver

/// A read that nearly every request makes (the data version, the session, the account behind it). On
/// PostgreSQL it is prepared once per connection, by its type's name, and afterwards only bound and
/// run: the server parses and plans it once instead of on every request. SQLiteNIO keeps no
/// statements between queries, so on SQLite it goes as an ordinary statement with binds.
///
/// `sql` names its values `$1`, `$2`, … each once and in order, as `values` gives them; it lists its
/// columns rather than `*`, as a prepared statement must keep its result's shape while another
/// instance migrates the schema. Behind a connection pooler, PgBouncer for one, a prepared
/// statement needs session pooling (deploy/README.md).
protocol PreparedRead: PostgresPreparedStatement where Row == PostgresRow {
    associatedtype Value: PostgresThrowingDynamicTypeEncodable & Encodable & Sendable
    var values: [Value] { get }
}

extension PreparedRead {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try bindings.append(value) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// The statement for SQLKit: each `$n` becomes the n-th value as a bind.
    var sqlQuery: SQLQueryString {
        var query: SQLQueryString = ""
        var rest = Substring(Self.sql)
        var next = 0
        while let dollar = rest.firstIndex(of: "$") {
            query.appendLiteral(String(rest[..<dollar]))
            let digits = rest[rest.index(after: dollar)...].prefix(while: \.isNumber)
            precondition(Int(digits) == next + 1, "\(Self.self): $\(digits) out of order")
            query.appendInterpolation(bind: values[next])
            next += 1
            rest = rest[digits.endIndex...]
        }
        query.appendLiteral(String(rest))
        return query
    }
}

extension Database {
    /// The rows of `read`: prepared once per connection on PostgreSQL, an ordinary statement on SQLite.
    func rows<Read: PreparedRead>(_ read: Read) async throws -> [any SQLRow] {
        guard postgres != nil else { return try await sql.raw(read.sqlQuery).all() }
        let logger = logger
        // The connection comes through this database, so a wait for it is timed (`ConnectionWaits`).
        return try await withConnection { database in
            let postgres = database.postgres!
            return postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    var rows: [any SQLRow] = []
                    for try await row in try await connection.execute(read, logger: logger) { rows.append(row.sql()) }
                    return rows
                }
            }
        }.get()
    }

    /// PostgreSQL's own interface (its connections), or nil on SQLite.
    var postgres: (any PostgresDatabase)? {
        if let timed = self as? TimedDatabase { return timed.wrapped.postgres }
        return self as? any PostgresDatabase
    }
}
