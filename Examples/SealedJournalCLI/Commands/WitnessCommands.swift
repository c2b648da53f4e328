import ArgumentParser
import Foundation
import SealedJournal

/// `sealed-journal witness ...`: the monitoring program's side of witnessed checkpoints.
struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Run a witness: cosign clients' checkpoints with your own clock.",
        discussion: """
        A witness (a monitoring program, a clinician) cosigns a client's checkpoint only if it is signed by the enrolled journal key and consistent with the last one it cosigned, so a check-in in a cosigned checkpoint provably existed by the witness time, and a rewritten history is refused (and kept as evidence).

        The witness passphrase comes from --passphrase-file FILE, SEALED_JOURNAL_WITNESS_PASSPHRASE, or the terminal.

        Example:
          sealed-journal witness init ./witness --name witness.example.org/program
          sealed-journal witness enroll ./witness --journal-key 'sealed-journal/...+...+...'
          sealed-journal witness cosign ./witness client-request.txt --output client-cosigned.txt
        """,
        subcommands: [WitnessInit.self, WitnessKey.self, WitnessEnroll.self, WitnessCosign.self]
    )
}

/// Where the witness passphrase comes from.
struct WitnessPassphraseOptions: ParsableArguments {
    static let environmentVariable = "SEALED_JOURNAL_WITNESS_PASSPHRASE"

    @Option(name: .long, help: ArgumentHelp("Read the witness passphrase from the first line of this file.", valueName: "file"))
    var passphraseFile: String?

    func obtain(prompt: String) throws -> SecretBytes {
        if let passphraseFile { return try Passphrases.readSecretFile(passphraseFile) }
        if let value = ProcessInfo.processInfo.environment[Self.environmentVariable] { return try SecretBytes(utf8: value) }
        do { return try Terminal.readSecret(prompt: prompt) } catch CLIError.noTerminal {
            // Name this variable, not the journal's (SEALED_JOURNAL_PASSPHRASE is not read here).
            throw CLIError.noInput("no witness passphrase given and no terminal to ask on: use --passphrase-file FILE or set \(Self.environmentVariable)")
        }
    }
}

/// Runs a witness or owner command: a ``WitnessError`` becomes one line and an exit status
/// (2 wrong passphrase, 3 damaged witness state, 4 malformed input, 1 refused or failed).
func runWitnessCommand(quiet: Bool, _ body: () throws -> Void) throws {
    try runCommand(quiet: quiet) {
        do {
            try body()
        } catch let error as WitnessError {
            Terminal.error(error.description)
            switch error {
            case .wrongPassphrase: throw ExitCode(2)
            case .damagedState: throw ExitCode(3)
            case .malformedRequest, .requestTooLarge: throw ExitCode(4)
            default: throw ExitCode(1)
            }
        } catch let error as FormatError {
            Terminal.error(error.description)
            throw ExitCode(4)
        }
    }
}

/// Writes public text to a new file (mode 0600, never overwriting unless asked).
func writeNewFile(_ path: String, _ text: String, overwrite: Bool) throws {
    let file = try ExportFile(path: path, overwrite: overwrite)
    try file.write(text)
    try file.finish()
}

struct WitnessInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a witness key pair, sealed with a passphrase.")

    @Argument(help: "The witness directory (created).") var directory: String
    @Option(help: ArgumentHelp("The witness name, a schema-less URL such as witness.example.org/program.", valueName: "name"))
    var name: String
    @Option(help: "Key-derivation strength for the passphrase.") var kdf: KDFPreset = .moderate
    @OptionGroup var passphrase: WitnessPassphraseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runWitnessCommand(quiet: output.quiet) {
            let secret = try passphrase.obtain(prompt: "New witness passphrase: ")
            try PassphrasePolicy.validate(secret)
            let witness = try Witness.create(at: directory, name: name, passphrase: secret, kdf: kdf)
            Terminal.say("Created witness \(witness.identity.name). Give programs and auditors its public key:")
            Terminal.output(witness.identity.verifierKey + "\n")
        }
    }
}

struct WitnessKey: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key", abstract: "Print the witness's public (verifier) key. Needs no passphrase.")

    @Argument(help: "The witness directory.") var directory: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runWitnessCommand(quiet: output.quiet) { Terminal.output(try Witness.identity(at: directory).verifierKey + "\n") }
    }
}

struct WitnessEnroll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll", abstract: "Follow a client's journal, by the journal key the client prints with `journal-key`.")

    @Argument(help: "The witness directory.") var directory: String
    @Option(help: ArgumentHelp("The journal's verifier key (sealed-journal/<id>+<key id>+<key>).", valueName: "key"))
    var journalKey: String
    @OptionGroup var passphrase: WitnessPassphraseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runWitnessCommand(quiet: output.quiet) {
            let witness = try Witness.open(at: directory, passphrase: try passphrase.obtain(prompt: "Witness passphrase: "))
            let entry = try witness.enroll(journalVerifierKey: journalKey)
            Terminal.say("Enrolled \(entry.origin) (last cosigned size \(entry.cosignedSize)).")
        }
    }
}

struct WitnessCosign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosign",
        abstract: "Answer a client's request file with a cosigned checkpoint file.",
        discussion: "Refusals say why. A stale request says which size to request from; a fork or inconsistent history is kept as evidence in the witness directory.")

    @Argument(help: "The witness directory.") var directory: String
    @Argument(help: "The request file the client sent.") var request: String
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the cosigned checkpoint to this new file.", valueName: "file"))
    var output: String
    @Flag(help: "Overwrite the output file if it exists.") var force = false
    @OptionGroup var passphrase: WitnessPassphraseOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try runWitnessCommand(quiet: outputOptions.quiet) {
            guard let data = FileManager.default.contents(atPath: request) else { throw CLIError.cannotRead(request, "cannot open it") }
            let witness = try Witness.open(at: directory, passphrase: try passphrase.obtain(prompt: "Witness passphrase: "))
            let response = try witness.cosign([UInt8](data))
            try writeNewFile(output, response.cosignedNote, overwrite: force)
            let time = ISO8601DateFormatter().string(from: response.cosignature.date)
            Terminal.say("Cosigned \(response.checkpoint.origin) at tree size \(response.checkpoint.treeSize), witness time \(time).")
        }
    }
}

/// `sealed-journal journal-key`: the journal's public verifier key, for a witness to enroll.
struct JournalKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal-key", abstract: "Print the journal's public verifier key, for a witness to enroll. Needs no passphrase.")

    @OptionGroup var target: JournalArgument
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runWitnessCommand(quiet: output.quiet) { Terminal.output(try Journal.verifierKey(at: target.journal) + "\n") }
    }
}

/// `sealed-journal request-witness`: write a cosignature request file. Needs no passphrase.
struct RequestWitness: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request-witness",
        abstract: "Write a request for a witness to cosign the latest checkpoint. Needs no passphrase.",
        discussion: """
        The request holds the latest checkpoint and a consistency proof from the size the witness last cosigned (as stored in the journal), nothing else: no record content. Send it by any channel; import the answer with import-cosignature.

        Example:
          sealed-journal request-witness recovery.sjournal --witness 'witness.example.org/program+1a2b3c4d+BA...' --output request.txt
        """)

    @OptionGroup var target: JournalArgument
    @Option(help: ArgumentHelp("The witness's public key.", valueName: "key")) var witness: String
    @Option(help: ArgumentHelp("Request from this size (the size a witness says it last cosigned).", valueName: "size"))
    var oldSize: UInt64?
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the request to this new file.", valueName: "file")) var output: String
    @Flag(help: "Overwrite the output file if it exists.") var force = false
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try runWitnessCommand(quiet: outputOptions.quiet) {
            let key = try WitnessPublicKey(verifierKey: witness)
            let request = try Journal.witnessRequest(at: target.journal, for: key, oldSize: oldSize)
            try writeNewFile(output, request.encoded, overwrite: force)
            Terminal.say("Wrote a request to cosign \(request.checkpointText.split(separator: "\n").dropFirst().first ?? "?") records (from size \(request.oldSize)).")
        }
    }
}

/// `sealed-journal import-cosignature`: store a witness's answer in the journal.
struct ImportCosignature: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-cosignature",
        abstract: "Store a witness's cosigned checkpoint in the journal.",
        discussion: "Checks that the checkpoint is one of this journal's and the cosignature verifies with the witness key, then commits it (a `witness` record and the public cosignature).")

    @OptionGroup var target: JournalArgument
    @Argument(help: "The cosigned checkpoint file the witness answered.") var response: String
    @Option(help: ArgumentHelp("The witness's public key.", valueName: "key")) var witness: String
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runWitnessCommand(quiet: output.quiet) {
            let key = try WitnessPublicKey(verifierKey: witness)
            guard let data = FileManager.default.contents(atPath: response), data.count <= 64 << 10 else {
                throw CLIError.cannotRead(response, "cannot open it, or it is larger than 64 KiB")
            }
            let journal = try unlock.open(target.journal)
            let stored = try journal.storeCosignatures(String(decoding: data, as: UTF8.self), witness: key)
            let formatter = ISO8601DateFormatter()
            for cosignature in stored { Terminal.say("Stored: witnessed by \(key.name) at \(formatter.string(from: cosignature.date)).") }
        }
    }
}

/// `verify --witness KEY`: checks the cosignatures stored in the journal against pinned witness
/// keys and prints, per witness, the cosigned sizes and times. Fails on a cosignature by a pinned
/// witness that does not verify, a cosignature frame that is not this journal's history, or a
/// pinned witness with no stored cosignature.
func verifyStoredCosignatures(journal path: String, witnessKeys: [String]) throws {
    let keys = try witnessKeys.map { text throws -> WitnessPublicKey in
        do { return try WitnessPublicKey(verifierKey: text) } catch { throw CLIError.verificationFailed("--witness: \(error)") }
    }
    let timeline = try Journal.witnessTimeline(at: path, witnesses: keys)
    if let problem = timeline.problems.first {
        for other in timeline.problems.dropFirst() { Terminal.error("also: \(other)") }
        throw CLIError.verificationFailed(problem)
    }
    let formatter = ISO8601DateFormatter()
    for key in keys {
        let mine = timeline.cosignatures.filter { $0.verifiedBy == key }
        guard let latest = mine.max(by: { $0.checkpoint.treeSize < $1.checkpoint.treeSize }) else {
            throw CLIError.verificationFailed("no cosignature by witness \(key.name) is stored in the journal")
        }
        Terminal.output("ok  witness \(key.name): \(mine.count) cosignature\(mine.count == 1 ? "" : "s"), latest: \(latest.checkpoint.treeSize) records existed by \(formatter.string(from: latest.cosignature.date))\n")
    }
}

/// `verify-audit --witness KEY`: the earliest witness time of each record of a verified bundle.
/// Fails when a witnessed checkpoint does not check out or no record is witnessed by the pinned keys.
func verifyAuditWitnessTimes(_ data: Data, report: AuditReport, witnessKeys: [String]) throws {
    let keys = try witnessKeys.map { text throws -> WitnessPublicKey in
        do { return try WitnessPublicKey(verifierKey: text) } catch { throw CLIError.verificationFailed("--witness: \(error)") }
    }
    let witnessed = AuditVerifier.witnessTimes(data, witnesses: keys)
    if let problem = witnessed.problems.first {
        for other in witnessed.problems.dropFirst() { Terminal.error("also: \(other)") }
        throw CLIError.verificationFailed(problem)
    }
    let formatter = ISO8601DateFormatter()
    for envelope in report.envelopes {
        let label = "record \(envelope.sequence) (\(envelope.kind == RecordKind.checkIn ? "check-in" : "record") of \(envelope.day))"
        guard let found = witnessed.witnessedBy[envelope.sequence] else {
            Terminal.output("--  \(label): not witnessed\n")
            continue
        }
        let time = formatter.string(from: found.date)
        if envelope.kind == RecordKind.checkIn, case .writtenLate = WitnessStatus.of(day: envelope.day, witnessedBy: found.date) {
            Terminal.output("!!  \(label): witnessed only by \(time) (\(found.witness)), more than a day after its day: possibly written late\n")
        } else {
            Terminal.output("ok  \(label): existed by \(time) (witnessed by \(found.witness))\n")
        }
    }
    guard !witnessed.witnessedBy.isEmpty else { throw CLIError.verificationFailed("no record of the bundle is witnessed by the pinned witness keys") }
}
