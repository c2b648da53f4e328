import Foundation
import Testing
@testable import SealedJournal

@Suite("Secret bytes live in guarded memory and are wiped", .serialized)
struct SecretBytesTests {
    @Test("released secret memory is zeroed before it is freed")
    func wipedOnRelease() throws {
        let seen = Locked<[Int: Bool]>([:])
        SecretStorage.wipeObserver.withLock { observer in
            observer = { buffer in
                let address = Int(bitPattern: buffer.baseAddress)
                let allZero = buffer.allSatisfy { $0 == 0 }
                seen.withLock { $0[address] = allZero }
            }
        }
        defer { SecretStorage.wipeObserver.withLock { $0 = nil } }

        var address = 0
        do {
            let secret = try SecretBytes(copying: [UInt8](repeating: 0xA5, count: 64))
            address = secret.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
            #expect(secret.withUnsafeBytes { $0.allSatisfy { $0 == 0xA5 } })
            #expect(seen.withLock { $0[address] } == nil, "not released yet")
        }
        let result = seen.withLock { $0[address] }
        #expect(result == true, "the observer saw the released allocation, all zero")
    }

    @Test("a copy shares storage; the wipe happens once, when the last copy goes")
    func copiesShareStorage() throws {
        var outer: SecretBytes? = try SecretBytes.random(count: 32)
        let address = outer!.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
        // Other suites run in parallel and release their own secrets: count only ours.
        let released = Locked(0)
        SecretStorage.wipeObserver.withLock { observer in
            observer = { buffer in
                if Int(bitPattern: buffer.baseAddress) == address { released.withLock { $0 += 1 } }
            }
        }
        defer { SecretStorage.wipeObserver.withLock { $0 = nil } }
        do {
            let copy = outer
            #expect(copy?.count == 32)
        }
        #expect(released.withLock { $0 } == 0)
        outer = nil
        #expect(released.withLock { $0 } == 1)
    }

    @Test("descriptions, debug output and reflection never show the bytes")
    func redacted() throws {
        let marker = "MARKER-SECRET-4f1d"
        let secret = try SecretBytes(utf8: marker)
        let markerHex = Array(marker.utf8).hexString
        var dumped = ""
        dump(secret, to: &dumped)
        for text in [secret.description, secret.debugDescription, "\(secret)", String(reflecting: secret), dumped] {
            #expect(!text.contains(marker))
            #expect(!text.lowercased().contains(markerHex))
            #expect(!text.contains("77"), "no byte values at all: \(text)")
        }
        #expect(secret.description == "SecretBytes(18 bytes, redacted)")
    }

    @Test("constant-time comparison: equal, different, different length, empty")
    func comparison() throws {
        let a = try SecretBytes(copying: [1, 2, 3])
        #expect(a.constantTimeEquals(try SecretBytes(copying: [1, 2, 3])))
        #expect(!a.constantTimeEquals(try SecretBytes(copying: [1, 2, 4])))
        #expect(!a.constantTimeEquals(try SecretBytes(copying: [1, 2])))
        #expect(try SecretBytes(copying: []).constantTimeEquals(try SecretBytes(copying: [])))
        #expect(a.count == 3)
    }

    @Test("random secrets differ and have the asked size")
    func random() throws {
        let a = try SecretBytes.random(count: 32), b = try SecretBytes.random(count: 32)
        #expect(a.count == 32 && !a.constantTimeEquals(b))
    }
}
