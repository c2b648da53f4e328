import Foundation
import Logging
import PostgresNIO
import SealedJournal

/// Witness state in PostgreSQL (postgres-nio), for a program following thousands of clients from
/// several server instances. Each cosign is one transaction that locks the journal's row
/// (`SELECT ... FOR UPDATE`), decides, and updates it (or records evidence) before committing, so
/// two instances can never both cosign from the same previous state: the second waits for the
/// row, then sees the new size and is refused with 409.
public final class PostgresWitnessStore: WitnessStore {
    private let client: PostgresClient
    private let logger: Logger

    /// A store over `client` (whose `run()` the caller keeps running).
    public init(client: PostgresClient, logger: Logger = Logger(label: "sealed-journal-witness")) {
        self.client = client
        self.logger = logger
    }

    /// Creates the tables if they do not exist. Run once before serving (not concurrently).
    public func migrate() async throws {
        try await client.query("""
            CREATE TABLE IF NOT EXISTS witness_journals (
                origin TEXT PRIMARY KEY,
                public_key BYTEA NOT NULL,
                cosigned_size BIGINT NOT NULL,
                cosigned_root BYTEA NOT NULL,
                cosigned_time BIGINT NOT NULL,
                cosigned_checkpoint TEXT)
            """, logger: logger)
        try await client.query("""
            CREATE TABLE IF NOT EXISTS witness_evidence (
                id BIGSERIAL PRIMARY KEY,
                origin TEXT NOT NULL,
                recorded_at BIGINT NOT NULL,
                text TEXT NOT NULL)
            """, logger: logger)
    }

    /// See ``WitnessStore/enroll(_:)``.
    public func enroll(_ entry: EnrolledJournal) async throws -> EnrolledJournal {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            if let existing = try await Self.load(connection, origin: entry.origin, lock: true, logger: logger) {
                guard existing.publicKey == entry.publicKey else { throw WitnessError.alreadyEnrolled(origin: entry.origin) }
                return existing
            }
            let size = try SQLInteger.from(entry.cosignedSize), time = try SQLInteger.from(entry.cosignedTime)
            try await connection.query("""
                INSERT INTO witness_journals (origin, public_key, cosigned_size, cosigned_root, cosigned_time, cosigned_checkpoint)
                VALUES (\(entry.origin), \(Data(entry.publicKey)), \(size), \(Data(entry.cosignedRoot)), \(time), \(entry.cosignedCheckpoint))
                ON CONFLICT (origin) DO NOTHING
                """, logger: logger)
            // Another instance may have enrolled the origin meanwhile: what is stored decides.
            guard let stored = try await Self.load(connection, origin: entry.origin, lock: true, logger: logger),
                  stored.publicKey == entry.publicKey else { throw WitnessError.alreadyEnrolled(origin: entry.origin) }
            return stored
        }
    }

    /// See ``WitnessStore/entry(origin:)``.
    public func entry(origin: String) async throws -> EnrolledJournal? {
        let logger = self.logger
        return try await client.withConnection { connection in try await Self.load(connection, origin: origin, lock: false, logger: logger) }
    }

    /// See ``WitnessStore/cosign(_:witness:now:)``: one transaction, committed before returning.
    public func cosign(_ request: WitnessRequest, witness: Witness, now: Date) async throws -> WitnessResponse {
        let logger = self.logger
        let outcome: Result<WitnessResponse, WitnessError> = try await client.withTransaction(logger: logger) { connection in
            let entry = try await Self.load(connection, origin: request.origin, lock: true, logger: logger)
            switch witness.decide(request, entry: entry, now: now) {
            case let .cosign(response, updated):
                let size = try SQLInteger.from(updated.cosignedSize), time = try SQLInteger.from(updated.cosignedTime)
                try await connection.query("""
                    UPDATE witness_journals SET cosigned_size = \(size), cosigned_root = \(Data(updated.cosignedRoot)),
                        cosigned_time = \(time), cosigned_checkpoint = \(updated.cosignedCheckpoint)
                    WHERE origin = \(updated.origin)
                    """, logger: logger)
                return .success(response)
            case let .refuse(error, evidence):
                guard let evidence else { return .failure(error) }
                let rows = try await connection.query("""
                    INSERT INTO witness_evidence (origin, recorded_at, text)
                    VALUES (\(request.origin), \(Int64(now.timeIntervalSince1970)), \(evidence)) RETURNING id
                    """, logger: logger)
                var id: Int64 = 0
                for try await (value) in rows.decode(Int64.self) { id = value }
                return .failure(error.withEvidence("evidence #\(id) in the witness database"))
            }
        }
        return try outcome.get()
    }

    /// See ``WitnessStore/evidenceCount()``.
    public func evidenceCount() async throws -> Int {
        let rows = try await client.query("SELECT COUNT(*) FROM witness_evidence", logger: logger)
        var count: Int64 = 0
        for try await (value) in rows.decode(Int64.self) { count = value }
        return Int(count)
    }

    private static func load(_ connection: PostgresConnection, origin: String, lock: Bool, logger: Logger) async throws -> EnrolledJournal? {
        let rows = lock
            ? try await connection.query("""
                SELECT public_key, cosigned_size, cosigned_root, cosigned_time, cosigned_checkpoint
                FROM witness_journals WHERE origin = \(origin) FOR UPDATE
                """, logger: logger)
            : try await connection.query("""
                SELECT public_key, cosigned_size, cosigned_root, cosigned_time, cosigned_checkpoint
                FROM witness_journals WHERE origin = \(origin)
                """, logger: logger)
        var entry: EnrolledJournal?
        for try await (key, size, root, time, checkpoint) in rows.decode((Data, Int64, Data, Int64, String?).self) {
            entry = EnrolledJournal(origin: origin, publicKey: [UInt8](key), cosignedSize: try SQLInteger.to(size, "size"),
                                    cosignedRoot: [UInt8](root), cosignedTime: try SQLInteger.to(time, "time"), cosignedCheckpoint: checkpoint)
        }
        return entry
    }
}
