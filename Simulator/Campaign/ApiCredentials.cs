using System.Collections.Concurrent;

namespace Simulator.Campaign;

/// <summary>
/// Who the simulator signs in as: the manager's API token (<c>--token</c> or <c>ANNOTATION_API_TOKEN</c>) for campaign
/// calls, and one token per simulated annotator, made for the run, for that annotator's own calls.
/// </summary>
public sealed class ApiCredentials(string managerToken)
{
    public const string TokenVariable = "ANNOTATION_API_TOKEN";

    readonly ConcurrentDictionary<string, AnnotatorAccess> annotators = new(StringComparer.Ordinal);

    public string ManagerToken { get; } = managerToken;

    /// <summary>The token to send for a call on behalf of <paramref name="annotatorId"/>, or for a manager call when null.</summary>
    public string TokenFor(string? annotatorId) =>
        annotatorId is null ? ManagerToken
        : annotators.TryGetValue(annotatorId, out var access) ? access.Token
        : throw new CampaignFailedException($"Annotator {annotatorId} has no token; the run did not set up its account.");

    public bool HasAnnotator(string annotatorId) => annotators.ContainsKey(annotatorId);

    public void SetAnnotator(string annotatorId, AnnotatorAccess access) => annotators[annotatorId] = access;

    public IReadOnlyDictionary<string, AnnotatorAccess> Annotators => annotators;
}

/// <summary>A simulated annotator's token and its id (to revoke it after the run).</summary>
public sealed record AnnotatorAccess(string Token, string TokenId);
