import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import SealedJournal
import Testing
import WitnessServer

/// A journal, a witness key and a scratch directory.
struct Fixture {
    let directory: String
    let witness: Witness
    let journal: Journal
    let journalPath: String
    static let kdf = KDFPreset.custom(opsLimit: 1, memoryLimitBytes: 8192)

    init() throws {
        directory = NSTemporaryDirectory() + "witness-server-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        witness = try Witness.create(at: directory + "/witness", name: "witness.example.org/server-tests",
                                     passphrase: SecretBytes(utf8: "witness passphrase"), kdf: Self.kdf)
        journalPath = directory + "/journal.sjournal"
        journal = try Journal.create(at: journalPath, passphrase: SecretBytes(utf8: "one day at a time"), kdf: Self.kdf,
                                     durability: .unsafeNoSync).journal
    }

    func append(_ text: String, to journal: Journal? = nil) throws {
        try (journal ?? self.journal).append(JournalEntry(text: text))
    }

    /// A copy of the journal as it is now, to diverge from later (a rollback).
    func fork(named name: String) throws -> Journal {
        let path = directory + "/" + name
        try FileManager.default.copyItem(atPath: journalPath, toPath: path)
        return try Journal.open(at: path, passphrase: SecretBytes(utf8: "one day at a time"), durability: .unsafeNoSync)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite struct WitnessServerTests {
    static func post(_ client: some TestClientProtocol, _ body: String) async throws -> (status: Int, contentType: String?, body: String) {
        try await client.execute(uri: "/add-checkpoint", method: .post, body: ByteBuffer(string: body)) { response in
            (response.status.code, response.headers[.contentType], String(buffer: response.body))
        }
    }

    @Test func addCheckpointOverHTTPWithSQLiteState() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let store = try SQLiteWitnessStore(path: f.directory + "/witness.sqlite")
        let enrolled = try await store.enroll(try EnrolledJournal(journalVerifierKey: f.journal.verifierKey))
        try f.append("day 1")
        let beforeDay2 = try f.fork(named: "rolled-back.sjournal")
        try f.append("day 2")
        let app = Application(router: WitnessHTTP.router(witness: f.witness, store: store))
        try await app.test(.router) { client in
            let first = try await Self.post(client, try f.journal.witnessRequest(oldSize: 0).encoded)
            #expect(first.status == 200 && first.body.hasPrefix("— witness.example.org/server-tests ") && first.body.hasSuffix("\n"))
            // The owner stores the answer: checkpoint + response body.
            let stored = try f.journal.storeCosignatures(f.journal.witnessRequest(oldSize: 0).checkpointText + first.body, witness: f.witness.identity)
            #expect(stored.count == 1)
            let state = try #require(try await store.entry(origin: enrolled.origin))
            #expect(state.cosignedSize == 2)

            // Refusals, each with its status; none changes the state.
            let stale = try await Self.post(client, try f.journal.witnessRequest(oldSize: 0).encoded)
            #expect(stale.status == 409 && stale.contentType == "text/x.tlog.size" && stale.body == "2\n")
            let other = try Fixture()
            defer { other.remove() }
            try other.append("x")
            #expect(try await Self.post(client, try other.journal.witnessRequest(oldSize: 0).encoded).status == 404)
            try f.append("day 3")
            let good = try f.journal.witnessRequest(oldSize: 2)
            let altered = WitnessRequest(oldSize: 2, proof: good.proof, checkpointText: good.checkpointText.replacingOccurrences(of: "\n4\n", with: "\n5\n"))
            #expect(try await Self.post(client, altered.encoded).status == 403)
            #expect(try await Self.post(client, "old 2\n").status == 400)
            #expect(try await Self.post(client, String(repeating: "x", count: WitnessRequest.maximumByteCount + 1)).status == 413)
            var badProof = good.proof
            badProof[0] = [UInt8](repeating: 0, count: 32)
            #expect(try await Self.post(client, WitnessRequest(oldSize: 2, proof: badProof, checkpointText: good.checkpointText).encoded).status == 422)
            // A fork: the rolled-back copy writes a different day 2.
            try f.append("another day 2", to: beforeDay2)
            let fork = try await Self.post(client, try beforeDay2.witnessRequest(oldSize: 2).encoded)
            #expect(fork.status == 409 && fork.body.contains("fork"))
            #expect(try await store.entry(origin: enrolled.origin) == state)
            #expect(try await store.evidenceCount() == 2, "the bad proof from the cosigned size and the fork")
            // The genuine journal carries on.
            #expect(try await Self.post(client, good.encoded).status == 200)
            #expect(try await store.entry(origin: enrolled.origin)?.cosignedSize == 4)
        }
    }

    /// Two stores on one SQLite file stand for two server processes.
    @Test func twoSQLiteInstancesNeverCosignAFork() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let path = f.directory + "/shared.sqlite"
        let stores = [try SQLiteWitnessStore(path: path), try SQLiteWitnessStore(path: path)]
        _ = try await stores[0].enroll(try EnrolledJournal(journalVerifierKey: f.journal.verifierKey))
        try await Self.race(f, stores: stores)
    }

    /// Two server instances, each with its own connection pool, on one PostgreSQL database.
    /// Runs when WITNESS_TEST_POSTGRES names `host:port:user:database` (`.ci/run` starts one).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["WITNESS_TEST_POSTGRES"] != nil))
    func twoPostgresInstancesNeverCosignAFork() async throws {
        let parts = (ProcessInfo.processInfo.environment["WITNESS_TEST_POSTGRES"] ?? "").split(separator: ":").map(String.init)
        try #require(parts.count == 4, "WITNESS_TEST_POSTGRES must be host:port:user:database")
        let configuration = PostgresClient.Configuration(host: parts[0], port: Int(parts[1]) ?? 5432, username: parts[2],
                                                         password: ProcessInfo.processInfo.environment["PGPASSWORD"], database: parts[3], tls: .disable)
        let clients = [PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "a")),
                       PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "b"))]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.run() } }
            let stores = clients.map { PostgresWitnessStore(client: $0) }
            try await stores[0].migrate()
            let f = try Fixture()
            defer { f.remove() }
            _ = try await stores[0].enroll(try EnrolledJournal(journalVerifierKey: f.journal.verifierKey))
            _ = try await stores[1].enroll(try EnrolledJournal(journalVerifierKey: f.journal.verifierKey))
            try await Self.race(f, stores: stores)
            // The evidence of a later fork attempt lands in the shared database.
            let before = try await stores[1].evidenceCount()
            let stale = try f.fork(named: "late-fork.sjournal")
            try f.append("genuine 3")
            try f.append("other 3", to: stale)
            let origin = f.journal.latestCheckpoint.origin
            let cosigned = try #require(try await stores[0].entry(origin: origin)).cosignedSize
            _ = try await stores[0].cosign(try f.journal.witnessRequest(oldSize: cosigned), witness: f.witness, now: Date())
            await #expect(throws: WitnessError.self) {
                _ = try await stores[1].cosign(try stale.witnessRequest(oldSize: cosigned + 1), witness: f.witness, now: Date())
            }
            #expect(try await stores[1].evidenceCount() == before + 1)
            group.cancelAll()
        }
    }

    /// Cosigns size 1, then races 16 requests, half for the genuine size-2 checkpoint and half for a
    /// forked one, across the stores: exactly one is cosigned, and the state holds its root.
    static func race(_ f: Fixture, stores: [any WitnessStore]) async throws {
        try f.append("day 1")
        _ = try await stores[0].cosign(try f.journal.witnessRequest(oldSize: 0), witness: f.witness, now: Date())
        let fork = try f.fork(named: "fork-\(UUID().uuidString).sjournal")
        try f.append("day 2")
        try f.append("another day 2", to: fork)
        let requests = [try f.journal.witnessRequest(oldSize: 1), try fork.witnessRequest(oldSize: 1)]
        let witness = f.witness
        let roots = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            for index in 0..<16 {
                let store = stores[index % stores.count], request = requests[(index / 2) % 2]
                group.addTask { try? await store.cosign(request, witness: witness, now: Date()).checkpoint.rootHash }
            }
            var roots: [[UInt8]] = []
            for try await root in group { if let root { roots.append(root) } }
            return roots
        }
        #expect(roots.count == 1, "exactly one of the conflicting checkpoints is cosigned, once")
        let state = try #require(try await stores[1].entry(origin: f.journal.latestCheckpoint.origin))
        #expect(state.cosignedSize == 2 && [state.cosignedRoot] == roots)
    }
}
