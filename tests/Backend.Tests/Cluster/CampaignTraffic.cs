using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace Backend.Tests.Cluster;

/// <summary>An answer the cluster acknowledged (200 to a submit): what the annotator was told is stored.</summary>
public sealed record AcknowledgedSubmission(string SubmissionId, string InstanceId, int Round, int ClickCount, DateTime At);

/// <summary>A task the cluster handed out (200 to a next): an instance's round leased to an annotator.</summary>
public sealed record HandedOutTask(string InstanceId, int Round, DateTime At);

/// <summary>A 5xx answer the simulated annotators saw, and whether it said when to come back.</summary>
public sealed record ServerFailure(HttpStatusCode Status, bool RetryAfter, string Path, DateTime At);

/// <summary>
/// Sits between the simulated annotators and the gateway and keeps what the fault tests check: every task handed out,
/// every acknowledged submission, every 5xx answer and every call that got no answer at all.
/// </summary>
public sealed class CampaignTraffic() : DelegatingHandler(new SocketsHttpHandler())
{
    readonly ConcurrentQueue<AcknowledgedSubmission> acknowledged = new();
    readonly ConcurrentQueue<ServerFailure> failures = new();
    readonly ConcurrentQueue<HandedOutTask> handedOut = new();
    int unanswered;

    public IReadOnlyList<AcknowledgedSubmission> Acknowledged => [.. acknowledged];
    public IReadOnlyList<ServerFailure> Failures => [.. failures];
    public IReadOnlyList<HandedOutTask> HandedOut => [.. handedOut];
    public int Unanswered => Volatile.Read(ref unanswered);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref unanswered);
            throw;
        }
        var path = request.RequestUri?.AbsolutePath ?? "";
        if ((int)response.StatusCode >= 500)
            failures.Enqueue(new ServerFailure(response.StatusCode, response.Headers.RetryAfter is not null, path, DateTime.UtcNow));
        else if (response.StatusCode == HttpStatusCode.OK && request.Method == HttpMethod.Post && path.EndsWith("/submit", StringComparison.Ordinal))
        {
            var body = await Body(response, cancellationToken);
            acknowledged.Enqueue(new AcknowledgedSubmission(
                body["submissionId"]!.GetValue<string>(), body["instanceId"]!.GetValue<string>(),
                body["round"]!.GetValue<int>(), body["clickCount"]!.GetValue<int>(), DateTime.UtcNow));
        }
        else if (response.StatusCode == HttpStatusCode.OK && request.Method == HttpMethod.Post && path.EndsWith("/next", StringComparison.Ordinal))
        {
            var body = await Body(response, cancellationToken);
            handedOut.Enqueue(new HandedOutTask(body["instanceId"]!.GetValue<string>(), body["round"]!.GetValue<int>(), DateTime.UtcNow));
        }
        return response;
    }

    /// <summary>The answer's JSON, buffered so the caller can still read the body after this look at it.</summary>
    static async Task<JsonNode> Body(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
    }
}
