/// Skips, eight bytes at a time, the bytes of a JSON string that need no attention: printable
/// ASCII other than `"` and `\` (0x20...0x7E). The JSON readers and writers of the hot paths
/// (``CanonicalJSONCheck``, ``CanonicalJSONWriter``, the import fast path) handle everything
/// else byte by byte, so this only decides how far the common case can jump.
enum JSONPlainRun {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// `true` when one of the eight bytes of `word` is zero (exact as a yes/no answer).
    @inline(__always) private static func hasZero(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }

    /// `true` when all eight bytes lie in 0x20...0x7E and none is `"` or `\`.
    @inline(__always) static func isPlain(_ word: UInt64) -> Bool {
        // A byte below 0x20, or with the high bit set, or 0x7F (which 0x01 added carries into the high bit).
        if ((word &- ones &* 0x20) & ~word & highs) != 0 || (word & highs) != 0 || ((word &+ ones) & highs) != 0 { return false }
        return !hasZero(word ^ (ones &* 0x22)) && !hasZero(word ^ (ones &* 0x5C))
    }

    /// Jumps from `start` eight bytes at a time while every byte of the word is plain; returns the
    /// start of the first word that holds a byte that is not (it is at or after the returned
    /// index), or of the last partial word before `end`: the caller reads on from there byte by byte.
    @inline(__always) static func skip(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        var index = start
        while index + 8 <= end, isPlain(base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { index += 8 }
        return index
    }

    /// Jumps from `start` eight bytes at a time over words holding neither `"` nor `\` (any other
    /// byte, control or non-ASCII included); returns the start of the first word that holds one,
    /// or of the last partial word before `end`: the caller reads on from there byte by byte. For
    /// scanners that only track where strings end.
    @inline(__always) static func skipToQuoteOrBackslash(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        var index = start
        while index + 8 <= end {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C)) { break }
            index += 8
        }
        return index
    }
}
