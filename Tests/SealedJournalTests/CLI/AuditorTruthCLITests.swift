import Foundation
import Testing
@testable import SealedJournal

@Suite("What an auditor is shown is the whole truth, in plain words")
struct AuditorTruthCLITests {
    func journal(in dir: TemporaryDirectory) throws -> (path: String, journal: Journal) {
        let path = try CLI.makeJournal(in: dir)
        let journal = try Journal.open(at: path, passphrase: SecretBytes(utf8: CLI.passphrase), durability: .unsafeNoSync)
        for day in ["2026-11-01", "2026-11-02", "2026-11-04"] {
            try journal.append(CheckIn(day: try LocalDate(day), mood: 6, craving: 2, use: day == "2026-11-04" ? .hardDay : .sober))
        }
        try journal.append(JournalEntry(text: "a private page"), at: Date(timeIntervalSince1970: 1_793_793_600), timeZone: TimeZone(secondsFromGMT: 0)!)
        return (path, journal)
    }

    @Test("verify: a wrong fingerprint fails before anything else; an altered record is named, never called a removal")
    func plainVerify() throws {
        let dir = try TemporaryDirectory()
        let (path, journal) = try journal(in: dir)
        try journal.latestCheckpoint.text.write(toFile: dir.file("held.txt"), atomically: true, encoding: .utf8)
        let good = try CLI.run(["verify", path, "--against", dir.file("held.txt"), "--fingerprint", journal.fingerprint.description], passphrase: nil)
        #expect(good.status == 0 && good.stdout.hasPrefix("Verified: 4 records") && good.stdout.contains("nothing was removed"), "\(good.stdout)")
        let wrong = try CLI.run(["verify", path, "--fingerprint", "0000:0000:0000:0000:0000:0000:0000:0000"], passphrase: nil)
        #expect(wrong.status == 1 && wrong.stdout.hasPrefix("NOT verified: the journal's fingerprint is \(journal.fingerprint)"), "\(wrong.stdout)")
        #expect(!wrong.stdout.contains("ok "), "no ok line when identity failed")
        // One flipped byte inside record #1.
        var bytes = try fileBytes(path)
        var reader = FrameReader(file: try AppendOnlyFile.open(path: path, writable: false), to: UInt64(bytes.count))
        var records: [StoredFrame] = []
        while let frame = try reader.next() { if frame.kind == .record { records.append(frame) } }
        bytes[Int(records[1].offset) + 60] ^= 0x01
        try writeFileBytes(bytes, to: path)
        let altered = try CLI.run(["verify", path, "--against", dir.file("held.txt")], passphrase: nil)
        #expect(altered.status == 1 && altered.stdout.hasPrefix("NOT verified:"), "\(altered.stdout)")
        #expect(altered.stdout.contains("record #1 was altered") && !altered.stdout.contains("removed"), "\(altered.stdout)")
        #expect(!altered.stdout.contains("ok  records") && !altered.stdout.contains("ok  checkpoints"), "no ok for the step that failed")
    }

    @Test("checkpoint output carries a plain line that verifiers ignore; pasted by email it still verifies")
    func checkpointByEmail() throws {
        let dir = try TemporaryDirectory()
        let (path, journal) = try journal(in: dir)
        let printed = try CLI.run(["checkpoint", path], passphrase: nil)
        #expect(printed.status == 0 && printed.stdout.hasPrefix("SealedJournal checkpoint of journal \(journal.fingerprint), made "))
        let email = "Dear Dr. Lee,\r\n" + printed.stdout.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: "\u{2014}", with: "--")
            .trimmingCharacters(in: .whitespacesAndNewlines) + "\r\nThanks\r\n"
        try email.write(toFile: dir.file("email.txt"), atomically: true, encoding: .utf8)
        let verified = try CLI.run(["verify", path, "--against", dir.file("email.txt")], passphrase: nil)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    @Test("after a rekey that erased a check-in, verify-audit follows the auditor's old pin through the signed statement and says ERASED; a checkpoint held from before the rekey fails; a bundle stripped of its lineage fails the old pin")
    func erasureIsShownToTheAuditor() throws {
        let dir = try TemporaryDirectory()
        let (path, journal) = try journal(in: dir)
        let oldFingerprint = journal.fingerprint.description
        try journal.latestCheckpoint.text.write(toFile: dir.file("held.txt"), atomically: true, encoding: .utf8)
        // The 2026-11-02 check-in (record 1) is erased by a rekey.
        try "after the rekey words\n".write(toFile: dir.file("new.txt"), atomically: true, encoding: .utf8)
        let rekey = try CLI.run(["rekey", path, "--erase", "1", "--kdf", "interactive", "--new-passphrase-file", dir.file("new.txt")])
        #expect(rekey.status == 0, "\(rekey.stderr)")
        let scope = ["--kind", "checkin", "--from", "2026-11-01", "--to", "2026-11-04"]
        let made = try CLI.run(["audit", path] + scope + ["--output", dir.file("b.json"), "--allow-args", "--to-whom", "Program", "--purpose", "monthly"],
                               passphrase: "after the rekey words")
        #expect(made.status == 0, "\(made.stderr)")
        let checked = try CLI.run(["verify-audit", dir.file("b.json"), "--fingerprint", oldFingerprint] + scope, passphrase: nil)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("ok  the key you pinned (\(oldFingerprint)) signed a rekey of this journal to "), "\(checked.stdout)")
        #expect(checked.stdout.contains("ERASED: that rekey left out 1 record(s) at the owner's request (positions 1 of the 4 under \(oldFingerprint))"),
                "\(checked.stdout)")
        #expect(checked.stdout.contains("2026-11-02  NO CHECK-IN\n"))
        #expect(checked.stderr.contains("Not counted: 1 record(s) erased by a rekey (see ERASED above)."), "\(checked.stderr)")
        // A checkpoint held from before the rekey, even exactly at the rekey point, cannot vouch for
        // the re-sealed records (the retired key, which the owner holds, signs the statement): it fails.
        let across = try CLI.run(["verify-audit", dir.file("b.json"), "--fingerprint", oldFingerprint, "--against", dir.file("held.txt")] + scope,
                                 passphrase: nil)
        #expect(across.status == 1 && across.stderr.contains("a rekey re-seals every record") && across.stdout.hasSuffix("\n")
                && !across.stderr.contains("Audit bundle verified"), "\(across.stdout)\(across.stderr)")
        #expect(try CLI.run(["verify", path, "--fingerprint", oldFingerprint, "--against", dir.file("held.txt")], passphrase: nil).status == 1)
        // Without the pin the erasure is said all the same.
        #expect(try CLI.run(["verify-audit", dir.file("b.json")] + scope, passphrase: nil).stdout.contains("ERASED: that rekey left out 1 record(s)"))
        // The client strips the lineage to hide the rekey: the auditor's old pin fails.
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("b.json")))) as? [String: Any])
        json["lineage"] = nil
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir.file("stripped.json")))
        let stripped = try CLI.run(["verify-audit", dir.file("stripped.json"), "--fingerprint", oldFingerprint] + scope, passphrase: nil)
        #expect(stripped.status == 1 && stripped.stderr.contains("this bundle is from a different journal"), "\(stripped.stderr)")
        // An altered statement (the erasure made to look smaller) does not verify.
        let original = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("b.json")))) as? [String: Any])
        let lineage = try #require(original["lineage"] as? [String])
        json["lineage"] = lineage.map { $0.replacingOccurrences(of: "omitted 1 1\n", with: "omitted 0 -\n") }
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir.file("altered.json")))
        let altered = try CLI.run(["verify-audit", dir.file("altered.json")] + scope, passphrase: nil)
        #expect(altered.status == 1 && altered.stderr.contains("the bundle's rekey history does not verify"), "\(altered.stderr)")
    }

    @Test("a checkpoint held from before a rekey never vouches for the journal after it (verify and verify-audit fail, whatever the bundle); rekey refuses a journal whose carried records were rewritten")
    func rekeyCannotLaunderHistory() throws {
        let dir = try TemporaryDirectory()
        let (path, journal) = try journal(in: dir)
        let oldFingerprint = journal.fingerprint.description
        try journal.latestCheckpoint.text.write(toFile: dir.file("held.txt"), atomically: true, encoding: .utf8)  // 4 records
        try journal.append(JournalEntry(text: "one more"))  // the rekey point is now 5 records: the held 4 cannot be compared
        try "second words here\n".write(toFile: dir.file("p2.txt"), atomically: true, encoding: .utf8)
        try "third words here\n".write(toFile: dir.file("p3.txt"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["rekey", path, "--kdf", "interactive", "--new-passphrase-file", dir.file("p2.txt")]).status == 0)
        let scope = ["--kind", "checkin", "--from", "2026-11-01", "--to", "2026-11-04"]
        func bundleFails(_ name: String, passphrase: String) throws -> CLIResult {
            let made = try CLI.run(["audit", path] + scope + ["--output", dir.file(name), "--allow-args", "--to-whom", "P", "--purpose", "x"], passphrase: passphrase)
            #expect(made.status == 0, "\(made.stderr)")
            return try CLI.run(["verify-audit", dir.file(name), "--fingerprint", oldFingerprint, "--against", dir.file("held.txt")] + scope, passphrase: nil)
        }
        let older = try CLI.run(["verify", path, "--against", dir.file("held.txt")], passphrase: nil)
        #expect(older.status == 1 && older.stdout.contains("is of a key this journal was re-keyed from: a rekey re-seals every record"), "\(older.stdout)")
        let olderBundle = try bundleFails("b1.json", passphrase: "second words here")
        #expect(olderBundle.status == 1 && olderBundle.stderr.contains("a rekey re-seals every record") && !olderBundle.stderr.contains("Audit bundle verified"),
                "\(olderBundle.stdout)\(olderBundle.stderr)")
        // A second rekey: a checkpoint of the first key is of a key retired before the last rekey.
        #expect(try CLI.run(["rekey", path, "--kdf", "interactive", "--new-passphrase-file", dir.file("p3.txt")], passphrase: "second words here").status == 0)
        let twice = try bundleFails("b2.json", passphrase: "third words here")
        #expect(twice.status == 1 && twice.stderr.contains("re-keyed from (before its last rekey)"), "\(twice.stdout)\(twice.stderr)")
        #expect(try CLI.run(["verify", path, "--against", dir.file("held.txt")], passphrase: nil).status == 1)

        // The attack that needed it: re-keyed once, the carried records cut and rewritten, then
        // re-keyed again to sign the rewrite over. The second rekey refuses; nothing changes.
        let forged = dir.file("forged.sjournal")
        try writeFileBytes(try fileBytes(path), to: forged)
        var reader = FrameReader(file: try AppendOnlyFile.open(path: forged, writable: false), to: UInt64(try fileBytes(forged).count))
        var firstRecord: UInt64?
        while let frame = try reader.next() { if frame.kind == .record { firstRecord = frame.offset; break } }
        try writeFileBytes(Array(try fileBytes(forged)[..<Int(try #require(firstRecord))]), to: forged)
        let rewriter = try Journal.open(at: forged, passphrase: SecretBytes(utf8: "third words here"), durability: .unsafeNoSync)
        for day in ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"] {
            try rewriter.append(CheckIn(day: try LocalDate(day), mood: 9, craving: 0, use: .sober))
        }
        let before = try fileBytes(forged)
        let again = try CLI.run(["rekey", forged, "--kdf", "interactive", "--new-passphrase-file", dir.file("p2.txt")], passphrase: "third words here")
        #expect(again.status == 3 && again.stderr.contains("are not the ones its last rekey carried over"), "\(again.stderr)")
        #expect(try fileBytes(forged) == before)
    }

    @Test("audit --kind checkin --from --to makes a complete bundle; verify-audit prints the day table, says complete, verdict last")
    func completeAuditThroughTheBinary() throws {
        let dir = try TemporaryDirectory()
        let (path, _) = try journal(in: dir)
        let made = try CLI.run(["audit", path, "--kind", "checkin", "--from", "2026-11-01", "--to", "2026-11-04",
                                "--output", dir.file("bundle.json"), "--allow-args", "--to-whom", "Program", "--purpose", "monthly"])
        #expect(made.status == 0 && made.stderr.contains("complete for its scope"), "\(made.stderr)")
        let checked = try CLI.run(["verify-audit", dir.file("bundle.json"), "--kind", "checkin", "--from", "2026-11-01", "--to", "2026-11-04"],
                                  passphrase: nil)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("2026-11-03  NO CHECK-IN\n"), "\(checked.stdout)")
        // Written today for a day weeks ago: said; the private record of the day is shown by kind.
        #expect(checked.stdout.contains("2026-11-04  checked in · hard day · written ") && checked.stdout.contains(" days later · private (kind only): entry\n"),
                "\(checked.stdout)")
        #expect(checked.stderr.contains("complete: every record in the scope you asked for is disclosed"), "\(checked.stderr)")
        #expect(!checked.stdout.contains("a private page"))
        // A scope that runs past today (the client's time zone unknown): a day is missed only
        // once it is over everywhere; today may not be over; a day three days on has not begun,
        // and a check-in written for it ahead of time is flagged, not counted as checked in.
        let aheadDir = try TemporaryDirectory()
        let (aheadPath, aheadJournal) = try journal(in: aheadDir)
        let now = Date()
        let today = LocalDate(date: now, offsetSeconds: 0), later = LocalDate(date: now.addingTimeInterval(3 * 86_400), offsetSeconds: 0)
        let threeDaysAgo = LocalDate(date: now.addingTimeInterval(-3 * 86_400), offsetSeconds: 0)
        try aheadJournal.append(CheckIn(day: later, mood: 9, craving: 0, use: .sober))
        // 2026-11-05: one check-in written the day before, one on the day: both counted, the early one flagged.
        let utc = try #require(TimeZone(secondsFromGMT: 0))
        try aheadJournal.append(CheckIn(day: try LocalDate("2026-11-05"), timeZoneOffsetSeconds: 0, mood: 8, craving: 1, use: .sober),
                                at: Date(timeIntervalSince1970: 1_793_793_600), timeZone: utc)  // 2026-11-04T12:00Z
        try aheadJournal.append(CheckIn(day: try LocalDate("2026-11-05"), timeZoneOffsetSeconds: 0, mood: 6, craving: 2, use: .sober),
                                at: Date(timeIntervalSince1970: 1_793_916_000), timeZone: utc)  // 2026-11-05T22:00Z
        let ahead = try CLI.run(["audit", aheadPath, "--kind", "checkin", "--from", "2026-11-01", "--to", later.description,
                                 "--output", aheadDir.file("ahead.json"), "--allow-args", "--to-whom", "Program", "--purpose", "monthly"])
        #expect(ahead.status == 0, "\(ahead.stderr)")
        let aheadChecked = try CLI.run(["verify-audit", aheadDir.file("ahead.json"), "--kind", "checkin", "--from", "2026-11-01", "--to", later.description],
                                       passphrase: nil)
        #expect(aheadChecked.status == 0 && aheadChecked.stdout.contains("2026-11-03  NO CHECK-IN\n"), "\(aheadChecked.stdout)")
        if threeDaysAgo > (try LocalDate("2026-11-04")) {
            #expect(aheadChecked.stdout.contains("\(threeDaysAgo)  NO CHECK-IN\n"), "\(aheadChecked.stdout)")
        }
        #expect(aheadChecked.stdout.contains("\(today)  none yet (the day may not be over where the client is)\n"), "\(aheadChecked.stdout)")
        #expect(aheadChecked.stdout.contains("\(later)  checked in AHEAD (written before the day: it does not report on it)\n"), "\(aheadChecked.stdout)")
        #expect(aheadChecked.stdout.contains("2026-11-05  2 check-ins · sober · 1 of them written before the day (AHEAD: it does not report on it)\n"),
                "\(aheadChecked.stdout)")
        let dayBefore = LocalDate(date: now.addingTimeInterval(2 * 86_400), offsetSeconds: 0)
        // Two UTC days on it has not begun anywhere (it starts at UTC+14, 10:00 UTC the day before).
        #expect(aheadChecked.stdout.contains("\(dayBefore)  not yet (the day has not begun)\n"), "\(aheadChecked.stdout)")
        // The bundle's scope is not signed: edited to hide the check-ins (a look-alike kind name,
        // contents removed), it fails against the scope the auditor asked for, and never says complete.
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("bundle.json")))) as? [String: Any])
        var scope = try #require(json["scope"] as? [String: Any])
        scope["kinds"] = ["\u{0441}h\u{0435}ckIn"]
        json["scope"] = scope
        json["records"] = (json["records"] as? [[String: Any]])?.map { record in var copy = record; copy["contentKey"] = nil; return copy }
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir.file("edited.json")))
        let edited = try CLI.run(["verify-audit", dir.file("edited.json"), "--kind", "checkin", "--from", "2026-11-01", "--to", "2026-11-04"],
                                 passphrase: nil)
        #expect(edited.status == 1 && !edited.stderr.contains("complete: every"), "\(edited.stdout)\(edited.stderr)")
        // Standard output (often saved to a file) says NOT verified, and shows no table and no record.
        #expect(edited.stdout.contains("NOT verified: ") && !edited.stdout.contains("day         check-ins") && !edited.stdout.contains("record #"),
                "\(edited.stdout)")
        let unasked = try CLI.run(["verify-audit", dir.file("edited.json")], passphrase: nil)
        #expect(!unasked.stderr.contains("complete: every") && unasked.stderr.contains("NOT complete for check-ins"), "\(unasked.stdout)\(unasked.stderr)")
    }
}
