import Foundation
@testable import SealedJournal

/// A fresh directory under the system temporary folder, removed when released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/sealed-journal-tests.XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Cheap Argon2id limits so tests run fast (never use these for a real journal).
let testKDF = KDFPreset.custom(opsLimit: 1, memoryLimitBytes: 8192)

func testPassphrase(_ text: String = "one day at a time") throws -> SecretBytes { try SecretBytes(utf8: text) }

/// Creates a journal with cheap KDF settings and no fsync.
func makeJournal(at path: String, passphrase: String = "one day at a time") throws -> Journal.Creation {
    try Journal.create(at: path, passphrase: testPassphrase(passphrase), kdf: testKDF, durability: .unsafeNoSync)
}

func fileBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

func writeFileBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readAll(_ journal: Journal, _ filter: RecordFilter = .all) throws -> [JournalRecord] {
    var records: [JournalRecord] = []
    try journal.forEachRecord(filter) { records.append($0) }
    return records
}
