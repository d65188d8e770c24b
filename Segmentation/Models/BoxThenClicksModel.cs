using Segmentation.Imaging;

namespace Segmentation.Models;

/// <summary>
/// The paper's pair of models behind one interface: M_b answers prompts without clicks (the box alone),
/// M_b+c answers prompts with clicks. Each keeps its own per-image preparation and state.
/// </summary>
public sealed class BoxThenClicksModel(ISegmentationModel boxModel, ISegmentationModel clickModel) : ISegmentationModel
{
    public string Name => $"{boxModel.Name}+{clickModel.Name}";

    public IPreparedImage Prepare(RgbImage image) => new Prepared(image, boxModel.Prepare(image), clickModel.Prepare(image));

    public MaskPrediction Predict(IPreparedImage image, SegmentationPrompt prompt)
    {
        if (image is not Prepared prepared)
            throw new ArgumentException($"The image was prepared by another model than {Name}.", nameof(image));
        if (prompt.Clicks.Count == 0)
            return Wrap(boxModel.Predict(prepared.ForBox, prompt with { Previous = Unwrap(prompt.Previous, fromBoxModel: true) }), fromBoxModel: true);
        return Wrap(clickModel.Predict(prepared.ForClicks, prompt with { Previous = Unwrap(prompt.Previous, fromBoxModel: false) }), fromBoxModel: false);
    }

    private static PredictionState? Unwrap(PredictionState? state, bool fromBoxModel) =>
        state is PairState pair && pair.FromBoxModel == fromBoxModel ? pair.Inner : null;

    private static MaskPrediction Wrap(MaskPrediction prediction, bool fromBoxModel) =>
        prediction with { State = prediction.State is null ? null : new PairState(prediction.State, fromBoxModel) };

    public void Dispose()
    {
        boxModel.Dispose();
        clickModel.Dispose();
    }

    private sealed record PairState(PredictionState Inner, bool FromBoxModel) : PredictionState;

    private sealed class Prepared(RgbImage image, IPreparedImage forBox, IPreparedImage forClicks) : IPreparedImage
    {
        public RgbImage Image { get; } = image;
        public IPreparedImage ForBox { get; } = forBox;
        public IPreparedImage ForClicks { get; } = forClicks;

        public void Dispose()
        {
            ForBox.Dispose();
            ForClicks.Dispose();
        }
    }
}
