using Orleans.Concurrency;

namespace Grains.Interfaces;

/// <summary>
/// One image of a campaign (key <c>"{campaignId}/{imagePath}"</c>). While active it keeps the decoded pixels, the
/// model's embeddings and each instance's model state in the silo's memory, so every instance and click on the image
/// reuses them; it deactivates when idle and the memory is freed.
/// </summary>
public interface IImageGrain : IGrainWithStringKey
{
    Task<ModelAnswer> Predict(ModelQuestion question);

    /// <summary>Prepares the next prediction for an instance in the background; returns at once.</summary>
    [OneWay]
    Task Warm(ModelQuestion question);
}
