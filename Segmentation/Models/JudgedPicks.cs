namespace Segmentation.Models;

/// <summary>The names of the answers a judge can choose (<see cref="JudgedPrediction.Pick"/>).</summary>
public static class JudgedPicks
{
    public const string OwnAnswer = "own answer";
    public const string PreviousMask = "previous mask";

    /// <summary>Appended to a way of asking whose answer was applied only near the new clicks.</summary>
    public const string NearTheClicks = ", near the clicks";
}
