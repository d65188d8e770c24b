namespace Grains.Interfaces;

/// <summary>
/// Runs segmentation models on the silo it is called from. One model instance (ONNX sessions) per model name per
/// silo is shared by all activations; calls wait in a bounded queue per <see cref="InferenceLane"/> so the cores are
/// not oversubscribed. The decoded image and its embeddings are held by the image's <see cref="IImageGrain"/>.
/// </summary>
public interface IInferenceGrain : IGrainWithIntegerKey
{
    /// <summary>The mask for <paramref name="question"/>, on the image <paramref name="imageKey"/> (see <see cref="AnnotationKeys.Image"/>).</summary>
    Task<ModelAnswer> Predict(string imageKey, ModelQuestion question);

    /// <summary>Prepares what the next prediction for this instance will need (its earlier masks' state and the image region's embedding).</summary>
    Task Warm(string imageKey, ModelQuestion question);
}
