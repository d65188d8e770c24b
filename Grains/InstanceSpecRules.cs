using Grains.Interfaces;

namespace Grains;

/// <summary>What an imported instance must satisfy; checked once, when the import writes its row.</summary>
public static class InstanceSpecRules
{
    public const int MaxRounds = 20;
    public const int MaxClicksLimit = 100;

    /// <exception cref="AnnotationRejectedException">The first rule the instance breaks, naming its field.</exception>
    public static void Validate(string instanceId, InstanceSpec spec, MaskRle? groundTruth)
    {
        if (!AnnotationKeys.IsValidId(instanceId))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "instanceId", "Invalid instance id.");
        if (spec is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(spec), "Spec is missing.");
        if (string.IsNullOrWhiteSpace(spec.ImagePath) || Path.IsPathRooted(spec.ImagePath) || spec.ImagePath.Contains('\\')
            || spec.ImagePath.Split('/').Any(p => p is "" or "." or ".."))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "imagePath",
                $"Image path '{spec.ImagePath}' must be relative, with '/' separators and no '.' or '..' parts.");
        if (spec.ImageWidth <= 0 || spec.ImageHeight <= 0 || (long)spec.ImageWidth * spec.ImageHeight > int.MaxValue)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "imageSize", $"Image size {spec.ImageWidth}x{spec.ImageHeight} is invalid.");
        var b = spec.Box;
        if (b is null || !(double.IsFinite(b.X0) && double.IsFinite(b.Y0) && double.IsFinite(b.X1) && double.IsFinite(b.Y1))
            || !(b.X0 < b.X1 && b.Y0 < b.Y1) || b.X0 < 0 || b.Y0 < 0 || b.X1 > spec.ImageWidth || b.Y1 > spec.ImageHeight)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "box",
                $"Box {b} must have x0 < x1, y0 < y1 and lie inside the {spec.ImageWidth}x{spec.ImageHeight} image.");
        if (string.IsNullOrWhiteSpace(spec.ClassName))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "className", "Class name is empty.");
        if (spec.Rounds is < 1 or > InstanceSpecRules.MaxRounds)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "rounds", $"Rounds {spec.Rounds} is outside [1, {InstanceSpecRules.MaxRounds}].");
        if (spec.MaxClicksPerRound is < 1 or > InstanceSpecRules.MaxClicksLimit)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "maxClicksPerRound",
                $"Max clicks per round {spec.MaxClicksPerRound} is outside [1, {InstanceSpecRules.MaxClicksLimit}].");
        if (spec.ShardCount is < 1 or > ShardMap.MaxShards)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "shardCount", $"Shard count {spec.ShardCount} is outside [1, {ShardMap.MaxShards}].");
        if (!ModelNames.All.Contains(spec.ModelName))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "modelName", $"Unknown model '{spec.ModelName}' (known: {string.Join(", ", ModelNames.All)}).");
        if (groundTruth is not null && MaskRleConversions.Problem(groundTruth, spec.ImageHeight, spec.ImageWidth) is { } problem)
            throw new AnnotationRejectedException(RejectionCodes.InvalidMask, "groundTruth", problem);
    }
}
