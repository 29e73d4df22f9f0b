// Former names, kept for one minor release as docs/compatibility.md promises.

extension ProgramCost {
    /// The former name of ``Resource``, which read like ``TargetProgram/Placement`` (a kernel's
    /// place and the reason for it) though it names the resource a step's time occupies.
    @available(*, deprecated, renamed: "Resource")
    public typealias Placement = Resource
}

extension ProgramCost.Step {
    /// The former name of ``resource``.
    @available(*, deprecated, renamed: "resource")
    public var placement: ProgramCost.Resource { resource }
}

extension ProgramCost.OperatorShare {
    /// The former name of ``resource``.
    @available(*, deprecated, renamed: "resource")
    public var placement: ProgramCost.Resource { resource }
}
