/// What a record's content holds once decrypted (before padding is added), format version 2:
///
///     1   encoding version (2)
///     1   kind name length K (1...64)
///     K   kind name, UTF-8 ("entry", "checkIn", "amendment", "disclosure", "keyChange",
///         "repair", or an app's own)
///     8   recorded at: milliseconds since 1970-01-01T00:00:00Z, signed, within years 0001-9999
///     4   writer's UTC offset at that time, seconds, signed, within ±18 h
///     4   payload length P (at most 16 MiB)
///     P   payload: a UTF-8 JSON object with sorted keys (the record's fields)
///     ..  ISO/IEC 7816-4 padding: 0x80 then zeros, to the bucket size (see `paddedByteCount`)
struct RecordPlaintext: Equatable, Sendable {
    static let encodingVersion: UInt8 = 2
    static let maximumKindByteCount = 64
    /// Largest payload a record may carry (16 MiB).
    static let maximumPayloadByteCount = 16 << 20
    static let headerByteCount = 1 + 1 + 8 + 4 + 4
    static let maximumPaddedByteCount = paddedByteCount(forUnpadded: headerByteCount + maximumKindByteCount + maximumPayloadByteCount)

    let kind: String
    let recordedAtMilliseconds: Int64
    let timeZoneOffsetSeconds: Int32
    let payload: [UInt8]

    /// The padded size for an unpadded size `n` (the 0x80 marker always needs one byte):
    /// up to 4096 bytes, the next multiple of 256; above, the next multiple of 2^(floor(log2(m)) - 3)
    /// where m = n + 1, which wastes at most 12.5% and leaks only a coarse size class.
    static func paddedByteCount(forUnpadded n: Int) -> Int {
        let m = n + 1
        let step = paddingStep(forMarkedLength: m)
        return (m + step - 1) / step * step
    }

    /// The bucket step for a marked length m = n + 1 (256 up to 4096 bytes, then 2^(floor(log2 m) - 3)).
    /// Every padded size is a multiple of the step of its own unpadded length.
    static func paddingStep(forMarkedLength m: Int) -> Int {
        if m <= 4096 { return 256 }
        let exponent = Int.bitWidth - m.leadingZeroBitCount - 1
        return 1 << (exponent - 3)
    }

    static func validateKind(_ kind: String) throws(FormatError) {
        let count = kind.utf8.count
        guard count >= 1, count <= maximumKindByteCount else { throw .invalidField(what: "record kind name length") }
    }

    /// Checks the fields a writer controls (time range, offset range, payload shape).
    func validate() throws(FormatError) {
        try RecordPlaintext.validateKind(kind)
        guard CivilTime.isInRange(milliseconds: recordedAtMilliseconds) else { throw .invalidField(what: "record time (outside years 0001-9999)") }
        guard CivilTime.isValidOffset(timeZoneOffsetSeconds) else { throw .invalidField(what: "record time zone offset") }
        guard payload.count <= RecordPlaintext.maximumPayloadByteCount else {
            throw .limitExceeded(what: "record size", limit: RecordPlaintext.maximumPayloadByteCount)
        }
        guard RecordPlaintext.looksLikeJSONObject(payload) else { throw .invalidField(what: "record payload (not a UTF-8 JSON object)") }
    }

    /// A cheap structural check run on every read: valid UTF-8 that starts with `{` and ends with `}`.
    /// (Exports parse the JSON fully and refuse anything that is not an object.)
    static func looksLikeJSONObject(_ payload: [UInt8]) -> Bool {
        guard payload.first == UInt8(ascii: "{"), payload.last == UInt8(ascii: "}") else { return false }
        return payload.withUnsafeBytes { UTF8Validation.isValid($0) }
    }

    /// The unpadded byte count.
    var unpaddedByteCount: Int { RecordPlaintext.headerByteCount + kind.utf8.count + payload.count }

    /// Encodes and pads.
    func encode() throws(FormatError) -> [UInt8] {
        try validate()
        let unpadded = unpaddedByteCount
        let padded = RecordPlaintext.paddedByteCount(forUnpadded: unpadded)
        var writer = ByteWriter(capacity: padded)
        writer.write(RecordPlaintext.encodingVersion)
        writer.write(UInt8(kind.utf8.count))
        writer.write(Array(kind.utf8))
        writer.write(recordedAtMilliseconds)
        writer.write(UInt32(bitPattern: timeZoneOffsetSeconds))
        writer.write(UInt32(payload.count))
        writer.write(payload)
        writer.write(UInt8(0x80))
        writer.writeZeros(padded - unpadded - 1)
        return writer.bytes
    }

    /// The unpadded length of an (authenticated) padded plaintext. Only the last bucket step is
    /// scanned, not the whole record, and from the end, eight zero bytes at a time: the
    /// plaintext was authenticated before this runs, so the scan need not take the same time
    /// whatever the length (the length is the reader's to know once it has opened the record;
    /// `sodium_unpad`'s constant-time loop over the step was a tenth of a read's crypto). It
    /// accepts exactly what `sodium_unpad` with that block size accepts
    /// (`HotPathEquivalenceTests.unpadding`): a 0x80 marker followed only by zeros, in the last
    /// step bytes.
    static func unpaddedLength(_ padded: UnsafeRawBufferPointer) throws(FormatError) -> Int {
        guard padded.count >= 256, padded.count % 256 == 0 else { throw .invalidField(what: "record padding size") }
        // The marker m - 1 satisfies P - (m - 1) <= step(m) <= step(P), so it lies in the last step(P) bytes.
        let step = paddingStep(forMarkedLength: padded.count)
        return try checkedLength(try markerOffset(padded, searchingLast: step), padded.count)
    }

    /// The offset of the 0x80 marker that only zeros follow, within the last `window` bytes.
    static func markerOffset(_ padded: UnsafeRawBufferPointer, searchingLast window: Int) throws(FormatError) -> Int {
        let lowest = padded.count - window
        guard window > 0, lowest >= 0, let base = padded.baseAddress else { throw .invalidField(what: "record padding") }
        var end = padded.count  // bytes from `end` on are zero
        while end - 8 >= lowest, base.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) == 0 { end -= 8 }
        while end - 1 >= lowest, padded[end - 1] == 0 { end -= 1 }
        guard end - 1 >= lowest, padded[end - 1] == 0x80 else { throw .invalidField(what: "record padding") }
        return end - 1
    }

    private static func checkedLength(_ length: Int, _ paddedCount: Int) throws(FormatError) -> Int {
        guard paddedByteCount(forUnpadded: length) == paddedCount else { throw .invalidField(what: "record padding size") }
        return length
    }

    /// Decodes a padded plaintext. An encoding version other than 2 is reported as unsupported.
    /// Reads the fields in place; the payload is the only copy made.
    static func decode(_ padded: UnsafeRawBufferPointer) throws(FormatError) -> RecordPlaintext {
        guard let version = padded.first else { throw .truncated(what: "record") }
        guard version == encodingVersion else { throw .unsupportedVersion(found: Int(version), supported: Int(encodingVersion)) }
        let unpaddedLength = try unpaddedLength(padded)
        // version (1) || kind length (1) || kind (K) || time (8) || offset (4) || payload length (4) || payload (P)
        guard unpaddedLength >= 2 else { throw .truncated(what: "record") }
        let kindLength = Int(padded[1])
        var at = 2
        guard unpaddedLength - at >= kindLength else { throw .truncated(what: "record") }
        guard let kind = String(validating: UnsafeRawBufferPointer(rebasing: padded[at..<(at + kindLength)]), as: UTF8.self) else {
            throw .invalidField(what: "record kind name encoding")
        }
        at += kindLength
        guard unpaddedLength - at >= 16 else { throw .truncated(what: "record") }
        let time = Int64(littleEndian: padded.loadUnaligned(fromByteOffset: at, as: Int64.self))
        let offset = Int32(littleEndian: padded.loadUnaligned(fromByteOffset: at + 8, as: Int32.self))
        let payloadLength = Int(UInt32(littleEndian: padded.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self)))
        at += 16
        guard unpaddedLength - at >= payloadLength else { throw .truncated(what: "record") }
        guard unpaddedLength - at == payloadLength else { throw .invalidField(what: "record length") }
        let payload = [UInt8](UnsafeRawBufferPointer(rebasing: padded[at..<(at + payloadLength)]))
        let plaintext = RecordPlaintext(kind: kind, recordedAtMilliseconds: time, timeZoneOffsetSeconds: offset, payload: payload)
        try plaintext.validate()
        return plaintext
    }

    static func decode(_ padded: [UInt8]) throws(FormatError) -> RecordPlaintext {
        do {
            return try padded.withUnsafeBytes { raw in try decode(raw) }
        } catch let error as FormatError {
            throw error
        } catch {
            throw .invalidField(what: "record")
        }
    }
}
