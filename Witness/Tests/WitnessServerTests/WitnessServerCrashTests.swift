import Foundation
import SealedJournal
import Testing
import WitnessServer
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// kill -9 of the server process while requests are in flight: every cosignature it answered is
/// in its SQLite state after a restart, and it carries on from there.
@Suite struct WitnessServerCrashTests {
    static var serverBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sealed-journal-witness-server")
    }

    static func startServer(_ f: Fixture, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = serverBinary
        process.arguments = ["serve", f.directory + "/witness", "--port", "\(port)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SEALED_JOURNAL_WITNESS_PASSPHRASE": "witness passphrase"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func post(_ body: String, port: Int) async -> (Int, String)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/add-checkpoint") else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.timeoutInterval = 5
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func killingTheServerMidRequestLosesNothingCosigned() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.serverBinary.path), "build the package first (swift build)")
        let f = try Fixture()
        defer { f.remove() }
        let sqlite = f.directory + "/witness/witness.sqlite"
        _ = try await SQLiteWitnessStore(path: sqlite).enroll(try EnrolledJournal(journalVerifierKey: f.journal.verifierKey))
        let origin = f.journal.latestCheckpoint.origin
        let port = 20_000 + Int.random(in: 0..<20_000)
        var answered: UInt64 = 0, killedWhileWaiting = 0
        for round in 0..<8 {
            try f.append("round \(round)")
            let server = try Self.startServer(f, port: port)
            // Wait until it answers (a stale request is a cheap probe: 409 with the size).
            var cosigned: UInt64?
            for _ in 0..<100 {
                if let (status, body) = await Self.post(try f.journal.witnessRequest(oldSize: 0).encoded, port: port) {
                    cosigned = status == 409 ? UInt64(body.trimmingCharacters(in: .newlines)) : (status == 200 ? f.journal.recordCount : nil)
                    if status == 200 { answered = f.journal.recordCount }
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let from = try #require(cosigned, "the server did not start")
            // Several requests race with a kill -9 a few milliseconds later.
            let request = try f.journal.witnessRequest(oldSize: from).encoded
            let results = await withTaskGroup(of: (Int, String)?.self) { group in
                for _ in 0..<4 { group.addTask { await Self.post(request, port: port) } }
                group.addTask {
                    try? await Task.sleep(for: .microseconds(500 * (round + 1)))
                    kill(server.processIdentifier, SIGKILL)
                    return nil
                }
                var results: [(Int, String)] = []
                for await result in group { if let result { results.append(result) } }
                return results
            }
            server.waitUntilExit()
            if results.count < 4 { killedWhileWaiting += 1 }
            if results.contains(where: { $0.0 == 200 }) { answered = f.journal.recordCount }
            let state = try #require(try await SQLiteWitnessStore(path: sqlite).entry(origin: origin))
            #expect(state.cosignedSize >= answered, "an answered cosignature was lost")
        }
        #expect(killedWhileWaiting > 0, "no kill landed while a request was in flight: the test did not test anything")
    }
}
