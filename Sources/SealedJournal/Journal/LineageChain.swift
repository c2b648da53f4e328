/// The lineage statements at the start of a re-keyed journal, checked as a chain: each statement
/// is signed by its predecessor's key, each names the next one's predecessor as its successor,
/// and the last names this file's journal id and key.
struct LineageChain: Equatable {
    let statements: [LineageStatement]
    /// Each statement's note text, as stored (carried into the next successor on a rekey).
    var texts: [String] = []

    init(statements: [LineageStatement], texts: [String] = []) {
        self.statements = statements
        self.texts = texts
    }

    /// Reads and checks the lineage frames before the creation checkpoint.
    /// - Throws: ``FormatError`` naming the broken link.
    static func read(file: AppendOnlyFile, header: FileHeader) throws -> LineageChain {
        var reader = FrameReader(file: file, to: try file.size())
        var statements: [LineageStatement] = []
        var texts: [String] = []
        while let frame = try reader.next(), frame.kind == .lineage {
            guard let text = String(validating: frame.body, as: UTF8.self) else { throw FormatError.invalidField(what: "lineage statement encoding") }
            statements.append(try LineageStatement.parse(text))
            texts.append(text)
        }
        let chain = LineageChain(statements: statements, texts: texts)
        try chain.check(journalID: header.journalID, publicKey: header.publicKey)
        return chain
    }

    /// Checks the links (each successor is the next predecessor; the last is this journal).
    func check(journalID: [UInt8], publicKey: [UInt8]) throws(FormatError) {
        for (index, statement) in statements.enumerated() {
            let (nextID, nextKey) = index + 1 < statements.count
                ? (statements[index + 1].predecessorJournalID, statements[index + 1].predecessorPublicKey)
                : (journalID, publicKey)
            guard statement.successorJournalID == nextID, statement.successorPublicKey == nextKey else {
                throw .invalidField(what: "lineage statement \(index + 1) (it names another successor)")
            }
        }
    }

    /// The statement whose predecessor has `origin`, if any, and whether it is the last one.
    func statement(forPredecessorOrigin origin: String) -> (statement: LineageStatement, isLast: Bool)? {
        guard let index = statements.firstIndex(where: { Checkpoint.origin(journalID: $0.predecessorJournalID) == origin }) else { return nil }
        return (statements[index], index == statements.count - 1)
    }
}
