import Foundation
import Testing

/// The exhaustive loops of the tamper, truncation, damage and crash tests: every byte flipped,
/// every length cut, 50 kill trials.
///
/// `make test` runs them in full: that run is what proves "every byte" and "every offset".
/// `make sanitizers` sets `SEALED_JOURNAL_TEST_SAMPLE=7`, and then each loop takes every 7th case
/// (7 is odd, so flips of both kinds and odd and even lengths are still taken) plus the cases a
/// test names as boundaries: the sanitizers look for memory and thread errors on the code paths
/// the cases reach, and a seventh of the cases reaches every one of those paths, while the full
/// loops under AddressSanitizer took two thirds of the continuous integration's time.
enum Exhaustive {
    /// 1 (every case) unless `SEALED_JOURNAL_TEST_SAMPLE` holds a larger whole number.
    static let sampleEvery: Int = {
        guard let text = ProcessInfo.processInfo.environment["SEALED_JOURNAL_TEST_SAMPLE"], let value = Int(text), value > 1 else { return 1 }
        return value
    }()

    /// Whether the loops take a sample.
    static var isSampled: Bool { sampleEvery > 1 }

    /// The cases of `range` to run: all of them, or every `sampleEvery`th from the first, with
    /// `boundaries` (those inside the range) always included; in increasing order.
    static func cases(_ range: Range<Int>, boundaries: [Int] = [], every: Int = sampleEvery) -> [Int] {
        guard every > 1 else { return Array(range) }
        let sampled = Set(stride(from: range.lowerBound, to: range.upperBound, by: every)).union(boundaries.filter(range.contains))
        return sampled.sorted()
    }

    /// `count` trials, or a `sampleEvery`th of them (at least `minimum`) when sampling.
    static func trials(_ count: Int, minimum: Int = 5, every: Int = sampleEvery) -> Int {
        guard every > 1 else { return count }
        return min(count, max(minimum, count / every))
    }
}

@Suite("The sanitizer runs' sample of the exhaustive loops")
struct ExhaustiveSamplingTests {
    @Test("unsampled: every case; sampled: every 7th from the first plus the boundaries, in order, never empty")
    func sampling() {
        #expect(Exhaustive.cases(3..<40, every: 1) == Array(3..<40))
        let sampled = Exhaustive.cases(3..<40, boundaries: [2, 5, 39, 40], every: 7)
        #expect(sampled == [3, 5, 10, 17, 24, 31, 38, 39], "boundaries outside the range are left out")
        #expect(Exhaustive.cases(0..<1, every: 7) == [0])
        #expect(Exhaustive.cases(0..<0, every: 7).isEmpty)
        // Both parities: the flip tests alternate their bit by the offset's parity.
        #expect(Set(Exhaustive.cases(0..<100, every: 7).map { $0 % 2 }) == [0, 1])
        #expect(Exhaustive.trials(50, every: 1) == 50 && Exhaustive.trials(50, every: 7) == 7)
        #expect(Exhaustive.trials(20, every: 7) == 5 && Exhaustive.trials(3, every: 7) == 3)
        // This run's setting: the plain run (make test) leaves the variable unset.
        let setting = ProcessInfo.processInfo.environment["SEALED_JOURNAL_TEST_SAMPLE"].flatMap(Int.init) ?? 1
        #expect(Exhaustive.sampleEvery == max(1, setting))
    }
}
