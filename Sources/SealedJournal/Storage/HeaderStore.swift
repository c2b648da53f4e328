/// Reads and rewrites the two header copies.
///
/// Update rule (as LUKS2): write the copy that is not the current best with sequence + 1,
/// fsync, then the other copy, fsync. A crash at any point leaves at least one intact copy,
/// and the reader takes the intact copy with the highest sequence.
struct HeaderState {
    /// The copy in use: intact, with the highest sequence.
    let header: FileHeader
    /// Index (0 or 1) of that copy.
    let bestCopy: Int
    /// Why each copy is unusable, `nil` when intact.
    let copyProblems: [FormatError?]
    /// Sequence of each intact copy.
    let copySequences: [UInt64?]

    /// `true` when both copies are intact and identical in sequence (nothing to repair).
    var isClean: Bool { copyProblems.allSatisfy { $0 == nil } && copySequences[0] == copySequences[1] }
}

enum HeaderStore {
    /// Reads both copies and picks the best.
    static func read(file: AppendOnlyFile, fileSize: UInt64) throws -> HeaderState {
        guard fileSize > 0 else { throw JournalError.emptyFile(path: file.path) }
        let bytes = try file.read(at: 0, count: Int(min(fileSize, FileHeader.framesOffset)))
        let size = FileHeader.copyByteCount
        let magicAt0 = bytes.starts(with: FileHeader.magic)
        let magicAt1 = bytes.count >= size + 8 && Array(bytes[size..<size + 8]) == FileHeader.magic
        guard magicAt0 || magicAt1 else { throw JournalError.notAJournal(path: file.path) }

        var headers: [FileHeader?] = [nil, nil]
        var problems: [FormatError?] = [nil, nil]
        for index in 0..<FileHeader.copyCount {
            let start = index * size
            guard bytes.count >= start + size else {
                problems[index] = .truncated(what: "header copy \(index + 1)")
                continue
            }
            do {
                headers[index] = try FileHeader.decodeCopy(Array(bytes[start..<start + size]))
            } catch {
                problems[index] = error
            }
        }
        let valid = headers.enumerated().compactMap { $0.element == nil ? nil : ($0.offset, $0.element!) }
        guard let first = valid.first else {
            for case let .unsupportedVersion(found, supported)? in problems {
                throw JournalError.unsupportedVersion(found: found, supported: supported)
            }
            let reasons = problems.compactMap { $0?.description }.joined(separator: "; ")
            throw JournalError.corruptHeader(path: file.path, reason: reasons)
        }
        var best = first
        if valid.count == 2 {
            let other = valid[1]
            guard other.1.journalID == first.1.journalID, other.1.publicKey == first.1.publicKey else {
                throw JournalError.headerMismatch(path: file.path, reason: "the two header copies belong to different journals")
            }
            if other.1.sequence > first.1.sequence { best = other }
        }
        return HeaderState(header: best.1, bestCopy: best.0, copyProblems: problems,
                           copySequences: headers.map { $0?.sequence })
    }

    /// Writes `header` (its sequence already incremented) to both copies, crash-safely.
    static func write(_ header: FileHeader, signingKey: Ed25519.SigningKey, file: AppendOnlyFile, currentBest: Int) throws {
        let copy = try header.encodeCopy(signingKey: signingKey)
        let order = currentBest == 0 ? [1, 0] : [0, 1]
        for index in order {
            try file.write(copy, at: UInt64(index * FileHeader.copyByteCount))
            try file.sync()
        }
    }
}
