import ArgumentParser
import Foundation
import SealedJournal
#if canImport(Glibc)
import Glibc
#endif

/// `--allow-args`: journal content (a note, a title, a search term, a recipient's name) is
/// refused in the command line unless the user opts in, because every local account can read
/// a running process's arguments (`ps`, `/proc/PID/cmdline`), audit tools log them, and shell
/// history keeps them on disk.
struct ContentArgumentPolicy: ParsableArguments {
    @Flag(name: .customLong("allow-args"),
          help: "Accept journal content in the arguments (any local account sees it with `ps`; shell history keeps it).")
    var allowArgs = false

    static let warning = "warning: journal content in the arguments is visible to every local account (ps) while this runs, and your shell history keeps it"

    /// Refuses (usage error) when `given` (the options that carry literal content) is not empty
    /// and `--allow-args` is absent; warns on standard error when it is present.
    func check(_ given: [String], safeWay: String) throws {
        guard !given.isEmpty else { return }
        guard allowArgs else {
            let names = given.joined(separator: ", ")
            throw ValidationError("""
            \(names) would put journal content in the process arguments, where every local account can read it (ps) and your shell history keeps it. \(safeWay) Add --allow-args to accept the risk.
            """)
        }
        FileHandle.standardError.write(Data((Self.warning + "\n").utf8))
    }
}

/// Where the lines for `-` values come from: asked at the terminal when standard input is one,
/// otherwise read from standard input, one line per value, in the order the help lists them.
final class LineSource {
    private var lines: [String]?

    /// The value for an option given as `-`: a prompt at the terminal, or the next line of
    /// standard input. Empty answers become nil.
    func value(question: String) throws -> String? {
        let text: String?
        if Terminal.standardInputIsTerminal {
            text = try Terminal.ask(question)
        } else {
            if lines == nil {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
            text = lines?.isEmpty == false ? lines?.removeFirst() : nil
        }
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// Reading the content of a file the user named, or standard input for `-`.
enum ContentFile {
    static func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw CLIError.cannotRead(path, String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw CLIError.cannotRead(path, "not a regular file")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        return handle.readDataToEndOfFile()
    }

    /// `data` as text, refused (nothing written) unless it is UTF-8: a Latin-1 or UTF-16 file
    /// would otherwise be sealed with U+FFFD in place of its letters, for good.
    static func utf8Text(_ data: Data, from source: String) throws -> String {
        guard let text = String(validating: data, as: UTF8.self) else {
            // The offset of the first byte that is not UTF-8 (to find it in the file).
            var parser = Unicode.UTF8.ForwardParser()
            var bytes = data.makeIterator()
            var offset = 0
            scan: while case let .valid(scalar) = parser.parseScalar(from: &bytes) { offset += scalar.count }
            throw CLIError.invalidInput("\(source) is not UTF-8 text (byte \(offset) is not); convert it first, e.g. iconv -f latin1 -t utf-8")
        }
        return text
    }

    /// ``utf8Text(_:from:)`` for text typed at this terminal (or saved from the editor): when it
    /// is refused, what was typed is shown again on the terminal (its bytes that are not UTF-8
    /// as U+FFFD) so it can be copied, never written to a file.
    static func typedText(_ data: Data, from source: String) throws -> String {
        do { return try utf8Text(data, from: source) } catch {
            Terminal.tell("Nothing was sealed. What you typed, to copy before you close this window (your terminal may not be set to UTF-8):")
            Terminal.tellTyped(String(decoding: data, as: UTF8.self))
            throw error
        }
    }

    /// A JSON object from `path` (or standard input), with a clear error naming the source.
    static func jsonObject(_ path: String) throws -> [String: Any] {
        let data = try read(path)
        _ = try utf8Text(data, from: path == "-" ? "standard input" : path)
        guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
            throw CLIError.invalidInput("\(path == "-" ? "standard input" : path) is not a JSON object")
        }
        return dictionary
    }
}

/// Typed access to a decoded JSON object, with errors that name the field and never quote its value.
struct JSONFields {
    let object: [String: Any]
    let allowed: Set<String>

    init(_ object: [String: Any], allowed: Set<String>) throws {
        self.object = object
        self.allowed = allowed
        // The unknown name is never quoted (it may be content); a near known name is suggested.
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let suggestion = CommandSuggestion.nearest(to: unknown, in: allowed.sorted()).map { "did you mean \($0)? " } ?? ""
            throw CLIError.invalidInput("unknown field in the JSON object (\(suggestion)known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func int(_ key: String) throws -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !isBool(number), let int = Int(exactly: number.doubleValue) else {
            throw CLIError.invalidInput("\(key): must be a whole number")
        }
        return int
    }

    func double(_ key: String) throws -> Double? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !isBool(number) else { throw CLIError.invalidInput("\(key): must be a number") }
        return number.doubleValue
    }

    func string(_ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let string = value as? String else { throw CLIError.invalidInput("\(key): must be a string") }
        return string
    }

    func strings(_ key: String) throws -> [String] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let array = value as? [Any], array.allSatisfy({ $0 is String }) else {
            throw CLIError.invalidInput("\(key): must be an array of strings")
        }
        return array.compactMap { $0 as? String }
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, isBool(number) else { throw CLIError.invalidInput("\(key): must be true or false") }
        return number.boolValue
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw CLIError.invalidInput("\(key): must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// JSONSerialization gives true/false as an NSNumber of type char ("c").
    private func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
