/// The newest trustworthy commit of a journal file: its checkpoint frame, verified.
struct CommittedTail: Equatable {
    let frame: CheckpointFrame
    let checkpoint: Checkpoint
    /// File offset just past the checkpoint frame: where the next commit goes.
    let endOffset: UInt64
}

/// What lies after the last intact commit.
enum TailStatus: Equatable {
    /// Nothing: the file ends with an intact commit.
    case clean
    /// An interrupted append that holds no checkpoint: safe to cut (`bytes` long).
    case torn(bytes: UInt64)
    /// Something that was committed (a checkpoint frame or signed note is there) is damaged, at
    /// or after `offset`. Never cut automatically: only an explicit repair removes it, keeping the bytes.
    case damaged(offset: UInt64, reason: String)
}

/// The result of locating the committed state.
struct TailScan: Equatable {
    /// The last intact commit.
    let committed: CommittedTail
    /// What follows it.
    let status: TailStatus
}

/// Finds the last intact commit by walking back from the end of the file, so opening costs
/// O(size of the last commit), not O(journal); every writer of this library bounds its commits
/// (`CommitBounds`, 64 KiB of records), so that is O(1) for the files it writes.
///
/// A commit is one or more record frames followed by one checkpoint frame (one write may hold
/// several commits; a durable writer fsyncs each before writing the next). It is intact when its
/// checkpoint frame is well formed, sits where it says it does, carries a valid signature by the
/// journal's key, and its record frames, hashed onto the previous checkpoint's compact range (or,
/// if that checkpoint is damaged, onto the tree recomputed from the start), give its signed root.
///
/// Damage rule (FORMAT.md 6): bytes after the last intact commit may be cut only when they hold no
/// checkpoint at all — no complete checkpoint frame and no complete checkpoint note of this
/// journal. A crash leaves a prefix of one write with missing or zeroed bytes, never a complete
/// checkpoint whose signature or records are wrong; anything else is damage, reported and kept.
enum TailLocator {
    static let windowByteCount = 1 << 20
    /// Bytes read at a time while walking back from the end: enough for the last checkpoint frame
    /// (at most about 6 KiB) and usually its whole commit (at most 64 KiB of records, see
    /// `CommitBounds`), so a clean open reads little more than it hashes.
    static let backwardWindowByteCount = 80 << 10

    static func locate(file: AppendOnlyFile, header: FileHeader, fileSize: UInt64) throws -> TailScan? {
        var window = Window(file: file)
        var end = fileSize
        var damage: (offset: UInt64, reason: String)?
        var fullRecomputeAllowed = true
        let minimumFrame = UInt64(Frame.overhead)
        while end >= FileHeader.framesOffset + minimumFrame {
            if let frame = try candidate(endingAt: end, window: &window, header: header) {
                // A hostile file full of checkpoints over wrong roots must not make opening
                // quadratic: the tree is recomputed from the start for one candidate at most.
                defer { fullRecomputeAllowed = false }
                switch try commitIntegrity(frame.frame, file: file, header: header, allowFullRecompute: fullRecomputeAllowed) {
                case .intact:
                    let committed = CommittedTail(frame: frame.frame, checkpoint: frame.checkpoint, endOffset: end)
                    if let damage { return TailScan(committed: committed, status: .damaged(offset: damage.offset, reason: damage.reason)) }
                    return TailScan(committed: committed, status: try classifyTail(file: file, header: header, from: end, to: fileSize))
                case .mismatch:
                    if damage == nil {
                        damage = (frame.frame.frameOffset, "the records of a signed commit do not match its checkpoint (altered or damaged)")
                    }
                case .torn:
                    break
                }
            }
            end -= 1
        }
        return nil
    }

    /// The verified checkpoint frame ending exactly at `end`, or `nil`.
    private static func candidate(endingAt end: UInt64, window: inout Window, header: FileHeader) throws -> (frame: CheckpointFrame, checkpoint: Checkpoint)? {
        let suffix = try window.bytes(at: end - 4, count: 4, lowerBound: FileHeader.framesOffset)
        guard suffix.count == 4 else { return nil }
        let bodyLength = UInt64(suffix.littleEndianUInt32(at: 0))
        guard bodyLength <= UInt64(CheckpointFrame.maximumBodyByteCount),
              end >= FileHeader.framesOffset + bodyLength + UInt64(Frame.overhead) else { return nil }
        let start = end - bodyLength - UInt64(Frame.overhead)
        let frameBytes = try window.bytes(at: start, count: Int(end - start), lowerBound: FileHeader.framesOffset)
        guard frameBytes.count == Int(end - start),
              let prefix = try? Frame.parsePrefix(frameBytes[0..<Frame.prefixByteCount]),
              prefix.kind == FrameKind.checkpoint, UInt64(prefix.bodyLength) == bodyLength,
              let frame = try? CheckpointFrame.decode(body: Array(frameBytes[Frame.prefixByteCount..<(frameBytes.count - Frame.suffixByteCount)])),
              frame.frameOffset == start,
              let checkpoint = try? frame.verifiedCheckpoint(publicKey: header.publicKey, journalID: header.journalID) else {
            return nil
        }
        return (frame, checkpoint)
    }

    enum CommitIntegrity { case intact, torn, mismatch }

    /// Re-hashes the records of the commit that `frame` closes onto the previous checkpoint's
    /// compact range (decoded; its signature is not needed, the signed root of `frame` checks it)
    /// and checks the result is `frame`'s compact range. When the previous checkpoint cannot be
    /// used, the tree is recomputed from the first record.
    static func commitIntegrity(_ frame: CheckpointFrame, file: AppendOnlyFile, header: FileHeader,
                                allowFullRecompute: Bool = true) throws -> CommitIntegrity {
        if frame.treeSize == 0 {
            return frame.previousFrameOffset == 0 ? .intact : .mismatch
        }
        guard frame.previousFrameOffset >= FileHeader.framesOffset, frame.previousFrameOffset < frame.frameOffset else { return .mismatch }
        var reader = FrameReader(file: file, from: frame.previousFrameOffset, to: frame.frameOffset)
        if let previousStored = try? reader.next(), previousStored.kind == .checkpoint,
           let previous = try? CheckpointFrame.decode(body: previousStored.body),
           previous.frameOffset == previousStored.offset, previous.treeSize < frame.treeSize {
            switch try hashCommit(reader: &reader, onto: previous.compactRange, expecting: frame) {
            case .intact: return .intact
            case .torn: return .torn
            case .mismatch:
                guard allowFullRecompute else { return .mismatch }  // the previous range may be what is damaged: recompute once
            }
        }
        guard allowFullRecompute else { return .torn }
        var full = FrameReader(file: file, to: frame.frameOffset)
        var range = CompactRange()
        while true {
            let next: StoredFrame?
            do { next = try full.next() } catch { return .torn }
            guard let stored = next else { break }
            guard stored.kind == .record else { continue }
            range.append(leafHash: MerkleTree.leafHash(stored.bytes))
            if range.size > frame.treeSize { return .mismatch }
        }
        return range == frame.compactRange ? .intact : (range.size == frame.treeSize ? .mismatch : .torn)
    }

    private static func hashCommit(reader: inout FrameReader, onto start: CompactRange, expecting frame: CheckpointFrame) throws -> CommitIntegrity {
        var range = start
        while true {
            let next: StoredFrame?
            do { next = try reader.next() } catch { return .torn }
            guard let stored = next else { break }
            switch stored.kind {
            case .record: range.append(leafHash: MerkleTree.leafHash(stored.bytes))
            case .extensionFrame: continue
            case .checkpoint, .lineage: return .mismatch
            }
            if range.size > frame.treeSize { return .mismatch }
        }
        return range == frame.compactRange ? .intact : (range.size == frame.treeSize ? .mismatch : .torn)
    }

    /// Classifies the bytes in `start..<end` after the last intact commit.
    static func classifyTail(file: AppendOnlyFile, header: FileHeader, from start: UInt64, to end: UInt64) throws -> TailStatus {
        guard end > start else { return .clean }
        // 1. A complete checkpoint frame, found by walking the frames forward.
        var reader = FrameReader(file: file, from: start, to: end)
        while let stored = try? reader.next() {
            if stored.kind == .checkpoint {
                return .damaged(offset: stored.offset, reason: "a complete checkpoint after the last intact commit does not verify")
            }
        }
        // 2. A complete checkpoint frame ending the file, found from its trailing length.
        if end - start >= UInt64(Frame.overhead) {
            let suffix = try file.read(at: end - 4, count: 4)
            let length = UInt64(suffix.littleEndianUInt32(at: 0))
            if length <= UInt64(CheckpointFrame.maximumBodyByteCount), end - start >= length + UInt64(Frame.overhead) {
                let frameStart = end - length - UInt64(Frame.overhead)
                let prefix = try file.read(at: frameStart, count: Frame.prefixByteCount)
                if let parsed = try? Frame.parsePrefix(prefix[...]), parsed.kind == .checkpoint, UInt64(parsed.bodyLength) == length {
                    return .damaged(offset: frameStart, reason: "the last checkpoint of the file is damaged")
                }
            }
        }
        // 3. A complete checkpoint note of this journal anywhere in the tail (its frame may be damaged).
        let origin = Array((Checkpoint.origin(journalID: header.journalID) + "\n").utf8)
        var position = start
        var carry: [UInt8] = []
        while position < end {
            let count = Int(min(UInt64(windowByteCount), end - position))
            let chunk = carry + (try file.read(at: position, count: count))
            let chunkStart = position - UInt64(carry.count)
            var index = 0
            while let found = firstIndex(of: origin, in: chunk, from: index) {
                var complete = completeNote(in: chunk, at: found)
                if !complete, found + Checkpoint.maximumTextByteCount > chunk.count, position + UInt64(count) < end {
                    let more = try file.read(at: position + UInt64(count), count: Checkpoint.maximumTextByteCount)
                    complete = completeNote(in: chunk + more, at: found)
                }
                if complete {
                    return .damaged(offset: chunkStart + UInt64(found), reason: "a signed checkpoint after the last intact commit is damaged")
                }
                index = found + 1
            }
            position += UInt64(count)
            carry = Array(chunk.suffix(origin.count - 1))
        }
        return .torn(bytes: end - start)
    }

    /// `true` when the bytes at `index` hold a whole note: body lines, a blank line and a
    /// newline-terminated signature line, with no zero byte (which a torn write leaves).
    private static func completeNote(in bytes: [UInt8], at index: Int) -> Bool {
        let limit = min(bytes.count, index + Checkpoint.maximumTextByteCount)
        var position = index
        var sawBlank = false
        var previous: UInt8 = 0
        while position < limit {
            let byte = bytes[position]
            if byte == 0 { return false }
            if byte == 0x0A {
                if sawBlank && previous != 0x0A { return true }
                if previous == 0x0A { sawBlank = true }
            }
            previous = byte
            position += 1
        }
        return false
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// A cached window of the file (`backwardWindowByteCount`), read backwards.
    private struct Window {
        let file: AppendOnlyFile
        var start: UInt64 = 0
        var bytes: [UInt8] = []

        init(file: AppendOnlyFile) { self.file = file }

        /// The bytes at `position`; fewer than `count` if the file is shorter than expected.
        mutating func bytes(at position: UInt64, count: Int, lowerBound: UInt64) throws -> [UInt8] {
            let end = position + UInt64(count)
            if position < start || end > start + UInt64(bytes.count) {
                let newStart = max(lowerBound, end >= UInt64(TailLocator.backwardWindowByteCount) ? end - UInt64(TailLocator.backwardWindowByteCount) : 0)
                let readStart = min(newStart, position)
                bytes = try file.read(at: readStart, count: Int(end - readStart))
                start = readStart
            }
            let from = Int(position - start)
            guard from + count <= bytes.count else { return [] }
            return Array(bytes[from..<from + count])
        }
    }
}
