import Foundation
import GRDB
import SealedJournal

/// Witness state in one SQLite file (GRDB), the default for a single server. Each cosign runs in
/// an IMMEDIATE transaction (SQLite's write lock taken at its start), so processes sharing the
/// file are serialised too; WAL mode and `synchronous=FULL` make a commit durable before the
/// answer leaves.
public final class SQLiteWitnessStore: WitnessStore {
    private let database: DatabaseQueue

    /// Opens (creating if needed, mode 0600) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let existed = FileManager.default.fileExists(atPath: path)
        database = try DatabaseQueue(path: path, configuration: configuration)
        if !existed { chmod(path, 0o600) }
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS journals (
                    origin TEXT PRIMARY KEY NOT NULL,
                    public_key BLOB NOT NULL,
                    cosigned_size INTEGER NOT NULL,
                    cosigned_root BLOB NOT NULL,
                    cosigned_time INTEGER NOT NULL,
                    cosigned_checkpoint TEXT);
                CREATE TABLE IF NOT EXISTS evidence (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    origin TEXT NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    text TEXT NOT NULL);
                """)
        }
    }

    /// See ``WitnessStore/enroll(_:)``.
    public func enroll(_ entry: EnrolledJournal) async throws -> EnrolledJournal {
        try await database.write { db in
            if let existing = try Self.load(db, origin: entry.origin) {
                guard existing.publicKey == entry.publicKey else { throw WitnessError.alreadyEnrolled(origin: entry.origin) }
                return existing
            }
            try Self.store(db, entry, insert: true)
            return entry
        }
    }

    /// See ``WitnessStore/entry(origin:)``.
    public func entry(origin: String) async throws -> EnrolledJournal? {
        try await database.read { db in try Self.load(db, origin: origin) }
    }

    /// See ``WitnessStore/cosign(_:witness:now:)``: one transaction, committed before returning.
    public func cosign(_ request: WitnessRequest, witness: Witness, now: Date) async throws -> WitnessResponse {
        let outcome: Result<WitnessResponse, WitnessError> = try await database.writeWithoutTransaction { db in
            var outcome: Result<WitnessResponse, WitnessError> = .failure(.unknownJournal(origin: ""))
            try db.inTransaction(.immediate) {
                switch witness.decide(request, entry: try Self.load(db, origin: request.origin), now: now) {
                case let .cosign(response, updated):
                    try Self.store(db, updated, insert: false)
                    outcome = .success(response)
                case let .refuse(error, evidence):
                    if let evidence {
                        try db.execute(sql: "INSERT INTO evidence (origin, recorded_at, text) VALUES (?, ?, ?)",
                                       arguments: [request.origin, Int64(now.timeIntervalSince1970), evidence])
                        outcome = .failure(error.withEvidence("evidence #\(db.lastInsertedRowID) in the witness database"))
                    } else {
                        outcome = .failure(error)
                    }
                }
                return .commit
            }
            return outcome
        }
        return try outcome.get()
    }

    /// See ``WitnessStore/evidenceCount()``.
    public func evidenceCount() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM evidence") ?? 0 }
    }

    private static func load(_ db: Database, origin: String) throws -> EnrolledJournal? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT public_key, cosigned_size, cosigned_root, cosigned_time, cosigned_checkpoint FROM journals WHERE origin = ?
            """, arguments: [origin]) else { return nil }
        let publicKey: Data = row["public_key"], root: Data = row["cosigned_root"]
        let size: Int64 = row["cosigned_size"], time: Int64 = row["cosigned_time"]
        return EnrolledJournal(origin: origin, publicKey: [UInt8](publicKey), cosignedSize: try SQLInteger.to(size, "size"),
                               cosignedRoot: [UInt8](root), cosignedTime: try SQLInteger.to(time, "time"),
                               cosignedCheckpoint: row["cosigned_checkpoint"])
    }

    private static func store(_ db: Database, _ entry: EnrolledJournal, insert: Bool) throws {
        let arguments: StatementArguments = [Data(entry.publicKey), try SQLInteger.from(entry.cosignedSize), Data(entry.cosignedRoot),
                                             try SQLInteger.from(entry.cosignedTime), entry.cosignedCheckpoint, entry.origin]
        if insert {
            try db.execute(sql: """
                INSERT INTO journals (public_key, cosigned_size, cosigned_root, cosigned_time, cosigned_checkpoint, origin)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: arguments)
        } else {
            try db.execute(sql: """
                UPDATE journals SET public_key = ?, cosigned_size = ?, cosigned_root = ?, cosigned_time = ?, cosigned_checkpoint = ?
                WHERE origin = ?
                """, arguments: arguments)
        }
    }
}
