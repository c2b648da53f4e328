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
        guard buffer.littleEndianUInt32(at: suffixAt) == UInt32(header.bodyLength) else {
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

/// Reads frames back to front, from a frame boundary (the end of the last commit) towards the
/// first frame, through a window that starts at 16 KiB and doubles with each read up to 1 MiB
/// (the newest few records cost one small read, a long walk few large ones): the repeated body
/// length at the end of each frame says where it starts. For "the newest few records", which then cost a few reads
/// however long the journal is.
///
/// A frame read backwards is checked exactly as ``FrameReader`` checks it forwards (both length
/// fields agree, a known kind, within the limits); what it holds is the caller's to
/// authenticate (records are bound to their sequence number, so a frame moved, dropped or made
/// up shifts the sequences and fails to open).
struct BackwardFrameReader {
    /// The first byte a frame may occupy (the end of the header copies).
    let lowerBound: UInt64
    /// The end of the next frame to read (exclusive); `lowerBound` once every frame was read.
    private(set) var offset: UInt64
    private let file: AppendOnlyFile
    /// `buffer` holds the file's bytes from `bufferStart` (reused; it only grows).
    private var buffer: [UInt8] = []
    private var bufferCount = 0
    private var bufferStart: UInt64 = 0
    /// Bytes the next read asks for (at least the frame it needs).
    private var windowByteCount = 16 << 10

    init(file: AppendOnlyFile, from end: UInt64, lowerBound: UInt64 = FileHeader.framesOffset) {
        self.file = file
        self.offset = max(end, lowerBound)
        self.lowerBound = lowerBound
    }

    /// Calls `body` with the frame that ends at ``offset``, read in place (valid only inside
    /// `body`), or returns `nil` at ``lowerBound``. The reader moves before the frame first.
    mutating func withPreviousFrame<T>(_ body: (FrameView) throws -> T) throws -> T? {
        guard offset > lowerBound else { return nil }
        let end = offset
        guard end - lowerBound >= UInt64(Frame.overhead) else {
            throw FrameReadError.malformed(offset: lowerBound, reason: .truncated(what: "frame"))
        }
        try fill(from: end - UInt64(Frame.suffixByteCount), to: end)
        let suffixAt = Int(end - UInt64(Frame.suffixByteCount) - bufferStart)
        let bodyLength = Int(buffer.littleEndianUInt32(at: suffixAt))
        guard bodyLength <= Frame.maximumBodyByteCount, UInt64(bodyLength + Frame.overhead) <= end - lowerBound else {
            throw FrameReadError.malformed(offset: end - UInt64(Frame.suffixByteCount), reason: .invalidField(what: "frame trailer"))
        }
        let start = end - UInt64(bodyLength + Frame.overhead)
        try fill(from: start, to: end)
        let frameStart = Int(start - bufferStart)
        // What the trailer points at must be the same frame's prefix; if it is not, the trailer
        // (or the prefix) was damaged, and the trailer is what is named: the bytes at the
        // computed start belong to some other frame.
        let header = try? Frame.parsePrefix(buffer[frameStart..<(frameStart + Frame.prefixByteCount)])
        guard let header, header.bodyLength == bodyLength else {
            throw FrameReadError.malformed(offset: end - UInt64(Frame.suffixByteCount), reason: .invalidField(what: "frame trailer"))
        }
        offset = start
        let total = bodyLength + Frame.overhead
        return try buffer.withUnsafeBytes { raw in
            try body(FrameView(offset: start, kind: header.kind, bytes: UnsafeRawBufferPointer(rebasing: raw[frameStart..<(frameStart + total)])))
        }
    }

    /// Makes the buffer hold the bytes `from..<to`, reading the window (or the whole range, if
    /// larger) that ends at `to` when it does not.
    private mutating func fill(from: UInt64, to: UInt64) throws {
        if from >= bufferStart && to <= bufferStart + UInt64(bufferCount) { return }
        let want = max(to - from, UInt64(windowByteCount))
        windowByteCount = min(windowByteCount * 2, FrameReader.bufferByteCount)
        let start = max(lowerBound, to >= want ? to - want : 0)
        let length = Int(to - start)
        if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
        bufferCount = 0
        let got = try buffer.withUnsafeMutableBytes { raw in
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<length]), at: start)
        }
        guard got == length else { throw FrameReadError.incomplete(offset: start + UInt64(got)) }
        bufferStart = start
        bufferCount = got
    }
}
