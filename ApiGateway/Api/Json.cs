using System.Text.Json;
using System.Text.Json.Serialization;
using Grains.Interfaces;

namespace ApiGateway.Api;

public static class Json
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }

    public static string EnumName<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>Reads the request body as <typeparamref name="T"/>; malformed or missing JSON is a 400 naming where it broke.</summary>
    public static async Task<T> ReadBody<T>(HttpRequest request, CancellationToken cancellation) where T : class
    {
        if (request.ContentLength == 0)
            throw new ApiProblemException(400, "malformed_json", "body", "The request needs a JSON body.");
        // JSON only: a browser cannot send this type to another site without asking it first (a CORS preflight),
        // which keeps other sites from posting forms here.
        if (!request.HasJsonContentType())
            throw new ApiProblemException(415, "unsupported_media_type", "Content-Type",
                $"The body must be JSON (Content-Type: application/json), not '{ProblemText.Shorten(request.ContentType)}'.");
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellation)
                ?? throw new ApiProblemException(400, "malformed_json", "body", "The JSON body is null.");
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            throw new ApiProblemException(400, "malformed_json", path,
                $"The JSON body could not be read at {e.Path ?? "$"} (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {FirstSentence(e.Message)}");
        }
    }

    static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i < 0 ? message : message[..(i + 1)];
    }

    public static void RequireId(string? id, string field)
    {
        if (!AnnotationKeys.IsValidId(id))
            throw new ApiProblemException(400, RejectionCodes.Invalid, field,
                $"'{ProblemText.Shorten(id)}' is not a valid id (non-empty, not . or .., no '/', no control characters, at most 200 characters).");
    }

    /// <summary>Campaign ids appear in URLs, file names and logs: ASCII letters, digits and <c>-_.~</c>, at most 100, not . or ..</summary>
    public static void RequireCampaignId(string? id, string field)
    {
        var ok = id is { Length: > 0 and <= 100 } && id is not ("." or "..")
            && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~');
        if (!ok)
            throw new ApiProblemException(400, RejectionCodes.Invalid, field,
                $"'{ProblemText.Shorten(id)}' is not a valid campaign id (ASCII letters, digits and -_.~, at most 100 characters, not . or ..).");
    }

    public static IReadOnlyList<SubmittedClick> Clicks(List<ClickDto?>? clicks)
    {
        if (clicks is null) throw new ApiProblemException(400, RejectionCodes.Invalid, "clicks", "Clicks are missing (send [] for none).");
        var result = new List<SubmittedClick>(clicks.Count);
        for (var i = 0; i < clicks.Count; i++)
        {
            var c = clicks[i] ?? throw new ApiProblemException(400, RejectionCodes.Invalid, $"clicks[{i}]", "Click is null.");
            if (c.X is not { } x || !double.IsFinite(x)) throw new ApiProblemException(400, RejectionCodes.Invalid, $"clicks[{i}].x", "x is missing or not a finite number.");
            if (c.Y is not { } y || !double.IsFinite(y)) throw new ApiProblemException(400, RejectionCodes.Invalid, $"clicks[{i}].y", "y is missing or not a finite number.");
            var label = c.Label switch
            {
                "foreground" => ClickPolarity.Foreground,
                "background" => ClickPolarity.Background,
                _ => throw new ApiProblemException(400, RejectionCodes.Invalid, $"clicks[{i}].label", $"label must be \"foreground\" or \"background\", got {(c.Label is null ? "nothing" : $"\"{c.Label}\"")}."),
            };
            result.Add(new SubmittedClick(x, y, label));
        }
        return result;
    }
}
