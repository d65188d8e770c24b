using System.Globalization;
using System.Text;

namespace Grains.Interfaces;

/// <summary>Builds and parses the string keys of the annotation grains.</summary>
public static class AnnotationKeys
{
    /// <summary>The key of an instance grain: <c>"{campaignId}/{instanceId}"</c>.</summary>
    public static string Instance(string campaignId, string instanceId)
    {
        RequireId(campaignId, nameof(campaignId));
        RequireId(instanceId, nameof(instanceId));
        return $"{campaignId}/{instanceId}";
    }

    public static (string CampaignId, string InstanceId) ParseInstance(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
            throw new FormatException($"Instance key '{key}' is not of the form campaignId/instanceId.");
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Splits an instance key whose two parts are valid ids; false for anything else.</summary>
    public static bool TryParseInstance(string? key, out string campaignId, out string instanceId)
    {
        campaignId = instanceId = "";
        var slash = key?.IndexOf('/') ?? -1;
        if (slash <= 0 || !IsValidId(key![..slash]) || !IsValidId(key[(slash + 1)..])) return false;
        (campaignId, instanceId) = (key[..slash], key[(slash + 1)..]);
        return true;
    }

    /// <summary>The key of a work queue shard: <c>"{campaignId}/{round}/{shard}"</c>.</summary>
    public static string WorkQueue(string campaignId, int round, int shard)
    {
        RequireId(campaignId, nameof(campaignId));
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        return string.Create(CultureInfo.InvariantCulture, $"{campaignId}/{round}/{shard}");
    }

    /// <summary>
    /// The key of a painting queue shard: <c>"{campaignId}/p{pass}/{shard}"</c>, pass 1 for the first painting of a reference
    /// instance and 2 for the second. Its rows are stored as round <see cref="PaintingQueueRound"/>.
    /// </summary>
    public static string PaintQueue(string campaignId, int pass, int shard)
    {
        RequireId(campaignId, nameof(campaignId));
        ArgumentOutOfRangeException.ThrowIfLessThan(pass, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pass, MaxPaintingPasses);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        return string.Create(CultureInfo.InvariantCulture, $"{campaignId}/p{pass}/{shard}");
    }

    public const int MaxPaintingPasses = 2;

    /// <summary>The stored queue round of painting pass <paramref name="pass"/>: negative, so it never meets an annotation round.</summary>
    public static int PaintingQueueRound(int pass) => -pass;

    /// <summary>Parses a work queue or a painting queue key (whose round is <see cref="PaintingQueueRound"/>).</summary>
    public static (string CampaignId, int Round, int Shard) ParseWorkQueue(string key)
    {
        var parts = key.Split('/');
        var painting = parts.Length == 3 && parts[1].StartsWith('p');
        if (parts.Length != 3
            || parts[0].Length == 0
            || !int.TryParse(painting ? parts[1].AsSpan(1) : parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var round)
            || (painting && round is < 1 or > MaxPaintingPasses)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var shard))
            throw new FormatException($"Work queue key '{key}' is not of the form campaignId/round/shard.");
        return (parts[0], painting ? PaintingQueueRound(round) : round, shard);
    }

    /// <summary>The key of an image grain: <c>"{campaignId}/{imagePath}"</c> (the path relative to the campaign's image root).</summary>
    public static string Image(string campaignId, string imagePath)
    {
        RequireId(campaignId, nameof(campaignId));
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        return $"{campaignId}/{imagePath}";
    }

    /// <summary>The key of a per-shard campaign grain (model work, instance index): <c>"{campaignId}/{shard}"</c>.</summary>
    public static string CampaignShard(string campaignId, int shard)
    {
        RequireId(campaignId, nameof(campaignId));
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        return string.Create(CultureInfo.InvariantCulture, $"{campaignId}/{shard}");
    }

    public static (string CampaignId, int Shard) ParseCampaignShard(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var shard))
            throw new FormatException($"Campaign shard key '{key}' is not of the form campaignId/shard.");
        return (key[..slash], shard);
    }

    /// <summary>
    /// True when <paramref name="id"/> can be a campaign, instance or annotator id: non-empty, not <c>.</c> or <c>..</c>
    /// (which a URL path cannot address), no '/', no control characters, at most 200 characters.
    /// </summary>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= 200 && id is not ("." or "..") && !id.Contains('/') && !id.Any(char.IsControl);

    static void RequireId(string id, string name)
    {
        if (!IsValidId(id))
            throw new ArgumentException($"'{id}' is not a valid id (non-empty, no '/', at most 200 characters).", name);
    }
}

/// <summary>
/// Maps an instance id to its work queue shard. The hash is FNV-1a over the id's UTF-8 bytes, so the
/// mapping is the same in every process and every run (unlike <see cref="string.GetHashCode()"/>).
/// </summary>
public static class ShardMap
{
    public const int MaxShards = 1024;

    public static int ShardOf(string instanceId, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardCount, MaxShards);
        return (int)(StableHash(instanceId) % (uint)shardCount);
    }

    /// <summary>32-bit FNV-1a of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static uint StableHash(string text)
    {
        var hash = 2166136261u;
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var n = rune.EncodeToUtf8(buffer);
            for (var i = 0; i < n; i++)
            {
                hash ^= buffer[i];
                hash *= 16777619u;
            }
        }
        return hash;
    }
}
