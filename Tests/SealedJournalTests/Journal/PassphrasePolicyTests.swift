import Foundation
import Testing
@testable import SealedJournal

@Suite("Passphrase policy: the library refuses what it must")
struct PassphrasePolicyTests {
    static let refused: [(String, [UInt8], String)] = [
        ("empty", [], "is empty"),
        ("spaces", Array("          ".utf8), "is only whitespace"),
        ("tabs and no-break spaces", Array("\t \u{00A0}\u{3000}\t \u{2003}  ".utf8), "is only whitespace"),
        ("seven characters", Array("abc1234".utf8), "too short"),
        ("seven characters, one decomposed", Array("cafe\u{301}xyz".utf8), "too short"),
        ("invalid UTF-8", [0x70, 0x61, 0x73, 0x73, 0xFF, 0xFE, 0x70, 0x68, 0x72, 0x61, 0x73, 0x65], "not valid UTF-8"),
    ]

    @Test("create refuses empty, whitespace-only, short and non-UTF-8 passphrases; nothing on disk",
          arguments: refused.indices)
    func createRefuses(index: Int) throws {
        let (name, bytes, reason) = Self.refused[index]
        let dir = try TemporaryDirectory()
        let path = dir.file("refused.sjournal")
        let error = #expect(throws: JournalError.self, "\(name)") {
            _ = try Journal.create(at: path, passphrase: SecretBytes(copying: bytes), kdf: testKDF, durability: .unsafeNoSync)
        }
        guard case let .invalidField(field, message)? = error else {
            Issue.record("\(name): expected invalidField, got \(String(describing: error))")
            return
        }
        #expect(field == "passphrase")
        #expect(message.contains(reason), "\(name): \(message)")
        #expect(!FileManager.default.fileExists(atPath: path), "\(name): a file was created")
        // What happens next: the same path takes a good passphrase.
        _ = try Journal.create(at: path, passphrase: SecretBytes(utf8: "a good long passphrase"), kdf: testKDF, durability: .unsafeNoSync)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("changePassphrase refuses a short one and the old passphrase still unlocks")
    func changeRefuses() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("j.sjournal")
        let journal = try makeJournal(at: path).journal
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: JournalError.invalidField(field: "passphrase", reason: "is empty")) {
            try journal.changePassphrase(to: SecretBytes(copying: []), kdf: testKDF)
        }
        #expect(throws: JournalError.self) { try journal.changePassphrase(to: SecretBytes(utf8: "short"), kdf: testKDF) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the file changed")
        _ = try Journal.open(at: path, passphrase: testPassphrase(), mode: .readOnly)
        try journal.changePassphrase(to: SecretBytes(utf8: "eight ch"), kdf: testKDF)
        _ = try Journal.open(at: path, passphrase: SecretBytes(utf8: "eight ch"), mode: .readOnly)
    }

    @Test("the minimum counts Unicode scalars of the NFC form, not bytes")
    func lengthInScalars() throws {
        // 8 scalars but 16 bytes: accepted. 7 scalars after NFC (8 before): refused above.
        try PassphrasePolicy.validate(SecretBytes(utf8: "éééééééé"))
        try PassphrasePolicy.validate(SecretBytes(utf8: "cafe\u{301}wxyz"))
        #expect(throws: JournalError.self) { try PassphrasePolicy.validate(SecretBytes(utf8: "ééééééé")) }
        #expect(PassphrasePolicy.minimumLength == 8)
    }
}

@Suite("Passphrase normalisation for key derivation (NFC)")
struct PassphraseNormalizationTests {
    func bytes(_ secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }

    @Test("é as U+00E9 and as e + U+0301 give identical bytes (the NFC form)")
    func composedAndDecomposedAgree() throws {
        let composed = try PassphrasePolicy.normalizedForKeyDerivation(SecretBytes(utf8: "caf\u{E9} au lait"))
        let decomposed = try PassphrasePolicy.normalizedForKeyDerivation(SecretBytes(copying: Array("cafe\u{301} au lait".utf8)))
        #expect(bytes(composed) == bytes(decomposed))
        #expect(bytes(composed) == Array("caf\u{E9} au lait".utf8))
        #expect(composed.constantTimeEquals(decomposed))
        // What happens next: the two spellings derive the same key.
        let salt = try RandomBytes.generate(count: Argon2id.saltByteCount)
        let parameters = Argon2id.Parameters(opsLimit: 1, memoryLimitBytes: 8192)
        let k1 = try Argon2id.deriveKey(outputByteCount: 32, passphrase: composed, salt: salt, parameters: parameters)
        let k2 = try Argon2id.deriveKey(outputByteCount: 32, passphrase: decomposed, salt: salt, parameters: parameters)
        #expect(k1.constantTimeEquals(k2))
    }

    @Test("Hangul jamo and Å (U+212B ANGSTROM SIGN) normalise to their NFC forms")
    func otherCompositions() throws {
        let jamo = try PassphrasePolicy.normalizedForKeyDerivation(SecretBytes(copying: Array("\u{1100}\u{1161}\u{11A8}".utf8)))
        #expect(bytes(jamo) == Array("\u{AC01}".utf8))
        let angstrom = try PassphrasePolicy.normalizedForKeyDerivation(SecretBytes(copying: Array("\u{212B}".utf8)))
        #expect(bytes(angstrom) == Array("\u{C5}".utf8))
    }

    @Test("ASCII is returned unchanged")
    func asciiUnchanged() throws {
        let input = try SecretBytes(utf8: "one day at a time")
        #expect(bytes(try PassphrasePolicy.normalizedForKeyDerivation(input)) == Array("one day at a time".utf8))
    }

    @Test("invalid UTF-8 is refused with a clear error that quotes nothing")
    func invalidUTF8() throws {
        for bad: [UInt8] in [[0xC3], [0x61, 0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF]] {
            #expect(throws: JournalError.invalidField(field: "passphrase", reason: "is not valid UTF-8 text")) {
                _ = try PassphrasePolicy.normalizedForKeyDerivation(SecretBytes(copying: bad))
            }
        }
    }
}

@Suite("Passphrase strength estimate")
struct PassphraseStrengthTests {
    func strength(_ text: String) throws -> PassphraseStrength { PassphraseStrength.estimate(try SecretBytes(utf8: text)) }

    @Test("the most common passwords score 0 and say so", arguments: ["123456", "password", "qwerty", "12345678", "iloveyou"])
    func topPasswords(text: String) throws {
        let result = try strength(text)
        #expect(result.score == 0, "\(text): \(result)")
        #expect(result.warning == "This is one of the 10 most common passwords." || result.warning == "This is one of the 100 most common passwords.",
                "\(text): \(String(describing: result.warning))")
        #expect(result.suggestion != nil && result.isWeak)
    }

    @Test("common patterns score 0-1", arguments: [
        "P@ssw0rd", "Password1", "qwertyuiop", "1qaz2wsx", "aaaaaaaaaa", "abcabcabcabc", "abcdefgh", "9876543210",
        "01/01/1990", "19901231", "drowssap", "Summer2023", "monkey123", "recovery", "sober2019", "sealedjournal",
        "journal1", "michael1985", "trustno1", "letmein!",
    ])
    func commonPatterns(text: String) throws {
        let result = try strength(text)
        #expect(result.score <= 1, "\(text): \(result)")
        #expect(result.warning != nil || result.suggestion != nil)
    }

    @Test("long random multi-word passphrases score 3-4, with no warning", arguments: [
        "correct horse battery staple", "plinth marzipan cobalt overture", "quietly orbiting walrus tangerine lamp",
        "velvet anchovy sprocket harbinger", "granite umbrella whistle paprika nebula", "Xk7#pQ2m!vR9wZ4t",
    ])
    func strongPassphrases(text: String) throws {
        let result = try strength(text)
        #expect(result.score >= 3, "\(text): \(result)")
        if result.score == 4 { #expect(result.warning == nil && result.suggestion == nil) }
    }

    @Test("specific warnings: keyboard, repeats, sequences, dates, years, l33t, journal words")
    func warnings() throws {
        #expect(try strength("zxcvbnm,./").warning == "Straight rows of keys are easy to guess.")
        #expect(try strength("zzzzzzzzzz").warning == "Repeated characters like \"aaa\" are easy to guess.")
        #expect(try strength("abcdefghijk").warning == "Sequences like \"abc\" or \"6543\" are easy to guess.")
        #expect(try strength("13.06.2001").warning == "Dates are often easy to guess.")
        #expect(try strength("p@ssw0rd").suggestion?.contains("substitutions") == true)
        #expect(try strength("serenity").warning?.contains("recovery and journaling") == true)
        #expect(try strength("Monkey").suggestion?.contains("capital first letter") == true)
        #expect(try strength("").score == 0)
    }

    @Test("warnings and suggestions never quote the passphrase")
    func noQuoting() throws {
        for text in ["zebracornflakes", "qwertyuiop", "11111111", "serenity", "Tr0ub4dor"] {
            let result = try strength(text)
            let advice = (result.warning ?? "") + (result.suggestion ?? "")
            #expect(!advice.lowercased().contains(text.lowercased()))
        }
    }

    @Test("deterministic and ordered: adding an uncommon word never lowers the estimate")
    func deterministic() throws {
        let a = try strength("one day at a time 2019")
        #expect(a == (try strength("one day at a time 2019")))
        let b = try strength("one day at a time 2019 marzipan")
        #expect(b.guessesLog10 > a.guessesLog10)
    }

    @Test("the built-in word list parses completely and finds its own entries")
    func wordList() throws {
        let words = RankedWords.shared
        #expect(words.count == PassphraseWordLists.entryCount)
        #expect(try strength("password").guessesLog10 < 1)
        #expect(Keyboard.qwerty.startingPositions == 94)
        #expect(abs(Keyboard.qwerty.averageDegree - 4.595744680851064) < 1e-9)
        #expect(Keyboard.keypad.startingPositions == 15)
    }
}

@Suite("Passphrase strength agrees with the reference zxcvbn")
struct PassphraseStrengthAgreementTests {
    @Test("score within one of zxcvbn for at least 97% of the sample, equal for at least 90%")
    func agreement() throws {
        let cases = try TestVectors.cases("passphrase-strength-zxcvbn", "zxcvbn")
        var equal = 0, withinOne = 0
        var log10Differences: [Double] = []
        var disagreements: [String] = []
        for c in cases {
            let text = try #require(c["passphrase"] as? String)
            let reference = try c.int("score")
            let estimate = PassphraseStrength.estimate(try SecretBytes(utf8: text))
            let ours = estimate.score
            log10Differences.append(abs(estimate.guessesLog10 - (try #require(c["guessesLog10"] as? Double))))
            if ours == reference { equal += 1 }
            if abs(ours - reference) <= 1 { withinOne += 1 } else { disagreements.append("\(text): ours \(ours), zxcvbn \(reference)") }
        }
        let n = Double(cases.count)
        let closeGuesses = log10Differences.filter { $0 <= 1 }.count
        let medianDifference = log10Differences.sorted()[log10Differences.count / 2]
        let summary = String(format: "agreement with zxcvbn on %d cases: score equal %.1f%%, within one %.1f%%; "
                             + "log10(guesses) within 1 for %.1f%%, median difference %.2f",
                             cases.count, Double(equal) / n * 100, Double(withinOne) / n * 100,
                             Double(closeGuesses) / n * 100, medianDifference)
        print(summary)
        for line in disagreements { print("  disagreement: \(line)") }
        #expect(Double(withinOne) / n >= 0.97, "\(summary)\n\(disagreements.joined(separator: "\n"))")
        #expect(Double(equal) / n >= 0.90, "\(summary)")
    }
}

/// The CLI's choice of a new passphrase at a real pseudo-terminal (tmux; see TerminalPromptTests).
@Suite("Choosing a passphrase at a real terminal", .serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed (make test installs it)"))
struct PassphraseChoiceTerminalTests {
    @Test("a weak passphrase is explained and must be confirmed; refused and declined ones are asked again")
    func weakThenShortThenConfirmed() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("weak.sjournal")
        let tmux = try TmuxSession()
        defer { tmux.close() }

        try tmux.start("\(CLI.executable.path) init \(path) --kdf interactive; echo EXIT=$?")
        try tmux.waitFor("New passphrase:")
        tmux.type("password")
        var screen = try tmux.waitFor("Use it anyway? [y/N]")
        #expect(screen.contains("This passphrase is weak. This is one of the 10 most common passwords."), "\(screen)")
        tmux.type("n")
        try tmux.waitFor("Choose another passphrase. Try again (2 tries left).")
        tmux.type("short")
        try tmux.waitFor("That passphrase is too short (it must be at least 8 characters). Try again (1 try left).")
        #expect(!FileManager.default.fileExists(atPath: path))
        tmux.type("monkey123")
        try tmux.waitFor("Use it anyway? [y/N]")
        tmux.type("yes")
        try tmux.waitFor("Repeat the new passphrase:")
        tmux.type("monkey123")
        screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(!screen.contains("password\n") && !screen.contains("monkey123"), "a passphrase was echoed:\n\(screen)")
        // What happens next: the confirmed weak passphrase is the one that opens the journal.
        _ = try Journal.open(at: path, passphrase: SecretBytes(utf8: "monkey123"), mode: .readOnly)
    }

    @Test("three declined weak passphrases: exit 4, nothing created")
    func declinedThreeTimes() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("declined.sjournal")
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start("\(CLI.executable.path) init \(path) --kdf interactive; echo EXIT=$?")
        for _ in 1...3 {
            try tmux.waitFor("New passphrase:")
            tmux.type("qwerty123")
            try tmux.waitFor("Use it anyway? [y/N]")
            tmux.type("")
        }
        let screen = try tmux.waitFor("EXIT=")
        #expect(screen.contains("no passphrase was chosen; nothing was changed") && screen.contains("EXIT=4"), "\(screen)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("from the environment a weak passphrase is accepted with a warning; a short one is refused (exit 4)")
    func environment() throws {
        let dir = try TemporaryDirectory()
        let weak = try CLI.run(["init", dir.file("weak.sjournal"), "--kdf", "interactive"], passphrase: "iloveyou2")
        #expect(weak.status == 0, "\(weak.stderr)")
        #expect(weak.stderr.contains("warning: this passphrase is weak."), "\(weak.stderr)")
        let short = try CLI.run(["init", dir.file("short.sjournal"), "--kdf", "interactive"], passphrase: "abc")
        #expect(short.status == 4)
        #expect(short.stderr.contains("passphrase: is too short"), "\(short.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("short.sjournal")))
    }
}
