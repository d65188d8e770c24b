using ApiGateway.Security;
using Grains.Interfaces;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace ApiGateway.Api;

public static class ImageEndpoints
{
    static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/images/{campaignId}/{**path}", GetImage).WithTags("Images").RequireAuthorization(Security.Policies.CampaignMember)
            .WithSummary("An image of the campaign, from under its image root only, with caching headers.");

    /// <summary>The URL of an image of the campaign, for task pages.</summary>
    public static string Url(string campaignId, string imagePath) =>
        "/api/v1/images/" + Uri.EscapeDataString(campaignId) + "/" + string.Join('/', imagePath.Split('/').Select(Uri.EscapeDataString));

    static async Task<IResult> GetImage(string campaignId, string? path, HttpContext http, IGrainFactory grains, ImageRoots imageRoots)
    {
        var info = await ManagerEndpoints.RequireCampaign(grains, campaignId);
        // Annotators see the image of the task they hold, nothing else under the root (ground-truth masks may live there).
        if (!http.User.IsManager() && !await IsLeasedImage(grains, http.User.UserName(), campaignId, path))
            throw new ApiProblemException(403, "forbidden", "path", "Annotators may load the image of the task they hold, and no other file.");
        return Serve(http, imageRoots, info, path);
    }

    /// <summary>The image <paramref name="path"/> under the campaign's image root, with caching headers; 404 when it is not an image there.</summary>
    public static IResult Serve(HttpContext http, ImageRoots imageRoots, CampaignInfo info, string? path)
    {
        // Checked on every request, not only at creation: the server's roots may have been narrowed since.
        if (!imageRoots.Contains(info.Settings.ImageRoot))
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "path", $"Campaign {info.CampaignId}'s image root is outside the server's image roots.");
        var file = Resolve(info.Settings.ImageRoot, path)
            ?? throw new ApiProblemException(404, RejectionCodes.NotInitialized, "path", $"No image '{ProblemText.Shorten(path)}' under the campaign's image root.");
        if (!ContentTypes.TryGetContentType(file, out var contentType) || !contentType.StartsWith("image/", StringComparison.Ordinal))
            throw new ApiProblemException(404, RejectionCodes.NotInitialized, "path", $"'{ProblemText.Shorten(path)}' is not an image file.");
        var fileInfo = new FileInfo(file);
        var tag = new EntityTagHeaderValue($"\"{fileInfo.Length:x}-{fileInfo.LastWriteTimeUtc.Ticks:x}\"");
        // Private: the image is only for the campaign's members.
        http.Response.Headers.CacheControl = "private, max-age=86400";
        return Results.File(file, contentType, lastModified: fileInfo.LastWriteTimeUtc, entityTag: tag);
    }

    static async Task<bool> IsLeasedImage(IGrainFactory grains, string annotatorId, string campaignId, string? path)
    {
        if (await grains.GetGrain<IAnnotatorGrain>(annotatorId).GetLease() is not { } lease || lease.CampaignId != campaignId) return false;
        var spec = (await grains.GetGrain<IInstanceGrain>(lease.InstanceKey).GetState()).Spec;
        return spec is not null && string.Equals(spec.ImagePath, path, StringComparison.Ordinal);
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or null when it is outside the root or not a file.</summary>
    public static string? Resolve(string root, string? relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.Contains('\\') || relative.Contains('\0')) return null;
        var rootFull = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(rootFull, relative));
        var prefix = rootFull.EndsWith(Path.DirectorySeparatorChar) ? rootFull : rootFull + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal)) return null;
        // Checked first: resolving the link target of a path that does not exist throws.
        if (!File.Exists(full)) return null;
        // A symbolic link inside the root, the file's or a folder's on the way to it, must not lead outside it either.
        try
        {
            for (var path = full; path.Length > prefix.Length; path = Path.GetDirectoryName(path)!)
            {
                var link = path == full ? File.ResolveLinkTarget(path, returnFinalTarget: true) : Directory.ResolveLinkTarget(path, returnFinalTarget: true);
                if (link is not null && !link.FullName.StartsWith(prefix, StringComparison.Ordinal)) return null;
            }
        }
        catch (IOException)
        {
            return null;
        }
        return full;
    }
}
