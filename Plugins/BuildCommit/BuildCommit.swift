import Foundation
import PackagePlugin

/// Records, at build time, the git commit the sources were built from: a generated Swift
/// file defines `BuildCommit.describe`, which run logs store as `git_commit`. Reading it
/// when the binary runs would instead report wherever the checkout has moved since.
///
/// A prebuild command runs before every build, so the value follows each new commit; the
/// script rewrites the file only when the value changes, so that an unchanged commit
/// costs no recompilation. Outside a git checkout (a source archive) the value is
/// "unknown".
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let file = output.appending(path: "BuildCommit.swift")
        let script = #"""
            set -u
            commit=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null | tr -cd 'A-Za-z0-9._/+-') || commit=unknown
            [ -n "$commit" ] || commit=unknown
            mkdir -p "$2"
            text=$(printf '// Generated at build time by the BuildCommit plugin.\nenum BuildCommit {\n    static let describe = "%s"\n}\n' "$commit")
            if [ ! -f "$3" ] || [ "$(cat "$3")" != "$text" ]; then printf '%s\n' "$text" > "$3"; fi
            """#
        return [.prebuildCommand(
            displayName: "Recording the git commit of \(context.package.displayName)",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path, file.path],
            outputFilesDirectory: output
        )]
    }
}
