namespace Grains.Interfaces;

/// <summary>After one round: the instances with a reference mask, and their masks' mean IoU and boundary F (5 px) with it.</summary>
[GenerateSerializer, Immutable, Alias("ReferenceRoundQuality")]
public sealed record ReferenceRoundQuality(
    [property: Id(0)] int Round,
    [property: Id(1)] int Instances,
    [property: Id(2)] double MeanIoU,
    [property: Id(3)] double MeanBoundaryF);

[GenerateSerializer, Immutable, Alias("ClassReferenceQuality")]
public sealed record ClassReferenceQuality(
    [property: Id(0)] string ClassName,
    [property: Id(1)] int Instances,
    [property: Id(2)] IReadOnlyList<ReferenceRoundQuality> Rounds);

/// <summary>Two painters' masks of the same instances against each other: the ceiling of what the campaign's masks can reach.</summary>
[GenerateSerializer, Immutable, Alias("HumanAgreement")]
public sealed record HumanAgreement(
    [property: Id(0)] int Instances,
    [property: Id(1)] double MeanIoU,
    [property: Id(2)] double MeanBoundaryF);

/// <summary>The campaign's masks against its reference masks, round by round, for all instances and per class, and the human agreement.</summary>
[GenerateSerializer, Immutable, Alias("ReferenceQualityReport")]
public sealed record ReferenceQualityReport(
    [property: Id(0)] int References,
    [property: Id(1)] IReadOnlyList<ReferenceRoundQuality> Rounds,
    [property: Id(2)] IReadOnlyList<ClassReferenceQuality> Classes,
    [property: Id(3)] HumanAgreement? Agreement);
