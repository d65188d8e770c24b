namespace Grains.Interfaces;

/// <summary>Which queue of the silo's model runner a call waits in.</summary>
[GenerateSerializer, Alias("InferenceLane")]
public enum InferenceLane
{
    /// <summary>Work nobody waits for on screen: round-0 masks, masks after a submission, warming.</summary>
    Background = 0,

    /// <summary>An annotator is waiting for the answer (live preview).</summary>
    Interactive = 1,

    /// <summary>
    /// Background work someone will wait for soon (warming a leased task, the mask after a submission): it shares
    /// the background slots but goes before bulk work such as round-0 masks.
    /// </summary>
    Soon = 2,
}
