/// RFC 6962 / RFC 9162 Merkle tree hashing over SHA-256.
///
///     leaf hash = SHA-256(0x00 || leaf bytes)
///     node hash = SHA-256(0x01 || left || right)
///     empty root = SHA-256("")
///
/// A journal's leaves are its record frames exactly as stored (see FORMAT.md).
enum MerkleTree {
    /// Size of every hash in the tree.
    static let hashByteCount = 32

    static func leafHash(_ leaf: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(byte: 0x00)
        hasher.update(leaf)
        return hasher.finalize()
    }

    static func leafHash(_ leaf: [UInt8]) -> [UInt8] { leaf.withUnsafeBytes { leafHash($0) } }

    static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(byte: 0x01)
        hasher.update(left)
        hasher.update(right)
        return hasher.finalize()
    }

    static var emptyRoot: [UInt8] { (try? SHA256.hash([])) ?? [] }

    /// MTH(D[n]) over leaf hashes (RFC 6962 section 2.1), without recursion on the data.
    static func root(ofLeafHashes leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        var range = CompactRange()
        for leaf in leaves { range.append(leafHash: leaf) }
        return range.root
    }

    /// The largest power of two strictly less than `n` (n >= 2).
    static func splitPoint(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    // MARK: Proof generation (RFC 6962 section 2.1.1 and 2.1.2)

    /// The audit path for leaf `index` in the tree of `leaves`.
    static func inclusionProof(index: Int, leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        precondition(index >= 0 && index < leaves.count)
        let n = leaves.count
        if n <= 1 { return [] }
        let k = splitPoint(n)
        let start = leaves.startIndex
        if index < k {
            return inclusionProof(index: index, leaves: leaves[start..<start + k]) + [root(ofLeafHashes: leaves[(start + k)...])]
        } else {
            return inclusionProof(index: index - k, leaves: leaves[(start + k)...]) + [root(ofLeafHashes: leaves[start..<start + k])]
        }
    }

    /// The consistency proof from the first `oldSize` leaves to all of `leaves`.
    static func consistencyProof(oldSize: Int, leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        precondition(oldSize >= 0 && oldSize <= leaves.count)
        if oldSize == 0 || oldSize == leaves.count { return [] }
        return subproof(oldSize, leaves, complete: true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, complete: Bool) -> [[UInt8]] {
        let n = leaves.count
        if m == n { return complete ? [] : [root(ofLeafHashes: leaves)] }
        let k = splitPoint(n)
        let start = leaves.startIndex
        if m <= k {
            return subproof(m, leaves[start..<start + k], complete: complete) + [root(ofLeafHashes: leaves[(start + k)...])]
        } else {
            return subproof(m - k, leaves[(start + k)...], complete: false) + [root(ofLeafHashes: leaves[start..<start + k])]
        }
    }

    // MARK: Proof verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2)

    /// `true` when `proof` shows that `leafHash` is leaf `index` of the tree of `treeSize` with `root`.
    static func verifyInclusion(index: UInt64, treeSize: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index < treeSize, proof.allSatisfy({ $0.count == hashByteCount }) else { return false }
        var fn = index, sn = treeSize - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// `true` when `proof` shows the tree (`oldSize`, `oldRoot`) is a prefix of (`newSize`, `newRoot`).
    static func verifyConsistency(oldSize: UInt64, newSize: UInt64, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard oldSize <= newSize, proof.allSatisfy({ $0.count == hashByteCount }) else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty }
        guard !proof.isEmpty else { return false }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}

/// The right edge of a Merkle tree: the roots of its perfect subtrees, largest first
/// (one per set bit of `size`). Enough to append leaves and compute the root without
/// reading earlier leaves; each checkpoint stores one so opening for append is O(1).
struct CompactRange: Equatable, Sendable {
    private(set) var size: UInt64 = 0
    private(set) var hashes: [[UInt8]] = []

    init() {}

    /// Rebuilds from stored parts; `nil` when the hash count does not match `size`.
    init?(size: UInt64, hashes: [[UInt8]]) {
        guard size.nonzeroBitCount == hashes.count,
              hashes.allSatisfy({ $0.count == MerkleTree.hashByteCount }) else { return nil }
        self.size = size
        self.hashes = hashes
    }

    mutating func append(leafHash: [UInt8]) {
        var hash = leafHash
        var s = size
        while s & 1 == 1 {
            hash = MerkleTree.nodeHash(hashes.removeLast(), hash)
            s >>= 1
        }
        hashes.append(hash)
        size += 1
    }

    /// MTH of the leaves appended so far.
    var root: [UInt8] {
        guard var result = hashes.last else { return MerkleTree.emptyRoot }
        for hash in hashes.dropLast().reversed() { result = MerkleTree.nodeHash(hash, result) }
        return result
    }
}
