import KilnIR

extension TargetProgram {
    /// The program as an annotated listing: memory map, then each step with its loop nest.
    ///
    /// The listing is meant to read like a schedule file for the hardware: buffers with their
    /// level and address, kernels in order with the graph nodes they implement, host fallbacks
    /// with their reason, and host-link transfers with their size.
    public func listing() -> String {
        var lines: [String] = [
            "; kiln listing: \(graph.name) on \(target.name) (\(target.family), \(formatMegahertz(target.clockMegahertz.value)) MHz)",
        ]
        for note in notes {
            lines.append("; \(note.pass)\(note.node.map { " [\($0)]" } ?? ""): \(note.message)")
        }
        lines.append("")
        lines.append("memory:")
        for level in target.memory {
            let used = peakBytesPerLevel[level.name] ?? 0
            lines.append("  \(level.name): \(used) of \(level.sizeBytes.value) bytes")
        }
        lines.append("")
        lines.append("buffers:")
        let nameWidth = buffers.map(\.value.count).max() ?? 0
        for buffer in buffers {
            let type = graph.types[buffer.value].map(String.init(describing:)) ?? ""
            let address = "0x" + String(buffer.offset, radix: 16).leftPadded(to: 6)
            lines.append("  \(buffer.value.rightPadded(to: nameWidth))  \(buffer.level) +\(address)  \(String(buffer.bytes).leftPadded(to: 7, with: " ")) B  \(buffer.isConstant ? "const " : "")\(type)")
        }
        lines.append("")
        lines.append("program:")
        var index = 0
        for step in steps {
            switch step {
            case .transfer(let transfer):
                lines.append("  --  transfer \(transfer.value) \(transfer.toHost ? "accelerator → host" : "host → accelerator"): \(transfer.bytes) B over the host link")
            case .kernel(let kernelStep):
                let covered = kernelStep.kernel.nodes.map(\.name).joined(separator: ", ")
                switch kernelStep.placement {
                case .accelerator:
                    lines.append("  \(String(index).leftPadded(to: 2, with: " "))  \(kernelStep.kernel.name)  ; \(covered)")
                case .host(let reason):
                    lines.append("  \(String(index).leftPadded(to: 2, with: " "))  [host] \(kernelStep.kernel.name)  ; \(covered) — \(reason)")
                }
                lines.append("        in: \(kernelStep.kernel.inputs.joined(separator: ", "))  out: \(kernelStep.kernel.outputs.joined(separator: ", "))")
                for line in kernelStep.kernel.listing() { lines.append("        \(line)") }
                index += 1
            }
        }
        return lines.joined(separator: "\n")
    }

    private func formatMegahertz(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension String {
    /// Pads on the left to `width` with `pad` (zeros by default).
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }

    /// Pads on the right with spaces to `width`.
    func rightPadded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
