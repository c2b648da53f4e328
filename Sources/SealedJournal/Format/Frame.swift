/// Frames follow the two header copies, back to back, to the end of the file.
///
///     4   body length L (little-endian)
///     1   frame kind (1 = record, 2 = checkpoint)
///     L   body
///     4   body length L again (lets a reader walk back from the end of the file)
///
/// A frame occupies L + 9 bytes. Record frames are the Merkle leaves, all L + 9 bytes of them.
///
/// Kinds: 1 record, 2 checkpoint, 3 lineage statement (only before the creation checkpoint);
/// 128...255 extension frames (public, self-authenticating data that later versions may add
/// inside a commit; a reader that does not know one skips it); 0 and 4...127 are damage.
enum FrameKind: Equatable, Sendable {
    case record
    case checkpoint
    case lineage
    case extensionFrame(UInt8)

    init?(rawValue: UInt8) {
        switch rawValue {
        case 1: self = .record
        case 2: self = .checkpoint
        case 3: self = .lineage
        case 128...255: self = .extensionFrame(rawValue)
        default: return nil
        }
    }

    var rawValue: UInt8 {
        switch self {
        case .record: return 1
        case .checkpoint: return 2
        case .lineage: return 3
        case let .extensionFrame(value): return value
        }
    }
}

enum Frame {
    static let prefixByteCount = 5
    static let suffixByteCount = 4
    static let overhead = prefixByteCount + suffixByteCount
    /// Largest body accepted (a hostile length field must not make us allocate without bound).
    static let maximumBodyByteCount = RecordSealing.maximumBodyByteCount

    static func encode(kind: FrameKind, body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: body.count + overhead)
        writer.write(UInt32(body.count))
        writer.write(kind.rawValue)
        writer.write(body)
        writer.write(UInt32(body.count))
        return writer.bytes
    }

    /// Parses the 5-byte prefix: (body length, kind). Throws on an unknown kind or oversize length.
    static func parsePrefix(_ bytes: ArraySlice<UInt8>) throws(FormatError) -> (bodyLength: Int, kind: FrameKind) {
        guard bytes.count >= prefixByteCount else { throw .truncated(what: "frame") }
        let start = bytes.startIndex
        let length = Int(UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16 | UInt32(bytes[start + 3]) << 24)
        guard length <= maximumBodyByteCount else { throw .limitExceeded(what: "frame length", limit: maximumBodyByteCount) }
        guard let kind = FrameKind(rawValue: bytes[start + 4]) else { throw .invalidField(what: "frame kind") }
        return (length, kind)
    }

    /// Checks the suffix repeats the body length.
    static func checkSuffix(_ frame: [UInt8], bodyLength: Int) throws(FormatError) {
        guard frame.count == bodyLength + overhead,
              frame.littleEndianUInt32(at: bodyLength + prefixByteCount) == UInt32(bodyLength) else {
            throw .invalidField(what: "frame trailer")
        }
    }
}

/// The body of a checkpoint frame.
///
///     8    tree size (records covered)
///     8    file offset where this checkpoint frame starts
///     8    file offset where the previous checkpoint frame starts (0 for the journal's first)
///     1    compact-range hash count C (= number of set bits of tree size)
///     32C  compact range: roots of the perfect subtrees of the tree, largest first
///     2    note length N
///     N    signed checkpoint note (UTF-8, see Checkpoint)
///
/// The compact range is not signed; readers check that it folds to the signed root.
struct CheckpointFrame: Equatable, Sendable {
    /// Largest checkpoint frame body a reader accepts.
    static let maximumBodyByteCount = 8 + 8 + 8 + 1 + 64 * MerkleTree.hashByteCount + 2 + Checkpoint.maximumTextByteCount

    let treeSize: UInt64
    let frameOffset: UInt64
    let previousFrameOffset: UInt64
    let compactRange: CompactRange
    let noteText: String

    func encodeBody() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(treeSize)
        writer.write(frameOffset)
        writer.write(previousFrameOffset)
        writer.write(UInt8(compactRange.hashes.count))
        for hash in compactRange.hashes { writer.write(hash) }
        let note = Array(noteText.utf8)
        writer.write(UInt16(note.count))
        writer.write(note)
        return writer.bytes
    }

    static func decode(body: [UInt8]) throws(FormatError) -> CheckpointFrame {
        var reader = ByteReader(body, what: "checkpoint frame")
        let size = try reader.readUInt64()
        let offset = try reader.readUInt64()
        let previous = try reader.readUInt64()
        let count = Int(try reader.readUInt8())
        guard count <= 64 else { throw .invalidField(what: "checkpoint compact range") }
        var hashes: [[UInt8]] = []
        for _ in 0..<count { hashes.append(try reader.readBytes(MerkleTree.hashByteCount)) }
        guard let range = CompactRange(size: size, hashes: hashes) else { throw .invalidField(what: "checkpoint compact range") }
        let noteLength = Int(try reader.readUInt16())
        guard noteLength <= Checkpoint.maximumTextByteCount else { throw .limitExceeded(what: "checkpoint note", limit: Checkpoint.maximumTextByteCount) }
        let note = try reader.readBytes(noteLength)
        guard reader.isAtEnd else { throw .invalidField(what: "checkpoint frame length") }
        guard let text = String(validating: note, as: UTF8.self) else { throw .invalidField(what: "checkpoint note encoding") }
        return CheckpointFrame(treeSize: size, frameOffset: offset, previousFrameOffset: previous, compactRange: range, noteText: text)
    }

    /// Verifies the note with `publicKey`, and that it agrees with this frame's fields.
    func verifiedCheckpoint(publicKey: [UInt8], journalID: [UInt8]) throws(FormatError) -> Checkpoint {
        let checkpoint = try Checkpoint.parse(noteText, publicKey: publicKey)
        guard checkpoint.isCanonical else { throw .invalidField(what: "checkpoint text (not in canonical form, or no header line)") }
        guard checkpoint.origin == Checkpoint.origin(journalID: journalID) else { throw .invalidField(what: "checkpoint origin (another journal)") }
        guard checkpoint.treeSize == treeSize else { throw .invalidField(what: "checkpoint tree size") }
        guard checkpoint.frameOffset == frameOffset else { throw .invalidField(what: "checkpoint offset (the frame was moved: something was inserted or removed before it)") }
        guard checkpoint.rootHash == compactRange.root else { throw .invalidField(what: "checkpoint compact range (does not match the signed root)") }
        return checkpoint
    }
}
