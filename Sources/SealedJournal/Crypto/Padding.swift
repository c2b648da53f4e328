internal import CSodium

/// ISO/IEC 7816-4 padding (`sodium_pad` / `sodium_unpad`): a 0x80 byte then zeros up to
/// a multiple of the block size. Always adds at least one byte.
enum Padding {
    /// Pads `bytes` in place to the next multiple of `blockSize`.
    static func pad(_ bytes: inout [UInt8], blockSize: Int) throws {
        try Sodium.ensureInitialized()
        guard blockSize > 0 else { throw CryptoError.invalidParameter(what: "padding block size \(blockSize)") }
        let unpadded = bytes.count
        let capacity = unpadded + blockSize
        bytes.append(contentsOf: repeatElement(0, count: blockSize))
        var padded = 0
        let status = bytes.withUnsafeMutableBytes { buf in
            sodium_pad(&padded, buf.baseAddress!.assumingMemoryBound(to: UInt8.self), unpadded, blockSize, capacity)
        }
        guard status == 0 else { throw CryptoError.invalidParameter(what: "padding") }
        bytes.removeLast(capacity - padded)
    }

    /// The unpadded length of `bytes`. Throws ``CryptoError/invalidPadding`` when malformed.
    static func unpaddedLength(_ bytes: UnsafeRawBufferPointer, blockSize: Int) throws -> Int {
        try Sodium.ensureInitialized()
        guard blockSize > 0, !bytes.isEmpty, bytes.count % blockSize == 0 else { throw CryptoError.invalidPadding }
        var unpadded = 0
        let status = sodium_unpad(&unpadded, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count, blockSize)
        guard status == 0 else { throw CryptoError.invalidPadding }
        return unpadded
    }

    static func unpad(_ bytes: inout [UInt8], blockSize: Int) throws {
        let length = try bytes.withUnsafeBytes { (b) throws -> Int in try unpaddedLength(b, blockSize: blockSize) }
        bytes.removeLast(bytes.count - length)
    }
}
