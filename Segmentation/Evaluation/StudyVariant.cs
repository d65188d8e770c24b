namespace Segmentation.Evaluation;

/// <summary>One setting of the design-space study: which study it belongs to, its label, and the protocol it runs.</summary>
public sealed record StudyVariant(string Study, string Label, ProtocolSettings Settings);
