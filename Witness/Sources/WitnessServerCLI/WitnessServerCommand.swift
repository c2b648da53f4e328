import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import SealedJournal
import WitnessServer

/// `sealed-journal-witness-server`: the witness over HTTP, on loopback.
@main
struct WitnessServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealed-journal-witness-server",
        abstract: "Serve a witness over HTTP (C2SP tlog-witness add-checkpoint) on 127.0.0.1.",
        discussion: """
        The witness key comes from a directory made by `sealed-journal witness init`; its passphrase from --passphrase-file, SEALED_JOURNAL_WITNESS_PASSPHRASE, or standard input's first line. State goes to SQLite (--sqlite FILE, the default: witness.sqlite in the directory) or PostgreSQL (--postgres-host and friends; the password from PGPASSWORD), where several instances may share it.

        Example:
          sealed-journal-witness-server enroll ./witness --journal-key 'sealed-journal/...'
          sealed-journal-witness-server serve ./witness --port 8080
        """,
        subcommands: [Serve.self, Enroll.self]
    )
}

struct StateOptions: ParsableArguments {
    @Argument(help: "The witness directory (its key).") var directory: String
    @Option(help: ArgumentHelp("The SQLite state file (default: witness.sqlite in the directory).", valueName: "file")) var sqlite: String?
    @Option(help: ArgumentHelp("Keep the state in PostgreSQL on this host instead.", valueName: "host")) var postgresHost: String?
    @Option(help: "PostgreSQL port.") var postgresPort: Int = 5432
    @Option(help: "PostgreSQL user.") var postgresUser: String = "postgres"
    @Option(help: "PostgreSQL database.") var postgresDatabase: String = "postgres"
    @Option(name: .long, help: ArgumentHelp("Read the witness passphrase from the first line of this file.", valueName: "file"))
    var passphraseFile: String?

    func openWitness() throws -> Witness {
        let text: String
        if let passphraseFile {
            text = (try String(contentsOfFile: passphraseFile, encoding: .utf8)).split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        } else if let value = ProcessInfo.processInfo.environment["SEALED_JOURNAL_WITNESS_PASSPHRASE"] {
            text = value
        } else {
            text = readLine(strippingNewline: true) ?? ""
        }
        return try Witness.open(at: directory, passphrase: SecretBytes(utf8: text))
    }

    /// Runs `body` with the store (and, for PostgreSQL, its client running).
    func withStore(_ body: @escaping @Sendable (any WitnessStore) async throws -> Void) async throws {
        guard let postgresHost else {
            try await body(try SQLiteWitnessStore(path: sqlite ?? (directory as NSString).appendingPathComponent("witness.sqlite")))
            return
        }
        let configuration = PostgresClient.Configuration(host: postgresHost, port: postgresPort, username: postgresUser,
                                                         password: ProcessInfo.processInfo.environment["PGPASSWORD"],
                                                         database: postgresDatabase, tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "postgres"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            let store = PostgresWitnessStore(client: client)
            try await store.migrate()
            try await body(store)
            group.cancelAll()
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve POST /add-checkpoint on 127.0.0.1.")
    @OptionGroup var state: StateOptions
    @Option(help: "The port (0 picks a free one).") var port: Int = 8080

    func run() async throws {
        let witness = try state.openWitness()
        try await state.withStore { store in
            try await WitnessHTTP.application(witness: witness, store: store, port: port).runService()
        }
    }
}

struct Enroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Enroll a journal by its verifier key (`sealed-journal journal-key`).")
    @OptionGroup var state: StateOptions
    @Option(help: ArgumentHelp("The journal's verifier key.", valueName: "key")) var journalKey: String

    func run() async throws {
        let entry = try EnrolledJournal(journalVerifierKey: journalKey)
        try await state.withStore { store in
            let stored = try await store.enroll(entry)
            FileHandle.standardError.write(Data("Enrolled \(stored.origin) (last cosigned size \(stored.cosignedSize)).\n".utf8))
        }
    }
}
