using Segmentation.Models;

namespace Segmentation.Evaluation;

/// <summary>One judged model call read back from a log: the instance, the call's index and every answer scored, the runner's own first.</summary>
public sealed record JudgedCall(string Instance, int Call, IReadOnlyList<JudgedOption> Options);
