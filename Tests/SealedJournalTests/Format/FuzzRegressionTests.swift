import Foundation
import Testing
@testable import SealedJournalFuzz

/// Replays the fuzzers' seed corpora and every input that ever crashed a fuzz target through
/// every parser: none may crash (the suite itself would die) or hang.
@Suite("Fuzz corpora and regressions replay cleanly")
struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    @Test("every seed and regression input goes through every target")
    func replayAll() throws {
        let corpus = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("corpus").path)
            .map { Self.root.appendingPathComponent("corpus").appendingPathComponent($0).path }
        let count = replay(corpus + [Self.root.appendingPathComponent("regressions").path])
        #expect(count >= 20, "the seed corpora are present")
    }

    @Test("hostile shapes: empty, huge lengths, all-0xFF")
    func hostileShapes() {
        let shapes: [[UInt8]] = [[], [0xFF], [UInt8](repeating: 0xFF, count: 9000), [0xFF, 0xFF, 0xFF, 0x7F, 0x01],
                                 Array("SJOURNAL".utf8) + [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], [UInt8](repeating: 0, count: 8192 + 13)]
        for shape in shapes {
            for target in FuzzTarget.allCases { target.run(shape) }
        }
    }
}
