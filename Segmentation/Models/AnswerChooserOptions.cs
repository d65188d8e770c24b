namespace Segmentation.Models;

/// <summary>How an <see cref="AnswerChooser"/> is trained, and the gain it needs to replace the runner's own answer.</summary>
public sealed record AnswerChooserOptions
{
    public int Trees { get; init; } = 200;
    public int Leaves { get; init; } = 16;
    public int MinExamplesPerLeaf { get; init; } = 20;
    public double LearningRate { get; init; } = 0.1;

    /// <summary>An answer replaces the runner's own only when its estimated gain is above this.</summary>
    public double MinGain { get; init; } = 0.01;

    public int Seed { get; init; } = 1;
}
