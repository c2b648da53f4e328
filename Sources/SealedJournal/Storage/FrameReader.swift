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
    /// Read-ahead buffer, reused for every read (it only grows, to the largest frame seen);
    /// `bufferCount` of its bytes, from file offset `bufferStart`, are valid.
    private var buffer: [UInt8] = []
    private var bufferCount = 0
    private var bufferStart: UInt64 = 0

    init(file: AppendOnlyFile, from offset: UInt64 = FileHeader.framesOffset, to end: UInt64) {
        self.file = file
        self.offset = offset
        self.end = end
    }

    /// The next frame, or `nil` at `end` (a copy of its bytes; see ``withNextFrame(_:)`` for none).
    mutating func next() throws -> StoredFrame? {
        try withNextFrame { frame in StoredFrame(offset: frame.offset, kind: frame.kind, bytes: Array(frame.bytes)) }
    }

    /// Calls `body` with the next frame read in place (no copy: the view points into the read
    /// buffer and is valid only inside `body`), or returns `nil` at `end`. The reader moves past
    /// the frame before `body` runs, so `offset` is the frame's end inside `body`.
    mutating func withNextFrame<T>(_ body: (FrameView) throws -> T) throws -> T? {
        guard offset < end else { return nil }
        let start = offset
        try fill(at: start, count: Frame.prefixByteCount)
        let at = Int(start - bufferStart)
        let header: (bodyLength: Int, kind: FrameKind)
        do {
            header = try Frame.parsePrefix(buffer[at..<(at + Frame.prefixByteCount)])
        } catch {
            throw FrameReadError.malformed(offset: start, reason: error)
        }
        let total = header.bodyLength + Frame.overhead
        guard start + UInt64(total) <= end else { throw FrameReadError.incomplete(offset: start) }
        try fill(at: start, count: total)
        let frameStart = Int(start - bufferStart)
        let suffixAt = frameStart + Frame.prefixByteCount + header.bodyLength
        let suffix = UInt32(buffer[suffixAt]) | UInt32(buffer[suffixAt + 1]) << 8 | UInt32(buffer[suffixAt + 2]) << 16 | UInt32(buffer[suffixAt + 3]) << 24
        guard suffix == UInt32(header.bodyLength) else {
            throw FrameReadError.malformed(offset: start, reason: .invalidField(what: "frame trailer"))
        }
        offset = start + UInt64(total)
        return try buffer.withUnsafeBytes { raw in
            try body(FrameView(offset: start, kind: header.kind, bytes: UnsafeRawBufferPointer(rebasing: raw[frameStart..<(frameStart + total)])))
        }
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

    /// Makes the buffer hold `count` bytes from `position`, reading ahead a MiB (or the whole
    /// frame, if larger) when it does not.
    private mutating func fill(at position: UInt64, count: Int) throws {
        guard position + UInt64(count) <= end else { throw FrameReadError.incomplete(offset: offset) }
        let bufferEnd = bufferStart + UInt64(bufferCount)
        if position < bufferStart || position + UInt64(count) > bufferEnd {
            let length = Int(min(UInt64(max(count, FrameReader.bufferByteCount)), end - position))
            if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
            bufferCount = 0
            let got = try buffer.withUnsafeMutableBytes { raw in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<length]), at: position)
            }
            bufferStart = position
            bufferCount = got
            guard got >= count else { throw FrameReadError.incomplete(offset: offset) }
        }
    }
}

/// One frame as stored, seen in place in a ``FrameReader``'s buffer (valid only inside the
/// closure it was given to).
struct FrameView {
    /// File offset of the frame's first byte.
    let offset: UInt64
    let kind: FrameKind
    /// The whole frame: prefix, body and suffix (the Merkle leaf for records).
    let bytes: UnsafeRawBufferPointer

    var body: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[Frame.prefixByteCount..<(bytes.count - Frame.suffixByteCount)]) }
    var endOffset: UInt64 { offset + UInt64(bytes.count) }
}
