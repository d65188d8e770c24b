namespace Grains.Interfaces;

/// <summary>One item of a qualification attempt: the object, and for corrective clicks the model's mask to correct.</summary>
[GenerateSerializer, Immutable, Alias("QualificationItemTask")]
public sealed record QualificationItemTask(
    [property: Id(0)] string Kind,
    [property: Id(1)] int Item,
    [property: Id(2)] int Of,
    [property: Id(3)] string InstanceKey,
    [property: Id(4)] InstanceSpec Spec,
    [property: Id(5)] MaskRle? Mask);
