import KilnCompiler
import KilnJSON
import KilnTargets

/// A program's estimated schedule as a Chrome trace (the JSON `traceEvents` format that
/// Perfetto and chrome://tracing open): one track per engine, the host, the host link and each
/// memory level, one slice per kernel, transfer or memory movement.
enum ChromeTrace {
    /// The trace of one inference.
    static func json(program: TargetProgram, cost: ProgramCost) -> String {
        var tracks: [String] = []
        func track(_ name: String) -> Int {
            if let index = tracks.firstIndex(of: name) { return index + 1 }
            tracks.append(name)
            return tracks.count
        }
        let hertz = program.target.clockMegahertz.value * 1e6
        var events: [JSONValue] = []
        var clock = 0.0  // microseconds
        for step in cost.steps {
            let start = clock
            let duration = step.seconds * 1e6
            let lane: String
            switch step.resource {
            case .accelerator: lane = "\(program.target.name): \(step.kernel)"
            case .host: lane = "host (\(program.target.host?.target ?? program.target.name))"
            case .link: lane = "host link"
            }
            events.append(slice(name: step.layer, category: step.kernel, start: start, duration: duration, track: track(lane),
                                arguments: [("cycles", .number(step.cost.totalCycles)), ("bound", .string(step.cost.bound.rawValue)),
                                            ("macs", .integer(Int64(step.counts.totalMultiplyAccumulates))),
                                            ("energyJoules", .number(step.energy.total))]))
            if step.resource == .accelerator {
                for level in program.target.memory {
                    let bytes = (step.counts.bytesRead[level.name] ?? 0) + (step.counts.bytesWritten[level.name] ?? 0)
                    guard bytes > 0 else { continue }
                    let bandwidth = max(level.readBytesPerCycle.value, 1e-9) * hertz
                    events.append(slice(name: "\(step.layer) \(bytes) B", category: "memory", start: start,
                                        duration: min(duration, Double(bytes) / bandwidth * 1e6), track: track("memory: \(level.name)"),
                                        arguments: [("bytes", .integer(Int64(bytes)))]))
                }
            }
            clock += duration
        }
        let names = tracks.enumerated().map { index, name -> JSONValue in
            .object(JSONObject([("name", .string("thread_name")), ("ph", .string("M")), ("pid", .integer(1)),
                                ("tid", .integer(Int64(index + 1))), ("args", .object(JSONObject([("name", .string(name))])))]))
        }
        let title = "\(program.graph.name) on \(program.target.name)"
        let process = JSONValue.object(JSONObject([
            ("name", .string("process_name")), ("ph", .string("M")), ("pid", .integer(1)),
            ("args", .object(JSONObject([("name", .string(title))]))),
        ]))
        return JSONWriter().write(.object(JSONObject([
            ("traceEvents", .array([process] + names + events)),
            ("displayTimeUnit", .string("ns")),
        ])))
    }

    private static func slice(name: String, category: String, start: Double, duration: Double, track: Int,
                              arguments: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject([
            ("name", .string(name)), ("cat", .string(category)), ("ph", .string("X")),
            ("ts", .number(start)), ("dur", .number(duration)), ("pid", .integer(1)), ("tid", .integer(Int64(track))),
            ("args", .object(JSONObject(arguments))),
        ]))
    }
}
