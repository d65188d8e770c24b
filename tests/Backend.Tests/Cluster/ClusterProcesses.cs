namespace Backend.Tests.Cluster;

/// <summary>
/// The tests that start clusters, gateways and load runs as processes: run one at a time, not beside each other, so
/// that on a small machine no silo is declared dead for want of a processor.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcesses
{
    public const string Name = "Cluster processes";
}
