import Foundation
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM ask the runner to stop at the next unit boundary: every
/// seed then commits what it has, with status "interrupted", and a rerun resumes.
public enum Interrupt {
    static let flag = Atomic<Bool>(false)

    /// True once a stop has been requested (by a signal or `request()`).
    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Requests a stop, as a Ctrl-C does.
    public static func request() { flag.store(true, ordering: .relaxed) }
    /// Withdraws the request (before another run in the same process).
    public static func reset() { flag.store(false, ordering: .relaxed) }

    /// Installs the handlers; a second Ctrl-C ends the process at once.
    public static func installHandlers() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if Interrupt.flag.load(ordering: .relaxed) { _exit(130) }
            Interrupt.flag.store(true, ordering: .relaxed)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A process inherits its parent's blocked-signal mask (test runners and some
        // supervisors block SIGINT); unblock the two signals so the handler can run.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
