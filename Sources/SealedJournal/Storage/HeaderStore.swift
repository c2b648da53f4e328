/// Reads and rewrites the two header copies.
///
/// Update rule (as LUKS2): write the copy that is not the current best with sequence + 1,
/// fsync, then the other copy, fsync. A crash at any point leaves at least one intact copy,
/// and the reader takes the intact copy with the highest sequence. When both intact copies have
/// the same sequence but differ (which no writer produces), the one the latest checkpoint binds
/// wins (see `Journal.locate`); a writer never overwrites a copy of a version it does not know.
struct HeaderState {
    /// The copy in use: intact, with the highest sequence.
    let header: FileHeader
    /// Index (0 or 1) of that copy.
    let bestCopy: Int
    /// Why each copy is unusable, `nil` when intact.
    let copyProblems: [FormatError?]
    /// Each intact copy.
    let copies: [FileHeader?]
    /// SHA-256 of each intact copy's signed bytes.
    let copyDigests: [[UInt8]?]
    /// A copy carries the magic bytes but a format version this library does not know: a writer
    /// must not overwrite it (a newer SealedJournal may have written it).
    let unknownVersionFound: Int?
    var hasCopyOfUnknownVersion: Bool { unknownVersionFound != nil }

    var copySequences: [UInt64?] { copies.map { $0?.sequence } }
    /// Digest of the copy in use.
    var digest: [UInt8] { copyDigests[bestCopy] ?? [] }
    /// What a checkpoint made now binds.
    var binding: HeaderBinding { HeaderBinding(sequence: header.sequence, digest: digest) }
    /// Both copies intact with the same sequence but different bytes.
    var copiesConflict: Bool {
        copies[0] != nil && copies[1] != nil && copySequences[0] == copySequences[1] && copyDigests[0] != copyDigests[1]
    }

    /// `true` when both copies are intact and identical (nothing to repair).
    var isClean: Bool { copyProblems.allSatisfy { $0 == nil } && copyDigests[0] == copyDigests[1] }

    /// The same state using copy `index` (which must be intact).
    func choosing(_ index: Int) -> HeaderState {
        guard let header = copies[index] else { return self }
        return HeaderState(header: header, bestCopy: index, copyProblems: copyProblems, copies: copies,
                           copyDigests: copyDigests, unknownVersionFound: unknownVersionFound)
    }
}

enum HeaderStore {
    /// Reads both copies and picks the best.
    static func read(file: AppendOnlyFile, fileSize: UInt64) throws -> HeaderState {
        guard fileSize > 0 else { throw HeaderReadError.emptyFile(path: file.path) }
        let bytes = try file.read(at: 0, count: Int(min(fileSize, FileHeader.framesOffset)))
        let size = FileHeader.copyByteCount
        let magicAt0 = bytes.starts(with: FileHeader.magic)
        let magicAt1 = bytes.count >= size + 8 && Array(bytes[size..<size + 8]) == FileHeader.magic
        guard magicAt0 || magicAt1 else { throw HeaderReadError.notAJournal(path: file.path) }

        var headers: [FileHeader?] = [nil, nil]
        var digests: [[UInt8]?] = [nil, nil]
        var problems: [FormatError?] = [nil, nil]
        var unknownVersion: Int?
        for index in 0..<FileHeader.copyCount {
            let start = index * size
            guard bytes.count >= start + size else {
                problems[index] = .truncated(what: "header copy \(index + 1)")
                continue
            }
            let copy = Array(bytes[start..<start + size])
            do {
                headers[index] = try FileHeader.decodeCopy(copy)
                digests[index] = FileHeader.digest(ofCopy: copy)
            } catch {
                problems[index] = error
                if case let .unsupportedVersion(found, _) = error { unknownVersion = found }
            }
        }
        let valid = headers.enumerated().compactMap { $0.element == nil ? nil : ($0.offset, $0.element!) }
        guard let first = valid.first else {
            for case let .unsupportedVersion(found, supported)? in problems {
                throw HeaderReadError.unsupportedVersion(found: found, supported: supported)
            }
            let reasons = problems.compactMap { $0?.description }.joined(separator: "; ")
            throw HeaderReadError.corruptHeader(path: file.path, reason: reasons)
        }
        var best = first
        if valid.count == 2 {
            let other = valid[1]
            guard other.1.journalID == first.1.journalID, other.1.publicKey == first.1.publicKey else {
                throw HeaderReadError.headerMismatch(path: file.path, reason: "the two header copies belong to different journals")
            }
            if other.1.sequence > first.1.sequence { best = other }
        }
        return HeaderState(header: best.1, bestCopy: best.0, copyProblems: problems, copies: headers,
                           copyDigests: digests, unknownVersionFound: unknownVersion)
    }

    /// Writes `header` (its sequence already incremented) to both copies, crash-safely; returns
    /// the digest of the copy written (what the next checkpoint binds).
    /// - Throws: `HeaderReadError.unsupportedVersion` without writing when a copy
    ///   on disk has a version this library does not know.
    ///
    /// `firstCopyDurable` is called once the first copy is written and fsynced: from then on the
    /// new header is the one in force for every opener, even if what follows fails.
    @discardableResult
    static func write(_ header: FileHeader, signingKey: Ed25519.SigningKey, file: AppendOnlyFile, current: HeaderState,
                      firstCopyDurable: () -> Void = {}) throws -> [UInt8] {
        if let found = current.unknownVersionFound {
            throw HeaderReadError.unsupportedVersion(found: found, supported: Int(FileHeader.formatVersion))
        }
        let copy = try header.encodeCopy(signingKey: signingKey)
        let order = current.bestCopy == 0 ? [1, 0] : [0, 1]
        for index in order {
            try file.write(copy, at: UInt64(index * FileHeader.copyByteCount))
            try file.sync()
            if index == order[0] { firstCopyDurable() }
        }
        return FileHeader.digest(ofCopy: copy)
    }

    /// After a failed ``write(_:signingKey:file:current:firstCopyDurable:)`` whose first copy is
    /// not known to be durable: puts the copy in force (`current`'s best, untouched) over the
    /// first one as well, so no opener reads a new header that may not survive. Best effort.
    static func restore(_ current: HeaderState, file: AppendOnlyFile) {
        try? copyInForceOverOther(current, file: file)
    }

    /// Copies the header copy in force (`state`'s best) over the other copy, and fsyncs: same
    /// bytes, same digest, so the checkpoints' binding still holds.
    static func copyInForceOverOther(_ state: HeaderState, file: AppendOnlyFile) throws {
        let good = try file.read(at: UInt64(state.bestCopy * FileHeader.copyByteCount), count: FileHeader.copyByteCount)
        try file.write(good, at: UInt64((1 - state.bestCopy) * FileHeader.copyByteCount))
        try file.sync()
    }
}
