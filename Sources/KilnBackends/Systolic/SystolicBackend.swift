import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// The `systolic` family: SCALE-Sim-style systolic arrays.
///
/// ``SystolicNumericsPass`` keeps the int8 graph and makes sure every requantization uses a rule
/// the array's output path implements; conv2d, dense and matmul run as GEMM tiles on the
/// rows × columns array with the configured dataflow, costed by Kiln's reproduction of
/// SCALE-Sim. The family also reads SCALE-Sim's own topology and configuration files
/// (``ScaleSimWorkloadFormat``).
public struct SystolicBackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `"systolic"`.
    public var family: String { "systolic" }
    /// The `systolic` section schema.
    public var targetSchema: any TargetFamilySchema { SystolicFamily() }

    /// Requantization-rule checking.
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        [SystolicNumericsPass(target: target, options: options)]
    }

    /// The GEMM patterns.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        [
            SystolicGEMMPattern(root: .conv2d),  // im2col GEMM tiles
            SystolicGEMMPattern(root: .dense),
            SystolicGEMMPattern(root: .matmul),
        ]
    }

    /// SCALE-Sim's cycles for GEMM units, the roofline for the rest.
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        SystolicCycleModel(target: target)
    }

    /// Processing elements (rows × columns).
    public func resourceFigure(for target: TargetDescription) -> ResourceFigure? {
        target.section(SystolicSection.self).map {
            ResourceFigure(name: "processingElements", unit: "PE", value: Double($0.rows.value) * Double($0.columns.value))
        }
    }

    /// SCALE-Sim topology CSVs (with `.cfg` configurations as targets).
    public var workloadFormats: [any WorkloadFormat] { [ScaleSimWorkloadFormat()] }
}
