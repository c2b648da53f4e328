import Foundation
import Testing
@testable import SealedJournal

@Suite("Mistakes are corrected by amendments, never edits")
struct AmendTests {
    @Test("amend a check-in: read shows the correction, reports use the corrected values and list it; the original stays")
    func amendCheckIn() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let day = LocalDate(date: Date())
        let wrong = "{\"mood\":2,\"craving\":9,\"use\":\"used\",\"meetingsAttended\":0}"
        #expect(try CLI.run(["checkin", path, "--json", "-"], input: wrong).status == 0)
        #expect(try CLI.run(["write", path], input: "an entry\n").status == 0)
        let fix = "{\"mood\":7,\"craving\":2,\"use\":\"sober\",\"meetingsAttended\":1,\"meetingKinds\":[\"aa\"],\"reason\":\"tapped the wrong answers\"}"
        let amend = try CLI.run(["amend", path, "--todays-check-in", "--json", "-"], input: fix)
        #expect(amend.status == 0 && amend.stderr.contains("Sealed correction #2 of record #0"), "\(amend.stderr)")
        let read = try CLI.run(["read", path])
        #expect(read.stdout.contains("amendment to #0") && read.stdout.contains("corrected check-in for \(day): mood 7/10"), "\(read.stdout)")
        #expect(read.stdout.contains("reason: tapped the wrong answers") && read.stdout.contains("mood 2/10"), "the original stays")
        let report = try CLI.run(["report", path, "--from", day.description, "--to", day.description, "--format", "csv"])
        #expect(report.status == 0, "\(report.stderr)")
        let row = try #require(report.stdout.split(separator: "\r\n").first { $0.hasPrefix(day.description) })
        #expect(row.contains(",sober,2,7,") && row.contains(",false,2,"), "corrected values and correctedBy #2: \(row)")
        let markdown = try CLI.run(["report", path, "--from", day.description, "--to", day.description])
        #expect(markdown.stdout.contains("corrected by #2: tapped the wrong answers"), "\(markdown.stdout)")
        let noNotes = try CLI.run(["report", path, "--from", day.description, "--to", day.description, "--no-notes"])
        #expect(noNotes.stdout.contains("corrected by #2") && !noNotes.stdout.contains("tapped"), "no free text with --no-notes")
        // An entry is corrected in words; a correction for another day or of a missing record is refused.
        #expect(try CLI.run(["amend", path, "--record", "1", "--json", "-"], input: "{\"text\":\"a better entry\"}").status == 0)
        #expect(try CLI.run(["read", path, "-n", "1"]).stdout.contains("a better entry"))
        #expect(try CLI.run(["amend", path, "--record", "0", "--json", "-"],
                            input: "{\"mood\":7,\"craving\":2,\"use\":\"sober\",\"day\":\"2001-01-01\"}").status == 4)
        #expect(try CLI.run(["amend", path, "--record", "99", "--json", "-"], input: "{\"text\":\"x\"}").status != 0)
        #expect(try CLI.run(["verify", path], passphrase: nil).status == 0)
    }

    @Test("a second check-in for the same day: refused from a script unless --replace or --add says which")
    func sameDay() throws {
        let dir = try TemporaryDirectory()
        let path = try CLI.makeJournal(in: dir)
        let one = "{\"mood\":4,\"craving\":6,\"use\":\"hard-day\"}", two = "{\"mood\":8,\"craving\":1,\"use\":\"sober\"}"
        #expect(try CLI.run(["checkin", path, "--json", "-"], input: one).status == 0)
        let before = try fileBytes(path)
        let unclear = try CLI.run(["checkin", path, "--json", "-"], input: two)
        let after = try fileBytes(path)
        #expect(unclear.status == 4 && unclear.stderr.contains("--replace") && after == before, "\(unclear.stderr)")
        let replaced = try CLI.run(["checkin", path, "--json", "-", "--replace"], input: two)
        #expect(replaced.status == 0 && replaced.stderr.contains("Sealed correction #1 of check-in #0"), "\(replaced.stderr)")
        let added = try CLI.run(["checkin", path, "--json", "-", "--add"], input: two)
        #expect(added.status == 0 && added.stderr.contains("Sealed check-in #2"))
    }

    @Test("a correction exported and imported into a journal that already has records still corrects the same entry; a filtered export without it is refused")
    func amendmentSurvivesImport() throws {
        let dir = try TemporaryDirectory()
        let source = try CLI.makeJournal(in: dir, name: "source.sjournal")
        for text in ["zero", "one", "two"] { #expect(try CLI.run(["write", source], input: text + "\n").status == 0) }
        #expect(try CLI.run(["amend", source, "--record", "1", "--json", "-"], input: "{\"text\":\"one, corrected\"}").status == 0)
        let export = dir.file("all.ndjson"), filtered = dir.file("amendments.ndjson")
        #expect(try CLI.run(["export", source, "--format", "ndjson", "-o", export]).status == 0)
        #expect(try CLI.run(["export", source, "--format", "ndjson", "--kind", "amendment", "-o", filtered]).status == 0)
        let target = try CLI.makeJournal(in: dir, name: "target.sjournal")
        #expect(try CLI.run(["write", target], input: "already here\n").status == 0)
        let before = try fileBytes(target)
        let refused = try CLI.run(["import", target, filtered, "--from", "ndjson"])
        #expect(refused.status != 0 && refused.stderr.contains("corrects record 1 of its export"), "\(refused.stderr)")
        #expect(try fileBytes(target) == before, "nothing written")
        let imported = try CLI.run(["import", target, export, "--from", "ndjson"])
        #expect(imported.status == 0, "\(imported.stderr)")
        // "one" is #2 here (after "already here" and "zero"); the correction says so.
        let read = try CLI.run(["read", target, "--format", "json"]).stdout
        let records = try JSONSerialization.jsonObject(with: Data(read.utf8)) as? [[String: Any]] ?? []
        let one = records.first { (($0["data"] as? [String: Any])?["text"] as? String) == "one" }
        let correction = records.first { ($0["kind"] as? String) == "amendment" }
        #expect(one?["sequence"] as? Int == 2)
        #expect((correction?["data"] as? [String: Any])?["amends"] as? Int == 2, "\(String(describing: correction))")
        #expect(try CLI.run(["read", target]).stdout.contains("amendment to #2"))
        // The refusal named the way out; taking it keeps the correction as what it corrects to, said so.
        #expect(refused.stderr.contains("--unmatched-corrections keep"), "\(refused.stderr)")
        let fresh = try CLI.makeJournal(in: dir, name: "fresh.sjournal")
        let kept = try CLI.run(["import", fresh, filtered, "--from", "ndjson", "--unmatched-corrections", "keep"])
        #expect(kept.status == 0 && kept.stderr.contains("1 of them: correction(s) whose record was not in the file, kept as what they correct to"), "\(kept.stderr)")
        let shown = try CLI.run(["read", fresh]).stdout
        #expect(shown.contains("one, corrected") && shown.contains("Correction of record 1 of the export"), "\(shown)")
        // From standard input too (no check first), and an unknown choice is a usage error.
        let piped = try CLI.makeJournal(in: dir, name: "piped.sjournal")
        let fromInput = try CLI.run(["import", piped, "-", "--from", "ndjson", "--unmatched-corrections", "keep"], input: try String(contentsOfFile: filtered, encoding: .utf8))
        #expect(fromInput.status == 0 && fromInput.stderr.contains("1 of them"), "\(fromInput.stderr)")
        #expect(try CLI.run(["import", fresh, filtered, "--from", "ndjson", "--unmatched-corrections", "maybe"]).status == 64)
    }
}
