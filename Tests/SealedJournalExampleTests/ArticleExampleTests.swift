import Foundation
import SealedJournal
import Testing

/// The Swift examples of the DocC articles (Sources/SealedJournal/SealedJournal.docc), compiled
/// and run as written through the public API only (no `@testable`). Each test is an article's
/// block, verbatim (without its `import` lines), followed by checks of what it did.
/// `SnippetDriftTests` fails when a block in an article or README.md is not found here.
@Suite("DocC article examples compile and run as written")
struct ArticleExampleTests {
    @Test("SealedJournal.md: create, append, verify")
    func landingPageExample() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("client.sjournal").path

        let created = try Journal.create(at: path, passphrase: try SecretBytes(utf8: "a long and private passphrase"))
        try created.journal.append(JournalEntry(text: "Ninety days today.", tags: ["milestone"]))
        let report = Journal.verify(at: path)
        print(report.summary)

        #expect(report.isValid)
        #expect(report.recordCount == 1)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("Getting Started: create, append, read, verify")
    func gettingStartedExample() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("client.sjournal").path

        // Create. Show the recovery key once and ask the client to keep it offline.
        let created = try Journal.create(at: path, passphrase: try SecretBytes(utf8: "a long and private passphrase"))
        let recoveryKeyForTheClient = created.recoveryKey.displayString
        let journal = created.journal

        // Append: each call is sealed, signed and fsynced before it returns.
        try journal.append(JournalEntry(text: "First evening home. Called my sponsor.", title: "Day 1", tags: ["home"]))
        let today = LocalDate(date: Date())
        try journal.appendCheckIn(CheckIn(day: today, mood: 6, craving: 3, use: .sober, sleepHours: 7, reachedOutToSupport: true))

        // Read back, in order; a record that fails authentication throws instead of being returned.
        var moods: [Int] = []
        for try await record in journal.records() {
            if case .checkIn(let checkIn) = record.content { moods.append(checkIn.mood) }
        }

        // Verify without the passphrase, pinning the fingerprint the client shared with their clinician.
        let report = Journal.verify(at: path, options: VerificationOptions(fingerprint: journal.fingerprint))

        #expect(recoveryKeyForTheClient.filter(\.isLetter).count + recoveryKeyForTheClient.filter(\.isNumber).count == 55)
        #expect(moods == [6])
        #expect(report.isValid)
        #expect(report.checkedFingerprint)
        #expect(report.recordCount == 2)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("Getting Started: opening later, a wrong passphrase changes nothing")
    func gettingStartedOpening() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("client.sjournal").path
        _ = try Journal.create(at: path, passphrase: try SecretBytes(utf8: "a long and private passphrase"))

        let reader = try Journal.open(at: path, passphrase: try SecretBytes(utf8: "a long and private passphrase"), mode: .readOnly)
        let count = reader.recordCount

        var askAgain = false
        do {
            _ = try Journal.open(at: path, passphrase: try SecretBytes(utf8: "not the passphrase"))
        } catch JournalError.wrongPassphrase {
            askAgain = true  // nothing was changed
        }

        #expect(count == 0)
        #expect(askAgain)
        #expect(Journal.verify(at: path).isValid)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("Record Kinds: a correction points back")
    func recordKindsAmendment() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let journal = try Journal.create(at: folder.appendingPathComponent("client.sjournal").path,
                                         passphrase: try SecretBytes(utf8: "a long and private passphrase")).journal

        let day = try LocalDate("2026-01-12")
        let first = try journal.appendCheckIn(CheckIn(day: day, mood: 4, craving: 7, use: .hardDay))
        var corrected = try journal.record(at: first.sequence).decode(CheckIn.self)
        corrected.craving = 5
        let correction = try journal.amendCheckIn(first.sequence, with: corrected, reason: "entered the wrong number")

        let amendment = try journal.record(at: correction.sequence).decode(Amendment.self)
        #expect(amendment.amends == first.sequence)
        #expect(amendment.checkIn?.craving == 5)
        #expect(try journal.record(at: first.sequence).decode(CheckIn.self).craving == 7)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("Record Kinds: an app's own kind is sealed, validated and read back")
    func recordKindsCustom() async throws {
        struct BreathingSession: JournalRecordContent, Equatable {
            static let recordKind: RecordKind = "com.example.clinic.breathing"
            var minutes: Int
            var calmBefore: Int
            var calmAfter: Int

            func validate() throws(JournalError) {
                guard (1...240).contains(minutes) else {
                    throw .invalidField(field: "minutes", reason: "must be between 1 and 240")
                }
                guard (0...10).contains(calmBefore), (0...10).contains(calmAfter) else {
                    throw .invalidField(field: "calm", reason: "must be between 0 and 10")
                }
            }
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let journal = try Journal.create(at: folder.appendingPathComponent("client.sjournal").path,
                                         passphrase: try SecretBytes(utf8: "a long and private passphrase")).journal

        try journal.append(BreathingSession(minutes: 10, calmBefore: 3, calmAfter: 6))

        var sessions: [BreathingSession] = []
        for try await record in journal.records(RecordFilter(kinds: [BreathingSession.recordKind])) {
            sessions.append(try record.decode(BreathingSession.self))
        }

        #expect(sessions == [BreathingSession(minutes: 10, calmBefore: 3, calmAfter: 6)])
        #expect(throws: JournalError.invalidField(field: "minutes", reason: "must be between 1 and 240")) {
            try journal.append(BreathingSession(minutes: 0, calmBefore: 3, calmAfter: 6))
        }
        #expect(journal.recordCount == 1)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("Sharing and Auditing: age export, report, audit bundle, accounting")
    func sharingAndAuditing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let journal = try Journal.create(at: folder.appendingPathComponent("client.sjournal").path,
                                         passphrase: try SecretBytes(utf8: "a long and private passphrase")).journal
        let day = try LocalDate("2026-11-02")
        try journal.appendCheckIn(CheckIn(day: day, mood: 7, craving: 2, use: .sober, meetingsAttended: 1, meetingKinds: [.na]))
        try journal.append(JournalEntry(text: "Private: not for the program."))

        // A Markdown export of the check-ins, encrypted to the clinician's age key.
        let clinician = try AgeRecipient(parsing: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
        var encrypted = Data()
        try journal.disclose(OwnerExport.Records(format: .markdown, filter: RecordFilter(kinds: [.checkIn])),
                             to: DisclosureRequest(recipient: "Dr. Lee", purpose: "weekly session"),
                             output: DisclosureOutput(recipients: [clinician], write: { encrypted.append($0) }))

        // A compliance report without notes, for the monitoring program.
        let report = try ComplianceReport.build(journal, from: day, to: day)
        let csv = try report.render(.csv, includeNotes: false)

        // An audit bundle proving every check-in of the range is disclosed; the entry stays sealed.
        let scope = AuditBundle.Scope(kinds: [RecordKind.checkIn], from: day, to: day, complete: true)
        var bundleJSON = Data()
        try journal.disclose(AuditBundle.Request(scope: scope),
                             to: DisclosureRequest(recipient: "Monitoring program", purpose: "compliance"),
                             output: DisclosureOutput(write: { bundleJSON.append($0) }))

        // The auditor, with the bundle and the fingerprint the client gave them:
        let audit = AuditVerifier.verify(bundleJSON, fingerprint: journal.fingerprint, expectedScope: scope)

        // The accounting of disclosures: every export above left a sealed record.
        var accounting: [Disclosure] = []
        for try await record in journal.records(RecordFilter(kinds: [RecordKind.disclosure])) {
            accounting.append(try record.decode(Disclosure.self))
        }

        #expect(encrypted.starts(with: Data("age-encryption.org/v1".utf8)))
        #expect(!String(decoding: encrypted, as: UTF8.self).contains("weekly"))
        #expect(csv.contains("2026-11-02"))
        #expect(audit.isValid, "\(audit.problems)")
        #expect(audit.isComplete)
        #expect(audit.records.count == 1)
        #expect(audit.records.first?.kind == RecordKind.checkIn)
        #expect(!String(decoding: bundleJSON, as: UTF8.self).contains("Private"))
        #expect(accounting.map(\.recipient) == ["Dr. Lee", "Monitoring program"])
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("Keys and Recovery: recovery key, new passphrase, rekey")
    func keysAndRecovery() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("client.sjournal").path

        let chosen = try SecretBytes(utf8: "river stone quiet morning lantern")
        let strength = PassphraseStrength.estimate(chosen)
        let created = try Journal.create(at: path, passphrase: chosen)
        let writtenDown = created.recoveryKey.displayString  // the client keeps this offline
        try created.journal.append(JournalEntry(text: "Started the program today."))
        let pinnedByClinician = created.journal.fingerprint

        // Forgotten passphrase: the recovery key opens the journal; set a new passphrase at once.
        let recovered = try Journal.open(at: path, recoveryKey: try RecoveryKey(writtenDown))
        try recovered.changePassphrase(to: try SecretBytes(utf8: "a new passphrase after recovery"))

        // The laptop with the old passphrase was lost: move everything to new keys.
        let successor = try recovered.rekey(to: try SecretBytes(utf8: "a fresh passphrase nobody saw"))
        let newRecoveryKey = successor.recoveryKey.displayString  // show once; the old one opens nothing here

        // The clinician still verifies with the fingerprint they pinned before the rekey.
        let report = Journal.verify(at: path, options: VerificationOptions(fingerprint: pinnedByClinician))

        #expect(!strength.isWeak)
        #expect(newRecoveryKey != writtenDown)
        #expect(report.isValid)
        #expect(report.predecessorFingerprints == [pinnedByClinician])
        #expect(successor.carriedRecords >= 1)
        #expect(throws: JournalError.journalReplaced(path: path)) {
            try recovered.append(JournalEntry(text: "after the rekey"))
        }
        #expect(throws: JournalError.wrongRecoveryKey) {
            _ = try Journal.open(at: path, recoveryKey: try RecoveryKey(writtenDown))
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
