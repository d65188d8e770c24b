namespace Grains.Interfaces;

[GenerateSerializer, Alias("InstanceStatus")]
public enum InstanceStatus
{
    NotInitialized = 0,

    /// <summary>Waiting for the model's mask of <see cref="InstanceView.CurrentRound"/>.</summary>
    WaitingForModel = 1,

    /// <summary>Waiting in the work queue of annotation round <see cref="InstanceView.CurrentRound"/>.</summary>
    Queued = 2,

    Leased = 3,
    Done = 4,
    Skipped = 5,
}
