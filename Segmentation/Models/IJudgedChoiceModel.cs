using Segmentation.Masks;

namespace Segmentation.Models;

/// <summary>A model that can show an evaluation the answers it could give to a prompt (<see cref="JudgedChoice"/>), so a judge picks the best.</summary>
public interface IJudgedChoiceModel : ISegmentationModel
{
    /// <summary>
    /// Like <see cref="ISegmentationModel.Predict"/>, but the answer that stands is the one among <paramref name="choice"/>
    /// that <paramref name="judge"/> scores highest (the model's own answer on ties), named in <see cref="JudgedPrediction.Pick"/>.
    /// For yardsticks in evaluation only.
    /// </summary>
    JudgedPrediction PredictJudged(IPreparedImage image, SegmentationPrompt prompt, Func<BinaryMask, double> judge, JudgedChoice choice);
}
