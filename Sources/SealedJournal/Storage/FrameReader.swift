/// One frame as stored.
struct StoredFrame {
    /// File offset of the frame's first byte.
    let offset: UInt64
    let kind: FrameKind
    /// The whole frame: prefix, body and suffix (the Merkle leaf for records).
    let bytes: [UInt8]

    var body: [UInt8] { Array(bytes[Frame.prefixByteCount..<(bytes.count - Frame.suffixByteCount)]) }
    var endOffset: UInt64 { offset + UInt64(bytes.count) }
}

/// Why reading frames stopped short.
enum FrameReadError: Error, Equatable {
    /// The frame starting at `offset` runs past the end of the readable range (a torn tail).
    case incomplete(offset: UInt64)
    /// The frame at `offset` is malformed.
    case malformed(offset: UInt64, reason: FormatError)
}

/// Reads frames front to back through a 1 MiB buffer, so streaming a journal costs a few
/// large reads and constant memory whatever its size.
struct FrameReader {
    static let bufferByteCount = 1 << 20

    let file: AppendOnlyFile
    /// Where reading stops (exclusive): the end of the last trusted checkpoint, or the file size.
    let end: UInt64
    private(set) var offset: UInt64
    private var buffer: [UInt8] = []
    private var bufferStart: UInt64 = 0

    init(file: AppendOnlyFile, from offset: UInt64 = FileHeader.framesOffset, to end: UInt64) {
        self.file = file
        self.offset = offset
        self.end = end
    }

    /// The next frame, or `nil` at `end`.
    mutating func next() throws -> StoredFrame? {
        guard offset < end else { return nil }
        let prefix = try bytes(at: offset, count: Frame.prefixByteCount)
        let header: (bodyLength: Int, kind: FrameKind)
        do {
            header = try Frame.parsePrefix(prefix[...])
        } catch {
            throw FrameReadError.malformed(offset: offset, reason: error)
        }
        let total = header.bodyLength + Frame.overhead
        guard offset + UInt64(total) <= end else { throw FrameReadError.incomplete(offset: offset) }
        let frame = try bytes(at: offset, count: total)
        do {
            try Frame.checkSuffix(frame, bodyLength: header.bodyLength)
        } catch {
            throw FrameReadError.malformed(offset: offset, reason: error)
        }
        defer { offset += UInt64(total) }
        return StoredFrame(offset: offset, kind: header.kind, bytes: frame)
    }

    /// Reads the single frame at `offset` with two exact reads (for random access).
    static func frame(in file: AppendOnlyFile, at offset: UInt64, end: UInt64) throws -> StoredFrame {
        guard offset + UInt64(Frame.prefixByteCount) <= end else { throw FrameReadError.incomplete(offset: offset) }
        let prefix = try file.read(at: offset, count: Frame.prefixByteCount)
        let header: (bodyLength: Int, kind: FrameKind)
        do { header = try Frame.parsePrefix(prefix[...]) } catch { throw FrameReadError.malformed(offset: offset, reason: error) }
        let total = header.bodyLength + Frame.overhead
        guard offset + UInt64(total) <= end else { throw FrameReadError.incomplete(offset: offset) }
        let bytes = try file.read(at: offset, count: total)
        guard bytes.count == total else { throw FrameReadError.incomplete(offset: offset) }
        do { try Frame.checkSuffix(bytes, bodyLength: header.bodyLength) } catch { throw FrameReadError.malformed(offset: offset, reason: error) }
        return StoredFrame(offset: offset, kind: header.kind, bytes: bytes)
    }

    private mutating func bytes(at position: UInt64, count: Int) throws -> [UInt8] {
        guard position + UInt64(count) <= end else { throw FrameReadError.incomplete(offset: offset) }
        let bufferEnd = bufferStart + UInt64(buffer.count)
        if position < bufferStart || position + UInt64(count) > bufferEnd {
            let length = Int(min(UInt64(max(count, FrameReader.bufferByteCount)), end - position))
            buffer = try file.read(at: position, count: length)
            bufferStart = position
            guard buffer.count >= count else { throw FrameReadError.incomplete(offset: offset) }
        }
        let start = Int(position - bufferStart)
        return Array(buffer[start..<start + count])
    }
}
