import Foundation
import Testing
@testable import SealedJournal

/// C2SP tlog-cosignature v1 (Ed25519): the format against committed vectors (checked
/// independently by `scripts/check-cosignature-vectors.py` with Python `cryptography`) and the
/// spec's own example line.
@Suite struct CosignatureFormatTests {
    static let vectorsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Vectors")
    static let witnessName = "witness.example.org/sealed-journal-vectors"
    static let bodies = [
        "sealed-journal/29e02ef710e8681be398f584f8b3eb37\n1\nrVvacOUSFQh9FgTITgNLsxE/QjNM6toz8DeXPHwI1Hc=\nheader 1 NohJ5M++wifGMu/dR9abe0cmEpRWofihh/VFXTyN/Wo=\n",
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    ]
    static let timestamps: [UInt64] = [1_764_201_600, 1_679_315_147, 0, UInt64(Int64.max)]

    static func vectorKey() throws -> Ed25519.SigningKey {
        let seed = try SHA256.hash(Array("SealedJournal cosignature vectors v1".utf8))
        return try Ed25519.SigningKey(seed: SecretBytes(copying: seed))
    }

    static func build() throws -> [String: Any] {
        let key = try vectorKey()
        let identity = try WitnessPublicKey(name: witnessName, publicKey: key.publicKey)
        var cases: [[String: Any]] = []
        for body in bodies {
            for timestamp in timestamps where !(body.hasPrefix("example") && timestamp == 0) {
                let cosignature = Cosignature.sign(checkpointBody: body, timestamp: timestamp, witnessName: witnessName, key: key)
                cases.append(["checkpointBody": body, "timestamp": NSNumber(value: timestamp),
                              "signedMessage": String(decoding: Cosignature.signedMessage(checkpointBody: body, timestamp: timestamp), as: UTF8.self),
                              "line": cosignature.line])
            }
        }
        return ["description": "C2SP tlog-cosignature v1 Ed25519 cosignatures; seed = SHA-256(\"SealedJournal cosignature vectors v1\")",
                "witnessName": witnessName, "seed": try SHA256.hash(Array("SealedJournal cosignature vectors v1".utf8)).hexString,
                "publicKey": key.publicKey.hexString, "keyID": identity.keyID.hexString, "verifierKey": identity.verifierKey,
                "cases": cases]
    }

    @Test func vectorsMatchAndVerify() throws {
        let built = try JSONSerialization.data(withJSONObject: try Self.build(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let url = Self.vectorsDirectory.appendingPathComponent("cosignature-v1.json")
        if ProcessInfo.processInfo.environment["REGENERATE_COSIGNATURE_VECTORS"] == "1" { try (built + Data("\n".utf8)).write(to: url) }
        let committed = try TestVectors.load("cosignature-v1")
        let key = try Self.vectorKey()
        #expect(try committed.hex("publicKey") == key.publicKey)
        let identity = try WitnessPublicKey(verifierKey: try #require(committed["verifierKey"] as? String))
        #expect(identity.publicKey == key.publicKey && identity.name == Self.witnessName)
        #expect(try committed.hex("keyID") == identity.keyID)
        let cases = try #require(committed["cases"] as? [[String: Any]])
        #expect(cases.count == 7)
        for item in cases {
            let body = try #require(item["checkpointBody"] as? String)
            let timestamp = try #require((item["timestamp"] as? NSNumber)?.uint64Value)
            let line = try #require(item["line"] as? String)
            let made = Cosignature.sign(checkpointBody: body, timestamp: timestamp, witnessName: Self.witnessName, key: key)
            #expect(made.line == line, "the cosignature of \(timestamp) changed")
            #expect(String(decoding: Cosignature.signedMessage(checkpointBody: body, timestamp: timestamp), as: UTF8.self) == item["signedMessage"] as? String)
            let parsed = try Cosignature.parse(line: line)
            #expect(parsed == made && parsed.timestamp == timestamp)
            #expect(parsed.isValid(for: body, witness: identity))
            // Any change to what is signed fails: another time, another body, another name.
            let otherTime = Cosignature(witnessName: parsed.witnessName, keyID: parsed.keyID, timestamp: timestamp ^ 1, signature: parsed.signature)
            #expect(!otherTime.isValid(for: body, witness: identity))
            #expect(!parsed.isValid(for: body.replacingOccurrences(of: "\n1\n", with: "\n2\n").replacingOccurrences(of: "20852163", with: "20852164"), witness: identity))
            let renamed = try WitnessPublicKey(name: "witness.example.org/other", publicKey: key.publicKey)
            #expect(!parsed.isValid(for: body, witness: renamed))
        }
    }

    /// The example line of C2SP tlog-cosignature: key id 8d66cf3f and the timestamp of the spec's
    /// signed-message example (1679315147).
    @Test func specExampleLineDecodes() throws {
        let line = "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
        let parsed = try Cosignature.parse(line: line)
        #expect(parsed.witnessName == "witness.example.com/w1")
        #expect(parsed.keyID == [0x8d, 0x66, 0xcf, 0x3f])
        #expect(parsed.timestamp == 1_679_315_147)
        #expect(parsed.line == line)
        #expect(String(decoding: Cosignature.signedMessage(checkpointBody: "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                                                             timestamp: parsed.timestamp), as: UTF8.self)
                == "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
    }

    @Test func malformedLinesAndKeysAreRefused() throws {
        let key = try Self.vectorKey()
        let good = Cosignature.sign(checkpointBody: Self.bodies[0], timestamp: 5, witnessName: Self.witnessName, key: key).line
        let blob = String(good.split(separator: " ")[2])
        var high = [UInt8](Data(base64Encoded: blob)!)
        high[4] = 0x80  // timestamp above 2^63 - 1
        for bad in [
            "", good.replacingOccurrences(of: "—", with: "-"), "— \(Self.witnessName)  \(blob)", "— a+b \(blob)",
            "— \(Self.witnessName) \(blob.dropLast(4))", "— \(Self.witnessName) \(Data(high).base64EncodedString())",
            "— \(Self.witnessName) \(Data(repeating: 1, count: 68).base64EncodedString())",  // a plain Ed25519 note signature
        ] {
            #expect(throws: FormatError.self, "accepted \(bad)") { try Cosignature.parse(line: bad) }
        }
        let identity = try WitnessPublicKey(name: Self.witnessName, publicKey: key.publicKey)
        #expect(try WitnessPublicKey(verifierKey: identity.verifierKey) == identity)
        let parts = identity.verifierKey.split(separator: "+", maxSplits: 2)
        for bad in ["\(parts[0])+00000000+\(parts[2])", "\(parts[0])+\(parts[1])", "a b+\(parts[1])+\(parts[2])",
                    "\(parts[0])+\(parts[1])+\(Data([0x01] + key.publicKey).base64EncodedString())"] {
            #expect(throws: FormatError.self, "accepted \(bad)") { try WitnessPublicKey(verifierKey: bad) }
        }
    }
}
