using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serilog;

namespace Simulator.Campaign;

/// <summary>A campaign run cannot go on: a refused request, an answer outside the contract, or the time limit.</summary>
public class CampaignFailedException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The server answered a request with a client error (4xx), which is not retried.</summary>
public sealed class CampaignApiException(string message, HttpStatusCode status, string? problemCode)
    : CampaignFailedException(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The problem's <c>code</c> member (e.g. not_qualified), when the body has one.</summary>
    public string? ProblemCode { get; } = problemCode;
}

/// <summary>Waits between attempts of a request that failed transiently: doubling from <see cref="Initial"/> up to <see cref="Max"/>.</summary>
public sealed record RetryPolicy(TimeSpan Initial, TimeSpan Max)
{
    public static RetryPolicy Default { get; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    /// <summary>The wait after the <paramref name="failures"/>-th failure (1 = first).</summary>
    public TimeSpan Delay(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var ms = Math.Min(Initial.TotalMilliseconds * factor, Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}

/// <summary>
/// The HTTP API v1 as the simulated campaign uses it. Every call measures its wall time, from the first attempt to the
/// answer (waits and retries included), into <see cref="MeasurementLog"/> under its name (next, submit, preview,
/// progress, ...). Connection failures,
/// request time-outs and 5xx answers are retried with the same request (so a submission keeps its id and
/// clicks) until the token is cancelled; a 4xx answer throws <see cref="CampaignApiException"/>.
/// </summary>
public sealed class CampaignApiClient(HttpClient http, MeasurementLog measurements, RetryPolicy? retry = null, ApiCredentials? credentials = null)
{
    private readonly RetryPolicy retry = retry ?? RetryPolicy.Default;

    public MeasurementLog Measurements => measurements;

    /// <summary>Creates the campaign; <c>Created</c> is false when one with the same id and settings existed.</summary>
    public async Task<(CampaignDto Campaign, bool Created)> CreateCampaignAsync(CreateCampaignRequest request, CancellationToken ct)
    {
        using var response = await SendAsync("create", HttpMethod.Post, "api/v1/campaigns", () => Json(request), ct);
        var campaign = await ReadAsync<CampaignDto>(response, "POST api/v1/campaigns", ct);
        return (campaign, response.StatusCode == HttpStatusCode.Created);
    }

    public async Task<CampaignDto> GetCampaignAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}";
        using var response = await SendAsync("campaign", HttpMethod.Get, path, null, ct);
        return await ReadAsync<CampaignDto>(response, "GET " + path, ct);
    }

    /// <summary>Imports a COCO instance file; with any bad row nothing is imported and the 422 is thrown.</summary>
    public async Task<ImportResultDto> ImportCocoAsync(string campaignId, string cocoJson, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/imports?format=coco&onError=reject";
        using var response = await SendAsync("import", HttpMethod.Post, path,
            () => new StringContent(cocoJson, Encoding.UTF8, "application/json"), ct);
        return await ReadAsync<ImportResultDto>(response, "POST " + path, ct);
    }

    /// <summary>
    /// Makes <paramref name="annotatorId"/> an annotator account with a fresh password (setting it anew when the account exists),
    /// signs it in for a token, once per run, and makes it a member of the campaign. Needs manager credentials.
    /// </summary>
    public async Task EnsureAnnotatorAsync(string campaignId, string annotatorId, CancellationToken ct)
    {
        if (credentials is null) throw new InvalidOperationException("Annotator accounts need the manager's token (--token).");
        if (!credentials.HasAnnotator(annotatorId))
        {
            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            try
            {
                using var created = await SendAsync("accounts", HttpMethod.Post, "api/v1/users",
                    () => Json(new NewUserRequest(annotatorId, password, "annotator")), ct);
            }
            catch (CampaignApiException ex) when (ex.Status == HttpStatusCode.Conflict)
            {
                using var reset = await SendAsync("accounts", HttpMethod.Put, $"api/v1/users/{E(annotatorId)}/password",
                    () => Json(new PasswordRequest(password)), ct);
            }
            using var signedIn = await SendAsync("accounts", HttpMethod.Post, "api/v1/auth/tokens",
                () => Json(new CredentialsRequest(annotatorId, password, "simulator")), ct);
            var token = await ReadAsync<CreatedTokenDto>(signedIn, "POST api/v1/auth/tokens", ct);
            credentials.SetAnnotator(annotatorId, new AnnotatorAccess(token.Token, token.Id));
        }
        using var member = await SendAsync("accounts", HttpMethod.Put, $"api/v1/campaigns/{E(campaignId)}/members/{E(annotatorId)}", null, ct);
    }

    /// <summary>Revokes the tokens the run made for its annotators.</summary>
    public async Task RevokeAnnotatorTokensAsync(CancellationToken ct)
    {
        if (credentials is null) return;
        foreach (var (annotatorId, access) in credentials.Annotators)
        {
            using var revoked = await SendAsync("accounts", HttpMethod.Delete, $"api/v1/me/tokens/{E(access.TokenId)}", null, ct, actingAs: annotatorId);
        }
    }

    public async Task QualifyAsync(string annotatorId, CancellationToken ct)
    {
        var path = $"api/v1/annotators/{E(annotatorId)}/qualification";
        using var response = await SendAsync("qualification", HttpMethod.Put, path, () => Json(new QualificationRequest(true)), ct);
    }

    public async Task<CampaignDto> StartAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/start";
        using var response = await SendAsync("start", HttpMethod.Post, path, null, ct);
        return await ReadAsync<CampaignDto>(response, "POST " + path, ct);
    }

    public async Task<NextResult> NextAsync(string campaignId, string annotatorId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/annotators/{E(annotatorId)}/next";
        using var response = await SendAsync("next", HttpMethod.Post, path, null, ct, actingAs: annotatorId);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            var retryAfter = response.Headers.RetryAfter;
            TimeSpan? wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
            return new NextResult(null, wait is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wait);
        }
        return new NextResult(await ReadAsync<AnnotationTaskDto>(response, "POST " + path, ct), null);
    }

    public async Task<ProgressDto> ProgressAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/progress";
        using var response = await SendAsync("progress", HttpMethod.Get, path, null, ct);
        return await ReadAsync<ProgressDto>(response, "GET " + path, ct);
    }

    public async Task<PreviewResponse> PreviewAsync(string campaignId, string annotatorId, string instanceId, PreviewRequest request, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/annotators/{E(annotatorId)}/tasks/{E(instanceId)}/preview";
        using var response = await SendAsync("preview", HttpMethod.Post, path, () => Json(request), ct, actingAs: annotatorId);
        return await ReadAsync<PreviewResponse>(response, "POST " + path, ct);
    }

    /// <summary>Submits an answer; transient failures resend the very same body (same submission id and clicks).</summary>
    public async Task<SubmitResponse> SubmitAsync(string campaignId, string annotatorId, string instanceId, SubmitRequest request, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/annotators/{E(annotatorId)}/tasks/{E(instanceId)}/submit";
        using var response = await SendAsync("submit", HttpMethod.Post, path, () => Json(request), ct, actingAs: annotatorId);
        return await ReadAsync<SubmitResponse>(response, "POST " + path, ct);
    }

    public async Task QualifyPainterAsync(string annotatorId, CancellationToken ct)
    {
        var path = $"api/v1/annotators/{E(annotatorId)}/qualification";
        using var response = await SendAsync("qualification", HttpMethod.Put, path, () => Json(new PaintingQualificationRequest(true)), ct);
    }

    public async Task<PaintNextResult> PaintNextAsync(string campaignId, string painterId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/paint/next";
        using var response = await SendAsync("paint.next", HttpMethod.Post, path, null, ct, actingAs: painterId);
        if (response.StatusCode == HttpStatusCode.NoContent) return new PaintNextResult(null, response.Headers.RetryAfter?.Delta);
        return new PaintNextResult(await ReadAsync<PaintTaskDto>(response, "POST " + path, ct), null);
    }

    /// <summary>Submits a painted mask; transient failures resend the very same body (same submission id).</summary>
    public async Task<PaintResultDto> PaintSubmitAsync(string campaignId, string painterId, string instanceId, PaintSubmitRequest request, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/paint/{E(instanceId)}/submit";
        using var response = await SendAsync("paint.submit", HttpMethod.Post, path, () => Json(request), ct, actingAs: painterId);
        return await ReadAsync<PaintResultDto>(response, "POST " + path, ct);
    }

    public async Task<PaintResultDto> PaintSkipAsync(string campaignId, string painterId, string instanceId, PaintSkipRequest request, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/paint/{E(instanceId)}/skip";
        using var response = await SendAsync("paint.skip", HttpMethod.Post, path, () => Json(request), ct, actingAs: painterId);
        return await ReadAsync<PaintResultDto>(response, "POST " + path, ct);
    }

    public async Task<CocoExportDto> ExportCocoAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/export?format=coco";
        using var response = await SendAsync("export", HttpMethod.Get, path, null, ct);
        return await ReadAsync<CocoExportDto>(response, "GET " + path, ct);
    }

    /// <summary>One page of the instances ranked by predicted IoU (best or worst first).</summary>
    public async Task<RankingPageDto> RankingAsync(string campaignId, bool bestFirst, int offset, int limit, CancellationToken ct)
    {
        var path = string.Create(CultureInfo.InvariantCulture,
            $"api/v1/campaigns/{E(campaignId)}/ranking?order={(bestFirst ? "best" : "worst")}&offset={offset}&limit={limit}");
        using var response = await SendAsync("ranking", HttpMethod.Get, path, null, ct);
        return await ReadAsync<RankingPageDto>(response, "GET " + path, ct);
    }

    /// <summary>The server's quality curve (held-out and training), kept as the server wrote it.</summary>
    public async Task<JsonObject> RankingCurveAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/ranking/curve";
        using var response = await SendAsync("ranking.curve", HttpMethod.Get, path, null, ct);
        return await ReadAsync<JsonObject>(response, "GET " + path, ct);
    }

    /// <summary>Each annotator's quality figures and whether the server flags them.</summary>
    public async Task<IReadOnlyList<AnnotatorQualityDto>> AnnotatorQualityAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/quality/annotators";
        using var response = await SendAsync("quality.annotators", HttpMethod.Get, path, null, ct);
        return await ReadAsync<List<AnnotatorQualityDto>>(response, "GET " + path, ct);
    }

    public async Task<RankingModelDto> RankingModelAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/ranking/model";
        using var response = await SendAsync("ranking.model", HttpMethod.Get, path, null, ct);
        return await ReadAsync<RankingModelDto>(response, "GET " + path, ct);
    }

    /// <summary>Starts spending an extra-click budget; a 409 (a spending still active, or no quality model for ranked) is thrown.</summary>
    public async Task<ExtraRoundsDto> StartExtraRoundsAsync(string campaignId, ExtraRoundsRequest request, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/extra-rounds";
        using var response = await SendAsync("extra-rounds", HttpMethod.Post, path, () => Json(request), ct);
        return await ReadAsync<ExtraRoundsDto>(response, "POST " + path, ct);
    }

    public async Task<ExtraRoundsDto> ExtraRoundsAsync(string campaignId, CancellationToken ct)
    {
        var path = $"api/v1/campaigns/{E(campaignId)}/extra-rounds";
        using var response = await SendAsync("extra-rounds", HttpMethod.Get, path, null, ct);
        return await ReadAsync<ExtraRoundsDto>(response, "GET " + path, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(string name, HttpMethod method, string path, Func<HttpContent>? content, CancellationToken ct, string? actingAs = null)
    {
        // What the caller waited: from the first attempt to the answer, throttling and retries included.
        var sinceFirst = Stopwatch.StartNew();
        for (var failures = 1; ; failures++)
        {
            ct.ThrowIfCancellationRequested();
            string failure;
            using (var request = new HttpRequestMessage(method, path) { Content = content?.Invoke() })
            {
                if (credentials is not null)
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", credentials.TokenFor(actingAs));
                try
                {
                    var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    var status = (int)response.StatusCode;
                    if (status is >= 200 and < 300)
                    {
                        measurements.Record(name, sinceFirst.Elapsed.TotalMilliseconds);
                        return response;
                    }
                    using (response)
                    {
                        // Too many requests: wait as long as the server asks, then send the same request again.
                        if (status == 429)
                        {
                            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                            measurements.Increment("throttled." + name);
                            await Task.Delay(wait, ct);
                            failures--;
                            continue;
                        }
                        if (status < 500) throw await ClientError(method, path, response, ct);
                        failure = $"HTTP {status} {response.ReasonPhrase}";
                    }
                }
                catch (HttpRequestException ex)
                {
                    failure = ex.Message;
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    failure = $"no answer within {http.Timeout.TotalSeconds:F0} s";
                }
            }
            measurements.Increment("retries." + name);
            var delay = retry.Delay(failures);
            if (failures == 1 || failures % 10 == 0)
                Log.Warning("{Method} {Path} failed ({Failure}); retrying in {Delay:F1} s (failure {Count})",
                    method.Method, path, failure, delay.TotalSeconds, failures);
            await Task.Delay(delay, ct);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string what, CancellationToken ct) where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct)
                ?? throw new CampaignFailedException($"{what} answered {(int)response.StatusCode} with an empty body.");
        }
        catch (JsonException ex)
        {
            throw new CampaignFailedException($"{what} answered JSON that does not match the API contract: {ex.Message}", ex);
        }
    }

    /// <summary>A readable message from a problem+json body (title, detail, code, row errors) or the raw body.</summary>
    private static async Task<CampaignApiException> ClientError(HttpMethod method, string path, HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        var message = new StringBuilder($"{method.Method} {path} was refused: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        string? code = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            code = Text("code");
            if (Text("title") is { } title) message.Append(": ").Append(title);
            if (Text("detail") is { } detail) message.Append(" - ").Append(detail);
            if (code is not null) message.Append(" (code ").Append(code).Append(')');
            if (root.TryGetProperty("errors", out var errors))
                message.Append(". Errors: ").Append(DescribeErrors(errors));
        }
        catch (JsonException)
        {
            if (body.Length > 0) message.Append(": ").Append(body.Length > 500 ? body[..500] + "..." : body);
        }
        return new CampaignApiException(message.ToString(), response.StatusCode, code);
    }

    /// <summary>"row 3, bbox: message; ..." for the first ten errors of a list, or the raw JSON otherwise.</summary>
    public static string DescribeErrors(JsonElement errors)
    {
        if (errors.ValueKind != JsonValueKind.Array) return errors.GetRawText();
        var parts = new List<string>();
        foreach (var error in errors.EnumerateArray().Take(10))
        {
            if (error.ValueKind != JsonValueKind.Object)
            {
                parts.Add(error.GetRawText());
                continue;
            }
            var row = error.TryGetProperty("row", out var r) ? r.ToString() : "?";
            var field = error.TryGetProperty("field", out var f) ? f.ToString() : "";
            var text = error.TryGetProperty("message", out var m) ? m.ToString() : error.GetRawText();
            parts.Add(string.IsNullOrEmpty(field) ? $"row {row}: {text}" : $"row {row}, {field}: {text}");
        }
        var count = errors.GetArrayLength();
        if (count > 10) parts.Add(string.Create(CultureInfo.InvariantCulture, $"and {count - 10} more"));
        return string.Join("; ", parts);
    }

    private static JsonContent Json<T>(T value) => JsonContent.Create(value, options: ApiJson.Options);

    private static string E(string segment) => Uri.EscapeDataString(segment);
}
