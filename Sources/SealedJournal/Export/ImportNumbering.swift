import Foundation

/// One record of an import, parsed, encoded and checked as an append would, in input order.
struct ImportedItem {
    var input: SealInput
    /// Its number in the export it comes from (an NDJSON line's `sequence`), if the line has one.
    let source: UInt64?
    /// Its line (NDJSON) or entry (jrnl) number.
    let number: Int
    /// Input bytes consumed up to the end of its line or entry.
    let consumed: Int
    /// The size of its line or entry in the input.
    let byteCount: Int
    /// For an amendment numbered by its export: the position in this import (0 for the import's
    /// first record) of the record it corrects. The importer gives it that record's new sequence
    /// number (``ImportedItem/retargeted(to:)``).
    var amendedPosition: Int?
}

extension ImportedItem {
    /// This amendment, pointed at record `target` of the journal it is imported into: its payload
    /// is decoded, given the new `amends` and encoded again (canonically, as any append).
    func retargeted(to target: UInt64) throws(JournalError) -> SealInput {
        let plaintext = input.plaintext
        var amendment: Amendment
        do { amendment = try RecordCoding.decoder.decode(Amendment.self, from: Data(plaintext.payload)) } catch {
            throw .invalidField(field: "line \(number)", reason: "its data is not a valid amendment")
        }
        amendment.amends = target
        let payload = try RecordCoding.encode(amendment)
        let renumbered = RecordPlaintext(kind: plaintext.kind, recordedAtMilliseconds: plaintext.recordedAtMilliseconds,
                                         timeZoneOffsetSeconds: plaintext.timeZoneOffsetSeconds, payload: payload)
        do { try renumbered.validate() } catch { throw .invalidField(field: "line \(number)", reason: error.description) }
        return SealInput(plaintext: renumbered, envelope: input.envelope, amends: target)
    }
}

/// Where each record numbered by its export sits in an import, so that an amendment from that
/// export can be pointed at the record it corrects as numbered in the journal imported into
/// (which may already hold records, and need not get the export's numbers).
///
/// Kept as runs: an export gives consecutive numbers to consecutive lines, so a whole export is
/// one run of 24 bytes, and a filtered one a run per gap. A number that does not follow the one
/// before (or follows a record without a number) starts a new run, and one not above every number
/// of the current segment (two exports one after the other) starts a new segment. An amendment's
/// target is looked up in the newest segment first, so it names the newest record of that number
/// before the amendment, as in the export it came from.
struct SourceNumbering {
    /// Runs in input order: run `i` gives numbers `source ..< source + count` to positions
    /// `position ..< position + count`.
    private var runs: [(source: UInt64, position: Int, count: Int)] = []
    /// Indices into `runs` where a segment (runs with increasing numbers) starts.
    private var segments: [Int] = []
    /// Records noted so far (numbered or not).
    private(set) var count = 0

    /// Notes the next record of the import and its export number, if any.
    mutating func note(_ source: UInt64?) {
        defer { count += 1 }
        guard let source else { return }
        // The number after the last run's (nil past UInt64.max).
        let following = runs.last.flatMap { last in
            let (next, overflow) = last.source.addingReportingOverflow(UInt64(last.count))
            return overflow ? nil : next
        }
        if let last = runs.last, last.position + last.count == count, following == source {
            runs[runs.count - 1].count += 1  // continues the current run
            return
        }
        // A number above every one of the current segment continues it; any other starts a new one.
        if following.map({ source < $0 }) ?? true { segments.append(runs.count) }
        runs.append((source, count, 1))
    }

    /// The position of the newest record numbered `source` noted so far, or `nil`.
    func position(of source: UInt64) -> Int? {
        for (index, start) in segments.enumerated().reversed() {
            let end = index + 1 < segments.count ? segments[index + 1] : runs.count
            // The last run of the segment whose first number is at most `source`.
            var low = start, high = end
            while low < high {
                let middle = (low + high) / 2
                if runs[middle].source <= source { low = middle + 1 } else { high = middle }
            }
            guard low > start else { continue }
            let run = runs[low - 1]
            if source - run.source < UInt64(run.count) { return run.position + Int(source - run.source) }
        }
        return nil
    }
}
