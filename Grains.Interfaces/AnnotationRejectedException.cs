namespace Grains.Interfaces;

/// <summary>
/// A request that the grain refused because of its input or the entity's current state.
/// A rejected call changes nothing. <see cref="Code"/> is one of <see cref="RejectionCodes"/>;
/// <see cref="Field"/> names the offending input (for example <c>clicks[2]</c>) or the state that refused it.
/// </summary>
[GenerateSerializer, Alias("AnnotationRejectedException")]
public sealed class AnnotationRejectedException : Exception
{
    public AnnotationRejectedException(string code, string field, string message) : base(message)
    {
        Code = code;
        Field = field;
    }

    [Id(0)] public string Code { get; }

    [Id(1)] public string Field { get; }
}

/// <summary>The stable machine-readable codes carried by <see cref="AnnotationRejectedException"/>.</summary>
public static class RejectionCodes
{
    public const string Invalid = "invalid";
    public const string NotInitialized = "not_initialized";
    public const string AlreadyInitialized = "already_initialized";
    public const string WrongRound = "wrong_round";
    public const string WrongStatus = "wrong_status";
    public const string TooManyClicks = "too_many_clicks";
    public const string ClickOutsideImage = "click_outside_image";
    public const string LeaseNotHeld = "lease_not_held";
    public const string InvalidMask = "invalid_mask";
    public const string MaskAlreadySet = "mask_already_set";
    public const string NotQualified = "not_qualified";
    public const string CampaignNotRunning = "campaign_not_running";
    public const string InvalidTransition = "invalid_transition";
    public const string AlreadyPainted = "already_painted";
    public const string AlreadyQualified = "already_qualified";
    public const string RetryLater = "retry_later";
}
