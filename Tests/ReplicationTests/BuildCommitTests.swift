import Foundation
import Testing
@testable import Replication

/// The commit a run log records is the one the binary was built from, fixed at build time.
struct BuildCommitTests {
    /// Whether these sources sit in a git checkout (a `.git` directory or file above them).
    static let inCheckout: Bool = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) { return true }
            dir = dir.deletingLastPathComponent()
        }
        return false
    }()

    @Test func commitIsRecorded() {
        #expect(!Toolkit.gitCommit.isEmpty)
        if Self.inCheckout {
            #expect(Toolkit.gitCommit != "unknown")
            #expect(Toolkit.gitCommit.range(of: #"^[0-9a-f]{12}(-dirty)?$|-g[0-9a-f]{12}(-dirty)?$"#, options: .regularExpression) != nil,
                    "\(Toolkit.gitCommit)")
        }
    }

    /// The binary reports the commit even where no `git` can be found: it never asks git
    /// when it runs.
    @Test func binaryReportsTheCommitWithoutRunningGit() throws {
        let r = try CommandLineTests.threefactor(["--version"], environment: ["PATH": "/nonexistent"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(Toolkit.version) (commit \(Toolkit.gitCommit))")
    }
}
