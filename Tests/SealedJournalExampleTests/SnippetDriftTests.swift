import Foundation
import SealedJournal
import Testing

/// Every ```swift block of README.md and of the DocC articles must appear, verbatim, in this
/// test target's sources, where it is compiled and run (ArticleExampleTests, ReadmeExampleTests).
/// "Verbatim" ignores each line's leading indentation (a block sits inside a test function) and
/// the block's `import` lines (a function body cannot hold them); everything else must match.
@Suite("Documentation snippets are the ones compiled here")
struct SnippetDriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let catalog = root.appendingPathComponent("Sources/SealedJournal/SealedJournal.docc")

    /// The Markdown files whose Swift blocks must be compiled: README.md and every article.
    static func documents() throws -> [URL] {
        let articles = try FileManager.default.contentsOfDirectory(at: catalog, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return [root.appendingPathComponent("README.md")] + articles
    }

    /// The ```swift blocks of `markdown`, each as its lines.
    static func swiftBlocks(in markdown: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil {
                if line.trimmingCharacters(in: .whitespaces) == "```swift" { current = [] }
            } else if line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current ?? [])
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Lines without leading indentation, without `import` lines and blank lines.
    static func normalized(_ lines: [String]) -> [String] {
        lines.map { String($0.drop(while: { $0 == " " || $0 == "\t" })) }
            .filter { !$0.isEmpty && !$0.hasPrefix("import ") }
    }

    static func testSourceLines() throws -> [String] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
        return try files.flatMap { normalized(try String(contentsOf: $0, encoding: .utf8).components(separatedBy: "\n")) }
    }

    static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start..<(start + needle.count)].elementsEqual(needle)
        }
    }

    @Test("every Swift block of README.md and the articles is compiled in this target")
    func everySwiftBlockIsCompiled() throws {
        let sources = try Self.testSourceLines()
        var checked = 0
        for document in try Self.documents() {
            let markdown = try String(contentsOf: document, encoding: .utf8)
            for (index, block) in Self.swiftBlocks(in: markdown).enumerated() {
                let lines = Self.normalized(block)
                #expect(!lines.isEmpty, "\(document.lastPathComponent) block \(index + 1) is empty")
                let compiledHere = Self.contains(sources, lines)
                #expect(compiledHere,
                        "\(document.lastPathComponent), Swift block \(index + 1) (first line: \(lines.first ?? "")) is not in Tests/SealedJournalExampleTests verbatim: copy it into a test there, or fix the drift")
                checked += 1
            }
        }
        // README: the package line and the library example; articles: at least one block each for
        // the landing page, Getting Started, Record Kinds, Sharing and Auditing, Keys and Recovery.
        #expect(checked >= 9, "found only \(checked) Swift blocks: is the extractor still reading the documents?")
    }

    @Test("the extractor finds blocks and the comparison notices a changed line")
    func extractorNoticesDrift() throws {
        let markdown = "Text\n\n```swift\nimport SealedJournal\nlet a = 1\n    let b = a\n```\n\n```sh\nls\n```\n"
        let blocks = Self.swiftBlocks(in: markdown)
        #expect(blocks.count == 1)
        let lines = Self.normalized(blocks[0])
        #expect(lines == ["let a = 1", "let b = a"])
        #expect(Self.contains(["x", "let a = 1", "let b = a", "y"], lines))
        #expect(!Self.contains(["let a = 1", "let c = a"], lines))
        #expect(!Self.contains(["let a = 1", "x", "let b = a"], lines))
    }

    /// README.md's dependency block, as written (it is a manifest fragment, not code to run).
    static let readmePackageBlock = """
    .package(url: "https://github.com/<owner>/SealedJournal", from: "0.1.0")
    // target dependency: .product(name: "SealedJournal", package: "SealedJournal")
    """

    @Test("README's package line names this package's product and version")
    func readmePackageLineMatchesTheManifest() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(manifest.contains(#".library(name: "SealedJournal", targets: ["SealedJournal"])"#))
        #expect(Self.readmePackageBlock.contains(#"from: "\#(SealedJournalLibrary.version)""#))
        #expect(Self.readmePackageBlock.contains(#".product(name: "SealedJournal", package: "SealedJournal")"#))
    }
}
