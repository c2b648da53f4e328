import ArgumentParser
import SealedJournal

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a journal's public facts. Needs no passphrase.",
        discussion: """
        Example:
          sealed-journal info recovery.sjournal
        """
    )

    @OptionGroup var target: JournalArgument
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runCommand(quiet: output.quiet) {
            try target.check()
            let info = try Journal.info(at: target.journal)
            let slots = info.keySlots.map { slot -> String in
                switch slot {
                case let .passphrase(ops, memory): return "passphrase (Argon2id, \(ops) passes, \(memory / 1_048_576) MiB)"
                case .recoveryKey: return "recovery key"
                case let .unknown(type): return "unknown type \(type)"
                }
            }
            var lines = [
                "journal:      \(info.path)",
                "format:       version \(info.formatVersion)",
                "id:           \(info.journalID)",
                "fingerprint:  \(info.fingerprint)",
                "public key:   \(info.publicKey)",
                "records:      \(info.recordCount)",
                "size:         \(info.fileSizeBytes) bytes",
                "key slots:    " + slots.joined(separator: "; "),
            ]
            if info.tornTailBytes > 0 {
                lines.append("torn tail:    \(info.tornTailBytes) bytes after the last commit (an interrupted append; cut off at the next write; repair keeps a complete record in it)")
            }
            // Damage after the last intact commit (writes are refused until repair), or a header
            // older than the checkpoints bind: said here too, not only by verify.
            for warning in info.warnings { lines.append("warning:      \(warning)") }
            Terminal.output(lines.joined(separator: "\n") + "\n")
        }
    }
}
