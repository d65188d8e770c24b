namespace Grains.Interfaces;

[GenerateSerializer, Alias("SubmissionOutcome")]
public enum SubmissionOutcome
{
    /// <summary>Clicks were recorded; the next mask has to come from the model (<see cref="IInstanceGrain.SetModelMask"/>).</summary>
    NeedsModel = 0,

    /// <summary>Zero clicks: the current mask is final.</summary>
    Accepted = 1,

    Skipped = 2,
}
