import Foundation
import Testing
@testable import SealedJournal

@Suite("RFC 6962 Merkle tree against published vectors")
struct MerkleTreeTests {
    struct Vectors {
        let leafHashes: [[UInt8]]
        let roots: [[UInt8]]
        let root: [String: Any]

        init() throws {
            root = try TestVectors.load("merkle-vectors")
            let leaves = try #require(root["leaves"] as? [String]).map { try #require([UInt8](hex: $0)) }
            leafHashes = leaves.map { MerkleTree.leafHash($0) }
            roots = try #require(root["roots"] as? [String]).map { try #require([UInt8](hex: $0)) }
        }

        func group(_ name: String) throws -> [[String: Any]] { try #require(root[name] as? [[String: Any]]) }
    }

    @Test("roots of the reference tree for every size, by compact range and from scratch")
    func roots() throws {
        let v = try Vectors()
        #expect(MerkleTree.emptyRoot == (try #require([UInt8](hex: v.root["emptyRoot"] as! String))))
        var range = CompactRange()
        for (size, expected) in v.roots.enumerated() {
            range.append(leafHash: v.leafHashes[size])
            #expect(range.root == expected, "size \(size + 1)")
            #expect(MerkleTree.root(ofLeafHashes: v.leafHashes.prefix(size + 1)) == expected)
            #expect(range.hashes.count == (size + 1).nonzeroBitCount)
            #expect(CompactRange(size: range.size, hashes: range.hashes) == range)
        }
        #expect(CompactRange(size: 3, hashes: [v.roots[0]]) == nil, "hash count must match the size's set bits")
    }

    @Test("inclusion proofs: generated equal the published ones; verify; every alteration fails")
    func inclusion() throws {
        let v = try Vectors()
        for c in try v.group("inclusion") {
            let index = try c.int("index"), size = try c.int("treeSize")
            let proof = try #require(c["proof"] as? [String]).map { try #require([UInt8](hex: $0)) }
            let root = v.roots[size - 1]
            #expect(MerkleTree.inclusionProof(index: index, leaves: v.leafHashes.prefix(size)) == proof, "index \(index) size \(size)")
            #expect(MerkleTree.verifyInclusion(index: UInt64(index), treeSize: UInt64(size), leafHash: v.leafHashes[index], proof: proof, root: root))
            #expect(!MerkleTree.verifyInclusion(index: UInt64(index) + 1, treeSize: UInt64(size), leafHash: v.leafHashes[index], proof: proof, root: root))
            #expect(!MerkleTree.verifyInclusion(index: UInt64(index), treeSize: UInt64(size) * 2, leafHash: v.leafHashes[index], proof: proof, root: root))
            #expect(!MerkleTree.verifyInclusion(index: UInt64(index), treeSize: UInt64(size), leafHash: MerkleTree.emptyRoot, proof: proof, root: root))
            #expect(!MerkleTree.verifyInclusion(index: UInt64(index), treeSize: UInt64(size), leafHash: v.leafHashes[index], proof: proof + [root], root: root))
            for position in proof.indices {
                var altered = proof
                altered[position] = MerkleTree.emptyRoot
                #expect(!MerkleTree.verifyInclusion(index: UInt64(index), treeSize: UInt64(size), leafHash: v.leafHashes[index], proof: altered, root: root))
            }
        }
        // All proofs of all sizes round-trip.
        for size in 1...8 {
            for index in 0..<size {
                let proof = MerkleTree.inclusionProof(index: index, leaves: v.leafHashes.prefix(size))
                #expect(MerkleTree.verifyInclusion(index: UInt64(index), treeSize: UInt64(size), leafHash: v.leafHashes[index], proof: proof, root: v.roots[size - 1]))
            }
        }
    }

    @Test("consistency proofs: generated equal the published ones; verify; alterations fail")
    func consistency() throws {
        let v = try Vectors()
        for c in try v.group("consistency") {
            let old = try c.int("oldSize"), new = try c.int("newSize")
            let proof = try #require(c["proof"] as? [String]).map { try #require([UInt8](hex: $0)) }
            #expect(MerkleTree.consistencyProof(oldSize: old, leaves: v.leafHashes.prefix(new)) == proof, "\(old)->\(new)")
            #expect(MerkleTree.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: v.roots[old - 1], newRoot: v.roots[new - 1], proof: proof))
            if !proof.isEmpty {
                #expect(!MerkleTree.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: v.roots[new - 1], newRoot: v.roots[old - 1], proof: proof))
                #expect(!MerkleTree.verifyConsistency(oldSize: UInt64(old) + 1, newSize: UInt64(new), oldRoot: v.roots[old - 1], newRoot: v.roots[new - 1], proof: proof))
                #expect(!MerkleTree.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: v.roots[old - 1], newRoot: v.roots[new - 1], proof: Array(proof.dropLast())))
                for position in proof.indices {
                    var altered = proof
                    altered[position] = MerkleTree.emptyRoot
                    #expect(!MerkleTree.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: v.roots[old - 1], newRoot: v.roots[new - 1], proof: altered))
                }
            }
        }
        for new in 1...8 {
            for old in 1...new {
                let proof = MerkleTree.consistencyProof(oldSize: old, leaves: v.leafHashes.prefix(new))
                #expect(MerkleTree.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: v.roots[old - 1], newRoot: v.roots[new - 1], proof: proof))
            }
        }
        #expect(!MerkleTree.verifyConsistency(oldSize: 2, newSize: 1, oldRoot: v.roots[1], newRoot: v.roots[0], proof: []))
    }
}

@Suite("Checkpoints are C2SP signed notes")
struct CheckpointTests {
    let key: Ed25519.SigningKey
    let journalID = [UInt8](repeating: 0xAB, count: 16)

    let binding = HeaderBinding(sequence: 3, digest: [UInt8](repeating: 0x5A, count: 32))

    init() throws { key = try Ed25519.SigningKey(seed: SecretBytes(copying: [UInt8](repeating: 7, count: 32))) }

    @Test("signed text has the C2SP shape and round-trips")
    func shape() throws {
        let root = MerkleTree.leafHash([1, 2, 3])
        let checkpoint = Checkpoint.sign(journalID: journalID, treeSize: 42, rootHash: root, headerBinding: binding, frameOffset: 9000, key: key)
        let lines = checkpoint.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "sealed-journal/" + String(repeating: "ab", count: 16))
        #expect(lines[1] == "42")
        #expect(lines[2] == Substring(Data(root).base64EncodedString()))
        #expect(lines[3] == Substring("header 3 " + Data(repeating: 0x5A, count: 32).base64EncodedString()))
        #expect(lines[4] == "offset 9000")
        #expect(lines[5] == "")
        #expect(lines[6].hasPrefix("\u{2014} sealed-journal/"))
        #expect(lines.last == "")
        // Key id = SHA-256(name || 0x0A || 0x01 || public key)[:4], independently computed here.
        let blob = try #require(Data(base64Encoded: String(lines[6].split(separator: " ")[2])))
        let expectedID = Array(try SHA256.hash(Array(lines[0].utf8) + [0x0A, 0x01] + key.publicKey).prefix(4))
        #expect(Array(blob.prefix(4)) == expectedID)
        #expect(Ed25519.isValidSignature(Array(blob.dropFirst(4)), for: Array((lines[0...4].joined(separator: "\n") + "\n").utf8), publicKey: key.publicKey))
        let parsed = try Checkpoint.parse(checkpoint.text, publicKey: key.publicKey)
        #expect(parsed == checkpoint && parsed.isCanonical && parsed.headerBinding == binding)
    }

    @Test("other signers' lines are ignored; forged, missing or malformed signatures are rejected")
    func signatures() throws {
        let checkpoint = Checkpoint.sign(journalID: journalID, treeSize: 1, rootHash: MerkleTree.emptyRoot, headerBinding: binding, frameOffset: 9000, key: key)
        let witness = try Ed25519.SigningKey(seed: SecretBytes(copying: [UInt8](repeating: 9, count: 32)))
        let cosigned = checkpoint.text + "\u{2014} witness.example \(Data([1, 2, 3, 4] + witness.signature(for: [1])).base64EncodedString())\n"
        let parsed = try Checkpoint.parse(cosigned, publicKey: key.publicKey)
        #expect(parsed.treeSize == 1 && !parsed.isCanonical)
        #expect(throws: FormatError.self) { try Checkpoint.parse(checkpoint.text, publicKey: witness.publicKey) }
        #expect(throws: FormatError.self) { try Checkpoint.parse(checkpoint.text.replacingOccurrences(of: "\n1\n", with: "\n2\n"), publicKey: key.publicKey) }
        #expect(throws: FormatError.self) { try Checkpoint.parse(String(checkpoint.text.dropLast()), publicKey: key.publicKey) }
        #expect(throws: FormatError.self) { try Checkpoint.parse("sealed-journal/x\n01\nAAAA\n\n", publicKey: key.publicKey) }
        #expect(throws: FormatError.self) { try Checkpoint.parse(checkpoint.text + "\u{0007}", publicKey: key.publicKey) }
        #expect(throws: FormatError.self) { try Checkpoint.parse(String(repeating: "a", count: 5000), publicKey: key.publicKey) }
    }
}
