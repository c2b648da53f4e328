import Foundation

/// Reads a checkpoint the way people send it: inside an email with a greeting around it, with
/// CRLF line endings, trailing spaces, the em dash of the signature line turned into "--", "-" or
/// an en dash, or no final newline. The signed note is found and rebuilt in its exact canonical
/// form (LF endings, U+2014 dash, final newline); only then is its signature checked, over
/// exactly the signed bytes (see ``Checkpoint/parse(_:publicKey:)``).
///
/// Parsing problems are reported as "garbled" with the line at fault, which callers keep apart
/// from "a checkpoint of another journal" and "not signed by this journal's key".
enum HeldCheckpointText {
    /// Longest text accepted (an email with a checkpoint in it).
    static let maximumByteCount = 64 << 10
    static let maximumExtensionLines = 8

    /// The canonical note text found in `text`.
    /// - Throws: ``FormatError/invalidField(what:)`` whose text says which line is garbled.
    static func canonicalNote(in text: String) throws(FormatError) -> String {
        guard text.utf8.count <= maximumByteCount else { throw .limitExceeded(what: "checkpoint text", limit: maximumByteCount) }
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map { trimmed($0) }
        guard let start = lines.firstIndex(where: { $0.hasPrefix(Checkpoint.originPrefix) }) else {
            throw .invalidField(what: "checkpoint text is garbled (no line starts with \"\(Checkpoint.originPrefix)\": this is not a SealedJournal checkpoint)")
        }
        func lineNumber(_ index: Int) -> Int { index + 1 }
        let origin = lines[start]
        guard !origin.contains(" ") else { throw .invalidField(what: "checkpoint text is garbled (line \(lineNumber(start)) is not a journal name)") }
        guard start + 2 < lines.count else { throw .invalidField(what: "checkpoint text is garbled (it ends after line \(lineNumber(lines.count - 1)))") }
        let size = lines[start + 1]
        guard !size.isEmpty, size.allSatisfy({ $0.isASCII && $0.isNumber }), UInt64(size) != nil else {
            throw .invalidField(what: "checkpoint text is garbled (line \(lineNumber(start + 1)) is not a record count)")
        }
        let root = lines[start + 2]
        guard let rootBytes = Data(base64Encoded: root), rootBytes.count == MerkleTree.hashByteCount else {
            throw .invalidField(what: "checkpoint text is garbled (line \(lineNumber(start + 2)) is not a hash)")
        }
        var body = [origin, size, root]
        var index = start + 3
        while index < lines.count, !lines[index].isEmpty, signatureLine(lines[index]) == nil {
            guard body.count - 3 < maximumExtensionLines else { throw .invalidField(what: "checkpoint text is garbled (too many lines before the signature)") }
            body.append(lines[index])
            index += 1
        }
        while index < lines.count, lines[index].isEmpty { index += 1 }
        var signatures: [String] = []
        while index < lines.count, let signature = signatureLine(lines[index]) {
            signatures.append(signature)
            index += 1
        }
        guard !signatures.isEmpty else {
            throw .invalidField(what: "checkpoint text is garbled (no signature line after line \(lineNumber(start + body.count - 1)))")
        }
        return body.joined(separator: "\n") + "\n\n" + signatures.map { $0 + "\n" }.joined()
    }

    /// A signature line rebuilt with the em dash, or `nil` when `line` is not one.
    private static func signatureLine(_ line: String) -> String? {
        var rest = Substring(line)
        if rest.hasPrefix(Checkpoint.emDash) || rest.hasPrefix("\u{2013}") || rest.hasPrefix("\u{2015}") {
            rest = rest.dropFirst()
        } else if rest.hasPrefix("--") {
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix("-") {
            rest = rest.dropFirst()
        } else {
            return nil
        }
        let parts = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, let blob = Data(base64Encoded: String(parts[1])), blob.count >= 5 else { return nil }
        return "\(Checkpoint.emDash) \(parts[0]) \(parts[1])"
    }

    private static func trimmed(_ line: Substring) -> String {
        var slice = line
        while let last = slice.last, last == " " || last == "\t" || last == "\u{00A0}" { slice = slice.dropLast() }
        while let first = slice.first, first == " " || first == "\t" || first == "\u{00A0}" || first == ">" { slice = slice.dropFirst() }
        return String(slice)
    }
}
