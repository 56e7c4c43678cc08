/// What a run log records about the software that wrote it.
public enum Toolkit {
    /// The toolkit's version (semantic versioning), recorded as `toolkit_version`.
    public static let version = "0.1.0"

    /// The commit of the source tree the binary was built from (`-dirty` when it had
    /// uncommitted changes), or "unknown" when it was built outside a git checkout. The
    /// BuildCommit plugin records it at build time: the checkout may have moved on since.
    public static let gitCommit: String = BuildCommit.describe

    /// The compiler's language version the binary was built with (`swift_version`), to the
    /// minor version.
    public static let swiftVersion: String = {
        #if compiler(>=6.4)
        "6.4 or later"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "6.1 or earlier"
        #endif
    }()
}
