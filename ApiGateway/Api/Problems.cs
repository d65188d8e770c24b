using Grains;
using Grains.Interfaces;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ApiGateway.Api;

/// <summary>A request the API refuses; becomes an RFC 7807 problem naming <see cref="Field"/>.</summary>
public sealed class ApiProblemException(int status, string code, string field, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Field { get; } = field;
    public IReadOnlyList<ImportRowErrorDto>? Errors { get; init; }
}

/// <summary>Turns refusals (from the API or from grains) into problem+json responses; other exceptions fall through to a 500 problem.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        var (status, code, field, errors) = exception switch
        {
            ApiProblemException p => (p.Status, p.Code, p.Field, p.Errors),
            AnnotationRejectedException r => (StatusFor(r.Code), r.Code, r.Field, (IReadOnlyList<ImportRowErrorDto>?)null),
            BadHttpRequestException b => (b.StatusCode, b.StatusCode == 413 ? "too_large" : RejectionCodes.Invalid, BindingField(b.Message), null),
            _ when TransientFailures.IsStorageFailure(exception) => (StatusCodes.Status503ServiceUnavailable, "storage_unavailable", "storage", null),
            _ when TransientFailures.IsClusterFailure(exception) => (StatusCodes.Status503ServiceUnavailable, "cluster_unavailable", "cluster", null),
            _ => (0, "", "", null),
        };
        if (status == 0) return false;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            // Nothing was acknowledged: the grain that failed to write dropped its change, or a silo that was lost never
            // answered; the same request (with the same submission id) can be sent again and is applied once.
            logger.LogWarning(exception, "{Failure} during {Method} {Path}; answered 503", code == "cluster_unavailable" ? "A silo was unreachable" : "Storage failed",
                http.Request.Method, http.Request.Path);
            http.Response.Headers.RetryAfter = code == "cluster_unavailable" ? "1" : "2";
        }

        logger.LogInformation("Refused {Method} {Path}: {Code} on {Field}: {Message}", http.Request.Method, http.Request.Path, code, field, exception.Message);
        http.Response.StatusCode = status;
        var details = new ProblemDetails
        {
            Status = status,
            Title = TitleFor(code),
            Detail = exception is BadHttpRequestException ? ProblemText.Shorten(exception.Message, 300)
                : code == "storage_unavailable" ? "The database did not take the change; nothing was recorded. Send the request again."
                : code == "cluster_unavailable" ? "A server of the cluster was lost or is restarting and did not answer. Send the request again; an answer sent twice with the same submission id is recorded once."
                : exception.Message,
            Type = $"urn:annotation:problem:{code}",
        };
        details.Extensions["code"] = code;
        details.Extensions["field"] = field;
        if (errors is not null) details.Extensions["errors"] = errors;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }

    /// <summary>The parameter a failed binding names (minimal APIs say: Failed to bind parameter "int limit" from "abc"), else the body.</summary>
    static string BindingField(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "parameter \"(?:[^\" ]+ )?([A-Za-z_][A-Za-z0-9_]*)\"");
        return match.Success ? match.Groups[1].Value : "body";
    }

    /// <summary>
    /// Answers the framework writes itself (an unknown route, a wrong method) get a <c>code</c> and a <c>field</c> like every
    /// other refusal.
    /// </summary>
    public static void AddMissingCodeAndField(ProblemDetailsContext context)
    {
        var extensions = context.ProblemDetails.Extensions;
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        if (!extensions.ContainsKey("code"))
            extensions["code"] = status switch
            {
                404 => "not_found",
                405 => "method_not_allowed",
                413 => "too_large",
                415 => "unsupported_media_type",
                >= 500 => "server_error",
                _ => "bad_request",
            };
        if (!extensions.ContainsKey("field")) extensions["field"] = status == 405 ? "method" : "path";
    }

    public static int StatusFor(string code) => code switch
    {
        RejectionCodes.NotInitialized => StatusCodes.Status404NotFound,
        RejectionCodes.NotQualified => StatusCodes.Status403Forbidden,
        RejectionCodes.WrongRound or RejectionCodes.WrongStatus or RejectionCodes.LeaseNotHeld or RejectionCodes.CampaignNotRunning
            or RejectionCodes.InvalidTransition or RejectionCodes.AlreadyInitialized or RejectionCodes.MaskAlreadySet or RejectionCodes.AlreadyPainted
            or RejectionCodes.AlreadyQualified or RejectionCodes.RetryLater => StatusCodes.Status409Conflict,
        RejectionCodes.TooManyClicks or RejectionCodes.ClickOutsideImage or RejectionCodes.InvalidMask => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    static string TitleFor(string code) => code switch
    {
        RejectionCodes.NotInitialized => "Not found",
        RejectionCodes.NotQualified => "Annotator not qualified",
        RejectionCodes.WrongRound => "Wrong round",
        RejectionCodes.WrongStatus => "Not possible in the current status",
        RejectionCodes.LeaseNotHeld => "Lease not held",
        RejectionCodes.CampaignNotRunning => "Campaign not running",
        RejectionCodes.InvalidTransition => "Invalid campaign transition",
        RejectionCodes.TooManyClicks => "Too many clicks",
        RejectionCodes.ClickOutsideImage => "Click outside the image",
        RejectionCodes.AlreadyPainted => "Already painted by you",
        RejectionCodes.AlreadyQualified => "Already qualified",
        RejectionCodes.RetryLater => "Too early to try again",
        RejectionCodes.InvalidMask => "Invalid mask",
        "import_rejected" => "Import rejected",
        "bad_credentials" => "Sign-in refused",
        "forbidden" => "Forbidden",
        "antiforgery" => "Anti-forgery token missing or wrong",
        "storage_unavailable" => "Storage unavailable",
        "cluster_unavailable" => "Cluster server unavailable",
        "too_large" => "Request too large",
        "unsupported_media_type" => "Unsupported media type",
        "malformed_json" => "Malformed JSON",
        _ => "Invalid request",
    };
}
