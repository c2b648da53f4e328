/// The newest trustworthy commit of a journal file: its checkpoint frame, verified.
struct CommittedTail: Equatable {
    let frame: CheckpointFrame
    let checkpoint: Checkpoint
    /// File offset just past the checkpoint frame: where the next commit goes.
    let endOffset: UInt64
}

/// Finds the last complete commit by walking back from the end of the file, so opening for
/// append costs O(size of the last commit), not O(journal).
///
/// A commit is one write of record frames followed by one checkpoint frame. The last commit
/// is trusted when its checkpoint frame is well formed, sits where it says it does, carries a
/// valid signature by the journal's key, and its record frames, hashed onto the previous
/// checkpoint's compact range, give its signed root. Anything after it is a torn tail.
///
/// A signed checkpoint whose records are *well-formed but hash to another root* is not a torn
/// write (a crash leaves missing or zeroed bytes, not different valid frames): that is damage
/// or tampering, and it is reported, never cut off.
enum TailLocator {
    static let windowByteCount = 1 << 20

    static func locate(file: AppendOnlyFile, header: FileHeader, fileSize: UInt64) throws -> CommittedTail? {
        var window = Window(file: file)
        var end = fileSize
        let minimumFrame = UInt64(Frame.overhead)
        while end >= FileHeader.framesOffset + minimumFrame {
            if let tail = try candidate(endingAt: end, window: &window, file: file, header: header) {
                return tail
            }
            end -= 1
        }
        return nil
    }

    /// The checkpoint frame ending exactly at `end`, verified, or `nil`.
    private static func candidate(endingAt end: UInt64, window: inout Window, file: AppendOnlyFile, header: FileHeader) throws -> CommittedTail? {
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
        switch try commitIntegrity(frame, file: file, header: header) {
        case .intact:
            return CommittedTail(frame: frame, checkpoint: checkpoint, endOffset: end)
        case .torn:
            return nil
        case .mismatch:
            throw JournalError.corruptFrame(offset: frame.frameOffset, sequence: nil,
                                            reason: "the records of the last commit do not match its signed checkpoint (altered or damaged); nothing was changed, run verify")
        }
    }

    enum CommitIntegrity { case intact, torn, mismatch }

    /// Re-hashes the records of the commit that `frame` closes onto the previous checkpoint's
    /// compact range and checks the result is `frame`'s compact range.
    static func commitIntegrity(_ frame: CheckpointFrame, file: AppendOnlyFile, header: FileHeader) throws -> CommitIntegrity {
        if frame.frameOffset == FileHeader.framesOffset {
            return frame.treeSize == 0 && frame.previousFrameOffset == 0 ? .intact : .mismatch
        }
        guard frame.previousFrameOffset >= FileHeader.framesOffset, frame.previousFrameOffset < frame.frameOffset else { return .mismatch }
        var reader = FrameReader(file: file, from: frame.previousFrameOffset, to: frame.frameOffset)
        guard let previousStored = try? reader.next(), previousStored.kind == .checkpoint,
              let previous = try? CheckpointFrame.decode(body: previousStored.body),
              previous.frameOffset == previousStored.offset,
              (try? previous.verifiedCheckpoint(publicKey: header.publicKey, journalID: header.journalID)) != nil,
              previous.treeSize <= frame.treeSize else { return .torn }
        var range = previous.compactRange
        while true {
            let next: StoredFrame?
            do { next = try reader.next() } catch { return .torn }
            guard let record = next else { break }
            guard record.kind == .record else { return .mismatch }
            range.append(leafHash: MerkleTree.leafHash(record.bytes))
            if range.size > frame.treeSize { return .mismatch }
        }
        return range == frame.compactRange ? .intact : (range.size == frame.treeSize ? .mismatch : .torn)
    }

    /// A cached 1 MiB window of the file, read backwards.
    private struct Window {
        let file: AppendOnlyFile
        var start: UInt64 = 0
        var bytes: [UInt8] = []

        init(file: AppendOnlyFile) { self.file = file }

        /// The bytes at `position`; fewer than `count` if the file is shorter than expected.
        mutating func bytes(at position: UInt64, count: Int, lowerBound: UInt64) throws -> [UInt8] {
            let end = position + UInt64(count)
            if position < start || end > start + UInt64(bytes.count) {
                let newStart = max(lowerBound, end >= UInt64(TailLocator.windowByteCount) ? end - UInt64(TailLocator.windowByteCount) : 0)
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
