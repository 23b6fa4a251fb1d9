import Fluent
import SQLKit

/// A model read from a plain SQL row without Fluent's query builder, and without its reflection:
/// Fluent finds a model's properties with `Mirror` on every row it reads, which cost more than the
/// query on the pages read most (bench/README.md). Each property still takes its column exactly as
/// Fluent's own reading would, so the model saves, changes and deletes as usual afterwards.
/// `PlainReadTests` checks that `columns` names every stored property of the model.
protocol PlainRead: Model {
    /// Every stored property, in any order.
    var columns: [any AnyDatabaseProperty] { get }
}

extension PlainRead {
    /// The model with this id, by one SELECT.
    static func plain(_ id: IDValue, on db: any Database) async throws -> Self? {
        try await plain(where: "id", is: id, on: db)
    }

    /// The model whose column holds this value (a unique column: the first row found).
    static func plain(
        where column: String, is value: some Encodable & Sendable, on db: any Database
    ) async throws -> Self? {
        let query: SQLQueryString = "SELECT * FROM \(ident: schema) WHERE \(ident: column) = \(bind: value) LIMIT 1"
        guard let row = try await db.sql.raw(query).first() else { return nil }
        return try plain(row)
    }

    /// The models a whole query returns (`SELECT * FROM` the model's table).
    static func plain(_ query: SQLQueryString, on db: any Database) async throws -> [Self] {
        try await db.sql.raw(query).all().map(plain)
    }

    static func plain(_ row: any SQLRow) throws -> Self {
        let model = Self()
        let output = RowOutput(row: row)
        for column in model.columns { try column.output(from: output) }
        return model
    }
}

/// A SQL row as Fluent's properties read it.
private struct RowOutput: DatabaseOutput {
    let row: any SQLRow

    var description: String { "\(row)" }
    func schema(_ schema: String) -> any DatabaseOutput { self }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: key.description) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: key.description) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        try row.decode(column: key.description, as: T.self)
    }
}
