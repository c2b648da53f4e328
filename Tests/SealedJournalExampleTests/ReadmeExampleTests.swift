import Foundation
import SealedJournal
import Testing

/// README.md's library example, compiled and run as written (no `@testable`: only the public
/// API). `readmeBlockIsHere` fails when README.md's block and this copy drift apart.
@Suite("README examples compile and run as written", .serialized)
struct ReadmeExampleTests {
    /// The README's variables: a passphrase the embedding app got from its user, and a checkpoint
    /// someone kept.
    func readmeExample(passphrase: String, savedCheckpointText: String) async throws {

        // Rate a new passphrase first (zxcvbn-style; advice, not policy). create refuses only what
        // PassphrasePolicy forbids: empty, whitespace-only, not UTF-8, or under 8 characters.
        let strength = PassphraseStrength.estimate(try SecretBytes(utf8: passphrase))
        if strength.isWeak { print(strength.warning ?? "", strength.suggestion ?? "") }

        // Create (Argon2id "moderate": ~0.5 s, 256 MiB). Show the recovery key once.
        let created = try Journal.create(at: "recovery.sjournal", passphrase: try SecretBytes(utf8: passphrase))
        print(created.recoveryKey.displayString)

        // Append typed records; each append is fsynced before it returns. A check-in goes through
        // appendCheckIn, which also refuses a day after today.
        let journal = created.journal
        try journal.append(JournalEntry(text: "Ninety days today.", tags: ["milestone"]))
        try journal.appendCheckIn(CheckIn(day: try LocalDate("2026-11-27"), mood: 7, craving: 2, use: .sober,
                                          sleepHours: 7.5, meetingsAttended: 1, meetingKinds: [.aa]))

        // Read in order, in constant memory; every record is authenticated first.
        for try await record in journal.records(RecordFilter(kinds: [RecordKind.checkIn])) {
            let checkIn = try record.decode(CheckIn.self)
            print(record.localTimeDescription, "mood", checkIn.mood)
        }

        // Anyone can verify the file without the passphrase; a checkpoint kept elsewhere detects rollback.
        let report = Journal.verify(at: "recovery.sjournal", options: .init(heldCheckpoint: savedCheckpointText))
        print(report.summary)

        // Correct a mistake (append-only: the correction points back), keep a verified copy.
        try journal.amend(0, text: "Ninety-one days, actually.", reason: "miscounted")
        let copy = try journal.backup(to: "recovery-backup.sjournal")
        print("keep this checkpoint to check the copy later:\n" + copy.checkpoint.text)
    }

    @Test("the library example runs in a fresh directory")
    func readmeExampleRuns() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readme-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = FileManager.default.currentDirectoryPath
        #expect(FileManager.default.changeCurrentDirectoryPath(directory.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        try await readmeExample(passphrase: "a long and private passphrase", savedCheckpointText: "")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("recovery-backup.sjournal").path))
    }

    @Test("README.md's Swift block is the one compiled here")
    func readmeBlockIsHere() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.first { $0.contains("Journal.create") })
        for line in example.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty && line != "import SealedJournal" {
            #expect(source.contains("        " + line), "README line not compiled here: \(line)")
        }
    }
}
