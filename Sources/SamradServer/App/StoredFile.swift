import FluentKit
import SamradCore
import Vapor

/// The bytes of a stored file, in a table of their own so that lists of files never read them.
protocol FileBytes: Model where IDValue == UUID {
    init()
    var bytes: Data { get set }
}

/// A file sent with a form: its kind checked from its bytes (not its name) and its name made safe.
struct StoredFile: Sendable {
    let filename: String
    let contentType: String
    let bytes: [UInt8]

    init(_ file: File?) throws {
        guard let file, !file.filename.isEmpty else {
            throw SamradError.invalid([FieldError(field: "file", "materials.error.missing")])
        }
        bytes = Array(file.data.readableBytesView)
        contentType = try MaterialRules.check(filename: file.filename, bytes: bytes).contentType
        filename = MaterialRules.filename(file.filename)
    }

    /// Writes the file's description (`describe` saves the row and returns its id), its bytes under that id,
    /// and the audit entry, all in one transaction: a file is never described without its bytes.
    func save<Bytes: FileBytes>(
        as _: Bytes.Type, on db: any Database,
        describe: @escaping @Sendable (any Database) async throws -> UUID,
        audit: @escaping @Sendable (any Database) async throws -> Void
    ) async throws {
        let bytes = Data(self.bytes)
        try await db.transaction { tx in
            let id = try await describe(tx)
            try await Bytes.query(on: tx).filter(\._$id == id).delete()
            let content = Bytes()
            content.id = id
            content.bytes = bytes
            try await content.create(on: tx)
            try await audit(tx)
        }
    }
}
