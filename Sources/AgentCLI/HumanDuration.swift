import ControlAPI
import Foundation

/// kubectl's AGE column (`HumanDuration` in k8s.io/apimachinery): precise while an object is
/// young, coarser as it ages (`12s`, `4m30s`, `15m`, `3h10m`, `20h`, `2d5h`, `300d`, `3y`).
/// The same rules, so that an operator reads our tables as they read kubectl's.
enum HumanDuration {
    static func format(_ duration: Duration) -> String {
        let (wholeSeconds, attoseconds) = duration.components
        let total = Double(wholeSeconds) + Double(attoseconds) / 1e18
        // Clocks of two hosts may disagree a little: up to two seconds ahead is "now".
        let seconds = Int(total)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let rest = seconds % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let rest = (hours / 24) % 365
            return rest == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(rest)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an object created at `creationTimestamp` (RFC 3339), or `<unknown>`
    /// without one, as kubectl shows it.
    static func age(of creationTimestamp: String?, now: Date) -> String {
        guard let creationTimestamp, let created = Kube.date(creationTimestamp) else { return "<unknown>" }
        let interval = now.timeIntervalSince(created)
        return format(.milliseconds(Int64((interval * 1000).rounded(.towardZero))))
    }
}
