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
    /// A correction whose record was not in the import, kept as what it corrects to
    /// (``JournalImport/UnmatchedCorrections/keep``).
    var correctionKept = false
}

extension ImportedItem {
    /// This amendment, pointed at record `target` of the journal it is imported into.
    func retargeted(to target: UInt64) throws(JournalError) -> SealInput {
        try input.amendment(pointedAt: target, place: "line \(number)")
    }
}

extension JournalImport {
    /// What an import does with a correction (an amendment from an export) whose record is not
    /// among the records of its own export imported before it: an export made with a filter
    /// (`--kind`, `--from`, `--to`) or salvaged from a damaged journal can leave the corrected
    /// record out.
    public enum UnmatchedCorrections: String, Sendable, CaseIterable {
        /// Refuse the input, naming the line (the default): nothing is guessed, and from a file
        /// checked first nothing is written.
        case refuse
        /// Keep each such correction as what it corrects to, at the correction's own time, so no
        /// kind of data changes kind: a written correction becomes an entry (its text, then
        /// `Reason: ...` when it gives one, titled with the number of the record it corrected in
        /// its export, tagged `correction`); a check-in correction becomes the check-in it
        /// corrects to, for that check-in's day, its note followed by the correction's text (which
        /// names that number) and reason.
        case keep
    }

    /// Why a correction whose record is not in the import before it is refused.
    static func unmatchedCorrectionReason(_ exportNumber: UInt64) -> String {
        "corrects record \(exportNumber) of its export, which is not among the records of that export imported before it "
            + "(an export made with --kind, --from, --to or --salvage can leave it out); to keep such a correction as what it "
            + "corrects to (an entry, or the corrected check-in), import with unmatched corrections kept (CLI: --unmatched-corrections keep)"
    }

    /// The title of an entry made from a correction whose record was not imported.
    static func unmatchedCorrectionTitle(exportNumber: UInt64) -> String {
        "Correction of record \(exportNumber) of the export it came from (that record was not imported)"
    }
}

extension SealInput {
    /// This amendment kept as what it corrects to (``JournalImport/UnmatchedCorrections/keep``),
    /// at its own time and time zone offset: an entry (text, then `Reason: ...`, titled with
    /// `exportNumber`, the record it corrected as numbered in its export, tagged `correction`),
    /// or, for a check-in correction, the corrected check-in (for its own day), its note
    /// followed by the correction's text naming `exportNumber` and its reason. `place` names it
    /// in errors.
    func unmatchedCorrectionKept(exportNumber: UInt64, place: String) throws(JournalError) -> SealInput {
        let amendment: Amendment
        do { amendment = try RecordCoding.decoder.decode(Amendment.self, from: Data(plaintext.payload)) } catch {
            throw .invalidField(field: place, reason: "its data is not a valid amendment")
        }
        let reason = amendment.reason.flatMap { $0.isEmpty ? nil : "Reason: " + $0 }
        let kind: RecordKind, day: Int32, payload: [UInt8]
        do {
            if var checkIn = amendment.checkIn {
                let told = "\(amendment.text) (a correction of record \(exportNumber) of the export it came from; that record was not imported)"
                checkIn.note = [checkIn.note.flatMap { $0.isEmpty ? nil : $0 }, told, reason].compactMap { $0 }.joined(separator: "\n\n")
                (kind, day, payload) = (.checkIn, checkIn.day.daysSinceEpoch, try RecordCoding.encode(checkIn))
            } else {
                let text = [amendment.text.isEmpty ? nil : amendment.text, reason].compactMap { $0 }.joined(separator: "\n\n")
                let entry = JournalEntry(text: text, title: JournalImport.unmatchedCorrectionTitle(exportNumber: exportNumber), tags: ["correction"])
                (kind, day, payload) = (.entry, envelope.day, try RecordCoding.encode(entry))
            }
        } catch {
            throw .invalidField(field: place, reason: "cannot be kept as what it corrects to: \(error)")
        }
        let kept = RecordPlaintext(kind: kind.rawValue, recordedAtMilliseconds: plaintext.recordedAtMilliseconds,
                                   timeZoneOffsetSeconds: plaintext.timeZoneOffsetSeconds, payload: payload)
        do { try kept.validate() } catch { throw .invalidField(field: place, reason: error.description) }
        return SealInput(plaintext: kept, envelope: RecordEnvelope(kind: kind.rawValue, day: day), amends: nil)
    }

    /// This amendment, pointed at record `target`: its payload is decoded, given the new
    /// `amends` and encoded again (canonically, as any append); its time, time zone offset and
    /// envelope stay as they were. `place` names it in errors.
    func amendment(pointedAt target: UInt64, place: String) throws(JournalError) -> SealInput {
        var amendment: Amendment
        do { amendment = try RecordCoding.decoder.decode(Amendment.self, from: Data(plaintext.payload)) } catch {
            throw .invalidField(field: place, reason: "its data is not a valid amendment")
        }
        amendment.amends = target
        let payload = try RecordCoding.encode(amendment)
        let renumbered = RecordPlaintext(kind: plaintext.kind, recordedAtMilliseconds: plaintext.recordedAtMilliseconds,
                                         timeZoneOffsetSeconds: plaintext.timeZoneOffsetSeconds, payload: payload)
        do { try renumbered.validate() } catch { throw .invalidField(field: place, reason: error.description) }
        return SealInput(plaintext: renumbered, envelope: envelope, amends: target)
    }
}

/// Where each record numbered by its export sits in an import, so that an amendment from that
/// export can be pointed at the record it corrects as numbered in the journal imported into
/// (which may already hold records, and need not get the export's numbers).
///
/// An export gives increasing numbers to its lines (consecutive ones unless it was filtered), so
/// records are kept as runs (consecutive numbers at consecutive positions). A number that is not
/// above every number since the numbers last went down starts a new segment (a second export
/// after the first): an amendment is looked up in the current segment only, the records of its
/// own export, and the segments before are forgotten. Memory stays small whatever the input:
/// a whole export is one run; a filtered one (a run per gap) takes about 3 bytes per run,
/// stored as variable-length deltas with a small index every ``indexStride`` runs; a lookup
/// decodes at most that many runs.
struct SourceNumbering {
    static let indexStride = 64

    /// The runs of the current segment before the open one, as LEB128 triples (first number minus
    /// the previous run's end, first position minus the previous run's end, length).
    private var encoded: [UInt8] = []
    /// Every ``indexStride`` closed runs: where the run starts in `encoded`, the decoding base
    /// there (the previous run's ends), and the run's first number.
    private var index: [(offset: Int, baseSource: UInt64, basePosition: Int, firstSource: UInt64)] = []
    private var closedRuns = 0
    /// Where the last closed run ends (its last number and position, plus one).
    private var closedEnd: (source: UInt64, position: Int) = (0, 0)
    /// The run being extended.
    private var open: (source: UInt64, position: Int, count: Int)?
    /// Records noted so far (numbered or not).
    private(set) var count = 0

    /// Bytes held (tests).
    var heldBytes: Int { encoded.capacity + index.capacity * MemoryLayout<(Int, UInt64, Int, UInt64)>.stride }

    /// Notes the next record of the import and its export number, if any.
    mutating func note(_ source: UInt64?) {
        defer { count += 1 }
        guard let source else { return }
        if let run = open {
            let (end, overflow) = run.source.addingReportingOverflow(UInt64(run.count))
            if !overflow && end == source && run.position + run.count == count {
                open = (run.source, run.position, run.count + 1)  // continues the run
                return
            }
            if !overflow && source >= end {
                close(run)
            } else {
                self = SourceNumbering(count: count)  // not above every number of the segment: a new one
            }
        }
        open = (source, count, 1)
    }

    private init(count: Int) { self.count = count }
    init() {}

    private mutating func close(_ run: (source: UInt64, position: Int, count: Int)) {
        if closedRuns % Self.indexStride == 0 {
            index.append((encoded.count, closedEnd.source, closedEnd.position, run.source))
        }
        Self.appendVarint(run.source - closedEnd.source, to: &encoded)
        Self.appendVarint(UInt64(run.position - closedEnd.position), to: &encoded)
        Self.appendVarint(UInt64(run.count), to: &encoded)
        closedEnd = (run.source + UInt64(run.count), run.position + run.count)
        closedRuns += 1
    }

    /// The position of the record numbered `source` in the current segment, or `nil`.
    func position(of source: UInt64) -> Int? {
        if let run = open, source >= run.source, source - run.source < UInt64(run.count) {
            return run.position + Int(source - run.source)
        }
        // The last index entry whose first run starts at or below `source`.
        var low = 0, high = index.count
        while low < high {
            let middle = (low + high) / 2
            if index[middle].firstSource <= source { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let entry = index[low - 1]
        var offset = entry.offset
        var base = (source: entry.baseSource, position: entry.basePosition)
        for _ in 0..<Self.indexStride where offset < encoded.count {
            let first = base.source + Self.readVarint(encoded, &offset)
            let position = base.position + Int(Self.readVarint(encoded, &offset))
            let length = Self.readVarint(encoded, &offset)
            if source < first { return nil }
            if source - first < length { return position + Int(source - first) }
            base = (first + length, position + Int(length))
        }
        return nil
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private static func readVarint(_ bytes: [UInt8], _ offset: inout Int) -> UInt64 {
        var value: UInt64 = 0, shift: UInt64 = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
}
