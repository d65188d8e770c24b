namespace Grains.Interfaces;

/// <summary>How an annotator answered an instance in one round.</summary>
[GenerateSerializer, Alias("RoundOutcome")]
public enum RoundOutcome
{
    /// <summary>Clicks were given; the model has to draw the next mask.</summary>
    Corrected = 0,

    /// <summary>Zero clicks: the mask is accepted as it is.</summary>
    Accepted = 1,

    Skipped = 2,
}
