import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import SealedJournal
import WitnessServer
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
          sealed-journal-witness-server submit request.txt --url http://127.0.0.1:8080/add-checkpoint --output cosigned.txt
        """,
        subcommands: [Serve.self, Enroll.self, Submit.self]
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

/// The client side over HTTP: posts a request file (`sealed-journal request-witness`) and writes
/// the answer file that `sealed-journal import-cosignature` stores.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a request file to a witness over HTTP and write its answer file.")
    @Argument(help: "The request file.") var request: String
    @Option(help: ArgumentHelp("The witness's add-checkpoint URL.", valueName: "url")) var url: String
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the cosigned checkpoint to this new file.", valueName: "file")) var output: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: request), data.count <= WitnessRequest.maximumByteCount else {
            throw ValidationError("cannot read \(request), or it is larger than \(WitnessRequest.maximumByteCount) bytes")
        }
        let parsed = try WitnessRequest.parse([UInt8](data))
        guard let endpoint = URL(string: url), endpoint.scheme == "http" || endpoint.scheme == "https" else { throw ValidationError("not an http(s) URL: \(url)") }
        var post = URLRequest(url: endpoint)
        post.httpMethod = "POST"
        post.httpBody = data
        let (body, response) = try await URLSession.shared.data(for: post)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        guard status == 200 else {
            let printable = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\n" || ($0.isASCII && $0.value >= 0x20 && $0.value < 0x7F) ? $0 : "?" }))
            if status == 409, let size = UInt64(printable.trimmingCharacters(in: .newlines)) {
                FileHandle.standardError.write(Data("the witness last cosigned tree size \(size): request again with --old-size \(size)\n".utf8))
            } else {
                FileHandle.standardError.write(Data("the witness refused (HTTP \(status)): \(printable)".utf8))
            }
            throw ExitCode(1)
        }
        let fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(output) (it may exist)") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data((parsed.checkpointText + text).utf8))
        try handle.synchronize()
        FileHandle.standardError.write(Data("Cosigned; answer written to \(output).\n".utf8))
    }
}
