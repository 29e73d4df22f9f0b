import Dispatch
import Foundation

/// Ctrl-C (SIGINT) as a flag a long command polls between units of work, so it can stop and
/// still print what it finished. The first Ctrl-C sets the flag and restores the default
/// action, so a second one ends the process at once.
final class InterruptSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var source: DispatchSourceSignal?

    /// Starts catching SIGINT (only when `enabled`: tests and library callers keep the default).
    init(enabled: Bool) {
        guard enabled else { return }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            self?.raise()
            signal(SIGINT, SIG_DFL)
        }
        source.resume()
        self.source = source
    }

    deinit {
        source?.cancel()
        if source != nil { signal(SIGINT, SIG_DFL) }
    }

    /// Sets the flag (what Ctrl-C does; tests call it directly).
    func raise() {
        lock.lock(); defer { lock.unlock() }
        raised = true
    }

    /// Whether Ctrl-C was pressed.
    var isRaised: Bool {
        lock.lock(); defer { lock.unlock() }
        return raised
    }
}
