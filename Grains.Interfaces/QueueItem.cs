namespace Grains.Interfaces;

/// <summary>An instance to enqueue, with its priority and optional front rank (see <see cref="IWorkQueueGrain.Enqueue"/>).</summary>
[GenerateSerializer, Immutable, Alias("QueueItem")]
public sealed record QueueItem(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] int Priority,
    [property: Id(2)] double? FrontRank = null);
