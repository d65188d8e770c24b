using Grains.Inference;
using Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Grains;

/// <summary>
/// Keeps one image (pixels, embeddings, per-instance model state) resident in its silo while the image is in use.
/// Reentrant because it only waits on the inference grain: previews and warm-ups of several instances on the same
/// image may overlap, and the resident image is safe for concurrent use.
/// </summary>
[Reentrant]
[CollectionAgeLimit(Minutes = 10)]
// The image, its embeddings and its model calls (the inference grain is a stateless worker, local to its caller) stay on
// one silo, and that silo runs models, on a GPU if the cluster has one.
[ModelSiloFilter]
public sealed class ImageGrain(ResidentImages images, IOptions<InferenceOptions> options, ILogger<ImageGrain> logger) : Grain, IImageGrain
{
    string ImageKey => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Placed here before this silo's kind reached the placing silo: refused, so the next call is placed again.
        if (options.Value.Models == ModelSiloKind.None)
            throw new InvalidOperationException($"Image {ImageKey} cannot live on this silo: it runs no models (--Inference:Models none).");
        return Task.CompletedTask;
    }

    public Task<ModelAnswer> Predict(ModelQuestion question) =>
        GrainFactory.GetGrain<IInferenceGrain>(0).Predict(ImageKey, question);

    public async Task Warm(ModelQuestion question)
    {
        try
        {
            await GrainFactory.GetGrain<IInferenceGrain>(0).Warm(ImageKey, question);
        }
        catch (Exception ex)
        {
            // Warming is an optimisation; the real call will fail (and report) the same way if the problem persists.
            logger.LogWarning(ex, "Warming {InstanceKey} on {ImageKey} failed", question.InstanceKey, ImageKey);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        images.Evict(ImageKey);
        logger.LogDebug("Image {ImageKey} released ({Reason})", ImageKey, reason.Description);
        return Task.CompletedTask;
    }
}
