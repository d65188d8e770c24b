namespace Segmentation.Quality;

/// <summary>What a corrective click did, judged against a reference mask and the mask the annotator was shown.</summary>
public enum ClickVerdict
{
    /// <summary>In a true error region, with the right polarity: a foreground click on object the mask missed, or a background click on what it wrongly covers.</summary>
    Corrects,

    /// <summary>The right polarity on a pixel the mask already had right: no harm, no help.</summary>
    Redundant,

    /// <summary>The wrong polarity for the pixel: it asks the model to make that pixel wrong.</summary>
    Contradicts,

    /// <summary>Too close to the reference's boundary (or in its ignored area) to judge: not counted.</summary>
    Unjudged,
}
